# The chat widget's public endpoints as a stranger's browser calls them: a webchat channel,
# info, sessions and visitor tokens, sending and reading, CORS, and the rate limits (per
# visitor token and per client address: 429 with Retry-After).
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
req POST /api/v1/channels '{"type":"webchat","name":"Chat","settings":{"brand_name":"Northwind","reply_minutes":5,"allowed_origins":["https://shop.example"]}}'
check "create webchat channel" "$STATUS" 201
W=$(jqr .id)
req POST /api/v1/channels '{"type":"webchat","name":"Bad","settings":{"reply_minutes":-1}}'
check "invalid setting" "$STATUS" 422

# wreq METHOD PATH [BODY] [curl args...]: an anonymous request; sets STATUS, BODY and RETRY
# (the Retry-After header, or empty).
wreq() {
    local m=$1 p=$2; shift 2
    local body=""
    if [ $# -gt 0 ]; then body=$1; shift; fi
    set -- -s -D "$T/h" -o "$T/b" -w '%{http_code}' -X "$m" "$@"
    [ -n "$body" ] && set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"
    STATUS=$(curl "$@" "$URL$p")
    BODY=$(cat "$T/b")
    RETRY=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$T/h")
}

wreq GET "/api/v1/widget/$W/info"
check "info" "$STATUS" 200
check "brand" "$(jqr .brand_name)" Northwind
check "reply minutes" "$(jqr .reply_minutes)" 5
check "team is public profiles only" "$(jqr '.team[0] | keys | join(",")')" "avatar_url,display_name"
wreq GET "/api/v1/widget/$W/info" "" -H 'Origin: https://evil.example'
check "foreign origin" "$STATUS" 403
wreq GET "/api/v1/widget/$W/info" "" -H 'Origin: https://shop.example'
check "allowed origin" "$STATUS" 200
grep -qi '^access-control-allow-origin: https://shop.example' "$T/h" || fail "no CORS header"
wreq GET "/api/v1/widget/99/info"
check "unknown channel" "$STATUS" 404

wreq POST "/api/v1/widget/$W/session" '{}'
check "new session" "$STATUS" 200
TOK=$(jqr .token)
check "no conversation yet" "$(jqr .conversation)" null
wreq POST "/api/v1/widget/$W/session" "{\"token\":\"$TOK\"}"
check "token kept" "$(jqr .token)" "$TOK"
FORGED=$(printf '%s' "$TOK" | sed 's/.$/x/')
wreq GET "/api/v1/widget/$W/messages" "" -H "X-Hark-Visitor: $FORGED"
check "forged token" "$STATUS" 401
wreq POST "/api/v1/widget/$W/messages" '{"text":"Where is my parcel?","id":"a1","name":"Vera"}' \
    -H "X-Hark-Visitor: $TOK"
check "send" "$STATUS" 201
check "sent text" "$(jqr .message.text)" "Where is my parcel?"
wreq POST "/api/v1/widget/$W/messages" '{"text":"Where is my parcel?","id":"a1"}' -H "X-Hark-Visitor: $TOK"
check "retried send is a duplicate" "$(jqr .duplicate)" true
wreq POST "/api/v1/widget/$W/messages" '{"text":"   "}' -H "X-Hark-Visitor: $TOK"
check "blank text" "$STATUS" 422
CONV=$(dbq 'SELECT id FROM conversation')
req POST "/api/v1/conversations/$CONV/messages" '{"text":"internal only","private":true}'
req POST "/api/v1/conversations/$CONV/messages" '{"text":"On its way!"}'
wreq GET "/api/v1/widget/$W/messages" "" -H "X-Hark-Visitor: $TOK"
check "read own conversation" "$STATUS" 200
check "public messages only" "$(jqr '[.messages[].text] | join("|")')" "Where is my parcel?|On its way!"

# The limits are checked in bursts over one keep-alive connection (one curl process), so that
# a slow machine cannot refill a bucket between two requests. burst N PATH [curl args...] -> one
# status per line for N GETs of PATH.
burst() {
    local n=$1 p=$2 urls="" i=0; shift 2
    while [ $i -lt "$n" ]; do urls="$urls -o /dev/null $URL$p"; i=$((i + 1)); done
    # shellcheck disable=SC2086
    curl -s -w '%{http_code}\n' $urls "$@"
}

# Per visitor: a burst of 30 requests, then 429 with Retry-After; another visitor is unaffected.
burst 40 "/api/v1/widget/$W/messages" -H "X-Hark-Visitor: $TOK" \
    --next -s -D "$T/h" -o "$T/b" -w '%{http_code}\n' -H "X-Hark-Visitor: $TOK" \
    -H 'Content-Type: application/json' --data-binary '{"text":"still me"}' \
    "$URL/api/v1/widget/$W/messages" > "$T/codes"
ok=$(grep -c '^200$' "$T/codes" || true)
check "visitor limited" "$(grep -c '^429$' "$T/codes")" "$((41 - ok))"
[ "$ok" -ge 25 ] && [ "$ok" -le 32 ] || fail "visitor burst allowed $ok requests, want about 30"
check "a limited visitor cannot send" "$(tail -1 "$T/codes")" 429
check "429 error code" "$(jq -r .error.code "$T/b")" rate_limited
RETRY=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$T/h")
[ -n "$RETRY" ] && [ "$RETRY" -ge 1 ] || fail "no Retry-After on 429 (got '$RETRY')"
echo "ok: visitor limited after $ok requests, Retry-After $RETRY"
wreq POST "/api/v1/widget/$W/session" '{}'
TOK2=$(jqr .token)
wreq GET "/api/v1/widget/$W/messages" "" -H "X-Hark-Visitor: $TOK2"
check "another visitor is served" "$STATUS" 200

# Per client address: any widget endpoint (here /info) runs dry too, for every visitor.
burst 160 "/api/v1/widget/$W/info" --next -s -D "$T/h" -o "$T/b" -w '%{http_code}\n' \
    -H "X-Hark-Visitor: $TOK2" -H 'Origin: https://shop.example' "$URL/api/v1/widget/$W/messages" \
    > "$T/codes"
ok=$(grep -c '^200$' "$T/codes" || true)
[ "$ok" -ge 1 ] && [ "$ok" -le 125 ] || fail "client burst allowed $ok requests, want at most 120"
check "client address limited" "$(tail -1 "$T/codes")" 429
RETRY=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$T/h")
[ -n "$RETRY" ] && [ "$RETRY" -ge 1 ] || fail "no Retry-After on 429 (got '$RETRY')"
grep -qi '^access-control-expose-headers: retry-after' "$T/h" || fail "Retry-After not exposed to the widget"
echo "ok: client limited after $ok more requests, Retry-After $RETRY"
# The agents' API is not affected.
req GET /api/v1/conversations
check "agent API unaffected" "$STATUS" 200
check "nothing stored by refused requests" "$(dbq 'SELECT count(*) FROM message WHERE direction = '"'in'")" 1
stop_hark
