"""Shared plumbing for the platform fakes (telegram_fake.py, x_fake.py, twilio_fake.py).

A fake runs in one of two roles:
  serve  answers the platform's REST API on 127.0.0.1 (the port goes to --port-file). Each
         request takes the next step of --script (a comma list; after it, --then), so a test
         can make the platform fail on purpose: "500", "429:3" (rate limited, retry in 3 s),
         "timeout" (no answer for 15 s), or a platform error such as "400:21610". Every request
         is logged as one JSON line to --log.
  push   sends one webhook to Hark the way the platform does (signed), printing
         "<status> <body>" on stdout. The caller chooses bad signatures, repeats and order.
Only the standard library is used, and only 127.0.0.1 is ever bound.
"""
import http.server, json, socketserver, threading, time, urllib.request, urllib.error


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(args, handle):
    """Runs the API role. 'handle(req, step)' returns (status, headers, body bytes) for one
    request; 'req' has method, path, headers, raw and a 'log' dict it may fill."""
    script = [s for s in args.script.split(",") if s]
    lock = threading.Lock()
    count = [0]

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def any(self):
            n = int(self.headers.get("Content-Length", "0"))
            self.raw = self.rfile.read(n)
            with lock:
                i = count[0]
                count[0] += 1
            step = script[i] if i < len(script) else args.then
            self.log = {"n": i, "step": step, "method": self.command, "path": self.path}
            if step == "timeout":
                self.write_log()
                time.sleep(15)
                return
            status, headers, body = handle(self, step)
            self.log["status"] = status
            self.write_log()
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def write_log(self):
            with lock, open(args.log, "a") as f:
                f.write(json.dumps(self.log) + "\n")

        do_POST = do_GET = do_PUT = any

    srv = Server(("127.0.0.1", 0), H)
    with open(args.port_file, "w") as f:
        f.write(str(srv.server_address[1]))
    srv.serve_forever()


def add_serve_args(sp):
    sp.add_argument("--port-file", required=True)
    sp.add_argument("--log", required=True)
    sp.add_argument("--script", default="")
    sp.add_argument("--then", default="200")


def post(url, body, headers, method="POST"):
    """Sends one request; prints and returns (status, body text)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, text = r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode("utf-8", "replace")
    print(status, text)
    return status, text


def split_step(step):
    """'429:3' -> (429, '3'); '200' -> (200, '')."""
    status, _, arg = step.partition(":")
    return int(status), arg
