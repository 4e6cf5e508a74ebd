# HTTP conventions: a 422 names its field; a 405 names the path's methods in Allow; every 401 carries
# WWW-Authenticate; HEAD is served wherever GET is (same status and headers, Content-Length of
# the GET body, no body; a stream answers its headers and ends); an ignored webhook delivery is
# acknowledged {"status":"ignored"} without ids.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
. "$(dirname "$0")/metalib.sh"
WEB="$T/web"
mkdir -p "$WEB/assets"
printf '<!doctype html><title>Hark</title>\n' > "$WEB/index.html"
printf 'console.log("hark");\n' > "$WEB/assets/app-1a2b3c.js"
start_meta
start_hark --web-root "$WEB" --metrics-token m-token-1
admin_setup

# hdr FILE NAME: the value of header NAME in a curl -D dump (empty when absent).
hdr() { sed -n "s/^$2: *//Ip" "$1" | tr -d '\r' | head -1; }

# ---- 405 with Allow ----------------------------------------------------------------------
req POST /api/v1/channels '{"type":"webchat","name":"Chat","settings":{}}'
check "webchat channel" "$STATUS" 201
W=$(jqr .id)

# ---- a 422 names its field, for forms ------------------------------------------------------
req POST /api/v1/channels '{"type":"webchat","name":"","settings":{}}'
check "empty name is 422" "$STATUS" 422
check "422 names the field" "$(jqr .error.field)" name
req POST /api/v1/channels '{"type":"messenger","name":"FB","settings":{}}'
check "missing setting is 422" "$STATUS" 422
case "$(jqr .error.field)" in settings.*) echo "ok: 422 names the setting" ;; *) fail "422 field: $BODY" ;; esac
req POST /api/v1/channels '{"type":"webchat","name":"Chat"'
check "malformed JSON is 400" "$STATUS" 400
check "a 400 has no field" "$(jqr '.error.field // "none"')" none
# not_allowed METHOD PATH ALLOW
not_allowed() {
    code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $TOKEN" "$URL$2")
    check "$1 $2 is 405" "$code" 405
    check "$1 $2 Allow" "$(hdr "$T/h" Allow)" "$3"
    check "$1 $2 error body" "$(jq -r .error.code "$T/b")" method_not_allowed
}
not_allowed DELETE /api/v1/me "GET, HEAD, PATCH"
not_allowed PUT /healthz "GET, HEAD"
not_allowed GET /api/v1/login "POST"
not_allowed PATCH "/hooks/$W" "GET, HEAD, POST"
not_allowed DELETE "/api/v1/widget/$W/info" "GET, HEAD, OPTIONS"
not_allowed POST /api/v1/tokens/1 "DELETE"
not_allowed OPTIONS /api/v1/conversations "GET, HEAD"

# ---- every 401 carries WWW-Authenticate --------------------------------------------------
# unauth NAME WANT_CHALLENGE CURL_ARGS...
unauth() {
    local name=$1 want=$2; shift 2
    code=$(curl -s -D "$T/h" -o "$T/b" -w '%{http_code}' "$@")
    check "$name is 401" "$code" 401
    check "$name WWW-Authenticate" "$(hdr "$T/h" WWW-Authenticate)" "$want"
}
unauth "API without credentials" 'Bearer realm="hark"' "$URL/api/v1/me"
unauth "API bad bearer token" 'Bearer realm="hark", error="invalid_token"' \
    -H 'Authorization: Bearer nope' "$URL/api/v1/conversations"
unauth "API other scheme" 'Bearer realm="hark"' -u a:b "$URL/api/v1/me"
unauth "API bad session cookie" 'Bearer realm="hark"' -b 'hark_session=nope' "$URL/api/v1/me"
unauth "event stream without credentials" 'Bearer realm="hark"' -m 5 "$URL/api/v1/events"
unauth "wrong password" 'Bearer realm="hark"' -H 'Content-Type: application/json' \
    --data-binary '{"email":"admin@example.com","password":"not-the-password"}' "$URL/api/v1/login"
unauth "widget without visitor token" 'X-Hark-Visitor realm="widget"' \
    "$URL/api/v1/widget/$W/messages"
unauth "widget unknown visitor token" 'X-Hark-Visitor realm="widget"' \
    -H 'X-Hark-Visitor: not-a-token' "$URL/api/v1/widget/$W/messages"
unauth "metrics without its token" 'Bearer realm="metrics"' "$URL/metrics"
unauth "metrics with an API token" 'Bearer realm="metrics"' -H "Authorization: Bearer $TOKEN" "$URL/metrics"
new_channel api-hooks
CH_ID_API=$CH_ID; CH_SECRET_API=$CH_SECRET
unauth "webhook bad signature" 'Signature realm="hooks"' -H 'X-Hark-Signature: sha256=00' \
    -H 'Content-Type: application/json' --data-binary '{"id":"m1","from":{"id":"u"},"text":"x"}' \
    "$URL/hooks/$CH_ID"

# ---- HEAD wherever GET is ----------------------------------------------------------------
# same_head NAME PATH [HEADER]: HEAD and then GET on one keep-alive connection. Same status,
# Content-Type, Content-Length (the GET body's length) and Cache-Control; the HEAD sends no
# body (a body would corrupt the GET's answer on the same connection).
same_head() {
    python3 - "$URL" "$2" "${3:-}" > "$T/head.out" <<'EOF' || fail "$1: $(cat "$T/head.out")"
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
hdrs = {}
if sys.argv[3]:
    k, v = sys.argv[3].split(": ", 1)
    hdrs[k] = v
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
c.request("HEAD", sys.argv[2], headers=hdrs)
h = c.getresponse()
h.read()
c.request("GET", sys.argv[2], headers=hdrs)
g = c.getresponse()
body = g.read()
names = ("Content-Type", "Content-Length", "Cache-Control", "ETag")
hv = [h.status] + [h.getheader(n) for n in names]
gv = [g.status] + [g.getheader(n) for n in names]
if hv != gv:
    print("HEAD", hv, "GET", gv)
    sys.exit(1)
if h.status != 200 or int(g.getheader("Content-Length")) != len(body) or not body:
    print("status", h.status, "length", g.getheader("Content-Length"), "body", len(body))
    sys.exit(1)
print(h.status, h.getheader("Content-Length"))
EOF
    echo "ok: HEAD $2 ($(cat "$T/head.out"))"
}
same_head "healthz" /healthz
same_head "API GET" /api/v1/me "Authorization: Bearer $TOKEN"
same_head "API list" /api/v1/channels "Authorization: Bearer $TOKEN"
same_head "static asset" /assets/app-1a2b3c.js
same_head "web app index" /
same_head "web app route" /conversations/7
same_head "widget info" "/api/v1/widget/$W/info"
# curl -I reads no body: the dump is the whole answer. (/metrics changes with every request,
# so its lengths cannot be compared.)
code=$(curl -s -I -o "$T/h" -w '%{http_code}' -H 'Authorization: Bearer m-token-1' "$URL/metrics")
check "curl -I metrics" "$code" 200
check "HEAD metrics type" "$(hdr "$T/h" Content-Type)" "text/plain; version=0.0.4"

# The event stream on HEAD: its headers, then the response ends (curl -m would fail with 28).
curl -s -I -m 10 -D "$T/h" -o /dev/null -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events"
check "HEAD events returns" "$?" 0
check "HEAD events status" "$(sed -n '1s/^HTTP\/1.1 \([0-9]*\).*/\1/p' "$T/h")" 200
check "HEAD events type" "$(hdr "$T/h" Content-Type)" text/event-stream
wreq_tok=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary '{}' \
    "$URL/api/v1/widget/$W/session" | jq -r .token)
curl -s -I -m 10 -D "$T/h" -o /dev/null -H "X-Hark-Visitor: $wreq_tok" "$URL/api/v1/widget/$W/events"
check "HEAD widget events returns" "$?" 0
check "HEAD widget events type" "$(hdr "$T/h" Content-Type)" text/event-stream
open_streams() {
    curl -s -H 'Authorization: Bearer m-token-1' "$URL/metrics" | sed -n 's/^hark_http_streams //p'
}
wait_for "no stream left open by a HEAD" 10 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer m-token-1' '$URL/metrics' | sed -n 's/^hark_http_streams //p')\" = 0 ]"
check "no stream open" "$(open_streams)" 0

# ---- ignored webhook deliveries: acknowledged without ids ---------------------------------
# ignored NAME: the last delivery (STATUS, BODY) was acknowledged as ignored.
ignored() {
    check "$1: 200" "$STATUS" 200
    check "$1: status" "$(jqp .status)" ignored
    check "$1: no ids" "$(jqp '[has("message_id"), has("conversation_id")] | any')" false
}
before=$(count_msgs)

# WhatsApp: a status-only delivery.
meta_channel whatsapp wa phone_number_id 800000000000002
push "$CH_ID" whatsapp_business_account "$(entry wa-status --account 800000000000002 --sender 5511922220000 --id wamid.SENT1)"
STATUS=$PUSH_STATUS; BODY=$PUSH_BODY; ignored "whatsapp status receipt"
# Messenger: a read receipt.
meta_channel messenger fb page_id 100000000000001
push "$CH_ID" page "$(entry read --account 100000000000001 --sender 2000000000001)"
STATUS=$PUSH_STATUS; BODY=$PUSH_BODY; ignored "messenger read receipt"

# Telegram: an update without a message (a callback query).
new_typed_channel telegram Bot '{"bot_token":"123:ABC","secret_token":"tg_secret_1"}'
BODY=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
    -H 'X-Telegram-Bot-Api-Secret-Token: tg_secret_1' \
    --data-binary '{"update_id":800000001,"callback_query":{"id":"1","data":"x"}}' "$CH_HOOK")
STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d')
ignored "telegram update without a message"

# X: an event type we do not take (likes).
new_typed_channel x X '{"consumer_secret":"x_secret","access_token":"t","user_id":"2244994945"}'
XB='{"for_user_id":"2244994945","favorite_events":[{"id":"f1"}]}'
push_result "$(python3 "$FAKES/x_fake.py" push --url "$CH_HOOK" --secret x_secret --body "$XB")"
STATUS=$PSTATUS; BODY=$PBODY; ignored "x favorite event"

# A stored message still names its ids; its redelivery is a duplicate with the same ids.
hook "$CH_ID_API" "$CH_SECRET_API" '{"id":"m1","from":{"id":"u1"},"text":"hello"}'
check "api message accepted" "$STATUS" 200
check "accepted status" "$(jqp .status)" accepted
MID=$(jqp .message_id)
[ "$MID" -gt 0 ] || fail "accepted without a message id: $BODY"
hook "$CH_ID_API" "$CH_SECRET_API" '{"id":"m1","from":{"id":"u1"},"text":"hello"}'
check "redelivery status" "$(jqp .status)" duplicate
check "redelivery names the message" "$(jqp .message_id)" "$MID"
check "only the api message stored" "$(count_msgs)" $((before + 1))
stop_hark
