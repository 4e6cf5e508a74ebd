-- The audit log: every admin and security action (settings changed, with the resource as the
-- API showed it before and after; logins, failed logins, logouts, password changes, token and
-- role changes, exports), recorded after the action succeeded (or, for a failed login, was
-- refused). Append-only: the triggers below refuse every UPDATE and DELETE, so not even a bug
-- in Hark can rewrite history. No foreign keys: an entry outlives the agent, token or
-- resource it names. Secrets never reach this table (api/audit.c masks them before the write).
CREATE TABLE audit (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,            -- ms since epoch
    actor_agent_id  INTEGER,                     -- the agent who acted (NULL: none)
    actor_token_id  INTEGER,                     -- the API token used (NULL: none)
    actor           TEXT NOT NULL DEFAULT '',    -- readable: the agent's name, the token's
                                                 -- name, or the email a failed login tried
    action          TEXT NOT NULL,               -- "team.update", "login.failed", ...
    target_type     TEXT,                        -- "team", "agent", ... (NULL: none)
    target_id       INTEGER,
    summary         TEXT NOT NULL DEFAULT '',
    before          TEXT,                        -- JSON as the API showed it, NULL: none
    after           TEXT,
    ip              TEXT NOT NULL DEFAULT '',
    request_id      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_action ON audit(action);
CREATE INDEX audit_target ON audit(target_type, target_id);
CREATE INDEX audit_actor ON audit(actor_agent_id);
CREATE INDEX audit_at ON audit(at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- INSERT OR REPLACE deletes the row it replaces without firing a DELETE trigger (unless
-- recursive triggers are on): refuse an insert over an existing id instead.
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN new.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit WHERE id = new.id) BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
