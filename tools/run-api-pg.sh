#!/bin/sh
# run-api-pg.sh [PREFIX...] - runs the black-box API tests (tests/api/run.sh, the same PREFIX
# arguments) against PostgreSQL: one temporary server on 127.0.0.1 (tests/lib/pg.sh) for the
# whole run, every test in a schema of its own (tests/api/lib.sh reads HARK_TEST_PG); the tests
# that run on SQLite only print "skip: ..." and are counted as skipped. Prints the runner's
# output with its summary line prefixed "(postgres)": `api tests (postgres): N passed, ...`.
set -u
cd "$(dirname "$0")/.."
. tests/lib/pg.sh
pg_start >/dev/null || exit 1
rcf="$PG_DIR/api.rc"
{ tests/api/run.sh "$@"; echo $? > "$rcf"; } | sed 's/^api tests:/api tests (postgres):/'
rc=$(cat "$rcf" 2>/dev/null || echo 1)
pg_stop
exit "$rc"
