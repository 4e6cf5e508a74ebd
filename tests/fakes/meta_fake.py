#!/usr/bin/env python3
"""A local fake of Meta's Graph platform (WhatsApp Cloud, Messenger, Instagram), 127.0.0.1 only.

Two roles, as PROTOCOLS.md §1-§4 describe them:

serve  - the Graph API. Accepts POST /<version>/<id>/messages (Send API, WhatsApp messages and
         private replies), /<comment>/comments (Facebook public reply) and /<comment>/replies
         (Instagram public reply); checks the bearer token (wrong -> 400 code 190); answers with
         real-shaped ids; records every request as a JSON line in --log
         {"n","path","auth_ok","body","step"}. It misbehaves on demand: the first answers follow
         --script, a comma list of steps, then every answer is --then:
           200          success
           429[:N]      HTTP 429, error code 130429, Retry-After: N seconds when given
           rl:CODE[:N]  HTTP 400 with a rate-limit error code (4, 17, 32, 613, 80007, 131056...)
           500, 503     a server error
           fail:CODE    HTTP 400 with a permanent error (e.g. 131026, 100, 551) and its message
           timeout      no answer for 20 s
           drop         close the connection without an answer
         A second private reply to one comment fails as Meta does (code 10900).
         GET /<version>/<waba>/message_templates answers the templates of --templates (a
         JSON file: a list of Graph template objects, any status) as Graph does: {"data":[...],
         "paging":{"cursors":{"before","after"},"next"?}}, --page-size per page (default: half
         of them, so two pages), following ?after=; ?limit= is honoured when smaller. It checks
         the bearer token (wrong -> 400 code 190) and obeys --script like the POSTs (the log
         line has "method":"GET" and "body":null); a WABA other than --waba gets code 100.
         usage: meta_fake.py serve --port-file F --log F [--token T] [--script L] [--then S]
                                   [--psid ID] [--templates F] [--waba ID] [--page-size N]

entry  - prints one webhook entry (JSON) of a given kind; see 'entry -h'.

push   - the platform calling Hark: wraps entries in {"object":...,"entry":[...]}, serializes
         like Meta (compact, non-ASCII escaped as \\uXXXX with lowercase hex), signs the exact
         bytes with X-Hub-Signature-256 (and the legacy sha1 header), and POSTs them. --bad-sig
         signs with a wrong key; --times N delivers the same bytes N times (duplicates);
         --retry N retries a non-2xx answer like Meta does. Prints one status per attempt and
         the last response body.
         usage: meta_fake.py push --url U --secret S --object O ENTRY_JSON... [--bad-sig]
                                  [--times N] [--retry N]
"""
import argparse, base64, hashlib, hmac, http.server, json, socketserver, sys, threading, time
import urllib.parse, urllib.request, urllib.error

ERRORS = {
    4: "(#4) Application request limit reached",
    17: "(#17) User request limit reached",
    32: "(#32) Page request limit reached",
    613: "(#613) Calls to this api have exceeded the rate limit.",
    80007: "(#80007) There have been too many messages sent to this account.",
    130429: "(#130429) Rate limit hit",
    131048: "(#131048) Spam rate limit hit",
    131056: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
    131026: "(#131026) Message undeliverable",
    131047: "(#131047) Re-engagement message",
    100: "(#100) Invalid parameter",
    551: "(#551) This person isn't available right now.",
    190: "Invalid OAuth access token.",
    10900: "(#10900) Activity already replied to",
}


def graph_error(code, details=None):
    e = {"message": ERRORS.get(code, "(#%d) Error" % code), "type": "OAuthException",
         "code": code, "fbtrace_id": "AbCdEf123"}
    if details:
        e["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": e}


def serve(a):
    script = [s for s in a.script.split(",") if s]
    lock = threading.Lock()
    state = {"n": 0, "replied": set()}

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, obj, headers=()):
            body = json.dumps(obj).encode()
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def handle_any(self, method):
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))
            with lock:
                n = state["n"]
                state["n"] += 1
            step = script[n] if n < len(script) else a.then
            auth_ok = self.headers.get("Authorization", "") == "Bearer " + a.token
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            with lock, open(a.log, "a") as f:
                f.write(json.dumps({"n": n, "method": method, "path": self.path,
                                    "auth_ok": auth_ok, "body": body, "step": step}) + "\n")
            if step == "timeout":
                time.sleep(20)
                return
            if step == "drop":
                self.close_connection = True
                self.connection.close()
                return
            kind, _, rest = step.partition(":")
            if kind == "429":
                hdrs = [("Retry-After", rest)] if rest else []
                return self.answer(429, graph_error(130429), hdrs)
            if kind == "rl":
                code, _, ra = rest.partition(":")
                hdrs = [("Retry-After", ra)] if ra else []
                return self.answer(400, graph_error(int(code)), hdrs)
            if kind.startswith("5"):
                return self.answer(int(kind), {"error": {"message": "An unexpected error has "
                                   "occurred. Please retry your request later.",
                                   "type": "OAuthException", "code": 2, "is_transient": True}})
            if kind == "fail":
                code = int(rest)
                det = ("Message failed to send because the recipient is not on WhatsApp."
                       if code == 131026 else None)
                return self.answer(400, graph_error(code, det))
            if not auth_ok:
                return self.answer(400, graph_error(190))
            if method == "GET":
                return self.templates()
            if not isinstance(body, dict):
                return self.answer(400, graph_error(100))
            return self.success(n, body)

        def templates(self):
            u = urllib.parse.urlsplit(self.path)
            parts = u.path.strip("/").split("/")
            if len(parts) != 3 or parts[2] != "message_templates":
                return self.answer(400, graph_error(100))
            if a.waba and parts[1] != a.waba:
                return self.answer(400, graph_error(100))
            q = urllib.parse.parse_qs(u.query)
            with open(a.templates) if a.templates else open("/dev/null") as f:
                items = json.loads(f.read() or "[]")
            size = a.page_size or max(1, (len(items) + 1) // 2)
            if "limit" in q:
                size = max(1, min(size, int(q["limit"][0])))
            start = 0
            if "after" in q:
                start = int(base64.urlsafe_b64decode(q["after"][0]).decode())
            page = items[start:start + size]
            fields = q.get("fields", [""])[0].split(",")
            if fields != [""]:
                page = [{k: v for k, v in t.items() if k in fields or k == "id"} for t in page]
            cur = lambda i: base64.urlsafe_b64encode(str(i).encode()).decode()
            out = {"data": page, "paging": {"cursors": {"before": cur(start),
                                                        "after": cur(start + len(page))}}}
            if start + len(page) < len(items):
                nq = dict((k, v[0]) for k, v in q.items())
                nq["after"] = cur(start + len(page))
                out["paging"]["next"] = ("https://graph.facebook.com" + u.path + "?" +
                                         urllib.parse.urlencode(nq))
            return self.answer(200, out)

        def shape_error(self, body):
            """What Graph refuses in an interactive WhatsApp message or Messenger quick
            replies (the limits Meta documents), or None."""
            inter = body.get("interactive")
            if body.get("type") == "interactive":
                if not isinstance(inter, dict) or inter.get("type") not in ("list", "button"):
                    return "interactive.type"
                if not (0 < len((inter.get("body") or {}).get("text", "")) <= 1024):
                    return "interactive.body.text"
                act = inter.get("action") or {}
                if inter["type"] == "list":
                    if not (0 < len(act.get("button", "")) <= 20):
                        return "action.button"
                    rows = [r for sec in act.get("sections", []) for r in sec.get("rows", [])]
                    if not (0 < len(rows) <= 10):
                        return "action.sections.rows"
                    for r in rows:
                        if not (0 < len(r.get("id", "")) <= 200) or not (0 < len(r.get("title", "")) <= 24):
                            return "row id/title"
                else:
                    bts = act.get("buttons", [])
                    if not (0 < len(bts) <= 3):
                        return "action.buttons"
            msg = body.get("message")  # a comment reply's "message" is its text
            qr = msg.get("quick_replies") if isinstance(msg, dict) else None
            if qr is not None:
                if not isinstance(qr, list) or not (0 < len(qr) <= 13):
                    return "quick_replies"
                for q in qr:
                    if q.get("content_type") != "text" or not (0 < len(q.get("title", "")) <= 20) \
                            or not (0 < len(q.get("payload", "")) <= 1000):
                        return "quick_replies item"
            return None

        def success(self, n, body):
            bad = self.shape_error(body)
            if bad:
                return self.answer(400, graph_error(100, "Invalid parameter: " + bad))
            parts = self.path.split("?")[0].strip("/").split("/")
            edge = parts[-1]
            if edge in ("comments", "replies"):
                return self.answer(200, {"id": "%s_%d" % (parts[-2], 9000 + n)})
            if body.get("messaging_product") == "whatsapp":
                to = body.get("to", "")
                return self.answer(200, {"messaging_product": "whatsapp",
                                         "contacts": [{"input": to, "wa_id": to}],
                                         "messages": [{"id": "wamid.SENT%04d" % n}]})
            rcpt = body.get("recipient", {})
            if "comment_id" in rcpt:
                with lock:
                    again = rcpt["comment_id"] in state["replied"]
                    state["replied"].add(rcpt["comment_id"])
                if again:
                    return self.answer(400, graph_error(10900))
                return self.answer(200, {"recipient_id": a.psid, "message_id": "m_SENT%04d" % n})
            return self.answer(200, {"recipient_id": rcpt.get("id"),
                                     "message_id": "m_SENT%04d" % n})

    class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    srv = S(("127.0.0.1", 0), H)
    with open(a.port_file, "w") as f:
        f.write(str(srv.server_address[1]))
    srv.serve_forever()


def entry(a):
    now_ms = int(time.time() * 1000) if a.ts is None else a.ts
    if a.kind == "dm":  # Messenger or Instagram DM
        msg = {"mid": a.id}
        if a.text is not None:
            msg["text"] = a.text
        if a.reply_to:
            msg["reply_to"] = {"mid": a.reply_to}
        if a.quick_reply:
            msg["quick_reply"] = {"payload": a.quick_reply}
        if a.attach:
            t, _, u = a.attach.partition(":")
            msg["attachments"] = [{"type": t, "payload": {"url": u}}]
        if a.echo:
            msg["is_echo"] = True
            msg["app_id"] = 1234
        ev = {"sender": {"id": a.account if a.echo else a.sender},
              "recipient": {"id": a.sender if a.echo else a.account},
              "timestamp": now_ms, "message": msg}
        e = {"id": a.account, "time": now_ms, "messaging": [ev]}
    elif a.kind == "read":
        e = {"id": a.account, "time": now_ms, "messaging": [
            {"sender": {"id": a.sender}, "recipient": {"id": a.account}, "timestamp": now_ms,
             "read": {"watermark": now_ms}}]}
    elif a.kind == "fb-comment":
        v = {"from": {"id": a.sender, "name": a.name or "Customer"}, "item": "comment",
             "verb": "add", "comment_id": a.id, "post_id": a.post,
             "parent_id": a.reply_to or a.post, "message": a.text or "",
             "created_time": now_ms // 1000, "post": {"id": a.post}}
        e = {"id": a.account, "time": now_ms // 1000, "changes": [{"field": "feed", "value": v}]}
    elif a.kind == "ig-comment":
        v = {"id": a.id, "from": {"id": a.sender, "username": a.name or "customer"},
             "text": a.text or "", "media": {"id": a.post, "media_product_type": "FEED"}}
        if a.reply_to:
            v["parent_id"] = a.reply_to
        e = {"id": a.account, "time": now_ms // 1000, "changes": [{"field": "comments",
                                                                    "value": v}]}
    elif a.kind in ("wa", "wa-status"):
        val = {"messaging_product": "whatsapp",
               "metadata": {"display_phone_number": "15550001111", "phone_number_id": a.account}}
        if a.kind == "wa":
            m = {"from": a.sender, "id": a.id, "timestamp": str(now_ms // 1000)}
            if a.attach:
                t, _, cap = a.attach.partition(":")
                m["type"] = t
                m[t] = {"id": "MEDIA123", "mime_type": "image/jpeg", "sha256": "abc"}
                if cap:
                    m[t]["caption"] = cap
            elif a.button_reply or a.list_reply:
                kind = "button_reply" if a.button_reply else "list_reply"
                bid, _, title = (a.button_reply or a.list_reply).partition("|")
                m["type"] = "interactive"
                m["interactive"] = {"type": kind, kind: {"id": bid, "title": title}}
            else:
                m["type"] = "text"
                m["text"] = {"body": a.text or ""}
            if a.reply_to:
                m["context"] = {"from": "15550001111", "id": a.reply_to}
            val["contacts"] = [{"profile": {"name": a.name or "Customer"}, "wa_id": a.sender}]
            val["messages"] = [m]
        else:
            val["statuses"] = [{"id": a.id, "status": "delivered",
                                "timestamp": str(now_ms // 1000), "recipient_id": a.sender}]
        e = {"id": "900000000000001", "changes": [{"value": val, "field": "messages"}]}
    else:
        sys.exit("unknown kind " + a.kind)
    print(json.dumps(e, ensure_ascii=False))


def push(a):
    doc = {"object": a.object, "entry": [json.loads(e) for e in a.entries]}
    # Meta's serialization: compact, non-ASCII as \uXXXX with lowercase hex.
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=True).encode()
    key = (a.secret + "-wrong" if a.bad_sig else a.secret).encode()
    sig256 = "sha256=" + hmac.new(key, raw, hashlib.sha256).hexdigest()
    sig1 = "sha1=" + hmac.new(key, raw, hashlib.sha1).hexdigest()
    last = b""
    for _ in range(a.times):
        for attempt in range(a.retry + 1):
            rq = urllib.request.Request(a.url, data=raw, method="POST", headers={
                "Content-Type": "application/json", "X-Hub-Signature-256": sig256,
                "X-Hub-Signature": sig1, "User-Agent": "facebookexternalua"})
            try:
                with urllib.request.urlopen(rq, timeout=10) as r:
                    status, last = r.status, r.read()
            except urllib.error.HTTPError as e:
                status, last = e.code, e.read()
            print(status)
            if 200 <= status < 300:
                break
            time.sleep(0.2 * (attempt + 1))
    print(last.decode())


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port-file", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--token", default="test-page-token")
    s.add_argument("--script", default="")
    s.add_argument("--then", default="200")
    s.add_argument("--psid", default="24681357902468135")
    s.add_argument("--templates", help="JSON file: a list of Graph message templates")
    s.add_argument("--waba", help="the only business account id with templates")
    s.add_argument("--page-size", type=int, default=0)
    e = sub.add_parser("entry")
    e.add_argument("kind", help="dm | read | fb-comment | ig-comment | wa | wa-status")
    e.add_argument("--account", required=True, help="page, IG account or phone_number_id")
    e.add_argument("--sender", required=True)
    e.add_argument("--id", default="", help="mid, comment id or wamid")
    e.add_argument("--text")
    e.add_argument("--name")
    e.add_argument("--post", default="", help="post or media id (comments)")
    e.add_argument("--reply-to")
    e.add_argument("--attach", help="TYPE:URL (DMs) or TYPE[:CAPTION] (WhatsApp)")
    e.add_argument("--ts", type=int, help="event time, ms (default now)")
    e.add_argument("--echo", action="store_true")
    e.add_argument("--quick-reply", help="a tapped Messenger quick reply's payload (dm)")
    e.add_argument("--button-reply", help="ID|TITLE of a tapped WhatsApp reply button (wa)")
    e.add_argument("--list-reply", help="ID|TITLE of a picked WhatsApp list row (wa)")
    p = sub.add_parser("push")
    p.add_argument("--url", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--object", required=True)
    p.add_argument("--bad-sig", action="store_true")
    p.add_argument("--times", type=int, default=1)
    p.add_argument("--retry", type=int, default=0)
    p.add_argument("entries", nargs="+")
    a = ap.parse_args()
    {"serve": serve, "entry": entry, "push": push}[a.cmd](a)


if __name__ == "__main__":
    main()
