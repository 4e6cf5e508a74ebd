-- 028_lease.sql: leases, so that work only one instance may do at a time (a listening source's
-- connection and cursor, a pull channel's poll) is done by one of several instances sharing
-- the database. A lease is held by its owner until 'until_at'; the owner renews it well before
-- then, and anyone may take it once it has run out (the owner died or lost the database).
CREATE TABLE lease (
    name      TEXT PRIMARY KEY,   -- "listen_source:12", "poll:4"
    owner     TEXT NOT NULL,      -- the holding instance (store_instance)
    until_at  INTEGER NOT NULL    -- ms since epoch
);
