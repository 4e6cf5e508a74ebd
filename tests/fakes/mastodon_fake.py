#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mastodon_fake.py - a local fake of Mastodon's streaming API over Server-Sent Events
(PROTOCOLS.md section 9.1) for Hark's listening tests. Python standard library only.

GET /api/v1/streaming/public and /api/v1/streaming/hashtag?tag=x answer 200
text/event-stream with `:thump` heartbeats, `update` events whose data is a Status object
(HTML content), `delete` events (a bare id) and `status.update` events. It misbehaves on
purpose: the first connection ends abruptly after --drop-after updates, and the next one
repeats the last update it sent (a duplicate the client must drop). With --token, requests
without "Authorization: Bearer <token>" get 401. Connections are logged to --log.
Binds 127.0.0.1 only; writes its port to --port-file; exits after --lifetime seconds.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TEXTS = [
    "<p>My order from <span class=\"h-card\"><a href=\"https://shop.example/@acme\" class=\"u-url mention\">@<span>acme</span></a></span> is late</p>",
    "<p>Caf\u00e9 &amp; cr&#232;me at Acme<br>so good &#x1F525;</p>",
    "<p>anyone tried acme? <a href=\"https://acme.example/x\" rel=\"nofollow\">https://acme.example/x</a></p>",
    "<p>nothing to see</p>",
    "<p>REFUND please <a href=\"https://m.example/tags/acmefail\" class=\"mention hashtag\">#<span>acmefail</span></a></p>",
]


def status(i):
    return {"id": str(110000 + i), "uri": "https://m.example/users/u%d/statuses/%d" % (i, 110000 + i),
            "url": "https://m.example/@u%d/%d" % (i, 110000 + i),
            "created_at": "2026-05-25T14:23:28.000Z", "language": "en",
            "in_reply_to_id": "1" if i % 4 == 1 else None, "visibility": "public",
            "account": {"id": str(i), "username": "u%d" % i, "acct": "u%d@m.example" % i},
            "content": TEXTS[i % len(TEXTS)] + "<p>(status %d)</p>" % i, "reblog": None,
            "mentions": [], "media_attachments": []}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def event(self, name, data):
        chunk = ("event: %s\ndata: %s\n\n" % (name, data)).encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.flush()

    def comment(self, text):
        chunk = (":%s\n" % text).encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.flush()

    def do_GET(self):
        srv = self.server
        url = urlsplit(self.path)
        if url.path not in ("/api/v1/streaming/public", "/api/v1/streaming/hashtag"):
            self.send_error(404)
            return
        if srv.args.token and self.headers.get("Authorization") != "Bearer " + srv.args.token:
            body = b'{"error":"The access token is invalid"}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        with srv.lock:
            srv.connections += 1
            nth = srv.connections
            start = srv.next_update
        with open(srv.args.log, "a") as f:
            f.write("connect %s\n" % self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self.comment("thump")
            i = start
            if nth > 1 and start > 0:
                self.event("update", json.dumps(status(start - 1)))  # a duplicate
            while i < srv.args.updates:
                if nth == 1 and i >= srv.args.drop_after > 0:
                    self.connection.shutdown(2)  # abrupt: no terminating chunk
                    return
                self.event("update", json.dumps(status(i)))
                if i % 3 == 0:
                    self.event("delete", str(100000 + i))
                    self.event("status.update", json.dumps(status(i)))
                with srv.lock:
                    srv.next_update = i + 1
                i += 1
            while True:
                time.sleep(0.5)
                self.comment("thump")
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--updates", type=int, default=20)
    p.add_argument("--drop-after", type=int, default=0)
    p.add_argument("--token")
    p.add_argument("--lifetime", type=float, default=60)
    args = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.args, srv.lock, srv.connections, srv.next_update = args, threading.Lock(), 0, 0
    with open(args.port_file, "w") as f:
        f.write(str(srv.server_address[1]))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(args.lifetime)


if __name__ == "__main__":
    main()
