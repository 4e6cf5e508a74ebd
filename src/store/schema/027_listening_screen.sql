-- 027_listening_screen.sql: the listening screen. A mention can be dismissed (set aside by an
-- agent, and brought back); the author's reach (followers) is kept where the source gives it;
-- every agent keeps their own saved views of the feed (a name and a set of filters).

ALTER TABLE mention ADD COLUMN dismissed_at INTEGER;
ALTER TABLE mention ADD COLUMN dismissed_by INTEGER REFERENCES agent(id); -- NULL: an API token
ALTER TABLE mention ADD COLUMN author_followers INTEGER; -- NULL: the source did not say

CREATE TABLE listening_view (
    id          INTEGER PRIMARY KEY,
    agent_id    INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    filters     TEXT NOT NULL,   -- a JSON object of the mention list's filters
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (agent_id, name)
);
