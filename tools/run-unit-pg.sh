#!/bin/sh
# run-unit-pg.sh - runs the store's unit tests against PostgreSQL: a temporary server on
# 127.0.0.1 (tests/lib/pg.sh), every test in a schema of its own (tests/unit/store/fixture.h
# reads HARK_TEST_PG). Prints run-unit.sh's summary line, prefixed "postgres".
set -u
cd "$(dirname "$0")/.."
. tests/lib/pg.sh
pg_start >/dev/null || exit 1
out=$(tools/run-unit.sh "$@")
rc=$?
echo "$out" | sed 's/^unit tests:/unit tests (postgres):/'
pg_stop
exit $rc
