# A conversation's message history, page by page: 1,200 messages posted through the signed
# webhook into one thread come back through the API exactly once and in order by following
# the cursor; a message that arrives while paging never shifts a page; bad page arguments are
# 400; the conversation view and the widget carry the same cursor.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"

# 1,200 signed webhooks on one keep-alive connection, each answered 200 and accepted.
python3 - "$URL/hooks/$CH_ID" "$CH_SECRET" 1200 > "$T/ingest.out" <<'PY' || fail "ingest: $(tail -3 "$T/ingest.out")"
import hashlib, hmac, http.client, json, sys, urllib.parse
url, secret, n = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
conv = None
for i in range(1, n + 1):
    body = json.dumps({"id": "h%d" % i, "from": {"id": "u%d" % (i % 7), "name": "Customer %d" % (i % 7)},
                       "text": "history message %d" % i, "thread_id": "long-thread", "public": True}).encode()
    sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    c.request("POST", url.path, body, {"Content-Type": "application/json", "X-Hark-Signature": sig})
    r = c.getresponse()
    out = json.loads(r.read())
    if r.status != 200 or out.get("status") != "accepted" or out.get("duplicate"):
        print("message %d: %d %s" % (i, r.status, out)); sys.exit(1)
    if conv is None:
        conv = out["conversation_id"]
    elif out["conversation_id"] != conv:
        print("message %d went to conversation %s" % (i, out["conversation_id"])); sys.exit(1)
print(conv)
PY
CONV=$(tail -1 "$T/ingest.out")
check "stored" "$(dbq "SELECT count(*) FROM message WHERE conversation_id = $CONV")" 1200

# The conversation view: the newest page of 50, oldest first, and a cursor to older ones.
req GET "/api/v1/conversations/$CONV"
check "conversation" "$STATUS" 200
check "default page" "$(jqr '.messages | length')" 50
check "newest page ends with the newest" "$(jqr '.messages[49].text')" "history message 1200"
check "newest page oldest first" "$(jqr '.messages[0].text')" "history message 1151"
NEXT=$(jqr .messages_next_cursor)
[ "$NEXT" != null ] || fail "no messages_next_cursor with 1,150 older messages"
req GET "/api/v1/conversations/$CONV?before=$NEXT&limit=3"
check "older page through the conversation view" "$(jqr '[.messages[].text] | join(",")')" \
    "history message 1148,history message 1149,history message 1150"

# Follow the cursor of the messages endpoint back to the first message (limit 137 does not
# divide 1,200, so the last page is short). Pages arrive newest first; each is oldest first.
: > "$T/texts"
CUR=""
PAGES=0
while :; do
    req GET "/api/v1/conversations/$CONV/messages?limit=137${CUR:+&before=$CUR}"
    check "page $PAGES" "$STATUS" 200
    [ "$(jqr '.items | length')" -le 137 ] || fail "page $PAGES is longer than its limit"
    # Prepend this page: the file ends up oldest first.
    { jqr '.items[] | "\(.id) \(.text)"'; cat "$T/texts"; } > "$T/texts.new"
    mv "$T/texts.new" "$T/texts"
    PAGES=$((PAGES + 1))
    CUR=$(jqr .next_cursor)
    if [ $PAGES -eq 2 ]; then
        # A message arriving mid-way joins the newest end and never reaches an older page.
        hook "$CH_ID" "$CH_SECRET" '{"id":"late","from":{"id":"u1"},"text":"late message","thread_id":"long-thread","public":true}'
        check "late message accepted" "$STATUS" 200
    fi
    [ "$CUR" = null ] && break
    [ $PAGES -lt 20 ] || fail "cursor did not end after 20 pages"
done
check "pages" "$PAGES" 9
check "every message once" "$(wc -l < "$T/texts")" 1200
seq 1 1200 | sed 's/^/history message /' > "$T/want"
cut -d' ' -f2- "$T/texts" | cmp -s - "$T/want" || fail "messages not exactly 1..1200 in order"
echo "ok: every message exactly once, in order"
cut -d' ' -f1 "$T/texts" | sort -n -c 2>/dev/null || fail "ids not ascending"
check "ids distinct" "$(cut -d' ' -f1 "$T/texts" | sort -u | wc -l)" 1200
req GET "/api/v1/conversations/$CONV/messages?limit=1"
check "late message is now the newest" "$(jqr '.items[0].text')" "late message"

# Short conversations have no cursor.
hook "$CH_ID" "$CH_SECRET" '{"id":"s1","from":{"id":"solo","name":"Solo"},"text":"just one"}'
SHORT=$(jqr .conversation_id)
req GET "/api/v1/conversations/$SHORT/messages"
check "short conversation" "$(jqr '.items | length'),$(jqr .next_cursor)" "1,null"
req GET "/api/v1/conversations/$SHORT"
check "short conversation view" "$(jqr '.messages | length'),$(jqr .messages_next_cursor)" "1,null"

# Bad page arguments: 400 with a JSON error, on both paths.
for q in "limit=0" "limit=201" "limit=x" "limit=" "before=abc" "before=0" "before=-5" \
    "before=" "before=1e3" "before=99999999999999999999999"; do
    req GET "/api/v1/conversations/$CONV/messages?$q"
    check "messages ?$q" "$STATUS,$(jqr .error.code)" "400,invalid"
    req GET "/api/v1/conversations/$CONV?$q"
    check "conversation ?$q" "$STATUS,$(jqr .error.code)" "400,invalid"
done
req GET "/api/v1/conversations/999999/messages"
check "unknown conversation" "$STATUS" 404
req GET "/api/v1/conversations/$CONV/messages?limit=200"
check "limit 200" "$(jqr '.items | length')" 200

# The widget reads its visitor's conversation with the same cursor.
req POST /api/v1/channels '{"type":"webchat","name":"Chat","settings":{}}'
check "webchat channel" "$STATUS" 201
W=$(jqr .id)
TOK=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary '{}' "$URL/api/v1/widget/$W/session" | jq -r .token)
BODY=$(curl -s -X POST -H 'Content-Type: application/json' -H "X-Hark-Visitor: $TOK" \
    --data-binary '{"text":"hello from the widget","id":"w1"}' "$URL/api/v1/widget/$W/messages")
WCONV=$(dbq "SELECT id FROM conversation WHERE channel_id = $W")
[ -n "$WCONV" ] || fail "no widget conversation"
for i in 1 2 3 4 5; do
    req POST "/api/v1/conversations/$WCONV/messages" "{\"text\":\"agent reply $i\"}"
    check "reply $i" "$STATUS" 201
done
wget_msgs() { BODY=$(curl -s -w '\n%{http_code}' -H "X-Hark-Visitor: $TOK" "$URL/api/v1/widget/$W/messages$1"); STATUS=$(printf '%s' "$BODY" | tail -n1); BODY=$(printf '%s' "$BODY" | sed '$d'); }
wget_msgs ""
check "widget default page" "$(jqr '.messages | length'),$(jqr .next_cursor)" "6,null"
wget_msgs "?limit=4"
check "widget newest 4" "$(jqr '[.messages[].text] | join(",")')" "agent reply 2,agent reply 3,agent reply 4,agent reply 5"
WCUR=$(jqr .next_cursor)
wget_msgs "?limit=4&before=$WCUR"
check "widget older page" "$(jqr '[.messages[].text] | join(",")'),$(jqr .next_cursor)" "hello from the widget,agent reply 1,null"
wget_msgs "?before=nope"
check "widget bad cursor" "$STATUS,$(jqr .error.code)" "400,invalid"
stop_hark
