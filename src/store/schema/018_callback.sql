-- 018_callback.sql: phone callbacks. An agent offers one on a conversation: the customer gets
-- a link to /callback/<token> (only the token's SHA-256 hex is kept), valid until expires_at and
-- used once. Accepting it fills phone, slot_at and note: the row is then the agent's task,
-- until done_at.

CREATE TABLE callback (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation(id),
    agent_id        INTEGER REFERENCES agent(id), -- who offered it and gets the task; NULL: a token
    calendar_id     INTEGER,                      -- slots from it; 0 or gone: the default hours
    token_hash      TEXT NOT NULL UNIQUE,
    offered_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    accepted_at     INTEGER,
    phone           TEXT,
    slot_at         INTEGER,
    note            TEXT,
    done_at         INTEGER,
    done_by         INTEGER
);
CREATE INDEX callback_conversation ON callback(conversation_id);
CREATE INDEX callback_task ON callback(slot_at) WHERE accepted_at IS NOT NULL;
