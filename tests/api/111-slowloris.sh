# Slowloris: a client that sends one header line every second never completes its request, and
# is cut off at the request deadline (2 s here) although every byte would restart an idle
# timeout; a slow body is cut off the same way; /healthz answers meanwhile, and a request that
# completes in time is served.
# serial: holds slow connections against request deadlines
. "$(dirname "$0")/lib.sh"
start_hark --request-timeout-ms 2000
timeout 60 python3 - "$URL" <<'PY' || fail "slowloris checks"
import http.client, socket, sys, threading, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
res = {}

def slow(name, head, drip, n):
    s = socket.create_connection((u.hostname, u.port))
    t0 = time.time()
    try:
        s.sendall(head)
        for i in range(n):
            time.sleep(1)
            s.sendall(drip % i if b"%d" in drip else drip)
        s.settimeout(5)
        data = s.recv(100)
        res[name] = ("open", time.time() - t0, data)
    except OSError:
        res[name] = ("cut", time.time() - t0, b"")
        return
    res[name] = ("cut" if data == b"" else "answered", time.time() - t0, data)

th = [threading.Thread(target=slow, args=("headers", b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
                                          b"X-Slow-%d: 1\r\n", 8)),
      threading.Thread(target=slow, args=("body", b"POST /hooks/1 HTTP/1.1\r\nHost: x\r\n"
                                          b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
                                          b" ", 8))]
for t in th:
    t.start()
time.sleep(1.5)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
c.request("GET", "/healthz")
st = c.getresponse().status
if st != 200:
    print("FAIL: /healthz during slowloris: %s" % st); sys.exit(1)
print("ok: /healthz answers while slow clients drip")
for t in th:
    t.join()
for name in ("headers", "body"):
    state, secs, data = res[name]
    if state != "cut" or secs > 5:
        print("FAIL: slow %s: %s after %.1f s (%r)" % (name, state, secs, data)); sys.exit(1)
    print("ok: slow %s cut off (the client noticed after %.1f s; deadline 2 s)" % (name, secs))
PY
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"); check "healthz after" "$code" 200
curl -s "$URL/metrics" | grep -q '^hark_http_request_timeouts_total [2-9]' || fail "deadline closures not counted"
stop_hark
