#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""jetstream_fake.py - a local fake of Bluesky Jetstream's /subscribe WebSocket endpoint
(PROTOCOLS.md section 8) for Hark's listening tests. Python standard library only.

It serves a fixed, numbered list of events (posts in the section 8.3 shape, plus identity
events, deletes and likes that must be skipped), honours `wantedCollections` and
`cursor` (unix microseconds: events with time_us >= cursor are replayed), sends one event
split into two WebSocket fragments, and can misbehave: --drop-after N closes the first
connection abruptly (no close frame) after N events, so the client must reconnect and resume
from its cursor; the replay then overlaps what was already delivered, which the client must
deduplicate. --interval-ms paces the events. Each connection is logged to --log as
"connect cursor=<value or ->".
Binds 127.0.0.1 only; writes the port it got to --port-file; exits after --lifetime seconds.
"""
import argparse
import base64
import hashlib
import json
import socket
import threading
import time
import urllib.parse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXTS = [
    "My order from @acme.bsky.social is LATE again",
    "Loving the new café au lait at Acme ☕",
    "anyone tried the acme vacuum? worth it?",
    "refund still not here 😡 #acmefail",
    "nothing to see here",
    "Je veux être remboursé par Acme",
    "acme support was great today 👍",
    "the weather is nice",
]


def make_events(n, start_us, step_us):
    events = []
    for i in range(n):
        t = start_us + i * step_us
        did = "did:plc:fake%020d" % i
        if i % 5 == 4:
            events.append({"did": did, "time_us": t, "kind": "identity",
                           "identity": {"did": did, "handle": "u%d.bsky.social" % i, "seq": i,
                                        "time": "2026-05-25T14:23:28.757Z"}})
            continue
        if i % 7 == 6:
            events.append({"did": did, "time_us": t, "kind": "commit",
                           "commit": {"rev": "rev%010d" % i, "operation": "delete",
                                      "collection": "app.bsky.feed.post", "rkey": "rk%011d" % i}})
            continue
        rec = {"$type": "app.bsky.feed.post", "createdAt": "2026-05-25T14:23:28.757Z",
               "langs": ["fr" if "Je" in TEXTS[i % len(TEXTS)] else "en"],
               "text": "%s (post %d)" % (TEXTS[i % len(TEXTS)], i)}
        if i % 3 == 0:
            rec["reply"] = {"parent": {"cid": "bafyparent", "uri": "at://did:plc:x/app.bsky.feed.post/p"},
                            "root": {"cid": "bafyroot", "uri": "at://did:plc:x/app.bsky.feed.post/r"}}
        events.append({"did": did, "time_us": t, "kind": "commit",
                       "commit": {"rev": "rev%010d" % i, "operation": "create",
                                  "collection": "app.bsky.feed.post", "rkey": "rk%011d" % i,
                                  "record": rec, "cid": "bafycid%d" % i}})
    return events


def frame(payload, opcode=0x1, fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + n.to_bytes(2, "big")
    else:
        head += bytes([127]) + n.to_bytes(8, "big")
    return head + payload


class Server:
    def __init__(self, args):
        self.args = args
        self.events = make_events(args.events, args.start_us, args.step_us)
        self.connections = 0
        self.lock = threading.Lock()

    def log(self, line):
        if self.args.log:
            with self.lock, open(self.args.log, "a") as f:
                f.write(line + "\n")

    def handle(self, conn):
        with self.lock:
            self.connections += 1
            nth = self.connections
        conn.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                conn.close()
                return
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        method, target, _ = head[0].split(" ", 2)
        headers = {}
        for h in head[1:]:
            k, _, v = h.partition(":")
            headers[k.strip().lower()] = v.strip()
        url = urllib.parse.urlsplit(target)
        q = urllib.parse.parse_qs(url.query)
        if url.path != "/subscribe" or "sec-websocket-key" not in headers:
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        if q.get("wantedCollections") != ["app.bsky.feed.post"]:
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            conn.close()
            return
        cursor = q.get("cursor", [None])[0]
        self.log("connect cursor=%s" % (cursor if cursor else "-"))
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest())
        conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
        start = 0
        if cursor:
            c = int(cursor)
            start = next((i for i, e in enumerate(self.events) if e["time_us"] >= c), len(self.events))
        sent = 0
        try:
            for i in range(start, len(self.events)):
                if nth == 1 and self.args.drop_after and sent >= self.args.drop_after:
                    self.log("drop after %d" % sent)
                    conn.shutdown(socket.SHUT_RDWR)
                    conn.close()
                    return
                body = json.dumps(self.events[i], separators=(",", ":"), ensure_ascii=False).encode()
                if i == 7:
                    conn.sendall(frame(body[:20], fin=False) + frame(body[20:], opcode=0x0))
                else:
                    conn.sendall(frame(body))
                sent += 1
                if self.args.interval_ms:
                    time.sleep(self.args.interval_ms / 1000.0)
            # Live tail: stay connected and quiet until the client goes away.
            conn.settimeout(self.args.lifetime)
            while conn.recv(4096):
                pass
        except OSError:
            pass
        conn.close()

    def serve(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.args.port))
        s.listen(16)
        with open(self.args.port_file, "w") as f:
            f.write(str(s.getsockname()[1]))
        s.settimeout(1.0)
        deadline = time.time() + self.args.lifetime
        while time.time() < deadline:
            try:
                conn, _ = s.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.handle, args=(conn,), daemon=True).start()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--events", type=int, default=40)
    p.add_argument("--start-us", type=int, default=1779719000000000)
    p.add_argument("--step-us", type=int, default=500000)
    p.add_argument("--drop-after", type=int, default=0)
    p.add_argument("--log")
    p.add_argument("--lifetime", type=float, default=60)
    p.add_argument("--interval-ms", type=float, default=0,
                   help="pause between events, so a client sees a stream that flows for a while")
    Server(p.parse_args()).serve()


if __name__ == "__main__":
    main()
