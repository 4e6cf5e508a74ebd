#!/usr/bin/env python3
"""A local fake of Twilio Programmable Messaging (127.0.0.1 only); see fakelib.py.

serve: POST /2010-04-01/Accounts/<sid>/Messages.json (form) -> 201 with a Message resource.
  Needs HTTP Basic auth "--sid:--token" (else 401, code 20003). Steps: "201"; "429" (code
  20429 Too Many Requests, with Retry-After when given as "429:N"); "400:CODE" (a Twilio error
  such as 21610, unsubscribed recipient, or 21211, invalid number); "500"; "timeout". Log
  lines add "to", "from", "service", "body", "auth_ok".
push: POSTs the form parameters (NAME=VALUE arguments) to --url with X-Twilio-Signature:
  base64 HMAC-SHA1 keyed by --token over --sign-url (default --url) followed by each parameter
  name and value, sorted (twilio-python's RequestValidator). --bad-sig signs with another key;
  --times N repeats the delivery.

usage: twilio_fake.py serve --sid S --token T --port-file F --log F [--script L] [--then S]
       twilio_fake.py push --url URL --token T [--sign-url URL] [--bad-sig] [--times N] NAME=VALUE...
"""
import argparse, base64, hashlib, hmac, json, sys, urllib.parse
sys.path.insert(0, __import__("os").path.dirname(__file__))
import fakelib

ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="role", required=True)
sv = sub.add_parser("serve")
fakelib.add_serve_args(sv)
sv.add_argument("--sid", required=True)
sv.add_argument("--token", required=True)
pu = sub.add_parser("push")
pu.add_argument("--url", required=True)
pu.add_argument("--token", required=True)
pu.add_argument("--sign-url", default="")
pu.add_argument("--bad-sig", action="store_true")
pu.add_argument("--times", type=int, default=1)
pu.add_argument("params", nargs="*")
args = ap.parse_args()

next_id = [100]
MESSAGES = {21610: "Attempt to send to unsubscribed recipient",
            21211: "The 'To' number is not a valid phone number.",
            20429: "Too Many Requests"}


def signature(token, url, params):
    s = url + "".join(k + v for k, v in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), s.encode(), hashlib.sha1).digest()).decode()


def handle(req, step):
    want = "Basic " + base64.b64encode(("%s:%s" % (args.sid, args.token)).encode()).decode()
    auth_ok = req.headers.get("Authorization", "") == want
    form = dict(urllib.parse.parse_qsl(req.raw.decode(), keep_blank_values=True))
    req.log.update(to=form.get("To"), **{"from": form.get("From")},
                   service=form.get("MessagingServiceSid"), body=form.get("Body"),
                   auth_ok=auth_ok)
    hdr = {"Content-Type": "application/json"}
    if req.path != "/2010-04-01/Accounts/%s/Messages.json" % args.sid:
        return 404, hdr, b'{"code":20404,"message":"The requested resource was not found","status":404}'
    if not auth_ok:
        return 401, hdr, b'{"code":20003,"message":"Authenticate","status":401}'
    status, arg = fakelib.split_step(step)
    if status == 200:
        status = 201
    if status == 429:
        if arg:
            hdr["Retry-After"] = arg
        out = {"code": 20429, "message": MESSAGES[20429], "status": 429}
    elif status >= 500:
        out = {"code": 20500, "message": "Internal Server Error", "status": status}
    elif status >= 300:
        code = int(arg or "21211")
        out = {"code": code, "message": MESSAGES.get(code, "Error"),
               "more_info": "https://www.twilio.com/docs/errors/%d" % code, "status": status}
    else:
        next_id[0] += 1
        out = {"sid": "SM%032d" % next_id[0], "account_sid": args.sid, "to": form.get("To"),
               "from": form.get("From"), "body": form.get("Body"), "status": "queued",
               "direction": "outbound-api", "num_segments": "1", "error_code": None,
               "error_message": None}
    return status, hdr, json.dumps(out).encode()


if args.role == "serve":
    fakelib.serve(args, handle)
else:
    params = [p.partition("=")[::2] for p in args.params]
    raw = urllib.parse.urlencode(params).encode()
    sig = signature("not-the-token" if args.bad_sig else args.token, args.sign_url or args.url, params)
    hdr = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig,
           "User-Agent": "TwilioProxy/1.1"}
    for _ in range(args.times):
        fakelib.post(args.url, raw, hdr)
