-- 005_listening.sql: social listening. Brand queries, the public posts they matched
-- (mentions, with triage and the ids of the matching queries), the firehose sources the server
-- reads with their persisted cursors, and spike alerts.
CREATE TABLE listening_query (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    text        TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- One public post; 'created_at' is when the author wrote it (as the platform says), 'received_at'
-- when Hark stored it. (platform, external_id) is the dedupe key.
CREATE TABLE mention (
    id                  INTEGER PRIMARY KEY,
    platform            TEXT NOT NULL,
    external_id         TEXT NOT NULL,
    author_handle       TEXT NOT NULL DEFAULT '',
    author_name         TEXT,
    text                TEXT NOT NULL,
    lang                TEXT,
    url                 TEXT,
    created_at          INTEGER NOT NULL,
    intent              TEXT,
    intent_conf         REAL,
    sentiment           TEXT,
    sentiment_score     REAL,
    urgency             INTEGER,
    urgency_reasons     TEXT,
    addressed_to_brand  INTEGER NOT NULL DEFAULT 0,
    opportunity         INTEGER NOT NULL DEFAULT 0,
    conversation_id     INTEGER REFERENCES conversation(id),
    received_at         INTEGER NOT NULL,
    UNIQUE (platform, external_id)
);
CREATE INDEX mention_opportunity ON mention(opportunity, id);
CREATE INDEX mention_intent ON mention(intent, id);

CREATE TABLE mention_query (
    query_id    INTEGER NOT NULL,
    mention_id  INTEGER NOT NULL REFERENCES mention(id),
    PRIMARY KEY (query_id, mention_id)
) WITHOUT ROWID;
CREATE INDEX mention_query_mention ON mention_query(mention_id);

-- A firehose the server reads: "jetstream://HOST[:PORT][/PATH]" or "mastodon://HOST[...]".
-- 'cursor' is the last delivered position (Jetstream time_us), saved while running.
CREATE TABLE listening_source (
    id          INTEGER PRIMARY KEY,
    spec        TEXT NOT NULL,
    tls         INTEGER NOT NULL DEFAULT 0,
    cursor      TEXT,
    token       TEXT,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE spike_alert (
    id                        INTEGER PRIMARY KEY,
    query_id                  INTEGER NOT NULL,
    kind                      TEXT NOT NULL CHECK (kind IN ('volume', 'negative')),
    window_start              INTEGER NOT NULL,
    window_end                INTEGER NOT NULL,
    volume                    INTEGER NOT NULL,
    baseline                  REAL NOT NULL,
    negative_share            REAL NOT NULL,
    baseline_negative_share   REAL NOT NULL,
    posts                     TEXT NOT NULL DEFAULT '[]',
    created_at                INTEGER NOT NULL
);
CREATE INDEX spike_alert_query ON spike_alert(query_id, id);
