-- 026_faq_bot.sql: the FAQ bot (issue 18, item 1). An editable FAQ set: each FAQ has question
-- variants (what customers write), an answer per language, an optional link and its own match
-- threshold; the per-FAQ counts (answered, handed off, reopened after the bot, held back) are
-- kept on the row in the same transaction as what they count.
CREATE TABLE faq (
    id          INTEGER PRIMARY KEY,
    question    TEXT NOT NULL,                 -- the name the care team knows it by
    variants    TEXT NOT NULL DEFAULT '[]',    -- JSON array of strings
    answers     TEXT NOT NULL DEFAULT '{}',    -- JSON object: language -> answer
    link        TEXT,
    threshold   REAL NOT NULL DEFAULT 0.5,
    enabled     INTEGER NOT NULL DEFAULT 1,
    answered    INTEGER NOT NULL DEFAULT 0,    -- the bot answered with it
    handed_off  INTEGER NOT NULL DEFAULT 0,    -- ... and the customer then went to a human
    reopened    INTEGER NOT NULL DEFAULT 0,    -- ... counted as answered, then came back
    held_back   INTEGER NOT NULL DEFAULT 0,    -- it matched, but the bot did not answer
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The bot's settings: one row. 'channels' is a JSON array of the channel ids it answers on;
-- 'window_ms' how long a customer may come back unhappy before the answer counts.
CREATE TABLE faq_bot (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    channels    TEXT NOT NULL DEFAULT '[]',
    window_ms   INTEGER NOT NULL DEFAULT 3600000,
    updated_at  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO faq_bot(id) VALUES (1);

-- What the bot did in a conversation (at most once: it only ever answers a first message).
-- state: answered (within the window), handed_off (the customer came back: a human has it),
-- counted (the window passed: it counts as an answer), reopened (counted, then came back).
CREATE TABLE bot_answer (
    conversation_id  INTEGER PRIMARY KEY REFERENCES conversation(id),
    faq_id           INTEGER,             -- NULL once the FAQ is deleted
    faq_question     TEXT NOT NULL,
    message_id       INTEGER NOT NULL,    -- the bot's message
    confidence       REAL NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('answered', 'handed_off', 'counted',
                                                    'reopened')),
    answered_at      INTEGER NOT NULL,
    due_at           INTEGER NOT NULL,    -- answered_at + the window
    handoff_reason   TEXT,
    changed_at       INTEGER NOT NULL
);
CREATE INDEX bot_answer_due ON bot_answer(due_at) WHERE state = 'answered';

-- The bot's messages and notes: the FAQ they came from (the thread shows them as the bot's).
ALTER TABLE message ADD COLUMN bot_faq_id INTEGER;
