#!/usr/bin/env python3
"""Posts signed api-channel webhooks as fast as it can over keep-alive connections.

usage: flood.py URL CHANNEL_ID SECRET SECONDS THREADS ACK_LOG [PREFIX]
Each 200 (with "duplicate": false) is appended to ACK_LOG as the message id, flushed at once,
so the file holds exactly the messages the server acknowledged. Connection errors (the server
being killed) end that thread quietly. Prints "sent=N acked=M" and per-request latencies
(p50/p99 ms) and the count of each HTTP status at the end.
"""
import hashlib, hmac, http.client, json, sys, threading, time, urllib.parse

url, chan, secret, secs, nthreads, ack_log = sys.argv[1:7]
prefix = sys.argv[7] if len(sys.argv) > 7 else "f"
u = urllib.parse.urlparse(url)
deadline = time.time() + float(secs)
lock = threading.Lock()
acked, sent, lat, codes = [0], [0], [], {}
out = open(ack_log, "a", buffering=1)


def worker(t):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    i = 0
    while time.time() < deadline:
        mid = "%s-%d-%d" % (prefix, t, i)
        i += 1
        body = json.dumps({"id": mid, "from": {"id": "c%d" % (i % 500), "name": "Flood %d" % (i % 500)},
                           "text": "Order %d has not arrived, please help" % i}).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/hooks/%s" % chan, body,
                         {"Content-Type": "application/json", "X-Hark-Signature": sig})
            r = conn.getresponse()
            data = r.read()
        except Exception:
            return
        dt = time.perf_counter() - t0
        with lock:
            sent[0] += 1
            lat.append(dt)
            codes[r.status] = codes.get(r.status, 0) + 1
            if r.status == 200 and not json.loads(data)["duplicate"]:
                acked[0] += 1
                out.write(mid + "\n")


ths = [threading.Thread(target=worker, args=(t,)) for t in range(int(nthreads))]
start = time.time()
for th in ths:
    th.start()
for th in ths:
    th.join()
elapsed = time.time() - start
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0
print("sent=%d acked=%d secs=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f codes=%s" %
      (sent[0], acked[0], elapsed, acked[0] / elapsed if elapsed else 0, p(0.5), p(0.99),
       ",".join("%d:%d" % kv for kv in sorted(codes.items()))))
