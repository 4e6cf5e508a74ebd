#!/bin/sh
# 35-settings-size.sh - the admin console's weight (issue 13): the gzip KB of the first load of
# each settings screen beside the inbox's, as `hark serve` serves them (index.html plus every
# JS/CSS chunk and icon the page loads in Debian's chromium, each fetched again with
# Accept-Encoding: gzip). The settings screens are a lazily loaded chunk, so the inbox should
# not grow with them: the figure to watch is "beyond the inbox's". No target is asserted.
# Bounded (a few seconds per area); SETTINGS_SCREENS lists the areas (#/settings/<area>) to visit.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HARK=${HARK:-build/rel/hark}
# Every area the registry lists, unless SETTINGS_SCREENS names some.
SCREENS=${SETTINGS_SCREENS:-$(sed -n "s/^ *{ id: '\([a-z_]*\)'.*/\1/p" web/src/settings/areas.tsx | tr '\n' ' ')}
W=build/bench/settings
rm -rf "$W"; mkdir -p "$W"
[ -f web/dist/index.html ] || { echo "web/dist is not built (run make)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "skipped: /usr/bin/chromium is not installed"; exit 0; }
if [ ! -d tests/browser/node_modules/playwright-core ]; then
    make -s tests/browser/node_modules/.stamp >/dev/null || { echo "skipped: no playwright-core"; exit 0; }
fi
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT

DB="$W/hark.db"
echo "bench-password-1" | "$HARK" agent add --db "$DB" --email bench@example.com \
    --name "Bench Admin" --role admin --password-stdin > /dev/null 2>&1
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --web-root "$ROOT/web/dist" > "$W/hark.log" 2>&1 &
PID=$!
URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$W/hark.log" | tail -1)
    [ -n "$URL" ] && break
    sleep 0.05
done
[ -n "$URL" ] || { cat "$W/hark.log"; echo "hark did not start"; exit 1; }
HARK_URL="$URL" SCREENS="$SCREENS" timeout -k 5 120 node bench/settings/size.mjs
kill $PID; wait $PID 2>/dev/null || true; PID=""
