#!/usr/bin/env python3
"""A local fake mail server (127.0.0.1 only): a minimal IMAP4rev1 server over a directory of
messages and a minimal SMTP submission server that records what it is given.

IMAP: greeting, CAPABILITY, LOGIN (checks --user/--password), SELECT/EXAMINE INBOX,
  UID SEARCH (UID ranges with IMAP's "n:*" rule that * is the highest UID, ALL, and
  HEADER <field> "<value>", SINCE <date> against the file's mtime), UID FETCH <uid> BODY[] / BODY.PEEK[] / RFC822, NOOP, LOGOUT.
  The mailbox is --mailbox: a file "<uid>.eml" is the message with that UID, read afresh on
  every command, so a test delivers mail by writing a file (write, then rename).
SMTP: EHLO/HELO, AUTH PLAIN and AUTH LOGIN (checked), MAIL FROM, RCPT TO, DATA (dot-stuffing
  undone), RSET, NOOP, QUIT. Each message takes the next step of --smtp-script (then
  --smtp-then): "250" accept; "451" transient refusal of MAIL FROM; "550" permanent refusal of
  RCPT TO; "timeout" no answer after DATA for 30 s. Accepted messages are written to --sent
  as "<n>.eml", and every attempt is logged as a JSON line to --log with "n", "step",
  "auth_ok", "from", "rcpt", "subject", "message_id", "in_reply_to", "references", "body".

TLS: with --tls-cert and --tls-key both servers offer STARTTLS (IMAP capability, SMTP EHLO)
  and refuse to log in before it (IMAP NO [PRIVACYREQUIRED], SMTP 530), as a server that
  takes TLS seriously does. Without them there is no STARTTLS. --auth-log F gets one line per
  login attempt, "imap tls=0|1" or "smtp tls=0|1", so a test can tell whether a password
  crossed the wire in clear.

usage: mail_fake.py --mailbox DIR --sent DIR --log F --imap-port-file F --smtp-port-file F
                    [--user U] [--password P] [--smtp-script L] [--smtp-then S]
                    [--tls-cert PEM --tls-key PEM] [--auth-log F]
"""
import argparse, base64, calendar, email, email.policy, json, os, re, socketserver, ssl, threading, time

ap = argparse.ArgumentParser()
ap.add_argument("--mailbox", required=True)
ap.add_argument("--sent", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--imap-port-file", required=True)
ap.add_argument("--smtp-port-file", required=True)
ap.add_argument("--user", default="care@shop.example")
ap.add_argument("--password", default="mail-pass-1")
ap.add_argument("--smtp-script", default="")
ap.add_argument("--smtp-then", default="250")
ap.add_argument("--tls-cert")
ap.add_argument("--tls-key")
ap.add_argument("--auth-log")
args = ap.parse_args()
tls_ctx = None
if args.tls_cert:
    tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls_ctx.load_cert_chain(args.tls_cert, args.tls_key)


def auth_log(proto, tls):
    if args.auth_log:
        with lock, open(args.auth_log, "a") as f:
            f.write("%s tls=%d\n" % (proto, 1 if tls else 0))


def start_tls(handler):
    """Wraps the handler's connection in TLS (after the STARTTLS answer was sent)."""
    handler.request = tls_ctx.wrap_socket(handler.request, server_side=True)
    handler.rfile = handler.request.makefile("rb")
    handler.wfile = socketserver._SocketWriter(handler.request)
script = [s for s in args.smtp_script.split(",") if s]
lock = threading.Lock()
count = [0]


def mailbox():
    out = {}
    for name in os.listdir(args.mailbox):
        m = re.match(r"^(\d+)\.eml$", name)
        if m:
            with open(os.path.join(args.mailbox, name), "rb") as f:
                out[int(m.group(1))] = f.read()
    return dict(sorted(out.items()))


def words(line):
    """IMAP arguments: atoms and quoted strings."""
    return [a if a is not None and a != "" else b.replace('\\"', '"').replace("\\\\", "\\")
            for a, b in re.findall(r'([^\s"]+)|"((?:[^"\\]|\\.)*)"', line)]


def search(box, crit):
    uids = list(box)
    toks = words(crit)
    res = set(uids)
    i = 0
    while i < len(toks):
        t = toks[i].upper()
        if t == "ALL":
            i += 1
        elif t == "UID" and i + 1 < len(toks):
            sel = set()
            top = max(uids) if uids else 0
            for rng in toks[i + 1].split(","):
                a, _, b = rng.partition(":")
                a = top if a == "*" else int(a)
                b = a if not b else (top if b == "*" else int(b))
                lo, hi = min(a, b), max(a, b)
                sel |= {u for u in uids if lo <= u <= hi}
            res &= sel
            i += 2
        elif t == "SINCE" and i + 1 < len(toks):
            # INTERNALDATE is the file's modification time.
            day = calendar.timegm(time.strptime(toks[i + 1], "%d-%b-%Y"))
            res &= {u for u in uids
                    if os.path.getmtime(os.path.join(args.mailbox, "%d.eml" % u)) >= day}
            i += 2
        elif t == "HEADER" and i + 2 < len(toks):
            field, value = toks[i + 1], toks[i + 2].lower()
            keep = set()
            for u in uids:
                msg = email.message_from_bytes(box[u])
                if any(value in str(v).lower() for v in msg.get_all(field, [])):
                    keep.add(u)
            res &= keep
            i += 3
        else:
            i += 1
    return sorted(res)


class Imap(socketserver.StreamRequestHandler):
    def send(self, s):
        self.wfile.write(s if isinstance(s, bytes) else s.encode())

    def handle(self):
        self.send("* OK fake IMAP ready\r\n")
        authed, tls = False, False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            line = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = line.partition(" ")
            cmd, _, arg = rest.partition(" ")
            cmd = cmd.upper()
            if cmd == "CAPABILITY":
                extra = " STARTTLS" if tls_ctx and not tls else ""
                self.send("* CAPABILITY IMAP4rev1%s\r\n%s OK CAPABILITY done\r\n" % (extra, tag))
            elif cmd == "STARTTLS" and tls_ctx and not tls:
                self.send("%s OK begin TLS\r\n" % tag)
                start_tls(self)
                tls = True
            elif cmd == "LOGIN":
                auth_log("imap", tls)
                w = words(arg)
                if tls_ctx and not tls:
                    self.send("%s NO [PRIVACYREQUIRED] STARTTLS first\r\n" % tag)
                    continue
                if len(w) == 2 and w[0] == args.user and w[1] == args.password:
                    authed = True
                    self.send("%s OK LOGIN done\r\n" % tag)
                else:
                    self.send("%s NO [AUTHENTICATIONFAILED] bad credentials\r\n" % tag)
            elif cmd in ("NOOP", "CHECK"):
                self.send("%s OK done\r\n" % tag)
            elif cmd == "LOGOUT":
                self.send("* BYE bye\r\n%s OK LOGOUT done\r\n" % tag)
                return
            elif not authed:
                self.send("%s NO not authenticated\r\n" % tag)
            elif cmd in ("SELECT", "EXAMINE"):
                box = mailbox()
                nxt = (max(box) + 1) if box else 1
                self.send("* FLAGS (\\Seen)\r\n* %d EXISTS\r\n* 0 RECENT\r\n"
                          "* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT %d] ok\r\n"
                          "%s OK [READ-WRITE] %s done\r\n" % (len(box), nxt, tag, cmd))
            elif cmd == "UID":
                sub, _, crit = arg.partition(" ")
                sub = sub.upper()
                box = mailbox()
                if sub == "SEARCH":
                    found = search(box, crit)
                    self.send("* SEARCH%s\r\n%s OK SEARCH done\r\n"
                              % ("".join(" %d" % u for u in found), tag))
                elif sub == "FETCH":
                    which, _, _items = crit.partition(" ")
                    seqs = list(box)
                    for u in search(box, "UID " + which):
                        data = box[u]
                        self.send("* %d FETCH (UID %d BODY[] {%d}\r\n" % (seqs.index(u) + 1, u, len(data)))
                        self.send(data)
                        self.send(")\r\n")
                    self.send("%s OK FETCH done\r\n" % tag)
                else:
                    self.send("%s BAD unsupported UID command\r\n" % tag)
            else:
                self.send("%s BAD unsupported command\r\n" % tag)


class Smtp(socketserver.StreamRequestHandler):
    def send(self, s):
        self.wfile.write(s.encode())

    def readline(self):
        line = self.rfile.readline()
        if not line:
            raise EOFError
        return line.decode("utf-8", "replace").rstrip("\r\n")

    def check_plain(self, b64):
        try:
            parts = base64.b64decode(b64).split(b"\0")
            return parts[-2].decode() == args.user and parts[-1].decode() == args.password
        except Exception:
            return False

    def handle(self):
        self.send("220 fake ESMTP ready\r\n")
        auth_ok, mail_from, rcpt, step, tls = False, None, [], None, False
        try:
            while True:
                line = self.readline()
                cmd = line[:4].upper()
                if cmd in ("EHLO", "HELO"):
                    extra = "250-STARTTLS\r\n" if tls_ctx and not tls else ""
                    self.send("250-fake\r\n%s250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n" % extra)
                elif line.upper() == "STARTTLS" and tls_ctx and not tls:
                    self.send("220 2.0.0 ready to start TLS\r\n")
                    start_tls(self)
                    tls = True
                elif line.upper().startswith("AUTH") and tls_ctx and not tls:
                    auth_log("smtp", tls)
                    self.send("530 5.7.0 must issue a STARTTLS command first\r\n")
                elif line.upper().startswith("AUTH PLAIN"):
                    auth_log("smtp", tls)
                    rest = line[10:].strip()
                    if not rest:
                        self.send("334 \r\n")
                        rest = self.readline()
                    auth_ok = self.check_plain(rest)
                    self.send("235 2.7.0 ok\r\n" if auth_ok else "535 5.7.8 bad credentials\r\n")
                elif line.upper().startswith("AUTH LOGIN"):
                    auth_log("smtp", tls)
                    self.send("334 VXNlcm5hbWU6\r\n")
                    u = base64.b64decode(self.readline()).decode()
                    self.send("334 UGFzc3dvcmQ6\r\n")
                    p = base64.b64decode(self.readline()).decode()
                    auth_ok = u == args.user and p == args.password
                    self.send("235 2.7.0 ok\r\n" if auth_ok else "535 5.7.8 bad credentials\r\n")
                elif cmd == "MAIL":
                    with lock:
                        n = count[0]
                        count[0] += 1
                    step = script[n] if n < len(script) else args.smtp_then
                    m = re.search(r"<[^>]*>", line)
                    mail_from, rcpt = (m.group(0) if m else line[10:].strip()), []
                    if step == "451":
                        self.log(n, step, auth_ok, mail_from, rcpt, None)
                        self.send("451 4.3.0 try again later\r\n")
                    elif not auth_ok:
                        self.log(n, "530", auth_ok, mail_from, rcpt, None)
                        self.send("530 5.7.0 authentication required\r\n")
                    else:
                        self.send("250 2.1.0 ok\r\n")
                elif cmd == "RCPT":
                    rcpt.append(line[8:].strip())
                    if step == "550":
                        self.log(n, step, auth_ok, mail_from, rcpt, None)
                        self.send("550 5.1.1 no such user here\r\n")
                    else:
                        self.send("250 2.1.5 ok\r\n")
                elif cmd == "DATA":
                    self.send("354 end with .\r\n")
                    lines = []
                    while True:
                        l = self.rfile.readline()
                        if not l or l in (b".\r\n", b".\n"):
                            break
                        lines.append(l[1:] if l.startswith(b"..") else l)
                    raw = b"".join(lines)
                    self.log(n, step, auth_ok, mail_from, rcpt, raw)
                    if step == "timeout":
                        time.sleep(30)
                        return
                    with open(os.path.join(args.sent, "%d.eml" % n), "wb") as f:
                        f.write(raw)
                    self.send("250 2.0.0 queued as %d\r\n" % n)
                elif cmd == "RSET":
                    mail_from, rcpt = None, []
                    self.send("250 ok\r\n")
                elif cmd == "NOOP":
                    self.send("250 ok\r\n")
                elif cmd == "QUIT":
                    self.send("221 bye\r\n")
                    return
                else:
                    self.send("502 5.5.2 unsupported\r\n")
        except (EOFError, ConnectionError):
            return

    def log(self, n, step, auth_ok, mail_from, rcpt, raw):
        entry = {"n": n, "step": step, "auth_ok": auth_ok, "from": mail_from, "rcpt": rcpt}
        if raw is not None:
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            body = msg.get_body(("plain",))
            entry.update(subject=str(msg["Subject"]), message_id=msg["Message-ID"],
                         in_reply_to=msg["In-Reply-To"], references=msg["References"],
                         to=str(msg["To"]), body=body.get_content() if body else None)
        with lock, open(args.log, "a") as f:
            f.write(json.dumps(entry) + "\n")


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client refusing our certificate ends its TLS handshake: expected in the tests.
        import sys
        if not isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, EOFError)):
            super().handle_error(request, client_address)


imap = Server(("127.0.0.1", 0), Imap)
smtp = Server(("127.0.0.1", 0), Smtp)
threading.Thread(target=imap.serve_forever, daemon=True).start()
with open(args.imap_port_file, "w") as f:
    f.write(str(imap.server_address[1]))
with open(args.smtp_port_file, "w") as f:
    f.write(str(smtp.server_address[1]))
smtp.serve_forever()
