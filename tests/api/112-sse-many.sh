# Many live-event streams hold no thread each: 2,000 open streams (from ten client addresses),
# the thread count stays bounded, every stream gets every event, webhooks keep answering.
# serial: holds many SSE streams and measures their cost
. "$(dirname "$0")/lib.sh"
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
start_hark --http-workers 8 --http-threads 2
admin_setup
new_channel "Web"
before=$(awk '/^Threads:/ { print $2 }' /proc/$HARK_PID/status)
out=$(timeout 200 python3 "$FAKES/sse_swarm.py" "$URL" "$TOKEN" 2000 "$CH_ID" "$CH_SECRET" 5 5 "$HARK_PID") \
    || fail "swarm: $out"
echo "$out"
v() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
check "all streams connected" "$(v connected)" 2000
check "every event reached every stream" "$(v delivered)" "$(v expected)"
check "webhooks answered meanwhile" "$(v hook_errors)" 0
threads=$(v threads)
echo "threads before: $before, with 2000 streams: $threads"
[ "$threads" -le $((before + 4)) ] || fail "threads grew with streams: $before -> $threads"
stop_hark
