# pg.mk - the PostgreSQL store backend (src/store/pg.c, `--db postgres://...`): libpq to talk
# to the server, and for the tests the server itself (initdb, postgres, psql), which
# tests/lib/pg.sh runs as a temporary cluster on 127.0.0.1 with a random port and a data folder
# in a temp dir. `make test` installs the server (TEST_DEBS), a plain `make` does not;
# tools/deps.sh installs with service starts denied, so Debian's own cluster is not started.
# The PostgreSQL schema is src/store/schema/pg/*.sql, embedded into build/gen/schema_pg_sql.c.
PKGS += libpq
DEBS += libpq-dev
TEST_DEBS += postgresql
