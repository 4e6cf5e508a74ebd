#!/usr/bin/env python3
"""Helpers of tests/api/720-nats-events.sh (several Hark instances, one database, NATS).

bus_tool.py record URL TOKEN LAST_ID OUT
    Holds GET /api/v1/events open (Last-Event-ID: LAST_ID) and appends one line per event to
    OUT, flushed at once: "SEQ TYPE RECV_MS MARKER" (MARKER: the bmN marker of a message text,
    or -). Ends quietly when the server closes the connection or dies.
bus_tool.py flood OUT PREFIX COUNT CHANNEL SECRET URL...
    One thread per URL posts COUNT signed api-channel webhooks to it, each text carrying the
    marker PREFIX-URLINDEX-N; each one acknowledged (200, not a duplicate) appends
    "MARKER SENT_MS URLINDEX ACK_MS" to OUT. A connection error (the instance killed) ends that thread.
bus_tool.py check FROM TO FILE...
    The events in the FILEs, in order, must be exactly seqs FROM+1..TO, each once, strictly
    increasing. Prints what is wrong and exits 1 otherwise.
bus_tool.py markers ACKS FILE
    Every acknowledged marker in ACKS appears in FILE's message.created events exactly once.
bus_tool.py latency ACKS URLINDEX FILE
    Prints p50/p95/max ms from a webhook's acknowledgement by instance URLINDEX (its write is
    durable) to its message.created at the client that wrote FILE, and from its send (which adds
    the write itself) to the same (not asserted: figures for the report).
"""
import hashlib, hmac, http.client, json, re, socket, sys, threading, time, urllib.parse

MARK = re.compile(r'"text":"[^"]*\b(bm-[a-z0-9]+-\d+-\d+)x')


def now_ms():
    return time.time() * 1000.0


def record(url, token, last, out_path):
    u = urllib.parse.urlparse(url)
    out = open(out_path, "a", buffering=1)
    try:
        s = socket.create_connection((u.hostname, u.port), 5)
    except OSError:
        return
    s.settimeout(None)
    s.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
               "Last-Event-ID: %s\r\nAccept: text/event-stream\r\n\r\n" % (token, last)).encode())
    buf = b""
    seq, typ, data = None, None, ""
    while True:
        try:
            chunk = s.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        t = now_ms()
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            line = line.decode("utf-8", "replace").rstrip("\r")
            if line.startswith("id: "):
                seq = int(line[4:])
            elif line.startswith("event: "):
                typ = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line.startswith(": connected"):
                out.write("connected\n")
            elif line == "" and seq is not None:
                m = MARK.search(data) if typ == "message.created" else None
                out.write("%d %s %.1f %s\n" % (seq, typ, t, m.group(1) if m else "-"))
                seq, typ, data = None, None, ""


def flood(out_path, prefix, count, chan, secret, urls):
    out = open(out_path, "a", buffering=1)
    lock = threading.Lock()

    def worker(k, url):
        u = urllib.parse.urlparse(url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        for i in range(count):
            mark = "bm-%s-%d-%d" % (prefix, k, i)
            body = json.dumps({"id": mark, "from": {"id": "c%d" % (i % 40), "name": "Bus %d" % (i % 40)},
                               "text": "Parcel %sx is late" % mark}).encode()
            sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            t0 = now_ms()
            try:
                conn.request("POST", "/hooks/%s" % chan, body,
                             {"Content-Type": "application/json", "X-Hark-Signature": sig})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException):
                return
            if r.status == 200 and not json.loads(data)["duplicate"]:
                with lock:
                    out.write("%s %.1f %d %.1f\n" % (mark, t0, k, now_ms()))

    ths = [threading.Thread(target=worker, args=(k, url)) for k, url in enumerate(urls)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()


def events(paths):
    for p in paths:
        for line in open(p):
            f = line.split()
            if len(f) == 4:
                yield int(f[0]), f[1], float(f[2]), f[3]


def check(lo, hi, paths):
    want = lo + 1
    for seq, typ, _, _ in events(paths):
        if seq != want:
            print("FAIL: %s: seq %d where %d was expected (%s)" %
                  (" + ".join(paths), seq, want, "duplicate or reorder" if seq < want else "gap"))
            return 1
        want += 1
    if want != hi + 1:
        print("FAIL: %s: ended at seq %d, want %d" % (" + ".join(paths), want - 1, hi))
        return 1
    return 0


def markers(acks, path):
    seen = {}
    for _, typ, _, m in events([path]):
        if m != "-":
            seen[m] = seen.get(m, 0) + 1
    bad = 0
    for line in open(acks):
        m = line.split()[0]
        if seen.get(m, 0) != 1:
            print("FAIL: %s: acknowledged message %s seen %d times" % (path, m, seen.get(m, 0)))
            bad = 1
    return bad


def latency(acks, idx, path):
    sent, ack = {}, {}
    for line in open(acks):
        m, t, k, a = line.split()
        if int(k) == int(idx):
            sent[m], ack[m] = float(t), float(a)
    got = [(t, m) for _, _, t, m in events([path]) if m in sent]
    if not got:
        print("no samples")
        return 0
    def fig(name, start):
        lat = sorted(t - start[m] for t, m in got)
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
        return "%s p50_ms=%.1f p95_ms=%.1f max_ms=%.1f" % (name, p(0.5), p(0.95), lat[-1])
    print("n=%d %s; %s" % (len(got), fig("acked->event", ack), fig("sent->event", sent)))
    return 0


if __name__ == "__main__":
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "record":
        record(a[0], a[1], a[2], a[3])
    elif cmd == "flood":
        flood(a[0], a[1], int(a[2]), a[3], a[4], a[5:])
    elif cmd == "check":
        sys.exit(check(int(a[0]), int(a[1]), a[2:]))
    elif cmd == "markers":
        sys.exit(markers(a[0], a[1]))
    elif cmd == "latency":
        sys.exit(latency(a[0], a[1], a[2]))
