# The listening screen's API: new mention filters (language, platform, addressed to the brand or
# not, intent complaint/purchase_intent), the author's reach (followers) where the source says,
# dismiss and undo (with mention.updated events), saved views per agent (CRUD, validation
# beside the field, one agent never sees another's), and mention.created events held to
# 20 a second per stream with one mention.held notice past it.
. "$(dirname "$0")/lib.sh"
start_hark --brand-handles "acme,acme.bsky.social"
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Berg" \
    --role agent --password-stdin >/dev/null || fail "agent add bo"
echo "agent-password-2" | "$HARK" agent add --db "$DB" --email cy@example.com --name "Cy Chen" \
    --role agent --password-stdin >/dev/null || fail "agent add cy"
login() {
    out=$(curl -s -c "$T/$3.jar" -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login")
    [ "$(echo "$out" | tail -1)" = 200 ] || fail "login $1"
    echo "$out" | sed '$d' | jq -r .csrf > "$T/$3.csrf"
}
as() {
    local who=$1 m=$2 p=$3 body=${4:-}
    set -- -X "$m" -b "$T/$who.jar" -H "X-CSRF-Token: $(cat "$T/$who.csrf")"
    if [ -n "$body" ]; then set -- "$@" -H 'Content-Type: application/json' --data-binary "$body"; fi
    BODY=$(curl -s -w '\n%{http_code}' "$@" "$URL$p")
    STATUS=$(printf '%s' "$BODY" | tail -n1)
    BODY=$(printf '%s' "$BODY" | sed '$d')
}
login bo@example.com agent-password-1 bo
login cy@example.com agent-password-2 cy
ingest() {
    curl -s -o "$T/ing" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -H 'Content-Type: application/x-ndjson' --data-binary @"$1" "$URL/api/v1/listening/ingest"
}

req POST /api/v1/listening/queries '{"name":"brand","query":"acme OR @acme*"}'
check "query" "$STATUS" 201
Q1=$(jqr .id)

curl -s -N -H "Authorization: Bearer $TOKEN" "$URL/api/v1/events" > "$T/live.txt" &
echo $! > "$T/sse.pid"
wait_for "stream connected" 5 grep -q ': connected' "$T/live.txt"

cat > "$T/b1.jsonl" <<'EOF'
{"id":"s1","platform":"bluesky","author":"jane.bsky.social","text":"My Acme order is three weeks late and nobody answers. Worst service ever, I want a refund.","lang":"en","followers":12400}
{"id":"s2","platform":"bluesky","author":"tom.bsky.social","text":"@acme.bsky.social my order is late, can you help?","lang":"en-GB"}
{"id":"s3","platform":"mastodon","author":"lee@example.social","text":"Anyone tried the Acme X200 vacuum? Thinking of buying one, is it worth the price?","lang":"en","followers":0}
{"id":"s4","platform":"mastodon","author":"ana@example.social","text":"O aspirador da Acme chegou quebrado, quero o meu dinheiro de volta","lang":"pt-BR"}
EOF
check "ingest" "$(ingest "$T/b1.jsonl")" 200
check "stored" "$(jq .stored "$T/ing")" 4
id_of() { req GET "/api/v1/listening/mentions?limit=200"; jqr ".items[] | select(.external_id==\"$1\") | .id"; }
S1=$(id_of s1); S2=$(id_of s2); S3=$(id_of s3); S4=$(id_of s4)

# Reach: followers where the record says, null where it does not.
req GET "/api/v1/listening/mentions/$S1"
check "followers" "$(jqr .author_followers)" 12400
check "not dismissed" "$(jqr .dismissed)" false
req GET "/api/v1/listening/mentions/$S2"
check "followers unknown" "$(jqr .author_followers)" null
req GET "/api/v1/listening/mentions/$S3"
check "zero followers is known" "$(jqr .author_followers)" 0

# Filters.
ids() { req GET "/api/v1/listening/mentions?$1"; [ "$STATUS" = 200 ] || fail "list $1: $STATUS"; jqr '[.items[].external_id] | sort | join(",")'; }
check "platform" "$(ids platform=mastodon)" "s3,s4"
check "lang en (with en-GB)" "$(ids lang=en)" "s1,s2,s3"
check "lang pt" "$(ids lang=pt)" "s4"
check "lang pt-BR" "$(ids lang=pt-BR)" "s4"
check "addressed" "$(ids addressed=true)" "s2"
check "not addressed" "$(ids addressed=false)" "s1,s3,s4"
check "platform and not addressed" "$(ids 'platform=bluesky&addressed=false')" "s1"
req GET "/api/v1/listening/mentions/$S3"
I3=$(jqr .intent)
if [ "$I3" != null ]; then
    check "intent filter" "$(ids "intent=$I3" | grep -c s3)" 1
fi
for bad in 'lang=e' 'lang=en_US' 'lang=%3Cb%3E' 'platform=Blue%20sky' 'addressed=yes' \
           'dismissed=1' 'intent=DROP%20TABLE'; do
    req GET "/api/v1/listening/mentions?$bad"
    check "bad filter $bad" "$STATUS" 400
    echo "$BODY" | jq -e '.error.message | test("invalid")' >/dev/null || fail "message: $BODY"
done

# Dismiss and undo: one call each, idempotent, events for the other screens.
A0=$(dbq "SELECT count(*) FROM audit")
as bo POST "/api/v1/listening/mentions/$S1/dismiss"
check "dismiss" "$STATUS" 200
check "dismissed" "$(jqr .dismissed)" true
AT=$(jqr .dismissed_at)
as cy POST "/api/v1/listening/mentions/$S1/dismiss"
check "dismiss again" "$STATUS" 200
check "keeps the first time" "$(jqr .dismissed_at)" "$AT"
check "hidden from the feed" "$(ids dismissed=false)" "s2,s3,s4"
check "in the dismissed list" "$(ids dismissed=true)" "s1"
check "all without the filter" "$(ids '')" "s1,s2,s3,s4"
wait_for "mention.updated live" 5 grep -q '^event: mention.updated' "$T/live.txt"
data=$(grep '^data: .*"external_id":"s1"' "$T/live.txt" | grep '"dismissed":true' | head -1 | sed 's/^data: //')
check "event carries the dismissed mention" "$(echo "$data" | jq -r .id)" "$S1"
as bo DELETE "/api/v1/listening/mentions/$S1/dismiss"
check "undo" "$STATUS" 200
check "back" "$(jqr .dismissed)" false
check "undo clears the time" "$(jqr .dismissed_at)" null
check "back in the feed" "$(ids dismissed=false)" "s1,s2,s3,s4"
as bo POST /api/v1/listening/mentions/99999/dismiss
check "unknown mention" "$STATUS" 404
as bo DELETE /api/v1/listening/mentions/99999/dismiss
check "undo unknown" "$STATUS" 404
as bo POST /api/v1/listening/mentions/abc/dismiss
[ "$STATUS" = 400 ] || [ "$STATUS" = 404 ] || fail "bad id: $STATUS"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/api/v1/listening/mentions/$S1/dismiss")
check "dismiss needs auth" "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -b "$T/bo.jar" "$URL/api/v1/listening/mentions/$S1/dismiss")
check "dismiss needs the CSRF token" "$code" 403

# Saved views: per agent, validated beside the field.
as bo GET /api/v1/listening/views
check "no views" "$(jqr '.items | length')" 0
as bo POST /api/v1/listening/views "{\"name\":\"Complaints PT\",\"filters\":{\"query\":$Q1,\"intent\":\"complaint\",\"lang\":\"pt\",\"addressed\":false,\"dismissed\":false}}"
check "create view" "$STATUS" 201
V1=$(jqr .id)
check "view name" "$(jqr .name)" "Complaints PT"
check "view filters" "$(jqr '.filters | [.query,.intent,.lang,.addressed,.dismissed] | map(tostring) | join(",")')" "$Q1,complaint,pt,false,false"
as bo POST /api/v1/listening/views '{"name":"Complaints PT","filters":{}}'
check "same name twice" "$STATUS" 409
check "409 names the field" "$(jqr .error.field)" name
as bo POST /api/v1/listening/views '{"name":"Open","filters":{"opportunity":true}}'
check "second view" "$STATUS" 201
V2=$(jqr .id)
as bo GET /api/v1/listening/views
check "listed by name" "$(jqr '[.items[].name] | join("|")')" "Complaints PT|Open"
for body in '{"filters":{}}' '{"name":"","filters":{}}' '{"name":"   ","filters":{}}' \
            "{\"name\":\"$(head -c 81 /dev/zero | tr '\0' 'a')\",\"filters\":{}}" '{"name":5,"filters":{}}'; do
    as bo POST /api/v1/listening/views "$body"
    check "bad name $body" "$STATUS" 422
    check "beside name" "$(jqr .error.field)" name
done
for body in '{"name":"x"}' '{"name":"x","filters":[]}' '{"name":"x","filters":{"colour":"red"}}' \
            '{"name":"x","filters":{"lang":"<b>"}}' '{"name":"x","filters":{"query":0}}' \
            '{"name":"x","filters":{"addressed":"yes"}}' '{"name":"x","filters":{"sentiment":"angry"}}' \
            "{\"name\":\"x\",\"filters\":{\"q\":\"$(head -c 201 /dev/zero | tr '\0' 'a')\"}}"; do
    as bo POST /api/v1/listening/views "$body"
    check "bad filters $body" "$STATUS" 422
    check "beside filters" "$(jqr .error.field)" filters
done
as bo POST /api/v1/listening/views '{"name":"x","filters":{'
check "bad JSON" "$STATUS" 400
as bo PATCH "/api/v1/listening/views/$V2" '{"name":"Opportunities"}'
check "rename" "$STATUS" 200
check "renamed" "$(jqr .name)" Opportunities
check "filters kept" "$(jqr .filters.opportunity)" true
as bo PATCH "/api/v1/listening/views/$V2" '{"filters":{"platform":"bluesky"}}'
check "new filters" "$(jqr '.filters | keys | join(",")')" platform
as bo PATCH "/api/v1/listening/views/$V2" '{"name":"Complaints PT"}'
check "rename onto another" "$STATUS" 409
as bo PATCH "/api/v1/listening/views/$V2" '{}'
check "empty patch" "$STATUS" 422

# Another agent never sees, changes or deletes them.
as cy GET /api/v1/listening/views
check "cy sees none" "$(jqr '.items | length')" 0
as cy GET /api/v1/listening/views
as cy PATCH "/api/v1/listening/views/$V1" '{"name":"mine now"}'
check "cy cannot change" "$STATUS" 404
as cy DELETE "/api/v1/listening/views/$V1"
check "cy cannot delete" "$STATUS" 404
as cy POST /api/v1/listening/views '{"name":"Complaints PT","filters":{}}'
check "cy may use the same name" "$STATUS" 201
as bo DELETE "/api/v1/listening/views/$V1"
check "delete" "$STATUS" 204
as bo DELETE "/api/v1/listening/views/$V1"
check "delete again" "$STATUS" 404
as bo GET /api/v1/listening/views
check "one left" "$(jqr '[.items[].name] | join("|")')" "Opportunities"
req GET /api/v1/listening/views
check "a CLI token has no views" "$STATUS" 403
check "dismissing and views are not in the audit log" "$(dbq "SELECT count(*) FROM audit")" "$A0"

# A burst of 60 matching posts: the stream gets at most 20 mention.created and one mention.held
# per second; the list has all 60.
before=$(grep -c '^event: mention.created' "$T/live.txt")
i=0; : > "$T/b2.jsonl"
while [ $i -lt 60 ]; do
    echo "{\"id\":\"burst$i\",\"platform\":\"bluesky\",\"author\":\"u$i.bsky.social\",\"text\":\"acme burst $i\",\"lang\":\"en\"}" >> "$T/b2.jsonl"
    i=$((i + 1))
done
check "burst ingest" "$(ingest "$T/b2.jsonl")" 200
check "burst stored" "$(jq .stored "$T/ing")" 60
wait_for "mention.held live" 5 grep -q '^event: mention.held' "$T/live.txt"
after=$(grep -c '^event: mention.created' "$T/live.txt")
sent=$((after - before))
held=$(grep -c '^event: mention.held' "$T/live.txt")
echo "burst: $sent mention.created and $held mention.held sent for 60 mentions"
[ "$sent" -lt 60 ] || fail "all 60 sent one by one"
[ "$held" -ge 1 ] || fail "no mention.held"
grep -A1 '^event: mention.held' "$T/live.txt" | grep '^data:' | head -1 | sed 's/^data: //' | jq -e '.mention_id > 0' >/dev/null || fail "held carries no id"
req GET "/api/v1/listening/mentions?q=burst&limit=200"
check "all 60 listed" "$(jqr '.items | length')" 60

# The posts behind a spike alert: ?alert= lists the mentions the alert names.
req POST /api/v1/listening/queries '{"name":"kettles","query":"kettle*"}'
Q3=$(jqr .id)
{
    for m in 00 05 10 15; do
        echo "{\"id\":\"w$m\",\"platform\":\"bluesky\",\"text\":\"my kettle broke\",\"created_at\":\"2026-04-01T10:$m:00Z\"}"
    done
    for i in $(seq 1 12); do
        echo "{\"id\":\"k$i\",\"platform\":\"bluesky\",\"text\":\"kettle $i exploded in my kitchen\",\"created_at\":\"2026-04-01T10:20:$(printf %02d "$i")Z\"}"
    done
} > "$T/spike.jsonl"
check "spike ingest" "$(ingest "$T/spike.jsonl")" 200
req GET "/api/v1/listening/alerts?query=$Q3"
AL=$(jqr '[.items[] | select(.kind == "volume")][0].id')
WANT=$(jqr '[.items[] | select(.kind == "volume")][0].posts | sort | join(",")')
[ -n "$WANT" ] && [ "$AL" != null ] || fail "no spike alert: $BODY"
check "the posts behind the alert" "$(ids "alert=$AL&limit=200")" "$WANT"
check "an unknown alert has none" "$(ids "alert=999999")" ""
req GET "/api/v1/listening/mentions?alert=x"
check "bad alert id" "$STATUS" 400
wait_for "listening.spike live" 5 grep -q '^event: listening.spike' "$T/live.txt"

kill "$(cat "$T/sse.pid")" 2>/dev/null
echo "PASS"
