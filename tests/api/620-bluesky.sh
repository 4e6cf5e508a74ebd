# Bluesky channel against tests/fakes/bluesky_fake.py: settings checked and masked; a converted
# listening mention answered on the post itself (createSession, getPosts for the strong refs,
# reply.root = the thread's root, reply.parent = the post), facets at UTF-8 byte offsets with
# non-ASCII text (a mention resolved to its DID, one that does not resolve left plain);
# 429 with ratelimit-reset and a 5xx retried, then sent; an expired access token refreshed with
# the refresh token; InvalidRecord failed with Bluesky's words; a reply whose answer was lost
# (timeout) found with listRecords and not posted twice; over 300 graphemes refused;
# replies to the brand's posts polled from listNotifications, each stored once and threaded
# into the conversation of the reply they answer, a burst larger than a page and a batch read
# without a gap; a refused app password is a clear failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
BRAND=did:plc:brand0000000000000000000
start_fake bluesky_fake --password app-pass-1234 --script "429:1,500,ok,expire,ok,400,timeout" --then ok
start_hark --outbox-retry-ms 200 --mail-poll-ms 200 --models none
admin_setup
fake() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "$2" "$FAKE_URL/_fake/$1"; }

# ---- settings
req POST /api/v1/channels '{"type":"bluesky","name":"B","settings":{"identifier":"shop.example.com"}}'
check "app_password required" "$STATUS" 422
check "names the field" "$(jqr .error.field)" settings.app_password
req POST /api/v1/channels '{"type":"bluesky","name":"B","settings":{"identifier":"@shop.example.com","app_password":"x"}}'
check "a handle without @" "$(jqr .error.field)" settings.identifier
req POST /api/v1/channels '{"type":"bluesky","name":"B","settings":{"identifier":"shop.example.com","app_password":"x","pds_url":"ftp://pds"}}'
check "pds_url is a URL" "$(jqr .error.field)" settings.pds_url
new_typed_channel bluesky "Bluesky" "{\"identifier\":\"shop.example.com\",\"app_password\":\"app-pass-1234\",\"pds_url\":\"$FAKE_URL/\"}"
BCH=$CH_ID
req GET "/api/v1/channels/$BCH"
check "password masked" "$(jqr .settings.app_password)" '********'
check "trailing slash cut" "$(jqr .settings.pds_url)" "$FAKE_URL"
check "limit in graphemes" "$(jqr .reply_limit.unit) $(jqr .reply_limit.max)" "graphemes 300"
echo "$BODY" | grep -q app-pass-1234 && fail "app password shown"

# ---- the posts: a thread root R by someone, and the customer's reply P to it
ROOT=at://did:plc:other000000000000000000/app.bsky.feed.post/3root0000001
POST=at://did:plc:jane0000000000000000000/app.bsky.feed.post/3jane0000001
fake post "{\"uri\":\"$ROOT\",\"cid\":\"bafyroot\",\"author\":{\"did\":\"did:plc:other000000000000000000\",\"handle\":\"other.bsky.social\"},\"record\":{\"text\":\"who sells good kettles?\"}}" > /dev/null
fake post "{\"uri\":\"$POST\",\"cid\":\"bafyjane\",\"author\":{\"did\":\"did:plc:jane0000000000000000000\",\"handle\":\"jane.bsky.social\"},\"record\":{\"text\":\"@shop.example.com my kettle broke\",\"reply\":{\"root\":{\"uri\":\"$ROOT\",\"cid\":\"bafyroot\"},\"parent\":{\"uri\":\"$ROOT\",\"cid\":\"bafyroot\"}}}}" > /dev/null
fake handle '{"handle":"jane.bsky.social","did":"did:plc:jane0000000000000000000"}' > /dev/null

# ---- a listening mention converted, then answered on the post
req POST /api/v1/listening/queries '{"name":"kettle","query":"kettle"}'
printf '{"id":"%s","platform":"bluesky","author":"jane.bsky.social","text":"@shop.example.com my kettle broke","lang":"en"}\n' "$POST" > "$T/m.jsonl"
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' --data-binary @"$T/m.jsonl" "$URL/api/v1/listening/ingest" > "$T/ing"
check "mention stored" "$(jq .stored "$T/ing")" 1
req GET /api/v1/listening/mentions
MID=$(jqr '.items[0].id')
req POST "/api/v1/listening/mentions/$MID/convert" "{\"channel_id\":$BCH}"
check "converted" "$STATUS" 201
CONV=$(jqr .conversation_id)
req GET "/api/v1/conversations/$CONV"
check "public conversation" "$(jqp .public)" true

TEXT='Jane, désolé 👋🏽 — @jane.bsky.social see https://shop.example/k/42. Thanks @nobody.example!'
reply "$CONV" "$TEXT"
wait_status "$MSG" sent 20
W=$(grep 'repo.createRecord"' "$FAKE_LOG" | jq -r .status | tr '\n' ' ')
check "429, 500, then sent" "$W" "429 500 200 "
L=$(grep 'repo.createRecord"' "$FAKE_LOG" | grep '"status": 200' | head -1)
check "into the brand's repo" "$(echo "$L" | jq -r .repo)" "$BRAND"
check "text as written" "$(echo "$L" | jq -r .record.text)" "$TEXT"
check "reply.parent is the post" "$(echo "$L" | jq -r '.record.reply.parent.uri + " " + .record.reply.parent.cid')" "$POST bafyjane"
check "reply.root is the thread's root" "$(echo "$L" | jq -r '.record.reply.root.uri + " " + .record.reply.root.cid')" "$ROOT bafyroot"
# Byte offsets, computed independently: "@jane.bsky.social" and the link without its final '.'.
want=$(python3 -c '
import sys; t = sys.argv[1].encode(); m = "@jane.bsky.social".encode(); l = b"https://shop.example/k/42"
a = t.index(m); b = t.index(l); print(a, a + len(m), b, b + len(l))' "$TEXT")
got=$(echo "$L" | jq -r '[.record.facets[] | .index.byteStart, .index.byteEnd] | map(tostring) | join(" ")')
check "two facets at byte offsets" "$got" "$want"
check "mention facet has the DID" "$(echo "$L" | jq -r '.record.facets[] | select(.features[0]["$type"] == "app.bsky.richtext.facet#mention") | .features[0].did')" did:plc:jane0000000000000000000
check "link facet" "$(echo "$L" | jq -r '.record.facets[] | select(.features[0]["$type"] == "app.bsky.richtext.facet#link") | .features[0].uri')" https://shop.example/k/42
grep -q 'mention facets skipped.*skipped=1' "$T/hark.log" || fail "the unresolved mention is not logged"
check "one session" "$(grep -c createSession "$FAKE_LOG")" 1
wait_for "the reply's post id" 10 sh -c "[ -n \"\$($DBQ '$DB' 'SELECT external_id FROM message WHERE id=$MSG')\" ]"
EXT=$(dbq "SELECT external_id FROM message WHERE id=$MSG")
case "$EXT" in at://$BRAND/app.bsky.feed.post/*) ;; *) fail "external id: $EXT" ;; esac

# The access token expires: refreshed once, then sent on the same session.
reply "$CONV" "Jane, a new kettle is on its way to you today."
wait_status "$MSG" sent 20
check "refreshed with the refresh token" "$(grep -c refreshSession "$FAKE_LOG")" 1
check "still one sign-in" "$(grep -c createSession "$FAKE_LOG")" 1
# InvalidRecord: permanent, with Bluesky's words.
reply "$CONV" "Jane, tracking number follows in a minute."
wait_status "$MSG" failed 20
check "InvalidRecord reason" "$(msg_error "$MSG")" "bluesky: the reply was refused: Record/text must not be longer than 300 graphemes (InvalidRecord, HTTP 400)"
# Written but the answer lost (a timeout): the retry finds the post instead of posting twice.
reply "$CONV" "Jane, the courier comes between 9 and 12."
wait_status "$MSG" sent 40
check "posted once" "$(grep 'repo.createRecord"' "$FAKE_LOG" | grep -c 'between 9 and 12')" 1
# (the outbox stores the external id just after the state: wait for it)
WANT=$(grep 'repo.createRecord"' "$FAKE_LOG" | grep 'between 9 and 12' | jq -r .uri)
wait_for "the found post's id" 10 sh -c "[ \"\$($DBQ '$DB' 'SELECT external_id FROM message WHERE id=$MSG')\" = '$WANT' ]"
check "found by listRecords" "$(dbq "SELECT external_id FROM message WHERE id=$MSG")" "$WANT"
grep -q 'reply found already posted' "$T/hark.log" || fail "not logged"
# 300 graphemes: a family emoji (7 code points) counts one; 301 is refused before sending.
FAM=$(python3 -c 'print("\U0001F468\u200D\U0001F469\u200D\U0001F467" * 300)')
req POST "/api/v1/conversations/$CONV/messages" "{\"text\":\"$FAM\"}"
check "300 graphemes fit" "$STATUS" 201
wait_status "$(jqr .id)" sent 20
req POST "/api/v1/conversations/$CONV/messages" "{\"text\":\"${FAM}x\"}"
check "301 refused" "$STATUS" 422

# ---- replies to the brand's posts, polled: once each, threaded into the reply they answer
OURS=$EXT
N1="{\"uri\":\"at://did:plc:jane0000000000000000000/app.bsky.feed.post/3janereply01\",\"cid\":\"bafyr1\",\"author\":{\"did\":\"did:plc:jane0000000000000000000\",\"handle\":\"jane.bsky.social\",\"displayName\":\"Jane Doe\"},\"reason\":\"reply\",\"record\":{\"text\":\"thank you! when does it arrive?\",\"createdAt\":\"2026-12-06T06:00:00.000Z\",\"reply\":{\"root\":{\"uri\":\"$ROOT\",\"cid\":\"bafyroot\"},\"parent\":{\"uri\":\"$OURS\",\"cid\":\"x\"}}},\"isRead\":false,\"indexedAt\":\"2026-12-06T06:00:01.000Z\"}"
N2='{"uri":"at://did:plc:sam00000000000000000000/app.bsky.feed.post/3samreply001","cid":"bafyr2","author":{"did":"did:plc:sam00000000000000000000","handle":"sam.bsky.social"},"reason":"reply","record":{"text":"your launch post: is the kettle 220V?","createdAt":"2026-12-06T06:01:00.000Z","reply":{"root":{"uri":"at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch","cid":"bafyl"},"parent":{"uri":"at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch","cid":"bafyl"}}},"isRead":false,"indexedAt":"2026-12-06T06:01:01.000Z"}'
N3='{"uri":"at://did:plc:lee00000000000000000000/app.bsky.feed.post/3like","cid":"bafyr3","author":{"did":"did:plc:lee00000000000000000000","handle":"lee.bsky.social"},"reason":"like","record":{"text":"liked"},"indexedAt":"2026-12-06T06:02:01.000Z"}'
fake notify "$N1" > /dev/null; fake notify "$N2" > /dev/null; fake notify "$N3" > /dev/null
wait_for "two replies stored" 20 sh -c "[ \"\$($DBQ '$DB' \"SELECT count(*) FROM message WHERE channel_id=$BCH AND direction='in'\")\" = 3 ]"
wait_for "polled again" 10 sh -c "[ \$(grep -c listNotifications '$FAKE_LOG') -ge 4 ]"
check "each stored once (likes ignored)" "$(dbq "SELECT count(*) FROM message WHERE channel_id=$BCH AND direction='in'")" 3
check "Jane's reply threads into her conversation" "$(dbq "SELECT conversation_id FROM message WHERE external_id LIKE '%3janereply01'")" "$CONV"
SAMC=$(dbq "SELECT conversation_id FROM message WHERE external_id LIKE '%3samreply001'")
[ -n "$SAMC" ] && [ "$SAMC" != "$CONV" ] || fail "Sam's reply: conversation '$SAMC'"
req GET "/api/v1/conversations/$SAMC"
check "Sam's is public" "$(jqp .public)" true
check "Sam's handle" "$(jqp '.contact.identities[0].handle')" "@sam.bsky.social"
# A burst of 60 replies (more than one poll's batch of 50, more than one page of 50): every
# one stored, once, over two polls (they arrive at once: the first poll reads two pages).
python3 - "$FAKE_URL" <<'EOF'
import json, sys, urllib.request
burst = []
for i in range(60):
    n = {"uri": "at://did:plc:fan%05d000000000000000/app.bsky.feed.post/3burst%05d" % (i, i), "cid": "bafyb%d" % i,
         "author": {"did": "did:plc:fan%05d000000000000000" % i, "handle": "fan%d.bsky.social" % i}, "reason": "reply",
         "record": {"text": "burst reply %d" % i, "createdAt": "2026-12-06T07:00:00.000Z",
                    "reply": {"root": {"uri": "at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch", "cid": "bafyl"},
                              "parent": {"uri": "at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch", "cid": "bafyl"}}},
         "indexedAt": "2026-12-06T07:00:%02d.%03dZ" % (i // 10, i)}
    burst.append(n)
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_fake/notify", json.dumps(burst).encode(), {"Content-Type": "application/json"}))
EOF
burst() { dbq "SELECT count(DISTINCT external_id) || ' ' || count(*) FROM message WHERE text LIKE 'burst reply %'"; }
wait_for "the burst stored" 30 sh -c "[ \"\$($DBQ '$DB' \"SELECT count(*) FROM message WHERE text LIKE 'burst reply %'\")\" = 60 ]"
polls=$(grep -c listNotifications "$FAKE_LOG")
wait_for "polled again" 10 sh -c "[ \$(grep -c listNotifications '$FAKE_LOG') -ge $((polls + 2)) ]"
check "the burst once each" "$(burst)" "60 60"
grep -q '"cursor": 50' "$FAKE_LOG" || fail "the second page was never read"

# Answering it replies to Sam's post, root = the brand's launch post.
fake post '{"uri":"at://did:plc:sam00000000000000000000/app.bsky.feed.post/3samreply001","cid":"bafyr2","author":{"did":"did:plc:sam00000000000000000000"},"record":{"text":"x","reply":{"root":{"uri":"at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch","cid":"bafyl"},"parent":{"uri":"at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch","cid":"bafyl"}}}}' > /dev/null
fake post '{"uri":"at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch","cid":"bafyl","author":{"did":"did:plc:brand0000000000000000000"},"record":{"text":"launch"}}' > /dev/null
reply "$SAMC" "Sam, yes: every kettle we sell is 220V."
wait_status "$MSG" sent 20
L=$(grep 'repo.createRecord"' "$FAKE_LOG" | grep '"status": 200' | tail -1)
check "parent: Sam's post" "$(echo "$L" | jq -r .record.reply.parent.uri)" at://did:plc:sam00000000000000000000/app.bsky.feed.post/3samreply001
check "root: the launch post" "$(echo "$L" | jq -r .record.reply.root.uri)" at://did:plc:brand0000000000000000000/app.bsky.feed.post/3launch

# ---- a refused app password: a clear, permanent failure, and the channel's status says so
req PATCH "/api/v1/channels/$BCH" '{"settings":{"app_password":"wrong-pass"}}'
check "password changed" "$STATUS" 200
reply "$CONV" "Jane, one more thing about your order."
wait_status "$MSG" failed 20
check "refused password reason" "$(msg_error "$MSG")" "bluesky: the handle or app password was refused (AuthenticationRequired): check the channel's settings"
grep -q 'wrong-pass\|app-pass-1234\|acc-[0-9]\|ref-[0-9]' "$T/hark.log" && fail "a secret in the log"
req GET "/api/v1/channels/$BCH"
[ "$(jqr .status.last_error)" != null ] || fail "no last error on the channel"
stop_hark
echo "620-bluesky: all passed"
