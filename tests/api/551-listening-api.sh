# Listening over the API: query CRUD (a bad query is a 422 naming the column), mentions from
# the HTTP ingest endpoint with dedupe, triage and the opportunity flag, live mention.created
# events, filters and paging, turning a mention into a conversation, a query change between
# batches, and a spike alert from a burst.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODELS=none
[ -f "$ROOT/build/models/intent.bin" ] && MODELS="$ROOT/build/models"
start_hark --models "$MODELS" --brand-handles "acme,acme.bsky.social"
admin_setup

# ---- queries
req POST /api/v1/listening/queries '{"name":"brand","query":"acme OR @acme*"}'
check "create query" "$STATUS" 201
Q1=$(jqr .id)
check "query text" "$(jqr .query)" "acme OR @acme*"
check "active by default" "$(jqr .active)" true
req POST /api/v1/listening/queries '{"name":"late","query":"(late OR delayed) AND (order OR"}'
check "bad query" "$STATUS" 422
echo "$BODY" | jq -r .error.message | grep -q 'at column 32' || fail "no column: $BODY"
check "bad query names the field" "$(jqr .error.field)" query
check "bad query's column" "$(jqr .error.column)" 32
req POST /api/v1/listening/queries '{"name":"x","query":"refu*nd"}'
check "bad wildcard" "$STATUS" 422
echo "$BODY" | jq -r .error.message | grep -q "column" || fail "no column: $BODY"
req POST /api/v1/listening/queries '{"name":"x"}'
check "query required" "$STATUS" 422
req POST /api/v1/listening/queries '{"name":"x","query":5}'
check "query must be a string" "$STATUS" 422
req POST /api/v1/listening/queries '{"name":"x","query":"a","active":"yes"}'
check "active must be a boolean" "$STATUS" 422
req POST /api/v1/listening/queries "{\"name\":\"big\",\"query\":\"$(head -c 5000 /dev/zero | tr '\0' 'a')\"}"
[ "$STATUS" = 413 ] || [ "$STATUS" = 422 ] || fail "oversized query: $STATUS"
req GET /api/v1/listening/queries
check "only the good query stored" "$(jqr '.items | length')" 1
req POST /api/v1/listening/queries '{"name":"spam","query":"blender NOT cheap"}'
Q2=$(jqr .id)
req PATCH "/api/v1/listening/queries/$Q2" '{"query":"blender -cheap (","name":"b"}'
check "bad patch" "$STATUS" 422
req GET "/api/v1/listening/queries/$Q2"
check "bad patch changed nothing" "$(jqr .query)" "blender NOT cheap"
req PATCH "/api/v1/listening/queries/$Q2" '{"name":"blenders"}'
check "rename" "$(jqr .name)" blenders
req GET /api/v1/listening/queries/999
check "unknown query" "$STATUS" 404
req DELETE /api/v1/listening/queries/999
check "delete unknown" "$STATUS" 404

# Agents read, only admins write.
printf 'agent-password-1' | "$HARK" agent add --db "$DB" --email bo@example.com --name Bo \
    --role agent --password-stdin >/dev/null || fail "agent add"
AGENT_TOKEN=$("$HARK" token create --db "$DB" --name agent --role agent 2>/dev/null) || AGENT_TOKEN=""
if [ -n "$AGENT_TOKEN" ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGENT_TOKEN" \
        -H 'Content-Type: application/json' -d '{"query":"x"}' "$URL/api/v1/listening/queries")
    check "agent cannot create queries" "$code" 403
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGENT_TOKEN" \
        "$URL/api/v1/listening/mentions")
    check "agent reads mentions" "$code" 200
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/listening/mentions")
check "mentions need auth" "$code" 401

# ---- live events, then HTTP ingest
curl -s -N -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events" > "$T/live.txt" &
echo $! > "$T/sse.pid"
wait_for "stream connected" 5 grep -q ': connected' "$T/live.txt"

cat > "$T/batch1.jsonl" <<'EOF'
{"id":"p1","platform":"bluesky","author":"jane.bsky.social","text":"My order from Acme is three weeks late and nobody answers. Worst service ever, I want a refund.","lang":"en","created_at":"2026-05-01T10:00:00Z"}
{"id":"p2","platform":"bluesky","author":"tom.bsky.social","text":"@acme.bsky.social my order is late, can you help?","lang":"en"}
{"id":"p3","platform":"bluesky","author":"sam.bsky.social","text":"the weather is nice today","lang":"en"}
{"id":"p4","platform":"mastodon","author":"lee@example.social","text":"Anyone tried the Acme X200 vacuum? Thinking of buying one, is it worth the price?","lang":"en"}
{"id":"p5","platform":"bluesky","author":"acme.bsky.social","text":"Acme: our new store opens Monday!","lang":"en"}
{"did":"did:plc:x","time_us":1779719000000000,"kind":"identity","identity":{"did":"did:plc:x","handle":"x.bsky.social","seq":1,"time":"2026-05-25T14:23:28.757Z"}}
EOF
curl -s -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' \
    --data-binary @"$T/batch1.jsonl" "$URL/api/v1/listening/ingest" > "$T/r1"
check "ingest" "$(tail -1 "$T/r1")" 200
R=$(sed '$d' "$T/r1")
check "lines" "$(echo "$R" | jq .lines)" 6
check "posts" "$(echo "$R" | jq .posts)" 5
check "matched" "$(echo "$R" | jq .matched)" 4
check "stored" "$(echo "$R" | jq .stored)" 4

wait_for "mention.created live" 5 grep -q '^event: mention.created' "$T/live.txt"
data=$(grep '^data: .*"external_id":"p1"' "$T/live.txt" | head -1 | sed 's/^data: //')
check "event carries the mention" "$(echo "$data" | jq -r .platform)" bluesky
check "event carries query ids" "$(echo "$data" | jq -c .queries)" "[$Q1]"

# The same batch again: all duplicates, nothing new.
curl -s -H "Authorization: Bearer $TOKEN" --data-binary @"$T/batch1.jsonl" "$URL/api/v1/listening/ingest" > "$T/r2"
check "replay stored nothing" "$(jq .stored "$T/r2")" 0
check "replay duplicates" "$(jq .duplicates "$T/r2")" 4
req GET /api/v1/listening/mentions
check "four mentions" "$(jqr '.items | length')" 4
check "newest first" "$(jqr '.items[0].external_id')" p5
curl -s "$URL/metrics" > "$T/metrics.txt"
grep -q '^hark_listen_mentions_total 4$' "$T/metrics.txt" || fail "metrics: $(grep listen "$T/metrics.txt")"
grep -q '^hark_listen_posts_total 10$' "$T/metrics.txt" || fail "metrics: $(grep listen "$T/metrics.txt")"

# A bad line anywhere rejects the whole batch; nothing is stored.
printf '{"id":"p9","text":"acme rocks","platform":"bluesky"}\nnot json\n' > "$T/bad.jsonl"
code=$(curl -s -o "$T/bad.out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    --data-binary @"$T/bad.jsonl" "$URL/api/v1/listening/ingest")
check "bad batch" "$code" 400
jq -r .error.message "$T/bad.out" | grep -q 'line 2' || fail "no line number: $(cat "$T/bad.out")"
req GET '/api/v1/listening/mentions?q=rocks'
check "bad batch stored nothing" "$(jqr '.items | length')" 0
seq 1 1001 | sed 's/.*/{"id":"n&","text":"x"}/' > "$T/many.jsonl"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    --data-binary @"$T/many.jsonl" "$URL/api/v1/listening/ingest")
check "too many lines" "$code" 413
head -c 1100000 /dev/zero | tr '\0' 'a' > "$T/huge.txt"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    --data-binary @"$T/huge.txt" "$URL/api/v1/listening/ingest")
check "body too large" "$code" 413
if [ -n "$AGENT_TOKEN" ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGENT_TOKEN" \
        --data-binary @"$T/batch1.jsonl" "$URL/api/v1/listening/ingest")
    check "agents cannot ingest" "$code" 403
fi

# Addressed to the brand, the brand's own post, and triage.
req GET '/api/v1/listening/mentions?q=nobody'
M1=$(jqr '.items[0].id')
check "p1 not addressed" "$(jqr '.items[0].addressed_to_brand')" false
req GET '/api/v1/listening/mentions?q=can%20you%20help'
check "p2 addressed" "$(jqr '.items[0].addressed_to_brand')" true
check "p2 not an opportunity" "$(jqr '.items[0].opportunity')" false
req GET '/api/v1/listening/mentions?q=opens%20Monday'
check "brand's own post is no opportunity" "$(jqr '.items[0].opportunity')" false
if [ "$MODELS" != none ]; then
    req GET "/api/v1/listening/mentions/$M1"
    check "triaged complaint" "$(jqr .intent)" complaint
    check "negative" "$(jqr .sentiment)" negative
    check "opportunity" "$(jqr .opportunity)" true
    [ "$(jqr .urgency)" -ge 0 ] || fail "no urgency"
    req GET '/api/v1/listening/mentions?opportunity=true'
    jqr '.items[].external_id' | grep -qx p1 || fail "p1 not in opportunities: $BODY"
    jqr '.items[].external_id' | grep -qx p2 && fail "p2 in opportunities"
    req GET '/api/v1/listening/mentions?intent=complaint&sentiment=negative'
    jqr '.items[].external_id' | grep -qx p1 || fail "intent filter"
fi
req GET "/api/v1/listening/mentions?query=$Q1&limit=2"
check "page 1" "$(jqr '.items | length')" 2
CUR=$(jqr .next_cursor)
req GET "/api/v1/listening/mentions?query=$Q1&limit=2&cursor=$CUR"
check "page 2" "$(jqr '.items | length')" 2
check "last page" "$(jqr .next_cursor)" null
req GET "/api/v1/listening/mentions?query=$Q2"
check "query filter" "$(jqr '.items | length')" 0
req GET '/api/v1/listening/mentions?sentiment=angry'
check "bad sentiment" "$STATUS" 400
req GET '/api/v1/listening/mentions?limit=0'
check "bad limit" "$STATUS" 400

# ---- convert to a conversation
new_channel "Bluesky replies"
req POST "/api/v1/listening/mentions/$M1/convert" '{"channel_id":999}'
check "unknown channel" "$STATUS" 422
req POST "/api/v1/listening/mentions/$M1/convert" '{}'
check "channel required" "$STATUS" 422
req POST "/api/v1/listening/mentions/$M1/convert" "{\"channel_id\":$CH_ID}"
check "convert" "$STATUS" 201
CONV=$(jqr .conversation_id)
check "mention links the conversation" "$(jqr .mention.conversation_id)" "$CONV"
req POST "/api/v1/listening/mentions/$M1/convert" "{\"channel_id\":$CH_ID}"
check "convert twice" "$STATUS" 200
check "same conversation" "$(jqr .conversation_id)" "$CONV"
req GET "/api/v1/conversations/$CONV"
check "public thread" "$(jqr .public)" true
check "post text" "$(jqr '.messages[0].text' | cut -c1-24)" "My order from Acme is th"
check "contact is the author" "$(jqr .contact.name)" jane.bsky.social
[ "$MODELS" = none ] || check "conversation triaged" "$(jqr .intent)" complaint
wait_for "conversation.created live" 5 grep -q '^event: conversation.created' "$T/live.txt"
req POST /api/v1/listening/mentions/999/convert "{\"channel_id\":$CH_ID}"
check "convert unknown mention" "$STATUS" 404

# ---- a query change between batches: the new query matches the next batch, the old does not
req PATCH "/api/v1/listening/queries/$Q1" '{"active":false}'
check "deactivate" "$(jqr .active)" false
echo '{"id":"p10","platform":"bluesky","text":"acme again, and a blender","lang":"en"}' > "$T/b3.jsonl"
curl -s -H "Authorization: Bearer $TOKEN" --data-binary @"$T/b3.jsonl" "$URL/api/v1/listening/ingest" > "$T/r3"
check "matched by the new set only" "$(jq .stored "$T/r3")" 1
req GET "/api/v1/listening/mentions?query=$Q2"
check "blender query matched p10" "$(jqr '.items[0].external_id')" p10
check "not the inactive query" "$(echo "$BODY" | jq -c '.items[0].queries')" "[$Q2]"

# ---- a spike: one post per 5-minute bucket for four buckets, then a burst of 12 (a fresh
# query, so its baseline starts with these posts)
req POST /api/v1/listening/queries '{"name":"kettles","query":"kettle*"}'
Q3=$(jqr .id)
{
    for m in 00 05 10 15; do
        echo "{\"id\":\"w$m\",\"platform\":\"bluesky\",\"text\":\"my kettle broke\",\"created_at\":\"2026-04-01T10:$m:00Z\"}"
    done
    for i in $(seq 1 12); do
        echo "{\"id\":\"burst$i\",\"platform\":\"bluesky\",\"text\":\"kettle $i exploded in my kitchen\",\"created_at\":\"2026-04-01T10:20:$(printf %02d "$i")Z\"}"
    done
} > "$T/spike.jsonl"
curl -s -H "Authorization: Bearer $TOKEN" --data-binary @"$T/spike.jsonl" "$URL/api/v1/listening/ingest" > "$T/r4"
check "spike batch stored" "$(jq .stored "$T/r4")" 16
req GET "/api/v1/listening/alerts?query=$Q3"
check "alerts" "$STATUS" 200
check "a volume spike" "$(jqr '[.items[] | select(.kind == "volume")] | length')" 1
A=$(jqr '[.items[] | select(.kind == "volume")][0]')
check "window start" "$(echo "$A" | jq -r .window_start)" "2026-04-01T10:20:00.000Z"
[ "$(echo "$A" | jq '.posts | length')" -ge 10 ] || fail "alert lists too few posts: $A"
echo "$A" | jq -r '.posts[]' | grep -qv '^burst' && fail "alert lists a post outside the burst: $A"
wait_for "listening.spike live" 5 grep -q '^event: listening.spike' "$T/live.txt"

# ---- delete
req DELETE "/api/v1/listening/queries/$Q2"
check "delete" "$STATUS" 204
req GET "/api/v1/listening/queries/$Q2"
check "deleted" "$STATUS" 404
kill "$(cat "$T/sse.pid")"
stop_hark
