#!/bin/sh
# run.sh - the contract test: every operation in docs/openapi.yaml called against the real
# binary ($HARK, default build/asan/hark), each answer checked against the description (status
# documented, JSON body valid against its schema). Also checks that the route table in
# src/api/routes.c and the description's paths list the same operations. Builds nothing; needs
# tools/openapi/node_modules (make does `npm ci` there) and web/dist (for /widget.js, /assets).
#
# Starts `hark serve` on 127.0.0.1 (free port) with a temporary database and the fake Graph API
# (tests/fakes/meta_fake.py, for Meta's private reply), adds an admin and an agent and an API
# token with the CLI, runs contract.test.mjs and stops everything it started.
set -u
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
HARK=${HARK:-$ROOT/build/asan/hark}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
T=$(mktemp -d)
HARK_PID=""
META_PID=""
cleanup() {
    if [ -n "$HARK_PID" ]; then
        kill -TERM "$HARK_PID" 2>/dev/null
        wait "$HARK_PID" 2>/dev/null
    fi
    if [ -n "$META_PID" ]; then
        kill "$META_PID" 2>/dev/null
        wait "$META_PID" 2>/dev/null
    fi
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

die() { echo "contract tests: 0 passed, 1 failed ($*)"; exit 1; }
[ -x "$HARK" ] || die "no binary at $HARK"
[ -f "$ROOT/web/dist/index.html" ] || die "web/dist is not built"
[ -d "$ROOT/tools/openapi/node_modules/ajv" ] || die "tools/openapi/node_modules is not installed"

# The Graph API for the private reply and WhatsApp's templates (Meta's): tests/fakes/meta_fake.py
# on 127.0.0.1.
python3 "$ROOT/tests/fakes/meta_fake.py" serve --port-file "$T/graph.port" --log "$T/graph.log" \
    --token contract-page-token --templates "$ROOT/tests/fakes/wa_templates.json" \
    --waba 102290129340398 >/dev/null 2>&1 &
META_PID=$!
for _ in $(seq 1 100); do [ -s "$T/graph.port" ] && break; sleep 0.05; done
[ -s "$T/graph.port" ] || die "meta_fake.py did not start"
GRAPH="http://127.0.0.1:$(cat "$T/graph.port")/v19.0"

DB="$T/hark.db"
echo "admin-password-1" | "$HARK" agent add --db "$DB" --email admin@example.com --name "Ada Admin" \
    --role admin --password-stdin >/dev/null 2>&1 || die "agent add"
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email sam@example.com --name "Sam Ortiz" \
    --role agent --password-stdin >/dev/null 2>&1 || die "agent add"
TOKEN=$("$HARK" token create --db "$DB" --name contract 2>/dev/null) || die "token create"

: > "$T/hark.log"
# A failed delivery within moments (for the retry endpoint): one attempt, to a closed port.
# Triage models (make builds them; mk/classify.mk) so the model-version operations answer.
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --web-root "$ROOT/web/dist" \
    --models "$ROOT/build/models" --triage-data "$ROOT/build/classify-data" \
    --metrics-token contract-metrics --outbox-max-attempts 1 --outbox-retry-ms 100 \
    >>"$T/hark.log" 2>&1 &
HARK_PID=$!
URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$T/hark.log" | tail -1)
    [ -n "$URL" ] && break
    kill -0 "$HARK_PID" 2>/dev/null || { cat "$T/hark.log"; die "hark exited"; }
    sleep 0.05
done
[ -n "$URL" ] || die "hark did not start"

HARK_URL="$URL" HARK_TOKEN="$TOKEN" HARK_ROOT="$ROOT" HARK_GRAPH="$GRAPH" timeout -k 5 60 node contract.test.mjs
rc=$?
[ $rc -eq 124 ] && echo "contract tests: 0 passed, 1 failed (timed out after 60 s)"
kill -0 "$HARK_PID" 2>/dev/null || { tail -30 "$T/hark.log"; echo "hark died during the tests"; rc=1; }
exit $rc
