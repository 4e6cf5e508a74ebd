# One client cannot exhaust the server's connections: 1,100 idle connections from 127.0.0.1
# leave /healthz and signed webhooks from 127.0.0.2 answering; the client's connections over its
# limit get a 503 JSON with Retry-After (or are refused at accept beyond that); idle ones are
# closed at the request deadline; the total limit answers 503 too.
# serial: floods connections up to the server's limits
. "$(dirname "$0")/lib.sh"
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
start_hark --request-timeout-ms 5000 --max-connections-per-client 256
admin_setup
new_channel "Web"
BODY_JSON='{"id":"flood-1","from":{"id":"u1","name":"Ann"},"text":"still here"}'
SIG=$(sign "$CH_SECRET" "$BODY_JSON")
timeout 60 python3 - "$URL" "$CH_ID" "$SIG" "$BODY_JSON" <<'PY' || fail "flood checks"
import http.client, json, socket, sys, time, urllib.parse
url, chan, sig, body = sys.argv[1:5]
u = urllib.parse.urlparse(url)

def fail(msg):
    print("FAIL:", msg); sys.exit(1)

def ok(msg):
    print("ok:", msg)

def get(src, path, method="GET", body=None, headers={}):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10, source_address=(src, 0))
    c.request(method, path, body, headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, r.getheader("Retry-After"), data

def alive(socks, wait=0.5):
    """Sockets the server has not closed (no EOF, no reset) after 'wait' seconds."""
    time.sleep(wait)
    n = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                continue
        except BlockingIOError:
            n += 1
        except OSError:
            continue
    return n

held = []
opened = time.time()
for i in range(256):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.connect((u.hostname, u.port)); held.append(s)
if alive(held) != 256:
    fail("the first 256 idle connections should stay open")
ok("256 idle connections from 127.0.0.1 held")
# The 257th connection from the same address is answered, with a 503 and Retry-After.
st, ra, data = get("127.0.0.1", "/healthz")
err = json.loads(data).get("error", {}).get("code")
if st != 503 or not ra or err != "unavailable":
    fail("over the per-client limit: got %s retry-after=%s body=%r" % (st, ra, data))
ok("over the per-client limit: 503 JSON with Retry-After %s" % ra)
# Flood on to 1,100: the rest are refused at accept (closed at once), never queued.
extra = []
for i in range(1100 - 256):
    s = socket.socket(); s.bind(("127.0.0.1", 0))
    try:
        s.connect((u.hostname, u.port))
    except OSError:
        pass
    extra.append(s)
n = alive(held + extra)
if n > 256 + 16:
    fail("one address holds %d connections, want at most 272" % n)
ok("1,100 connection attempts from 127.0.0.1: %d held open" % n)
# Another address is served meanwhile.
st, _, _ = get("127.0.0.2", "/healthz")
if st != 200:
    fail("/healthz from 127.0.0.2: %s" % st)
ok("/healthz from 127.0.0.2 during the flood")
st, _, data = get("127.0.0.2", "/hooks/%s" % chan, "POST", body,
                  {"Content-Type": "application/json", "X-Hark-Signature": sig})
if st != 200:
    fail("webhook from 127.0.0.2: %s %r" % (st, data))
ok("signed webhook from 127.0.0.2 during the flood")
# Idle connections are closed at the request deadline (5 s), so the address recovers.
t0 = time.time()
while time.time() - t0 < 10 and alive(held, 0.2) > 0:
    pass
left = alive(held, 0)
if left:
    fail("%d idle connections outlived the 5 s request deadline" % left)
took = time.time() - opened
if took < 4.5:
    fail("idle connections closed after %.1f s, before the 5 s deadline" % took)
ok("idle connections closed %.1f s after they opened (deadline 5 s)" % took)
# The server counts a connection gone when it has finished closing it, which on a loaded
# machine can be a moment after the client saw the close: poll (bounded) until it serves.
st = None
t0 = time.time()
while time.time() - t0 < 5 and st != 200:
    try:
        st, _, _ = get("127.0.0.1", "/healthz")
    except OSError as e:
        st = str(e)
        time.sleep(0.1)
if st != 200:
    fail("127.0.0.1 after its idle connections were closed: %s" % st)
ok("127.0.0.1 served again")
for s in held + extra:
    s.close()
PY
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/conversations" -H "Authorization: Bearer $TOKEN")
check "API answers after the flood" "$code" 200
req GET "/api/v1/conversations"
check "the webhook sent during the flood was stored" "$(jqr '.items[0].preview')" "still here"
curl -s "$URL/metrics" | grep -q '^hark_http_refused_connection_limit_total [1-9]' || fail "refusals not counted"
curl -s "$URL/metrics" | grep -q '^hark_http_request_timeouts_total [1-9]' || fail "deadline closures not counted"
stop_hark

# The total limit: past --max-connections, requests are answered 503 too.
start_hark --max-connections 40 --max-connections-per-client 0 --request-timeout-ms 20000
timeout 30 python3 - "$URL" <<'PY' || fail "total limit checks"
import http.client, json, socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
held = []
for i in range(40):
    s = socket.socket(); s.bind(("127.0.0.%d" % (10 + i % 20), 0)); s.connect((u.hostname, u.port)); held.append(s)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10, source_address=("127.0.0.3", 0))
c.request("GET", "/healthz")
r = c.getresponse(); data = r.read()
if r.status != 503 or not r.getheader("Retry-After") or json.loads(data)["error"]["code"] != "unavailable":
    print("FAIL: past the total limit: %s %r" % (r.status, data)); sys.exit(1)
print("ok: past the total limit: 503 JSON with Retry-After")
PY
stop_hark
