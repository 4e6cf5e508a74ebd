-- 008_routing_sla.sql: teams, agent routing attributes, business-hours calendars, SLA policies,
-- routing rules, per-conversation SLA state and persisted timers.
--
-- The facts the SLA clocks depend on (when the customer last waited for an answer, the first
-- human reply, pauses) are kept by triggers in the same transaction as the write that changes
-- them, so no code path can forget them; each such change also queues the conversation in
-- sla_dirty, which the timers worker drains to recompute its deadlines.

CREATE TABLE calendar (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    tz          TEXT NOT NULL,
    hours       TEXT NOT NULL DEFAULT '{}',  -- {"mon":[["09:00","17:00"]],...} as given
    holidays    TEXT NOT NULL DEFAULT '[]',  -- ["2024-12-25",...]
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
-- Weekly hours, normalized: minutes since local midnight, end exclusive (1440 = midnight).
CREATE TABLE calendar_range (
    calendar_id  INTEGER NOT NULL REFERENCES calendar(id) ON DELETE CASCADE,
    dow          INTEGER NOT NULL,  -- 0 = Sunday .. 6 = Saturday
    start_min    INTEGER NOT NULL,
    end_min      INTEGER NOT NULL
);
CREATE INDEX calendar_range_cal ON calendar_range(calendar_id);

CREATE TABLE team (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    lead_agent_id      INTEGER REFERENCES agent(id),
    calendar_id        INTEGER REFERENCES calendar(id),
    autoack            INTEGER NOT NULL DEFAULT 0,
    autoack_public     INTEGER NOT NULL DEFAULT 0,
    autoack_templates  TEXT NOT NULL DEFAULT '{}', -- {"en":"... {when} ..."}
    rr_last_agent      INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE TABLE team_member (
    team_id   INTEGER NOT NULL REFERENCES team(id) ON DELETE CASCADE,
    agent_id  INTEGER NOT NULL REFERENCES agent(id),
    PRIMARY KEY (team_id, agent_id)
) WITHOUT ROWID;

CREATE TABLE agent_profile (
    agent_id        INTEGER PRIMARY KEY REFERENCES agent(id),
    skills          TEXT NOT NULL DEFAULT '[]',
    languages       TEXT NOT NULL DEFAULT '[]',
    channels        TEXT NOT NULL DEFAULT '[]',
    location        TEXT,
    capacity        INTEGER NOT NULL DEFAULT 10,
    availability    TEXT NOT NULL DEFAULT 'offline'
                    CHECK (availability IN ('online', 'away', 'offline')),
    auto_presence   INTEGER NOT NULL DEFAULT 1,
    frt_sum_ms      INTEGER NOT NULL DEFAULT 0,  -- measured first responses, for "heroes"
    frt_count       INTEGER NOT NULL DEFAULT 0,
    resolved_count  INTEGER NOT NULL DEFAULT 0,
    reopen_count    INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sla_policy (
    id                INTEGER PRIMARY KEY,
    name              TEXT NOT NULL,
    position          INTEGER NOT NULL DEFAULT 0,
    priority          INTEGER,   -- match: NULL any
    channel_type      TEXT,      -- match: NULL any
    intent            TEXT,      -- match: NULL any
    first_response_s  INTEGER,   -- NULL: no target
    next_response_s   INTEGER,
    resolution_s      INTEGER,
    business_hours    INTEGER NOT NULL DEFAULT 0,
    calendar_id       INTEGER REFERENCES calendar(id),
    warn_pct          INTEGER NOT NULL DEFAULT 80,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE routing_rule (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    enabled      INTEGER NOT NULL DEFAULT 1,
    channels     TEXT NOT NULL DEFAULT '[]',  -- conditions: an empty list matches anything
    languages    TEXT NOT NULL DEFAULT '[]',
    public       INTEGER,                     -- NULL any, 0 private, 1 public
    tags         TEXT NOT NULL DEFAULT '[]',
    locations    TEXT NOT NULL DEFAULT '[]',
    intents      TEXT NOT NULL DEFAULT '[]',
    sentiments   TEXT NOT NULL DEFAULT '[]',
    urgency_min  INTEGER,
    skills       TEXT NOT NULL DEFAULT '[]',  -- wanted skills, for best_match
    team_id      INTEGER NOT NULL REFERENCES team(id),
    strategy     TEXT NOT NULL
                 CHECK (strategy IN ('round_robin', 'least_loaded', 'best_match')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- One row per conversation the SLA machinery has seen.
CREATE TABLE conv_sla (
    conversation_id   INTEGER PRIMARY KEY REFERENCES conversation(id),
    team_id           INTEGER REFERENCES team(id),
    rule_id           INTEGER,
    strategy          TEXT,
    route_reason      TEXT,
    routed_at         INTEGER,
    queued_at         INTEGER,          -- waiting for capacity; NULL when not queued
    policy_id         INTEGER,
    policy_version    INTEGER,
    awaiting_since    INTEGER,          -- oldest inbound message without a human reply
    first_reply_at    INTEGER,
    last_reply_at     INTEGER,
    opened_at         INTEGER,          -- start of the resolution clock (creation or reopen)
    paused_at         INTEGER,          -- status pending since
    pause_ms          INTEGER NOT NULL DEFAULT 0, -- business ms paused since the clocks began
    first_due         INTEGER,
    next_due          INTEGER,
    resolve_due       INTEGER,
    autoack_msg_id    INTEGER,
    autoack_pending   INTEGER NOT NULL DEFAULT 0,
    noreply_reason    TEXT,
    escalation        INTEGER NOT NULL DEFAULT 0,
    updated_at        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conv_sla_queue ON conv_sla(queued_at) WHERE queued_at IS NOT NULL;
CREATE INDEX conv_sla_awaiting ON conv_sla(awaiting_since) WHERE awaiting_since IS NOT NULL;

-- Conversations whose SLA inputs changed; 'gen' lets a recompute clear only what it saw.
CREATE TABLE sla_dirty (
    conversation_id  INTEGER PRIMARY KEY,
    gen              INTEGER NOT NULL DEFAULT 1
);

-- Persisted deadlines. A timer fires once: 'fired_at' is set in the same transaction as its
-- event. 'cancelled' timers never fire.
CREATE TABLE timer (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL,
    kind             TEXT NOT NULL,    -- first_warning, first_breach, next_..., resolve_..., snooze
    due_at           INTEGER NOT NULL,
    fired_at         INTEGER,
    cancelled        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX timer_live ON timer(conversation_id) WHERE fired_at IS NULL AND cancelled = 0;

-- Existing conversations: who is still waiting for an answer.
INSERT INTO conv_sla(conversation_id, awaiting_since, opened_at, first_reply_at)
SELECT c.id,
       (SELECT min(m.created_at) FROM message m WHERE m.conversation_id = c.id
            AND m.direction = 'in' AND m.id > coalesce((SELECT max(o.id) FROM message o
            WHERE o.conversation_id = c.id AND o.direction = 'out' AND o.kind = 'message'), 0)),
       c.created_at,
       (SELECT min(o.created_at) FROM message o WHERE o.conversation_id = c.id
            AND o.direction = 'out' AND o.kind = 'message')
FROM conversation c WHERE c.status != 'resolved';

CREATE TRIGGER sla_msg_in AFTER INSERT ON message
WHEN new.direction = 'in' BEGIN
    INSERT OR IGNORE INTO conv_sla(conversation_id, opened_at)
        VALUES (new.conversation_id, new.created_at);
    UPDATE conv_sla SET awaiting_since = coalesce(awaiting_since, new.created_at),
        noreply_reason = NULL
        WHERE conversation_id = new.conversation_id;
    INSERT INTO sla_dirty(conversation_id) VALUES (new.conversation_id)
        ON CONFLICT(conversation_id) DO UPDATE SET gen = gen + 1;
END;

CREATE TRIGGER sla_msg_out AFTER INSERT ON message
WHEN new.direction = 'out' AND new.kind = 'message' AND NOT EXISTS
    (SELECT 1 FROM conv_sla WHERE conversation_id = new.conversation_id AND autoack_pending = 1)
BEGIN
    INSERT OR IGNORE INTO conv_sla(conversation_id, opened_at)
        VALUES (new.conversation_id, new.created_at);
    -- The first human reply: a measured first-response time for the author ("heroes").
    UPDATE agent_profile SET
        frt_sum_ms = frt_sum_ms + max(0, new.created_at - coalesce((SELECT awaiting_since
            FROM conv_sla WHERE conversation_id = new.conversation_id), new.created_at)),
        frt_count = frt_count + 1
        WHERE agent_id = new.author_agent_id AND (SELECT awaiting_since FROM conv_sla
            WHERE conversation_id = new.conversation_id) IS NOT NULL;
    UPDATE conv_sla SET awaiting_since = NULL,
        first_reply_at = coalesce(first_reply_at, new.created_at),
        last_reply_at = new.created_at, escalation = 0
        WHERE conversation_id = new.conversation_id;
    INSERT INTO sla_dirty(conversation_id) VALUES (new.conversation_id)
        ON CONFLICT(conversation_id) DO UPDATE SET gen = gen + 1;
END;

CREATE TRIGGER sla_status AFTER UPDATE OF status, snooze_until ON conversation
WHEN new.status IS NOT old.status OR new.snooze_until IS NOT old.snooze_until BEGIN
    INSERT OR IGNORE INTO conv_sla(conversation_id, opened_at) VALUES (new.id, new.created_at);
    UPDATE conv_sla SET
        paused_at = CASE WHEN new.status = 'pending' THEN coalesce(paused_at, new.updated_at)
                    ELSE paused_at END,
        opened_at = CASE WHEN old.status = 'resolved' THEN new.updated_at ELSE opened_at END,
        pause_ms = CASE WHEN old.status = 'resolved' THEN 0 ELSE pause_ms END,
        noreply_reason = CASE WHEN new.status = 'resolved' AND awaiting_since IS NOT NULL
                         THEN new.resolution_reason ELSE noreply_reason END,
        awaiting_since = CASE WHEN new.status = 'resolved' THEN NULL ELSE awaiting_since END,
        queued_at = CASE WHEN new.status = 'resolved' THEN NULL ELSE queued_at END
        WHERE conversation_id = new.id;
    UPDATE agent_profile SET
        resolved_count = resolved_count + (new.status = 'resolved'),
        reopen_count = reopen_count + (old.status = 'resolved' AND new.status != 'resolved')
        WHERE agent_id = new.assignee_id;
    INSERT INTO sla_dirty(conversation_id) VALUES (new.id)
        ON CONFLICT(conversation_id) DO UPDATE SET gen = gen + 1;
END;

CREATE TRIGGER sla_assignee AFTER UPDATE OF assignee_id ON conversation
WHEN new.assignee_id IS NOT old.assignee_id BEGIN
    INSERT INTO sla_dirty(conversation_id) VALUES (new.id)
        ON CONFLICT(conversation_id) DO UPDATE SET gen = gen + 1;
END;
