#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bluesky_fake.py - a local fake of a Bluesky PDS's XRPC API (PROTOCOLS.md section 8.5) for
Hark's bluesky channel tests. Python standard library only; binds 127.0.0.1 only.

  serve --port-file F --log L [--password P] [--did D] [--script S] [--then STEP]

XRPC methods (errors as {"error": Name, "message": text}):
  POST com.atproto.server.createSession   {identifier, password} -> did, handle, accessJwt,
       refreshJwt; a wrong password is 401 AuthenticationRequired
  POST com.atproto.server.refreshSession  bearer refreshJwt -> a new pair; an unknown or used
       refresh token is 400 ExpiredToken
  POST com.atproto.repo.createRecord      bearer accessJwt; checks repo == the session's did,
       collection app.bsky.feed.post, record.$type, text, createdAt, and that reply.root and
       reply.parent are strong refs (uri + cid) of posts it knows; -> {uri, cid}
  GET  app.bsky.feed.getPosts?uris=       bearer; the posts it knows (unknown ones left out)
  GET  com.atproto.identity.resolveHandle?handle=   known handles -> {did}; else 400
  GET  app.bsky.notification.listNotifications      bearer; newest first, paged by cursor
  GET  com.atproto.repo.listRecords?repo=&collection=  bearer; the repo's posts, newest first
An expired access token is 400 ExpiredToken; a missing or unknown one 401.
Each createRecord takes the next step of --script (comma list, then --then): "ok", "500",
"429:N" (HTTP 429 with ratelimit-reset = now + N s), "timeout" (the post is written but no
answer comes for 20 s: the client must find it with listRecords instead of posting twice),
"expire" (every access token expires first: 400 ExpiredToken, so the client must refresh),
"400" (InvalidRecord). The test drives the fake through /_fake/*: POST /_fake/post (a JSON
post: uri, cid, author {did, handle, displayName}, record), POST /_fake/notify (a JSON
notification), POST /_fake/handle {"handle","did"}, POST /_fake/expire. Every request is
logged as one JSON line to --log (tokens and passwords are never logged).
"""
import argparse
import http.server
import json
import socketserver
import threading
import time
from urllib.parse import parse_qs, urlsplit


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("role", choices=["serve"])
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--password", default="app-pass-1234")
    p.add_argument("--did", default="did:plc:brand0000000000000000000")
    p.add_argument("--handle", default="shop.example.com")
    p.add_argument("--script", default="")
    p.add_argument("--then", default="ok")
    p.add_argument("--lifetime", type=float, default=300)
    args = p.parse_args()

    lock = threading.Lock()
    st = {"script": [s for s in args.script.split(",") if s], "writes": 0, "n": 0, "seq": 0,
          "access": set(), "expired": set(), "refresh": set(), "posts": {}, "notes": [],
          "handles": {args.handle: args.did}}

    def tokens():
        st["seq"] += 1
        a, r = "acc-%d" % st["seq"], "ref-%d" % st["seq"]
        st["access"].add(a)
        st["refresh"].add(r)
        return a, r

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, obj, headers=None):
            self.log["status"] = status
            with lock, open(args.log, "a") as f:
                f.write(json.dumps(self.log) + "\n")
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def err(self, status, name, msg, headers=None):
            self.reply(status, {"error": name, "message": msg}, headers)

        def bearer(self):
            h = self.headers.get("Authorization", "")
            return h[7:] if h.startswith("Bearer ") else None

        def authed(self):
            tok = self.bearer()
            with lock:
                expired, known = tok in st["expired"], tok in st["access"]
            if expired:
                self.log["auth"] = "expired"
                self.err(400, "ExpiredToken", "Token has expired")
                return False
            if not known:
                self.log["auth"] = "missing"
                self.err(401, "AuthenticationRequired", "Authentication Required")
                return False
            self.log["auth"] = "ok"
            return True

        def handle_any(self):
            n = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(n) if n else b""
            url = urlsplit(self.path)
            q = parse_qs(url.query)
            with lock:
                st["n"] += 1
                self.log = {"n": st["n"], "method": self.command, "path": url.path}
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                return self.err(400, "InvalidRequest", "bad JSON")
            path = url.path
            if path.startswith("/_fake/"):
                return self.control(path, body)
            if path == "/xrpc/com.atproto.server.createSession":
                self.log["identifier"] = body.get("identifier")
                if body.get("identifier") not in (args.handle, args.did) or \
                        body.get("password") != args.password:
                    return self.err(401, "AuthenticationRequired", "Invalid identifier or password")
                with lock:
                    a, r = tokens()
                return self.reply(200, {"did": args.did, "handle": args.handle, "accessJwt": a,
                                        "refreshJwt": r, "active": True})
            if path == "/xrpc/com.atproto.server.refreshSession":
                tok = self.bearer()
                with lock:
                    ok = tok in st["refresh"]
                    if ok:
                        st["refresh"].discard(tok)
                        a, r = tokens()
                if not ok:
                    return self.err(400, "ExpiredToken", "Token has been revoked")
                return self.reply(200, {"did": args.did, "handle": args.handle, "accessJwt": a,
                                        "refreshJwt": r})
            if path == "/xrpc/com.atproto.identity.resolveHandle":
                h = q.get("handle", [""])[0]
                self.log["handle"] = h
                did = st["handles"].get(h)
                if not did:
                    return self.err(400, "InvalidRequest", "Unable to resolve handle")
                return self.reply(200, {"did": did})
            if path == "/xrpc/app.bsky.feed.getPosts":
                if not self.authed():
                    return
                uris = q.get("uris", [])
                self.log["uris"] = uris
                with lock:
                    posts = [st["posts"][u] for u in uris if u in st["posts"]]
                return self.reply(200, {"posts": posts})
            if path == "/xrpc/app.bsky.notification.listNotifications":
                if not self.authed():
                    return
                with lock:
                    notes = list(reversed(st["notes"]))
                lim = int(q.get("limit", ["50"])[0])
                off = int(q.get("cursor", ["0"])[0])
                self.log["cursor"] = off
                page = {"notifications": notes[off:off + lim]}
                if off + lim < len(notes):
                    page["cursor"] = str(off + lim)
                return self.reply(200, page)
            if path == "/xrpc/com.atproto.repo.listRecords":
                if not self.authed():
                    return
                repo = q.get("repo", [""])[0]
                with lock:
                    recs = [{"uri": u, "cid": p["cid"], "value": p["record"]} for u, p in st["posts"].items()
                            if u.startswith("at://%s/app.bsky.feed.post/" % repo)]
                recs.reverse()
                return self.reply(200, {"records": recs[:int(q.get("limit", ["50"])[0])]})
            if path == "/xrpc/com.atproto.repo.createRecord":
                return self.create(body)
            return self.err(404, "MethodNotImplemented", "Method Not Implemented")

        def create(self, body):
            with lock:
                i = st["writes"]
                st["writes"] += 1
                step = st["script"][i] if i < len(st["script"]) else args.then
                if step == "expire":
                    st["expired"] |= st["access"]
                    st["access"] = set()
            self.log["step"] = step
            if not self.authed():
                return
            rec = body.get("record") or {}
            self.log.update({"repo": body.get("repo"), "collection": body.get("collection"),
                             "record": rec})
            if step == "500":
                return self.err(500, "InternalServerError", "Internal Server Error")
            if step.startswith("429"):
                secs = int(step.split(":")[1]) if ":" in step else 1
                return self.err(429, "RateLimitExceeded", "Rate Limit Exceeded",
                                {"ratelimit-limit": "5000", "ratelimit-remaining": "0",
                                 "ratelimit-reset": str(int(time.time()) + secs)})
            if step == "400":
                return self.err(400, "InvalidRecord", "Record/text must not be longer than 300 graphemes")
            if body.get("repo") != args.did or body.get("collection") != "app.bsky.feed.post":
                return self.err(400, "InvalidRequest", "repo or collection is wrong")
            if rec.get("$type") != "app.bsky.feed.post" or not isinstance(rec.get("text"), str) \
                    or not rec.get("createdAt"):
                return self.err(400, "InvalidRecord", "Record/text is required")
            reply = rec.get("reply")
            if reply is not None:
                for k in ("root", "parent"):
                    ref = reply.get(k) or {}
                    with lock:
                        known = st["posts"].get(ref.get("uri"))
                    if not known or known["cid"] != ref.get("cid"):
                        return self.err(400, "InvalidRecord", "reply.%s is not a strong ref to a known post" % k)
            text = rec["text"].encode()
            for f in rec.get("facets") or []:
                ix = f["index"]
                if not (0 <= ix["byteStart"] < ix["byteEnd"] <= len(text)):
                    return self.err(400, "InvalidRecord", "facet index out of range")
            with lock:
                st["seq"] += 1
                rkey = "3reply%05d" % st["seq"]
                uri = "at://%s/app.bsky.feed.post/%s" % (args.did, rkey)
                cid = "bafyreply%05d" % st["seq"]
                st["posts"][uri] = {"uri": uri, "cid": cid, "author": {"did": args.did,
                                    "handle": args.handle}, "record": rec}
            self.log["uri"] = uri
            if step == "timeout":  # written, but the answer is lost
                with lock, open(args.log, "a") as f:
                    f.write(json.dumps(self.log) + "\n")
                time.sleep(20)
                return
            return self.reply(200, {"uri": uri, "cid": cid,
                                    "commit": {"cid": "bafycommit", "rev": "3rev"}})

        def control(self, path, body):
            with lock:
                known = True
                if path == "/_fake/post":
                    st["posts"][body["uri"]] = body
                elif path == "/_fake/notify":  # one notification, or a list at once
                    st["notes"].extend(body if isinstance(body, list) else [body])
                elif path == "/_fake/handle":
                    st["handles"][body["handle"]] = body["did"]
                elif path == "/_fake/expire":
                    st["expired"] |= st["access"]
                    st["access"] = set()
                else:
                    known = False
            if not known:
                return self.err(404, "NotFound", path)
            return self.reply(200, {"ok": True})

        do_GET = do_POST = handle_any

    srv = Server(("127.0.0.1", 0), H)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(args.lifetime)


if __name__ == "__main__":
    main()
