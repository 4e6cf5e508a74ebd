#!/usr/bin/env python3
"""A local fake of an integration's callback endpoint for the api channel (127.0.0.1 only).

It checks X-Hark-Signature (HMAC-SHA256 of the raw body with the channel secret, read from
--secret-file at each request) and the
Idempotency-Key header, and misbehaves on purpose: the first answers follow --script, a comma
list of statuses ("500,429:1,timeout,200" - 429:N adds Retry-After: N seconds; timeout sleeps
past the client's deadline). After the script it answers --then (default 200). Every request is
logged as a JSON line to --log: {"n","status","key","sig_ok","text"}.

usage: callback.py --port-file F --secret-file F --log F [--script LIST] [--then STATUS]
"""
import argparse, hashlib, hmac, http.server, json, socketserver, sys, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--secret-file", default="")
ap.add_argument("--log", required=True)
ap.add_argument("--script", default="")
ap.add_argument("--then", default="200")
args = ap.parse_args()
script = [s for s in args.script.split(",") if s]
lock = threading.Lock()
count = [0]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        with lock:
            i = count[0]
            count[0] += 1
        step = script[i] if i < len(script) else args.then
        try:
            secret = open(args.secret_file).read().strip() if args.secret_file else ""
        except OSError:
            secret = ""
        want = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        sig_ok = hmac.compare_digest(want, self.headers.get("X-Hark-Signature", ""))
        try:
            text = json.loads(raw).get("text")
        except Exception:
            text = None
        entry = {"n": i, "status": step, "key": self.headers.get("Idempotency-Key"),
                 "sig_ok": sig_ok, "text": text}
        with lock, open(args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")
        if step == "timeout":
            time.sleep(15)
            return
        status, _, retry = step.partition(":")
        body = b'{"ok":true}' if status.startswith("2") else b'{"error":"nope"}'
        self.send_response(int(status))
        if retry:
            self.send_header("Retry-After", retry)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = S(("127.0.0.1", 0), H)
with open(args.port_file, "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
