-- 024_care_policy.sql: care policy (issue 18, items 2 and 3): the root-cause taxonomy with the
-- keywords that suggest each cause, the root cause of each conversation, the goodwill granted
-- on a conversation (refunds, vouchers, freebies) with its approval, and the one row of policy
-- settings (root cause required or optional, the brand currency, the per-role limits per grant
-- and the repeat-goodwill window).
--
-- Money is an integer amount of the currency's minor units (cents), never a float.

CREATE TABLE root_cause (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    keywords    TEXT NOT NULL DEFAULT '[]',  -- JSON array of words or phrases, lower case
    archived    INTEGER NOT NULL DEFAULT 0,  -- kept for reports, not offered any more
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX root_cause_name ON root_cause(name COLLATE NOCASE);

-- At most one root cause per conversation; set (or changed) when it is resolved.
CREATE TABLE conv_root_cause (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversation(id) ON DELETE CASCADE,
    root_cause_id   INTEGER NOT NULL REFERENCES root_cause(id),
    agent_id        INTEGER REFERENCES agent(id) ON DELETE SET NULL,
    suggested       INTEGER NOT NULL DEFAULT 0,  -- the agent kept the suggested cause
    set_at          INTEGER NOT NULL
);
CREATE INDEX conv_root_cause_at ON conv_root_cause(set_at);

CREATE TABLE goodwill (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation(id) ON DELETE CASCADE,
    contact_id      INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('refund', 'voucher', 'freebie')),
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT NOT NULL,
    root_cause_id   INTEGER NOT NULL REFERENCES root_cause(id),
    note            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('approved', 'pending', 'declined')),
    requested_by    INTEGER REFERENCES agent(id) ON DELETE SET NULL,
    decided_by      INTEGER REFERENCES agent(id) ON DELETE SET NULL, -- the approver
    decision_note   TEXT NOT NULL DEFAULT '',
    decided_at      INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX goodwill_contact ON goodwill(contact_id, created_at);
CREATE INDEX goodwill_conv ON goodwill(conversation_id);
CREATE INDEX goodwill_status ON goodwill(status, created_at);

CREATE TABLE care_policy (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    root_cause_required  INTEGER NOT NULL DEFAULT 1,  -- on resolving a complaint
    currency             TEXT NOT NULL DEFAULT 'EUR', -- the brand currency of the limits
    limit_agent          INTEGER,                     -- minor units per grant; NULL: no limit
    limit_store_staff    INTEGER,
    limit_supervisor     INTEGER,
    limit_admin          INTEGER,
    repeat_count         INTEGER NOT NULL DEFAULT 2,  -- grants within the window that flag
    repeat_days          INTEGER NOT NULL DEFAULT 90,
    updated_at           INTEGER NOT NULL
);
INSERT INTO care_policy(id, limit_agent, limit_store_staff, limit_supervisor, limit_admin,
                        updated_at)
VALUES (1, 2500, 1000, 10000, NULL, 0);
