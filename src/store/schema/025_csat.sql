-- 025_csat.sql: customer satisfaction surveys (CSAT after resolve, issue 17 item 1).
-- survey_settings is one row (id 1) written by the "Surveys" settings area; questions, nps and
-- extra are JSON texts the API validated ({"en": "..."}; [{"id","text","kind"}]).
-- A survey is queued when a conversation is resolved (never for a blocked contact, never after
-- spam or abuse, at most one per conversation: the UNIQUE key), sent once when due_at passes
-- (sent_at, the message and its outbox row in one transaction, so a restart sends it once),
-- and answered once before expires_at. The link token of the survey page is kept as its SHA-256
-- hex only. agent_id and team_id are the assignee and team when it was resolved: the answer
-- counts on that agent's record.

CREATE TABLE survey_settings (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    enabled      INTEGER NOT NULL DEFAULT 0,
    delay_s      INTEGER NOT NULL DEFAULT 300,
    window_h     INTEGER NOT NULL DEFAULT 72,
    repeat_days  INTEGER NOT NULL DEFAULT 30,
    channels     TEXT NOT NULL DEFAULT '',  -- comma-separated channel types; '' = every type
    questions    TEXT NOT NULL DEFAULT '{"en":"How would you rate the help you got today?"}',
    nps          TEXT,                      -- NULL: no NPS question
    extra        TEXT NOT NULL DEFAULT '[]',
    updated_at   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO survey_settings(id) VALUES (1);

CREATE TABLE survey (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL UNIQUE REFERENCES conversation(id),
    contact_id      INTEGER NOT NULL,
    channel_id      INTEGER NOT NULL,
    agent_id        INTEGER,
    team_id         INTEGER,
    queued_at       INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    sent_at         INTEGER,
    message_id      INTEGER,
    token_hash      TEXT UNIQUE,
    expires_at      INTEGER,
    cancelled_at    INTEGER,
    cancel_reason   TEXT,
    answered_at     INTEGER,
    score           INTEGER CHECK (score BETWEEN 1 AND 5),
    nps             INTEGER CHECK (nps BETWEEN 0 AND 10),
    comment         TEXT,
    extra           TEXT,      -- JSON object: extra question id -> answer
    via             TEXT,      -- buttons, widget, link
    answer_ext      TEXT,      -- the platform's id of the tapped button's message (retries)
    event_message_id INTEGER   -- the "Rated 5" event in the conversation
);
CREATE INDEX survey_due ON survey(due_at) WHERE sent_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX survey_contact ON survey(contact_id, queued_at);
CREATE INDEX survey_message ON survey(message_id) WHERE message_id IS NOT NULL;
CREATE INDEX survey_answered ON survey(answered_at) WHERE answered_at IS NOT NULL;
