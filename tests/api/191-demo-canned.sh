# `hark demo` seeds Northwind's saved replies (issue 13 item 4, issue 21): shared ones with
# variables in several languages, and one of Maya's own that nobody else sees; a second run on
# the same database seeds nothing again.
. "$(dirname "$0")/lib.sh"
start_demo() {
    : > "$T/hark.log"
    "$HARK" demo --listen 127.0.0.1:0 --db "$DB" --demo-interval-ms 60000 \
        --demo-conversations 5 >>"$T/hark.log" 2>&1 &
    HARK_PID=$!
    for _ in $(seq 1 600); do
        grep -q "Hark demo is running" "$T/hark.log" && break
        kill -0 "$HARK_PID" 2>/dev/null || fail "hark demo exited"
        sleep 0.05
    done
    grep -q "Hark demo is running" "$T/hark.log" || fail "hark demo did not start"
    URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$T/hark.log" | tail -1)
}
start_demo
TOKEN=$("$HARK" token create --db "$DB" --name tests 2>/dev/null) || fail "token create"
req GET '/api/v1/canned?limit=50'
check "shared replies" "$(jqr '[.items[] | select(.shared)] | length')" 4
check "the token sees no one's personal reply" "$(jqr '[.items[] | select(.shared | not)] | length')" 0
req GET '/api/v1/canned?q=where&lang=es'
check "spanish text" "$(jqr '.items[0].lang')" es
echo "$BODY" | jq -e '.items[0].body | contains("{contact.first_name}")' >/dev/null || fail "variables in the body: $BODY"
check "Maya's own reply stored" "$(dbq "SELECT count(*) FROM canned_reply r JOIN agent a ON a.id = r.owner_agent_id WHERE a.email = 'maya@northwind.example'")" 1
stop_hark
start_demo
check "not seeded twice" "$(dbq 'SELECT count(*) FROM canned_reply')" 5
