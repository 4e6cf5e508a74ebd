-- 017_canned.sql: canned replies (shared by the team, or personal to one agent) with a body per
-- language, their full-text index, and how often each agent sent a reply despite the
-- robotic-template nudges.
--
-- The bodies live in one JSON object per reply ({"en":"Hi {contact.first_name}, ...","es":...})
-- because a reply is always read whole; canned_fts indexes the title and every body (its rowid
-- is the reply's id) and is kept by the store's put and delete jobs.

CREATE TABLE canned_reply (
    id              INTEGER PRIMARY KEY,
    owner_agent_id  INTEGER REFERENCES agent(id) ON DELETE CASCADE, -- NULL: shared
    title           TEXT NOT NULL,
    shortcut        TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    bodies          TEXT NOT NULL DEFAULT '{}',
    default_lang    TEXT NOT NULL DEFAULT 'en',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- A shortcut names one reply within its set (the shared set, or one agent's).
CREATE UNIQUE INDEX canned_reply_shortcut ON canned_reply(coalesce(owner_agent_id, 0), shortcut);

CREATE VIRTUAL TABLE canned_fts USING fts5(title, body,
                                           tokenize='unicode61 remove_diacritics 2');

CREATE TABLE reply_nudge_override (
    agent_id  INTEGER PRIMARY KEY REFERENCES agent(id) ON DELETE CASCADE,
    count     INTEGER NOT NULL DEFAULT 0,
    last_at   INTEGER NOT NULL
);
