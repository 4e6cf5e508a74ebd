-- 028_lease.sql: leases (SQLite's 028_lease.sql says what for): work one instance at a time.
CREATE TABLE lease (
    name      text PRIMARY KEY,
    owner     text NOT NULL,
    until_at  bigint NOT NULL
);
UPDATE schema_version SET version = 28;
