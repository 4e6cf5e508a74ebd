# SIGTERM is a graceful stop: new connections are refused at once, a request in flight (here a
# webhook whose body is still arriving) is finished and acknowledged, live event streams end
# cleanly, and the process exits 0. The acknowledged message is there after a restart.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
curl -s -N -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events" > "$T/live.txt" 2>&1 &
SSE=$!
wait_for "stream connected" 5 grep -q ': connected' "$T/live.txt"
BODY_JSON='{"id":"inflight-1","from":{"id":"u1","name":"Ann"},"text":"sent during shutdown"}'
SIG=$(sign "$CH_SECRET" "$BODY_JSON")
python3 - "$URL" "$CH_ID" "$SIG" "$BODY_JSON" "$T" > "$T/inflight.out" 2>&1 <<'PY' &
import errno, socket, sys, time, urllib.parse
url, chan, sig, body, tmp = sys.argv[1:6]
u = urllib.parse.urlparse(url)
body = body.encode()
s = socket.create_connection((u.hostname, u.port))
s.sendall(("POST /hooks/%s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           "X-Hark-Signature: %s\r\nContent-Length: %d\r\n\r\n" % (chan, sig, len(body))).encode())
s.sendall(body[:10])
open(tmp + "/started", "w").close()
while not __import__("os").path.exists(tmp + "/termed"):
    time.sleep(0.05)
time.sleep(1)
try:
    socket.create_connection((u.hostname, u.port), timeout=2).close()
    print("new connection: accepted")
except OSError as e:
    print("new connection: refused")
s.sendall(body[10:])
s.settimeout(10)
data = b""
while b"\r\n\r\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print("reply:", data.split(b"\r\n")[0].decode(errors="replace"))
PY
PY_PID=$!
wait_for "request started" 5 test -f "$T/started"
sleep 0.3
kill -TERM "$HARK_PID"
: > "$T/termed"
wait "$HARK_PID"; rc=$?
HARK_PID=""
wait "$PY_PID"
cat "$T/inflight.out"
check "exit status on SIGTERM" "$rc" 0
grep -q '^new connection: refused' "$T/inflight.out" || fail "a new connection was accepted while stopping"
grep -q '^reply: HTTP/1.1 200' "$T/inflight.out" || fail "the in-flight webhook was not answered 200"
wait "$SSE"; sse_rc=$?
check "the event stream ended cleanly (curl exit status)" "$sse_rc" 0
grep -q '"stopping"' "$T/hark.log" || fail "no stopping line"
grep -q 'msg="draining"' "$T/hark.log" || fail "no draining line"
start_hark
req GET "/api/v1/conversations"
check "the acknowledged message survived" "$(jqr '.items[0].preview')" "sent during shutdown"
stop_hark
