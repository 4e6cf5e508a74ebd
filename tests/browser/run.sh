#!/bin/sh
# run.sh - the browser tests: Debian's chromium, driven by playwright-core, against the real
# binary ($HARK, default build/asan/hark) serving the built web app (web/dist). Builds nothing.
#
# Starts `hark serve` on 127.0.0.1 (free port) with a temporary database, adds an admin and an
# agent with the CLI, runs hark.test.mjs (which also serves a customer's test page from a
# second local origin), and stops everything it started. Screenshots go to tests/artifacts/.
set -u
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
HARK=${HARK:-$ROOT/build/asan/hark}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ART="$ROOT/tests/artifacts"
mkdir -p "$ART"
rm -f "$ART"/browser-*.png
T=$(mktemp -d)
HARK_PID=""
cleanup() {
    if [ -n "$HARK_PID" ]; then
        kill -TERM "$HARK_PID" 2>/dev/null
        wait "$HARK_PID" 2>/dev/null
    fi
    cp "$T/hark.log" "$ART/browser-hark.log" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

die() { echo "browser tests: 0 passed, 1 failed ($*)"; exit 1; }
[ -x "$HARK" ] || die "no binary at $HARK"
[ -f "$ROOT/web/dist/index.html" ] || die "web/dist is not built"
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is not installed"
[ -d node_modules/playwright-core ] || die "playwright-core is not installed (npm ci in tests/browser)"

DB="$T/hark.db"
echo "maya-password-1" | "$HARK" agent add --db "$DB" --email maya@example.com --name "Maya Lopez" \
    --role admin --password-stdin >/dev/null 2>&1 || die "agent add"
echo "sam-password-12" | "$HARK" agent add --db "$DB" --email sam@example.com --name "Sam Ortiz" \
    --role agent --password-stdin >/dev/null 2>&1 || die "agent add"
TOKEN=$("$HARK" token create --db "$DB" --name browser-tests 2>/dev/null) || die "token create"

: > "$T/hark.log"
# Triage models when the build made them (the triage filters are then tested too).
MODELS=""
[ -f "$ROOT/build/models/intent.bin" ] && MODELS="--models $ROOT/build/models"
# shellcheck disable=SC2086
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --web-root "$ROOT/web/dist" $MODELS >>"$T/hark.log" 2>&1 &
HARK_PID=$!
URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$T/hark.log" | tail -1)
    [ -n "$URL" ] && break
    kill -0 "$HARK_PID" 2>/dev/null || { cat "$T/hark.log"; die "hark exited"; }
    sleep 0.05
done
[ -n "$URL" ] || die "hark did not start"

HARK_URL="$URL" HARK_TOKEN="$TOKEN" ARTIFACTS="$ART" \
    timeout -k 5 170 node hark.test.mjs
rc=$?
[ $rc -eq 124 ] && echo "browser tests: 0 passed, 1 failed (timed out after 170 s)"
kill -0 "$HARK_PID" 2>/dev/null || { tail -30 "$T/hark.log"; echo "hark died during the tests"; rc=1; }
exit $rc
