-- 020_triage_review.sql: the "review triage" queue (active learning). Ingest keeps how sure the
-- live models were: the margin between the probability of the chosen class and of the best
-- other one, for intent and for sentiment (0: a coin toss, 1: certain), and the sentiment's
-- probability. review_margin is the smaller of the two margins rounded to 0.01, the queue's
-- order (least sure first); it is NULL for messages nobody needs to review: untriaged ones,
-- those from before this migration, and once an agent has confirmed or corrected the labels.
-- A confirmation is a triage_correction row whose new_value equals its old_value.
ALTER TABLE message ADD COLUMN intent_margin REAL;
ALTER TABLE message ADD COLUMN sentiment_conf REAL;
ALTER TABLE message ADD COLUMN sentiment_margin REAL;
ALTER TABLE message ADD COLUMN review_margin REAL;
CREATE INDEX message_review ON message(review_margin, id DESC) WHERE review_margin IS NOT NULL;

-- "Skip": the message leaves that agent's queue for a while (no label is recorded).
CREATE TABLE triage_skip (
    agent_id    INTEGER NOT NULL,
    message_id  INTEGER NOT NULL REFERENCES message(id),
    skipped_at  INTEGER NOT NULL,
    PRIMARY KEY (agent_id, message_id)
) WITHOUT ROWID;
