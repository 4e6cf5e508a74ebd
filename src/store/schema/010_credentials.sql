-- 010_credentials.sql: credential lifecycle. Agents can be disabled (they cannot log in, their
-- sessions end, their tokens stop working); API tokens get an owner, an optional expiry and a
-- revocation time (kept, not deleted, so `hark token list` still shows what existed).
ALTER TABLE agent ADD COLUMN disabled_at INTEGER;        -- ms since epoch; NULL: active
ALTER TABLE api_token ADD COLUMN agent_id INTEGER REFERENCES agent(id); -- creator; NULL: CLI
ALTER TABLE api_token ADD COLUMN expires_at INTEGER;     -- ms since epoch; NULL: never
ALTER TABLE api_token ADD COLUMN revoked_at INTEGER;     -- ms since epoch; NULL: live
CREATE INDEX session_agent ON session(agent_id);
