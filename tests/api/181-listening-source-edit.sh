# Editing a listening source over the API (PATCH spec, tls, token, active): a source pointed at
# nothing counts its failed connects, fixing its spec restarts it on the new stream, the posts it reads
# are what the back-test sees, a new spec forgets the old stream's cursor, and bad edits change
# nothing (422 on the field, 404 for an unknown source).
. "$(dirname "$0")/lib.sh"

start_fake() { # NAME ARGS...: starts tests/fakes/jetstream_fake.py; sets PORT
    name=$1; shift
    python3 "$FAKES/jetstream_fake.py" --port-file "$T/$name.port" --log "$T/$name.log" \
        --lifetime 60 "$@" > /dev/null 2>&1 &
    echo $! > "$T/$name.pid"
    for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
    PORT=$(cat "$T/$name.port")
}
src_field() { # JQ -> the field of source $SRC
    curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/listening/sources" |
        jq -r ".items[] | select(.id == $SRC) | $1"
}

start_fake a --events 20
PA=$PORT
start_fake b --events 20 --start-us 1779800000000000
PB=$PORT
start_hark --models none
admin_setup

# A closed port: the source runs and counts its failed connects (it retries).
req POST /api/v1/listening/sources '{"spec":"jetstream://127.0.0.1:1"}'
check "add source" "$STATUS" 201
SRC=$(jqr .id)
wait_for "failed connects" 15 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/sources' | jq -r '.items[0].status.failures')\" -gt 0 ]"
check "not connected" "$(src_field .status.connected)" false

# Bad edits change nothing.
req PATCH "/api/v1/listening/sources/$SRC" '{"spec":"ftp://example.com"}'
check "bad spec" "$STATUS" 422
check "bad spec names the field" "$(jqr .error.field)" spec
req PATCH "/api/v1/listening/sources/$SRC" '{"tls":"yes"}'
check "bad tls" "$STATUS" 422
check "bad tls names the field" "$(jqr .error.field)" tls
req PATCH "/api/v1/listening/sources/$SRC" '{}'
check "nothing to change" "$STATUS" 422
req PATCH /api/v1/listening/sources/999 '{"active":true}'
check "unknown source" "$STATUS" 404
check "spec unchanged" "$(src_field .spec)" "jetstream://127.0.0.1:1"

# Fix the spec: the thread restarts on the new stream and reads its posts.
req PATCH "/api/v1/listening/sources/$SRC" "{\"spec\":\"jetstream://127.0.0.1:$PA\"}"
check "edit spec" "$STATUS" 200
check "new spec" "$(jqr .spec)" "jetstream://127.0.0.1:$PA"
wait_for "connected to the fixed spec" 15 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/sources' | jq -r '.items[0].status.connected')\" = true ]"
wait_for "posts read" 15 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' '$URL/api/v1/listening/sources' | jq -r '.items[0].status.posts')\" -gt 0 ]"
check "running" "$(src_field .status.running)" true
# The back-test sees what the source read (no query exists: nothing was stored).
wait_for "posts in the back-test" 10 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $TOKEN' -H 'Content-Type: application/json' -d '{\"query\":\"post\"}' '$URL/api/v1/listening/queries/test' | jq -r .matched)\" -gt 0 ]"
req POST /api/v1/listening/queries/test '{"query":"post","examples":1}'
check "example from the stream" "$(jqr '.examples[0].platform')" bluesky
jqr '.examples[0].id' | grep -q '^at://did:plc:fake' || fail "example id: $BODY"
req GET /api/v1/listening/mentions
check "no mention stored without a query" "$(jqr '.items | length')" 0

# Deactivate: the thread stops and saves its cursor.
req PATCH "/api/v1/listening/sources/$SRC" '{"active":false}'
check "deactivated" "$(jqr .active)" false
check "stopped" "$(jqr .status.running)" false
[ "$(jqr .cursor)" != null ] || fail "no cursor saved: $BODY"

# A token, then a new spec while inactive: the old stream's cursor is forgotten.
req PATCH "/api/v1/listening/sources/$SRC" '{"token":"secret-token-1"}'
check "has a token" "$(jqr .has_token)" true
echo "$BODY" | grep -q secret-token-1 && fail "the token is shown: $BODY"
req PATCH "/api/v1/listening/sources/$SRC" "{\"spec\":\"jetstream://127.0.0.1:$PB\",\"token\":\"\"}"
check "token removed" "$(jqr .has_token)" false
check "cursor forgotten" "$(jqr .cursor)" null
check "still inactive" "$(jqr .active)" false
req PATCH "/api/v1/listening/sources/$SRC" '{"active":true}'
check "active again" "$(jqr .status.running)" true
wait_for "b connected" 15 grep -q '^connect cursor=' "$T/b.log"
check "the new stream starts without the old cursor" "$(head -1 "$T/b.log")" "connect cursor=-"

stop_hark
echo "PASS"
