# `hark demo` seeds Northwind's care policy (issue 18 item 6): a few root causes with keywords,
# the causes of some resolved complaints, and goodwill on complaints: two approved within the
# agents' limit, one over it waiting for approval in the queue; a second run seeds nothing
# again.
. "$(dirname "$0")/lib.sh"
start_demo() {
    : > "$T/hark.log"
    "$HARK" demo --listen 127.0.0.1:0 --db "$DB" --demo-interval-ms 60000 \
        --demo-conversations 30 >>"$T/hark.log" 2>&1 &
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
req GET /api/v1/root-causes
check "root causes" "$(jqr '[.items[].name] | join(",")')" "Billing error,Damaged in transit,Late delivery,Product defect,Rude staff"
req GET '/api/v1/goodwill?status=all'
check "three grants" "$(jqr '.items | length')" 3
check "one pending approval" "$(jqr '[.items[] | select(.status == "pending")] | length')" 1
check "pending one asked by an agent" "$(jqr '[.items[] | select(.status == "pending")][0].requested_by_name')" Aiko
req GET /api/v1/reports/goodwill
check "approved totals reported" "$(jqr '[.items[].grants] | add')" 2
n=$(dbq "SELECT count(*) FROM conv_root_cause")
[ "$n" -ge 1 ] || fail "no resolved conversation has a root cause"
echo "ok: $n resolved conversations carry a root cause"
stop_hark
start_demo
check "not seeded twice" "$(dbq 'SELECT count(*) FROM goodwill')" 3
