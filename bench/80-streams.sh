#!/bin/sh
# 80-streams.sh - open live-event streams held on one instance (issue 11): for 1k, 5k and 10k
# streams of GET /api/v1/events, the server's RSS and thread count once all are connected, the
# delivery latency of events to every stream (p50/p99/max: webhook sent -> read by the client,
# which includes the Python client's own reading time) and the p99 of the signed webhooks posted
# meanwhile (from another address, 10 per second). The anchor is the binary before the change
# (ANCHOR_HARK, default /work/main/hark: one thread per connection, 1,024 connections) at 1k;
# the 0-stream rows are the webhook latency with nothing held.
# Bounded: about 2-3 minutes. STREAMS and EVENTS shrink it.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
ANCHOR=${ANCHOR_HARK:-/work/main/hark}
STREAMS=${STREAMS:-"0 1000 5000 10000"}
EVENTS=${EVENTS:-20}
W=build/bench/streams
rm -rf "$W"; mkdir -p "$W"
ulimit -n "$(ulimit -Hn)"
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT

run() { # run BINARY STREAMS LABEL
    DB="$W/s$2.db"; rm -f "$DB"*
    echo "bench-password-1" | "$1" agent add --db "$DB" --email b@example.com --name B --role admin --password-stdin > /dev/null
    TOKEN=$("$1" token create --db "$DB" --name bench 2>/dev/null)
    out=$("$1" channel add --db "$DB" --type api --name bench)
    CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
    "$1" serve --listen 127.0.0.1:0 --db "$DB" --log-level warn --models none > "$W/serve$2.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 100); do
        PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
        [ -n "$PORT" ] && break
        sleep 0.1
    done
    idle_rss=$(awk '/^VmRSS/ { print $2 }' /proc/$PID/status)
    res=$(python3 tests/fakes/sse_swarm.py "http://127.0.0.1:$PORT" "$TOKEN" "$2" "$CH" "$SECRET" "$EVENTS" 10 "$PID" || true)
    kill $PID; wait $PID 2>/dev/null || true; PID=""
    v() { echo "$res" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    printf '%-7s %6s streams: connected %6s  RSS %5s MB (idle %3s MB)  threads %5s  delivery p50 %7s ms  p99 %7s ms  max %7s ms  (%s/%s)  webhook p99 %6s ms  errors %s\n' \
        "$3" "$2" "$(v connected)" "$(( $(v rss_kb) / 1024 ))" "$((idle_rss / 1024))" "$(v threads)" \
        "$(v delivery_p50_ms)" "$(v delivery_p99_ms)" "$(v delivery_max_ms)" "$(v delivered)" "$(v expected)" \
        "$(v hook_p99_ms)" "$(v hook_errors)"
}

echo "# open SSE streams held, $EVENTS events to every stream at 10/s (targets: 10,000 streams held, threads flat, memory bounded)"
if [ -x "$ANCHOR" ]; then
    run "$ANCHOR" 0 anchor
    run "$ANCHOR" 1000 anchor
fi
for n in $STREAMS; do
    run "$HARK" "$n" hark
done
