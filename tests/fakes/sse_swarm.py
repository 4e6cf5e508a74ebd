#!/usr/bin/env python3
"""Holds many live-event streams open on one Hark and measures event delivery to all of them.

usage: sse_swarm.py URL TOKEN STREAMS CHANNEL_ID SECRET EVENTS RATE [PID]
Opens STREAMS GET /api/v1/events connections, 200 per source address (127.0.1.1, 127.0.1.2, ...;
Linux routes all of 127/8 to lo), and waits until every one has its ": connected" line. Then a
second thread posts EVENTS signed webhooks from 127.0.0.2 at RATE per second, each text carrying a
marker; every stream must see every marker. Prints one line of key=value figures:
  streams=N connected=N rss_kb=K threads=T (of PID, when given, once all are connected)
  delivered=D expected=E delivery_p50_ms delivery_p99_ms delivery_max_ms (webhook sent -> read
  here; includes this client's own reading time) hook_p50_ms hook_p99_ms hook_errors
Exits 1 when a stream failed to connect or an event was not delivered within 60 s.
"""
import hashlib, hmac, http.client, json, re, selectors, socket, sys, threading, time, urllib.parse

url, token, nstreams, chan, secret, nevents, rate = sys.argv[1:8]
pid = sys.argv[8] if len(sys.argv) > 8 else None
nstreams, nevents, rate = int(nstreams), int(nevents), float(rate)
u = urllib.parse.urlparse(url)
PER_SRC = 200
MARK = re.compile(rb"mk(\d+)x")


def proc(field):
    if not pid:
        return -1
    for line in open("/proc/%s/status" % pid):
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1


sel = selectors.DefaultSelector()
req = ("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
       "Accept: text/event-stream\r\n\r\n" % token).encode()
streams = []  # [sock, connected, tail, seen-set]
deadline = time.time() + 120
for i in range(nstreams):
    src = "127.0.1.%d" % (1 + i // PER_SRC)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.setblocking(False)
    s.connect_ex((u.hostname, u.port))
    st = [s, False, b"", set(), False]
    streams.append(st)
    sel.register(s, selectors.EVENT_WRITE, st)

connected = 0
t0 = {}        # event index -> time its webhook was sent
lat = []
hook_lat, hook_err = [], [0]
delivered = 0


def on_read(st, now):
    global connected, delivered
    try:
        data = st[0].recv(65536)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        data = b""
    if not data:
        sel.unregister(st[0])
        st[0].close()
        st[4] = True
        return
    buf = st[2] + data
    if not st[1] and b": connected" in buf:
        st[1] = True
        connected += 1
    for m in MARK.finditer(buf):
        k = int(m.group(1))
        if k not in st[3] and k in t0:
            st[3].add(k)
            lat.append((now - t0[k]) * 1000)
            delivered += 1
    st[2] = buf[-16:]


def loop(until, stop):
    while time.time() < until and not stop():
        for key, ev in sel.select(timeout=0.2):
            st = key.data
            if ev & selectors.EVENT_WRITE:
                try:
                    st[0].send(req)
                except OSError:
                    sel.unregister(st[0])
                    st[4] = True
                    continue
                sel.modify(st[0], selectors.EVENT_READ, st)
            else:
                on_read(st, time.time())


loop(deadline, lambda: connected >= nstreams)
rss, threads = proc("VmRSS"), proc("Threads")


def sender():
    conn = None
    for k in range(nevents):
        body = json.dumps({"id": "swarm-%d-%d" % (k, int(time.time() * 1000)),
                           "from": {"id": "s%d" % (k % 50), "name": "Swarm"},
                           "text": "delivery mk%dx" % k}).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        start = time.time()
        t0[k] = start
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30,
                                                  source_address=("127.0.0.2", 0))
            conn.request("POST", "/hooks/%s" % chan, body,
                         {"Content-Type": "application/json", "X-Hark-Signature": sig})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                hook_err[0] += 1
        except OSError:
            hook_err[0] += 1
            conn = None
        hook_lat.append((time.time() - start) * 1000)
        time.sleep(max(0.0, 1.0 / rate - (time.time() - start)))


th = threading.Thread(target=sender)
if connected >= nstreams and nevents:
    th.start()
    expected = connected * nevents
    loop(time.time() + nevents / rate + 60, lambda: delivered >= expected and not th.is_alive())
    th.join()
else:
    expected = connected * nevents


def pct(v, p):
    if not v:
        return -1
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]


print("streams=%d connected=%d rss_kb=%d threads=%d delivered=%d expected=%d "
      "delivery_p50_ms=%.1f delivery_p99_ms=%.1f delivery_max_ms=%.1f hook_p50_ms=%.1f "
      "hook_p99_ms=%.1f hook_errors=%d" %
      (nstreams, connected, rss, threads, delivered, expected, pct(lat, 0.5), pct(lat, 0.99),
       max(lat) if lat else -1, pct(hook_lat, 0.5), pct(hook_lat, 0.99), hook_err[0]), flush=True)
sys.exit(0 if connected == nstreams and delivered == expected and not hook_err[0] else 1)
