#!/usr/bin/env python3
"""A local fake of X's API v2 and Account Activity webhooks (127.0.0.1 only); see fakelib.py.

serve: POST /2/tweets -> 201 {"data":{"id","text"}}; POST /2/dm_conversations/with/<id>/messages
  -> 201 {"data":{"dm_conversation_id","dm_event_id"}}. Needs "Authorization: Bearer --token"
  (else 401). Steps: "201"; "429:N" (x-rate-limit-reset = now + N seconds and the documented
  {"errors":[{"code":88,...}]} body, no Retry-After); "403" (a problem: the user does not accept
  DMs); "500"; "timeout". Log lines add "kind" (tweet|dm), "to", "text", "in_reply_to",
  "auth_ok".
push: POSTs --body to --url with x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256 of the
  raw body keyed by --secret> (--bad-sig signs with another key). --times N repeats it.
crc: GETs --url?crc_token=--token and checks response_token against --secret; prints the
  status and "crc ok" or "crc bad".

usage: x_fake.py serve --token T --port-file F --log F [--script L] [--then S]
       x_fake.py push --url URL --secret S --body JSON [--bad-sig] [--times N]
       x_fake.py crc --url URL --secret S --token CRC
"""
import argparse, base64, hashlib, hmac, json, re, sys, time, urllib.parse, urllib.request
sys.path.insert(0, __import__("os").path.dirname(__file__))
import fakelib

ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="role", required=True)
sv = sub.add_parser("serve")
fakelib.add_serve_args(sv)
sv.add_argument("--token", required=True)
pu = sub.add_parser("push")
pu.add_argument("--url", required=True)
pu.add_argument("--secret", required=True)
pu.add_argument("--body", required=True)
pu.add_argument("--bad-sig", action="store_true")
pu.add_argument("--times", type=int, default=1)
cr = sub.add_parser("crc")
cr.add_argument("--url", required=True)
cr.add_argument("--secret", required=True)
cr.add_argument("--token", required=True)
args = ap.parse_args()

next_id = [1724567890999999000]


def sign(secret, raw):
    return "sha256=" + base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def handle(req, step):
    auth_ok = req.headers.get("Authorization", "") == "Bearer " + args.token
    try:
        body = json.loads(req.raw)
    except ValueError:
        body = {}
    m = re.match(r"^/2/dm_conversations/with/(\d+)/messages$", req.path)
    kind = "dm" if m else ("tweet" if req.path == "/2/tweets" else "other")
    req.log.update(kind=kind, to=m.group(1) if m else None, text=body.get("text"),
                   in_reply_to=(body.get("reply") or {}).get("in_reply_to_tweet_id"),
                   auth_ok=auth_ok)
    hdr = {"Content-Type": "application/json"}
    if kind == "other":
        return 404, hdr, b'{"title":"Not Found Error","status":404}'
    if not auth_ok:
        return 401, hdr, b'{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}'
    status, arg = fakelib.split_step(step)
    if status == 200:
        status = 201
    if status == 429:
        hdr["x-rate-limit-limit"] = "300"
        hdr["x-rate-limit-remaining"] = "0"
        hdr["x-rate-limit-reset"] = str(int(time.time()) + int(arg or "1"))
        out = {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
    elif status == 403:
        out = {"title": "Forbidden", "status": 403,
               "type": "https://api.twitter.com/2/problems/not-authorized-for-resource",
               "detail": "You are not permitted to send Direct Messages to this user."}
    elif status >= 300:
        out = {"title": "Service Unavailable", "status": status, "detail": "Service Unavailable"}
    else:
        next_id[0] += 1
        if kind == "dm":
            out = {"data": {"dm_conversation_id": "2244994945-%s" % m.group(1),
                            "dm_event_id": str(next_id[0])}}
        else:
            out = {"data": {"id": str(next_id[0]), "text": body.get("text")}}
    return status, hdr, json.dumps(out).encode()


if args.role == "serve":
    fakelib.serve(args, handle)
elif args.role == "push":
    raw = args.body.encode()
    hdr = {"Content-Type": "application/json",
           "x-twitter-webhooks-signature": sign("not-the-secret" if args.bad_sig else args.secret, raw)}
    for _ in range(args.times):
        fakelib.post(args.url, raw, hdr)
else:
    url = args.url + "?" + urllib.parse.urlencode({"crc_token": args.token})
    try:
        status, text = fakelib.post(url, None, {}, method="GET")
        want = sign(args.secret, args.token.encode())
        got = json.loads(text).get("response_token") if status == 200 else None
        print("crc ok" if got == want else "crc bad")
    except ValueError:
        print("crc bad")
