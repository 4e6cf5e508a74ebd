-- 013_roles_scope.sql: four roles, the store a conversation belongs to, and invite links.
--
-- Roles: admin, supervisor (an agent who may also reassign other agents' conversations),
-- agent, store_staff (an agent who sees only their store's conversations and those assigned
-- to them). The agent table is rebuilt to widen its CHECK; migrate.c runs this with foreign
-- keys off and checks them before commit, and legacy_alter_table keeps the rename from
-- rewriting the triggers and references that name "agent".
PRAGMA legacy_alter_table=ON;
CREATE TABLE agent_new (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT NOT NULL,
    name           TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    avatar_url     TEXT NOT NULL DEFAULT '',
    bio            TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL
                   CHECK (role IN ('admin', 'supervisor', 'agent', 'store_staff')),
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER                  -- ms since epoch; NULL: active
);
INSERT INTO agent_new(id, email, password_hash, name, display_name, avatar_url, bio, role,
                      created_at, disabled_at)
    SELECT id, email, password_hash, name, display_name, avatar_url, bio, role, created_at,
           disabled_at FROM agent;
DROP TABLE agent;
ALTER TABLE agent_new RENAME TO agent;
PRAGMA legacy_alter_table=OFF;

-- The store a conversation belongs to, decided as routing decides it: the contact's location,
-- else the channel's store (settings.store), else a store (an agent's location) named in the
-- customer's text. Contact and channel win whenever they say; a store named in the text only
-- fills a conversation that has none. NULL: no store (only admins, supervisors, agents and its
-- assignee see it).
ALTER TABLE conversation ADD COLUMN store TEXT;
CREATE INDEX conversation_store ON conversation(store COLLATE NOCASE, last_message_at, id)
    WHERE store IS NOT NULL;

CREATE TRIGGER conversation_store_msg AFTER INSERT ON message WHEN new.direction = 'in' BEGIN
    UPDATE conversation SET store = coalesce(
        (SELECT nullif(trim(ct.location), '') FROM contact ct WHERE ct.id = conversation.contact_id),
        (SELECT nullif(trim(json_extract(CASE WHEN json_valid(ch.settings) THEN ch.settings
                                         ELSE '{}' END, '$.store')), '')
           FROM channel ch WHERE ch.id = conversation.channel_id),
        store,
        (SELECT p.location FROM agent_profile p WHERE p.location IS NOT NULL
            AND trim(p.location) <> '' AND instr(lower(new.text), lower(p.location)) > 0
            ORDER BY p.agent_id LIMIT 1))
    WHERE id = new.conversation_id;
END;

-- A contact who moves (its location edited) takes its conversations to the new store.
CREATE TRIGGER conversation_store_contact AFTER UPDATE OF location ON contact
WHEN nullif(trim(new.location), '') IS NOT NULL BEGIN
    UPDATE conversation SET store = trim(new.location) WHERE contact_id = new.id;
END;

-- Conversations so far, from their newest inbound message.
UPDATE conversation SET store = coalesce(
    (SELECT nullif(trim(ct.location), '') FROM contact ct WHERE ct.id = conversation.contact_id),
    (SELECT nullif(trim(json_extract(CASE WHEN json_valid(ch.settings) THEN ch.settings
                                     ELSE '{}' END, '$.store')), '')
       FROM channel ch WHERE ch.id = conversation.channel_id),
    (SELECT p.location FROM agent_profile p, message m WHERE m.conversation_id = conversation.id
        AND m.direction = 'in' AND p.location IS NOT NULL AND trim(p.location) <> ''
        AND instr(lower(m.text), lower(p.location)) > 0
        ORDER BY m.id DESC, p.agent_id LIMIT 1));

-- Invite links: one live link per agent (a new one replaces it); only the SHA-256 of the token
-- is kept. A used link's row is deleted; an expired one stays, refused, until replaced.
CREATE TABLE agent_invite (
    agent_id    INTEGER PRIMARY KEY REFERENCES agent(id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
