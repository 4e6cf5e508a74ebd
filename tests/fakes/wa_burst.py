#!/usr/bin/env python3
"""Opens many conversations fast through the real WhatsApp webhook: signed deliveries of up to
100 messages each (Meta batches that way), every message from a new wa_id, so each opens a new
conversation.

usage: wa_burst.py URL CHANNEL_ID APP_SECRET COUNT [THREADS] [PREFIX] [PER_DELIVERY]
Posts COUNT messages in deliveries of PER_DELIVERY (default 100) over THREADS (default 2)
keep-alive connections. Message i comes from wa_id PREFIX-number + i and has id
wamid.PREFIX-i, so a second run with another PREFIX opens new conversations. Prints
"deliveries=D accepted=A errors=E secs=S" and exits 1 when any delivery was not answered 200.
"""
import hashlib, hmac, http.client, json, sys, threading, time, urllib.parse

url, chan, secret, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
nthreads = int(sys.argv[5]) if len(sys.argv) > 5 else 2
prefix = sys.argv[6] if len(sys.argv) > 6 else "b"
per = int(sys.argv[7]) if len(sys.argv) > 7 else 100
u = urllib.parse.urlparse(url)
base = int(hashlib.sha256(prefix.encode()).hexdigest()[:6], 16) * 10**7
lock = threading.Lock()
todo = list(range(0, count, per))
stats = {"deliveries": 0, "accepted": 0, "errors": 0}


def delivery(first):
    msgs, contacts = [], []
    ts = str(int(time.time()))
    for i in range(first, min(first + per, count)):
        wa = str(base + i)
        contacts.append({"profile": {"name": "Burst %d" % i}, "wa_id": wa})
        msgs.append({"from": wa, "id": "wamid.%s-%d" % (prefix, i), "timestamp": ts,
                     "type": "text", "text": {"body": "Order %d has not arrived, can you check?" % i}})
    return {"object": "whatsapp_business_account", "entry": [{"id": "900000000000001", "changes": [
        {"value": {"messaging_product": "whatsapp",
                   "metadata": {"display_phone_number": "15550001111",
                                "phone_number_id": "800000000000002"},
                   "contacts": contacts, "messages": msgs}, "field": "messages"}]}]}


def worker():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    while True:
        with lock:
            if not todo:
                return
            first = todo.pop(0)
        body = json.dumps(delivery(first)).encode()
        sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        try:
            conn.request("POST", "/hooks/%s" % chan, body,
                         {"Content-Type": "application/json", "X-Hub-Signature-256": sig})
            r = conn.getresponse()
            r.read()
            ok = r.status == 200
        except Exception:
            conn.close()
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
            ok = False
        with lock:
            stats["deliveries"] += 1
            if ok:
                stats["accepted"] += min(first + per, count) - first
            else:
                stats["errors"] += 1


start = time.time()
ths = [threading.Thread(target=worker) for _ in range(nthreads)]
for th in ths:
    th.start()
for th in ths:
    th.join()
print("deliveries=%d accepted=%d errors=%d secs=%.2f" %
      (stats["deliveries"], stats["accepted"], stats["errors"], time.time() - start))
sys.exit(1 if stats["errors"] else 0)
