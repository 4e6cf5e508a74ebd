#!/usr/bin/env python3
"""A local fake of the Telegram Bot API (127.0.0.1 only); see fakelib.py for the two roles.

serve: POST /bot<token>/sendMessage answers like Telegram: {"ok":true,"result":{Message}}.
  A wrong token gets 401 {"ok":false,"error_code":401,"description":"Unauthorized"}. Steps:
  "200"; "429:N" ({"parameters":{"retry_after":N}}, no Retry-After header, as Telegram does);
  "400" (chat not found); "403" (bot was blocked by the user); "500"; "timeout".
  Log lines add "chat_id", "text", "reply_to" and "token_ok".
push: POSTs the update JSON --body to --url with X-Telegram-Bot-Api-Secret-Token: --secret
  (omitted with --no-secret). --times N repeats the delivery, as Telegram's retries do.

usage: telegram_fake.py serve --token T --port-file F --log F [--script L] [--then S]
       telegram_fake.py push --url URL --secret S --body JSON [--no-secret] [--times N]
"""
import argparse, json, sys
sys.path.insert(0, __import__("os").path.dirname(__file__))
import fakelib

ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="role", required=True)
sv = sub.add_parser("serve")
fakelib.add_serve_args(sv)
sv.add_argument("--token", required=True)
pu = sub.add_parser("push")
pu.add_argument("--url", required=True)
pu.add_argument("--secret", default="")
pu.add_argument("--no-secret", action="store_true")
pu.add_argument("--body", required=True)
pu.add_argument("--times", type=int, default=1)
args = ap.parse_args()

next_id = [9000]
ERRORS = {400: "Bad Request: chat not found", 403: "Forbidden: bot was blocked by the user",
          500: "Internal Server Error", 502: "Bad Gateway"}


def handle(req, step):
    if req.path == "/bot%s/answerCallbackQuery" % args.token:
        # A tapped inline button acknowledged: logged, always fine (no step of the script).
        body = json.loads(req.raw or b"{}")
        req.log.update(answer_callback=body.get("callback_query_id"), text=body.get("text"))
        ok = isinstance(body.get("callback_query_id"), str) and len(body.get("text", "")) <= 200
        return (200 if ok else 400), {"Content-Type": "application/json"}, json.dumps(
            {"ok": ok, "result": ok} if ok else {"ok": False, "error_code": 400,
                                                 "description": "Bad Request"}).encode()
    token_ok = req.path == "/bot%s/sendMessage" % args.token
    req.log["token_ok"] = token_ok
    try:
        body = json.loads(req.raw)
    except ValueError:
        body = {}
    req.log.update(chat_id=body.get("chat_id"), text=body.get("text"),
                   reply_to=(body.get("reply_parameters") or {}).get("message_id"))
    hdr = {"Content-Type": "application/json"}
    if not token_ok:
        return 404 if "sendMessage" not in req.path else 401, hdr, json.dumps(
            {"ok": False, "error_code": 401, "description": "Unauthorized"}).encode()
    req.log["reply_markup"] = body.get("reply_markup")
    # Telegram's limits on an inline keyboard: callback_data 1-64 bytes, a text on every button.
    kb = (body.get("reply_markup") or {}).get("inline_keyboard")
    if kb is not None:
        ok = isinstance(kb, list) and all(isinstance(row, list) and row for row in kb) and all(
            b.get("text") and 0 < len(b.get("callback_data", "").encode()) <= 64
            for row in kb for b in row)
        if not ok:
            return 400, hdr, json.dumps({"ok": False, "error_code": 400, "description":
                                         "Bad Request: BUTTON_DATA_INVALID"}).encode()
    status, arg = fakelib.split_step(step)
    if status == 429:
        after = int(arg or "1")
        out = {"ok": False, "error_code": 429,
               "description": "Too Many Requests: retry after %d" % after,
               "parameters": {"retry_after": after}}
    elif status >= 300:
        out = {"ok": False, "error_code": status, "description": ERRORS.get(status, "Error")}
    else:
        next_id[0] += 1
        out = {"ok": True, "result": {"message_id": next_id[0], "date": 1700000000,
                                      "chat": {"id": body.get("chat_id")},
                                      "text": body.get("text")}}
    return status, hdr, json.dumps(out).encode()


if args.role == "serve":
    fakelib.serve(args, handle)
else:
    hdr = {"Content-Type": "application/json"}
    if not args.no_secret:
        hdr["X-Telegram-Bot-Api-Secret-Token"] = args.secret
    for _ in range(args.times):
        fakelib.post(args.url, args.body.encode(), hdr)
