#!/bin/sh
# 55-listening-screen.sh - issue 19's benchmark: mention -> visible on an open listening screen
# (a real chromium page via playwright-core, as bench/30-web.sh) while matching posts arrive at
# 1,000 a second through POST /api/v1/listening/ingest, reported as p50/p95 two ways (the post
# or a newer one on top of the feed; the post's own row, for the rows that were on screen at
# all), with what the page's event stream carried; beside webhook -> visible in an open inbox
# in the same run. Bounded (about a minute); RATE, SECS and N_INBOX change it. No timing
# assertions.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
HARK=${HARK:-build/rel/hark}
W=build/bench/listening-screen
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
    --name "Bench Agent" --role admin --password-stdin > /dev/null 2>&1
TOKEN=$("$HARK" token create --db "$DB" --name bench 2>/dev/null)
out=$("$HARK" channel add --db "$DB" --type api --name bench 2>/dev/null)
CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --web-root "$ROOT/web/dist" > "$W/hark.log" 2>&1 &
PID=$!
URL=""
for _ in $(seq 1 200); do
    URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$W/hark.log" | tail -1)
    [ -n "$URL" ] && break
    sleep 0.05
done
[ -n "$URL" ] || { cat "$W/hark.log"; echo "hark did not start"; exit 1; }
curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"Bench","query":"lbench"}' "$URL/api/v1/listening/queries" || { echo "query"; exit 1; }
echo "# hark $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"
HARK_URL="$URL" HARK_TOKEN="$TOKEN" CH="$CH" SECRET="$SECRET" timeout -k 5 150 node bench/web/listening.mjs
kill $PID; wait $PID 2>/dev/null || true; PID=""
