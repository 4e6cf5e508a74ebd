#!/bin/sh
# run.sh - the browser tests: Debian's chromium, driven by playwright-core, against the real
# binary ($HARK, default build/asan/hark) serving the built web app (web/dist). Builds nothing.
#
#   tests/browser/run.sh                     every *.test.mjs (hark.test.mjs first)
#   tests/browser/run.sh settings-x.test.mjs only the files named
#
# Starts `hark serve` on 127.0.0.1 (free port) with a temporary database, adds an admin and an
# agent with the CLI, runs the files one after another against it (each with its own time
# limit; lib.mjs is what they share), prints one summary line for all of them, and stops
# everything it started. Screenshots go to tests/artifacts/.
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
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --web-root "$ROOT/web/dist" --mail-poll-ms 500 $MODELS >>"$T/hark.log" 2>&1 &
HARK_PID=$!
URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$T/hark.log" | tail -1)
    [ -n "$URL" ] && break
    kill -0 "$HARK_PID" 2>/dev/null || { cat "$T/hark.log"; die "hark exited"; }
    sleep 0.05
done
[ -n "$URL" ] || die "hark did not start"

FILES="$*"
[ -n "$FILES" ] || FILES="hark.test.mjs $(ls ./*.test.mjs | sed 's|^\./||' | grep -v '^hark\.test\.mjs$' | sort | tr '\n' ' ')"
passed=0
failed=0
for f in $FILES; do
    f=${f##*/}
    echo "# $f"
    HARK_URL="$URL" HARK_TOKEN="$TOKEN" ARTIFACTS="$ART" \
        timeout -k 5 170 node "$f" >"$T/out" 2>&1
    rc=$?
    grep -v '^browser tests: ' "$T/out"
    sum=$(grep '^browser tests: ' "$T/out" | tail -1)
    p=$(echo "$sum" | sed -n 's/^browser tests: \([0-9]*\) passed.*/\1/p')
    n=$(echo "$sum" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    [ -n "$p" ] || p=0
    [ -n "$n" ] || n=0
    if [ $rc -ne 0 ] && [ "$n" -eq 0 ]; then
        [ $rc -eq 124 ] && echo "not ok - $f timed out after 170 s" || echo "not ok - $f exited with $rc"
        n=1
    fi
    passed=$((passed + p))
    failed=$((failed + n))
    if ! kill -0 "$HARK_PID" 2>/dev/null; then
        tail -30 "$T/hark.log"
        echo "not ok - hark died during $f"
        failed=$((failed + 1))
        break
    fi
done
echo "browser tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
