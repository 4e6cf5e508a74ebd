# Listening from a Jetstream source the server reads itself: the fake drops the first
# connection mid-stream, the server's source thread reconnects and resumes, every matching post
# becomes exactly one mention; the cursor is saved in the database and a restart resumes from
# it; a query added while a long stream flows matches from some post on and never before it.
. "$(dirname "$0")/lib.sh"

start_fake() { # NAME ARGS...: starts tests/fakes/jetstream_fake.py; sets PORT
    name=$1; shift
    python3 "$FAKES/jetstream_fake.py" --port-file "$T/$name.port" --log "$T/$name.log" \
        --lifetime 60 "$@" > /dev/null 2>&1 &
    echo $! > "$T/$name.pid"
    for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
    PORT=$(cat "$T/$name.port")
}
# posts N: how many of the fake's first N events are posts (not identity or delete events)
posts() { python3 -c "import sys; n=int(sys.argv[1]); print(sum(1 for i in range(n) if i%5!=4 and i%7!=6))" "$1"; }
count() { # QUERY_ID -> number of mentions (all pages)
    req GET "/api/v1/listening/mentions?query=$1&limit=200"; n=$(jqr '.items | length')
    c=$(jqr .next_cursor)
    while [ "$c" != null ]; do
        req GET "/api/v1/listening/mentions?query=$1&limit=200&cursor=$c"
        n=$((n + $(jqr '.items | length'))); c=$(jqr .next_cursor)
    done
    echo "$n"
}

start_fake a --events 40 --drop-after 10
start_hark --models none
admin_setup
req POST /api/v1/listening/queries '{"name":"all","query":"post"}'
QA=$(jqr .id)
req POST /api/v1/listening/queries '{"name":"brand","query":"acme OR @acme*"}'
QB=$(jqr .id)

# Bad specs change nothing.
req POST /api/v1/listening/sources '{"spec":"/etc/passwd"}'
check "file sources are not allowed over the API" "$STATUS" 422
req POST /api/v1/listening/sources '{"spec":"jetstream://"}'
check "empty host" "$STATUS" 422
req GET /api/v1/listening/sources
check "no sources" "$(jqr '.items | length')" 0

req POST /api/v1/listening/sources "{\"spec\":\"jetstream://127.0.0.1:$PORT\"}"
check "add source" "$STATUS" 201
SRC=$(jqr .id)
check "running" "$(jqr .status.running)" true
want=$(posts 40)
wait_for "all $want posts" 20 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/mentions?query=$QA&limit=200' | jq '.items | length')\" = $want ]"
sleep 0.5
check "every post exactly once" "$(count "$QA")" "$want"
req GET "/api/v1/listening/mentions?query=$QA&limit=200"
check "no duplicate ids" "$(jqr '[.items[].external_id] | unique | length')" "$want"
check "platform" "$(jqr '.items[0].platform')" bluesky
jqr '.items[0].external_id' | grep -q '^at://did:plc:fake' || fail "post id: $(jqr '.items[0].external_id')"
grep -q '^connect cursor=1779719' "$T/a.log" || fail "no resume with a cursor: $(cat "$T/a.log")"
req GET /api/v1/listening/sources
check "source reconnected" "$(jqr '.items[0].status.reconnects')" 1
curl -s "$URL/metrics" | grep -q '^hark_listen_sources_running 1$' || fail "sources gauge"
[ "$(count "$QB")" -gt 0 ] || fail "brand query matched nothing"
req GET "/api/v1/listening/mentions?query=$QB&q=acme.bsky.social"
check "addressed to the brand (no brand handles set)" "$(jqr '.items[0].addressed_to_brand')" false

# Restart: the cursor saved at stop is in the database, and the new run resumes from it.
stop_hark
start_hark --models none
req GET /api/v1/listening/sources
CUR=$(jqr '.items[0].cursor')
[ "$CUR" != null ] || fail "no cursor saved: $BODY"
wait_for "resume after restart" 10 grep -q "^connect cursor=$((CUR - 2000000))\$" "$T/a.log"
sleep 1
check "no duplicates after restart" "$(count "$QA")" "$want"

# Deactivating stops the thread; deleting removes the source.
req PATCH "/api/v1/listening/sources/$SRC" '{"active":false}'
check "deactivate" "$(jqr .active)" false
check "stopped" "$(jqr .status.running)" false
req DELETE "/api/v1/listening/sources/$SRC"
check "delete" "$STATUS" 204

# A long stream; a query is added while it flows. Each post is matched by the old set or the
# new one: the new query's mentions are exactly the acme posts from some point on.
start_fake b --events 1500 --start-us 1779800000000000 --interval-ms 5
req POST /api/v1/listening/sources "{\"spec\":\"jetstream://127.0.0.1:$PORT\"}"
SRC2=$(jqr .id)
want=$(posts 1500) # the first 40 events repeat stream a's post ids: deduplicated
wait_for "stream flowing" 20 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/mentions?query=$QA&limit=200' | jq '.items | length')\" -ge 150 ]"
req POST /api/v1/listening/queries '{"name":"late","query":"late"}'
QC=$(jqr .id)
wait_for "the whole stream" 60 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/sources' | jq '.items[0].status.posts')\" = $(posts 1500) ]"
sleep 0.5
check "every post of both streams exactly once" "$(count "$QA")" "$want"
# Walk the stream in order: once a 'late' post carries the new query, every later one does.
: > "$T/seq.txt"
c=""
while :; do
    req GET "/api/v1/listening/mentions?query=$QA&limit=200${c:+&cursor=$c}"
    echo "$BODY" | jq -r --argjson q "$QC" '.items[] | select(.text | test("LATE")) | "\(.external_id) \(.queries | index($q) != null)"' >> "$T/seq.txt"
    c=$(jqr .next_cursor); [ "$c" = null ] && break
done
sort "$T/seq.txt" | awk '{print $2}' > "$T/flags.txt"
grep -q true "$T/flags.txt" || fail "the new query never matched"
grep -q false "$T/flags.txt" || fail "the new query matched posts stored before it existed"
uniq "$T/flags.txt" | tr '\n' ' ' | grep -qx 'false true ' || fail "old and new sets interleave: $(uniq -c "$T/flags.txt" | tr '\n' ' ')"
req DELETE "/api/v1/listening/sources/$SRC2"
check "delete long source" "$STATUS" 204
stop_hark
