# Live events over SSE: new events arrive live; Last-Event-ID resumes without loss; heartbeats.
. "$(dirname "$0")/lib.sh"
start_hark --sse-heartbeat-ms 300
admin_setup
new_channel "Web"
curl -s -N -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events" > "$T/live.txt" &
echo $! > "$T/sse1.pid"
wait_for "stream connected" 5 grep -q ': connected' "$T/live.txt"
curl -s "$URL/metrics" | grep -q '^hark_sse_clients 1$' || fail "sse client not counted"
hook "$CH_ID" "$CH_SECRET" '{"id":"e1","from":{"id":"u1","name":"Ann"},"text":"first"}'
wait_for "message.created live" 5 grep -q '^event: message.created' "$T/live.txt"
grep -q '^event: conversation.created' "$T/live.txt" || fail "no conversation.created"
wait_for "heartbeat" 5 grep -q '^: heartbeat' "$T/live.txt"
data=$(grep '^data: .*"message"' "$T/live.txt" | head -1 | sed 's/^data: //')
check "event carries the message" "$(echo "$data" | jq -r .message.text)" first
LAST=$(grep '^id: ' "$T/live.txt" | tail -1 | sed 's/id: //')
kill "$(cat "$T/sse1.pid")"

# While no one listens, three more messages; a resumed stream gets exactly those.
for i in 2 3 4; do hook "$CH_ID" "$CH_SECRET" "{\"id\":\"e$i\",\"from\":{\"id\":\"u1\"},\"text\":\"msg $i\"}"; done
curl -s -N -H "Authorization: Bearer $TOKEN" -H "Last-Event-ID: $LAST" "$URL/api/v1/events" > "$T/resume.txt" &
echo $! > "$T/sse2.pid"
wait_for "resumed events" 5 sh -c "grep -c '^event: message.created' '$T/resume.txt' | grep -qx 3"
ids=$(grep '^id: ' "$T/resume.txt" | sed 's/id: //' | tr '\n' ' ')
first=$(echo $ids | cut -d' ' -f1)
check "resume starts right after Last-Event-ID" "$first" $((LAST + 1))
# Sequence numbers are strictly increasing without gaps.
prev=$LAST; for i in $ids; do [ "$i" -eq $((prev + 1)) ] || fail "gap or reorder at $i"; prev=$i; done
kill "$(cat "$T/sse2.pid")"

# Resume from the very beginning (older than the in-memory ring is read from the database).
curl -s -N -m 2 -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events?last_event_id=0" > "$T/all.txt"
check "all events from 0" "$(grep -c '^event: message.created' "$T/all.txt")" 4
code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 -H "Authorization: Bearer $TOKEN" -H 'Last-Event-ID: abc' "$URL/api/v1/events")
check "bad Last-Event-ID" "$code" 400
code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$URL/api/v1/events"); check "events need auth" "$code" 401

# A client that never reads cannot stall the server: writes and other streams go on.
python3 - "$URL" "$TOKEN" > "$T/slow.pid" <<'PY' &
import socket, sys, time, urllib.parse, os
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname, u.port))
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
s.sendall(("GET /api/v1/events?last_event_id=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % sys.argv[2]).encode())
print(os.getpid(), flush=True)
time.sleep(30)
PY
sleep 0.5
for i in $(seq 5 60); do
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"e$i\",\"from\":{\"id\":\"u$i\"},\"text\":\"$(head -c 3000 /dev/zero | tr '\0' 'x')\"}"
    [ "$STATUS" = 200 ] || fail "write stalled by slow reader: $STATUS"
done
curl -s -N -m 2 -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events?last_event_id=0" > "$T/all2.txt"
check "fast reader unaffected" "$(grep -c '^event: message.created' "$T/all2.txt")" 60
stop_hark
