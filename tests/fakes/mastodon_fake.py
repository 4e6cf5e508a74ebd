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

With the role "serve" (as tests/api/chanlib.sh's start_fake runs fakes) it is also the REST
API a mastodon channel talks to, with the bearer --token:
  POST /api/v1/statuses          form or JSON: status, in_reply_to_id, visibility; honours
                                 Idempotency-Key (the same key answers the same status)
  GET  /api/v1/statuses/:id      a status it knows, else 404 {"error":"Record not found"}
  GET  /api/v2/search?q=URI&resolve=true&type=statuses   the known status with that uri/url
  GET  /api/v1/notifications?types[]=mention&min_id=&since_id=&limit=   newest first
  GET  /api/v1/instance          configuration.statuses.max_characters 500
A bad token is 401 {"error":"The access token is invalid"}. Each POST /api/v1/statuses takes
the next step of --script (comma list, then --then): "ok", "500", "429:N" (X-RateLimit-Reset
N seconds ahead, ISO 8601), "timeout" (the status is posted but no answer comes for 20 s:
a retry with the same Idempotency-Key gets that status, not a second one), "422". The
test seeds statuses and notifications with POST /_fake/status and /_fake/notify (JSON).
REST requests are logged as JSON lines to --log (never the token).
"""
import argparse
import datetime
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

    def rest_reply(self, status, obj, headers=None):
        self.log["status"] = status
        with self.server.lock, open(self.server.args.log, "a") as f:
            f.write(json.dumps(self.log) + "\n")
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def rest(self):
        """The REST API of the "serve" role; False when the path is not one of its own."""
        srv = self.server
        url = urlsplit(self.path)
        path, q = url.path, parse_qs(url.query)
        if not (path.startswith("/api/v1/statuses") or path.startswith("/_fake/") or
                path in ("/api/v2/search", "/api/v1/notifications", "/api/v1/instance")):
            return False
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n) if n else b""
        if self.headers.get("Content-Type", "").startswith("application/json"):
            form = json.loads(raw or b"{}")
        else:
            form = {k: v[0] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
        self.log = {"method": self.command, "path": path}
        rs = srv.rest
        if path.startswith("/_fake/"):
            with srv.lock:
                if path == "/_fake/status":
                    rs["statuses"][form["id"]] = form
                elif path == "/_fake/notify":
                    rs["notes"].append(form)
            self.rest_reply(200, {"ok": True})
            return True
        if self.headers.get("Authorization") != "Bearer " + (srv.args.token or ""):
            self.rest_reply(401, {"error": "The access token is invalid"})
            return True
        if path == "/api/v1/instance":
            self.rest_reply(200, {"uri": "m.example", "configuration": {"statuses": {"max_characters": 500}}})
        elif path == "/api/v1/notifications":
            self.log["query"] = url.query
            with srv.lock:
                notes = sorted(rs["notes"], key=lambda x: int(x["id"]), reverse=True)
            if q.get("types[]") and "mention" in q["types[]"]:
                notes = [x for x in notes if x["type"] == "mention"]
            lim = int(q.get("limit", ["40"])[0])
            if "min_id" in q:  # the page right after min_id: the oldest ones first
                notes = [x for x in notes if int(x["id"]) > int(q["min_id"][0])][-lim:]
            elif "since_id" in q:
                notes = [x for x in notes if int(x["id"]) > int(q["since_id"][0])][:lim]
            else:
                notes = notes[:lim]
            self.rest_reply(200, notes)
        elif path == "/api/v2/search":
            self.log["q"] = q.get("q", [""])[0]
            self.log["resolve"] = q.get("resolve", [""])[0]
            with srv.lock:
                hits = [x for x in rs["statuses"].values() if q.get("q", [""])[0] in (x.get("uri"), x.get("url"))]
            self.rest_reply(200, {"accounts": [], "hashtags": [], "statuses": hits[:1]})
        elif self.command == "GET" and path.startswith("/api/v1/statuses/"):
            with srv.lock:
                st = rs["statuses"].get(path.rsplit("/", 1)[1])
            if st:
                self.rest_reply(200, st)
            else:
                self.rest_reply(404, {"error": "Record not found"})
        elif self.command == "POST" and path == "/api/v1/statuses":
            self.post_status(form)
        else:
            self.rest_reply(404, {"error": "Record not found"})
        return True

    def post_status(self, form):
        srv, rs = self.server, self.server.rest
        idem = self.headers.get("Idempotency-Key")
        with srv.lock:
            i = rs["writes"]
            rs["writes"] += 1
            step = rs["script"][i] if i < len(rs["script"]) else srv.args.then
        self.log.update({"step": step, "status_text": form.get("status"), "idempotency_key": idem,
                         "in_reply_to_id": form.get("in_reply_to_id"),
                         "visibility": form.get("visibility")})
        if step == "500":
            return self.rest_reply(500, {"error": "Internal server error"})
        if step.startswith("429"):
            secs = int(step.split(":")[1]) if ":" in step else 1
            at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=secs)
            return self.rest_reply(429, {"error": "Too many requests"}, {
                "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": at.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
        if step == "422" or not form.get("status"):
            return self.rest_reply(422, {"error": "Validation failed: Text can't be blank"})
        parent = form.get("in_reply_to_id")
        with srv.lock:  # (rest_reply takes the lock: answer after leaving it)
            again = rs["statuses"][rs["idem"][idem]] if idem and idem in rs["idem"] else None
            missing = bool(parent) and parent not in rs["statuses"]
        if again:
            return self.rest_reply(200, again)
        if missing:
            return self.rest_reply(404, {"error": "Record not found"})
        with srv.lock:
            rs["seq"] += 1
            sid = str(900000 + rs["seq"])
            st = {"id": sid, "uri": "https://brand.example/users/shop/statuses/" + sid,
                  "in_reply_to_id": parent, "visibility": form.get("visibility", "public"),
                  "content": "<p>%s</p>" % form["status"], "account": {"id": "1", "acct": "shop"}}
            rs["statuses"][sid] = st
            rs["created"] += 1
            if idem:
                rs["idem"][idem] = sid
        if step == "timeout":  # posted, but the answer is lost: a retry must not post it again
            self.log["created"] = sid
            with srv.lock, open(srv.args.log, "a") as f:
                f.write(json.dumps(self.log) + "\n")
            time.sleep(20)
            return
        self.rest_reply(200, st)

    def do_POST(self):
        if not self.rest():
            self.send_error(404)

    def do_GET(self):
        if self.rest():
            return
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
    p.add_argument("role", nargs="?", default="stream", choices=["stream", "serve"])
    p.add_argument("--script", default="")
    p.add_argument("--then", default="ok")
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
    srv.rest = {"script": [x for x in args.script.split(",") if x], "writes": 0, "seq": 0,
                "statuses": {}, "notes": [], "idem": {}, "created": 0}
    with open(args.port_file, "w") as f:
        f.write(str(srv.server_address[1]))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(args.lifetime)


if __name__ == "__main__":
    main()
