-- 001_init.sql: the first schema. Times are integers, milliseconds since the Unix epoch.
-- JSON-valued columns (labels, tags, settings, attributes) hold compact JSON text.

CREATE TABLE contact (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL DEFAULT '',
    email       TEXT,
    phone       TEXT,
    locale      TEXT,
    location    TEXT,
    tags        TEXT NOT NULL DEFAULT '[]',
    notes       TEXT NOT NULL DEFAULT '',
    attributes  TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'customer',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX contact_name ON contact(name COLLATE NOCASE);

CREATE TABLE identity (
    id            INTEGER PRIMARY KEY,
    contact_id    INTEGER NOT NULL REFERENCES contact(id),
    channel_type  TEXT NOT NULL,
    platform_id   TEXT NOT NULL,
    handle        TEXT,
    name          TEXT,
    created_at    INTEGER NOT NULL,
    UNIQUE (channel_type, platform_id)
);
CREATE INDEX identity_contact ON identity(contact_id);

CREATE TABLE channel (
    id          INTEGER PRIMARY KEY,
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    secret      TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);

CREATE TABLE agent (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    name           TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    avatar_url     TEXT NOT NULL DEFAULT '',
    bio            TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    created_at     INTEGER NOT NULL
);

CREATE TABLE conversation (
    id                 INTEGER PRIMARY KEY,
    channel_id         INTEGER NOT NULL REFERENCES channel(id),
    contact_id         INTEGER NOT NULL REFERENCES contact(id),
    thread_key         TEXT,
    public             INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'open'
                       CHECK (status IN ('open', 'pending', 'snoozed', 'resolved')),
    assignee_id        INTEGER REFERENCES agent(id),
    priority           INTEGER NOT NULL DEFAULT 0,
    labels             TEXT NOT NULL DEFAULT '[]',
    intent             TEXT,
    sentiment          TEXT,
    urgency            INTEGER,
    snooze_until       INTEGER,
    resolution_reason  TEXT,
    preview            TEXT NOT NULL DEFAULT '',
    unread             INTEGER NOT NULL DEFAULT 0,
    message_count      INTEGER NOT NULL DEFAULT 0,
    last_message_at    INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX conversation_thread ON conversation(channel_id, thread_key)
    WHERE thread_key IS NOT NULL;
CREATE INDEX conversation_contact ON conversation(contact_id, channel_id, last_message_at);
CREATE INDEX conversation_recent ON conversation(last_message_at, id);
CREATE INDEX conversation_status ON conversation(status, last_message_at, id);
CREATE INDEX conversation_assignee ON conversation(assignee_id, status, last_message_at, id);
CREATE INDEX conversation_channel ON conversation(channel_id, status, last_message_at, id);

-- One row per (label, conversation) so the label filter is an index lookup.
CREATE TABLE conversation_label (
    label            TEXT NOT NULL,
    conversation_id  INTEGER NOT NULL REFERENCES conversation(id),
    PRIMARY KEY (label, conversation_id)
) WITHOUT ROWID;

CREATE TABLE message (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversation(id),
    channel_id       INTEGER NOT NULL REFERENCES channel(id),
    direction        TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind             TEXT NOT NULL CHECK (kind IN ('message', 'note', 'event')),
    text             TEXT NOT NULL,
    author_agent_id  INTEGER REFERENCES agent(id),
    external_id      TEXT,
    reply_to         TEXT,
    public           INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL
                     CHECK (status IN ('received', 'queued', 'sent', 'failed', 'none')),
    error            TEXT,
    lang             TEXT,
    intent           TEXT,
    intent_conf      REAL,
    sentiment        TEXT,
    sentiment_score  REAL,
    urgency          INTEGER,
    urgency_reasons  TEXT,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER
);
CREATE UNIQUE INDEX message_external ON message(channel_id, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX message_conversation ON message(conversation_id, id);

CREATE VIRTUAL TABLE message_fts USING fts5(text, content='message', content_rowid='id');
CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
    INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE session (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    agent_id      INTEGER NOT NULL REFERENCES agent(id),
    csrf          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);

CREATE TABLE api_token (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL DEFAULT 'admin',
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);

-- Persisted, numbered events; 'seq' is the SSE id.
CREATE TABLE event (
    seq         INTEGER PRIMARY KEY,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Replies waiting for delivery. A row leaves 'pending' exactly once, to 'sent' or 'failed'.
CREATE TABLE outbox (
    message_id       INTEGER PRIMARY KEY REFERENCES message(id),
    channel_id       INTEGER NOT NULL REFERENCES channel(id),
    idempotency_key  TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at          INTEGER NOT NULL,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox(state, next_at);
