# A 10,000-deep routing queue (issue 10): 10,000 new conversations through signed WhatsApp
# deliveries (100 messages each) while the only online agent is at capacity; all are queued and
# the server's RSS stays bounded. Then capacity frees in two steps and the queue drains through
# every depth (keyset pages, one arena per page and per decision): after each step every
# conversation is assigned or still queued, none lost, none twice, and each agent got exactly
# their capacity. RSS, sampled from /proc every half second from start to end, stays under
# 300 MB (ASan build; generous: the routing data is three agents and one rule).
# serial: measures RSS over a 10,000-deep queue
. "$(dirname "$0")/lib.sh"
N=10000
RSS_MAX_KB=307200
# ASan keeps freed memory in a quarantine (256 MB by default) before reuse, which would hide
# the server's own use; a small one keeps use-after-free detection and makes RSS mean something.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}:quarantine_size_mb=16"
start_hark
admin_setup
req POST /api/v1/channels '{"type":"whatsapp","name":"wa","settings":{"app_secret":"burst_secret","verify_token":"vt","access_token":"tok","phone_number_id":"800000000000002","api_base":"http://127.0.0.1:9/v19.0"}}'
check "whatsapp channel" "$STATUS" 201
WA=$(jqr .id)
agent() {
    req POST /api/v1/agents "{\"email\":\"$1@example.com\",\"name\":\"$1\",\"password\":\"a long password 1\"}"
    check "add agent $1" "$STATUS" 201 >&2
    jqr .id
}
A=$(agent ann); B=$(agent bob); C=$(agent cem)
req PATCH "/api/v1/agents/$A/profile" '{"availability":"online","capacity":0,"auto_presence":false}'
check "ann online at capacity" "$STATUS" 200
for x in $B $C; do
    req PATCH "/api/v1/agents/$x/profile" '{"availability":"offline","capacity":3000,"auto_presence":false}'
    check "agent $x offline" "$STATUS" 200
done
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$A,$B,$C]}"
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule" "$STATUS" 201

( while kill -0 "$HARK_PID" 2>/dev/null; do
      sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$HARK_PID/status" 2>/dev/null
      sleep 0.5
  done > "$T/rss" ) &
echo $! > "$T/sampler.pid"

python3 "$FAKES/wa_burst.py" "$URL" "$WA" burst_secret "$N" 2 q > "$T/burst" || fail "burst: $(cat "$T/burst")"
echo "# $(cat "$T/burst")"
kill -0 "$HARK_PID" || fail "server died"
queued() { req GET /api/v1/routing/queue; jqr .total; }
counts() { req GET /api/v1/conversations/counts; OPEN=$(jqr .open); UNASSIGNED=$(jqr .unassigned); }
check "all $N queued" "$(queued)" "$N"
counts
check "$N open" "$OPEN" "$N"
check "none assigned" "$UNASSIGNED" "$N"

# Accounting after each step: assigned + queued == created, and per agent exactly as set.
account() { # account WANT_QUEUED WANT_A WANT_B WANT_C
    counts
    check "open conversations" "$OPEN" "$N"
    check "queued" "$(queued)" "$1"
    check "assigned + queued == created" "$(( OPEN - UNASSIGNED + $1 ))" "$N"
    check "queued == unassigned (none lost)" "$UNASSIGNED" "$1"
    check "per agent" "$(dbq "SELECT coalesce(sum(CASE WHEN assignee_id=$A THEN 1 ELSE 0 END),0) || ' ' || coalesce(sum(CASE WHEN assignee_id=$B THEN 1 ELSE 0 END),0) || ' ' || coalesce(sum(CASE WHEN assignee_id=$C THEN 1 ELSE 0 END),0) FROM conversation")" "$2 $3 $4"
    check "no queued conversation has an assignee" "$(dbq "SELECT count(*) FROM conv_sla s JOIN conversation c ON c.id = s.conversation_id WHERE s.queued_at IS NOT NULL AND c.assignee_id IS NOT NULL")" 0
}
is_q() { [ "$(queued)" = "$1" ]; }

queue_ids() { # every queued conversation id in queue order, paged by next_cursor
    : > "$T/queue"
    local cur=""
    while :; do
        req GET "/api/v1/routing/queue?limit=1000${cur:+&cursor=$cur}"
        [ "$STATUS" = 200 ] || fail "queue: $STATUS $BODY"
        jqr '.items[].conversation_id' >> "$T/queue"
        cur=$(jqr '.next_cursor // empty')
        [ -n "$cur" ] || break
    done
}
queue_ids
mv "$T/queue" "$T/order"
check "the queue pages through all $N once" "$(sort -u "$T/order" | wc -l)" "$N"

# Step 1: ann's capacity rises to 4000 and bob comes online (3000): 7000 assigned, oldest first.
req PATCH "/api/v1/agents/$A/profile" '{"capacity":4000}'
req PATCH "/api/v1/agents/$B/profile" '{"availability":"online"}'
wait_for "7000 assigned" 240 is_q 3000
account 3000 4000 3000 0
dbq "SELECT id FROM conversation WHERE assignee_id IS NOT NULL" | sort > "$T/assigned"
head -7000 "$T/order" | sort > "$T/want"
cmp -s "$T/assigned" "$T/want" || fail "not the 7000 oldest: $(comm -3 "$T/assigned" "$T/want" | head -5)"
echo "ok: the 7000 oldest in queue order went first"

# Step 2: cem comes online: the rest drains.
req PATCH "/api/v1/agents/$C/profile" '{"availability":"online"}'
wait_for "queue empty" 240 is_q 0
account 0 4000 3000 3000

kill -0 "$HARK_PID" || fail "server died"
echo "# RSS kB: $(awk 'NR % 4 == 1' "$T/rss" | tr "\n" " ")"
max=$(sort -n "$T/rss" | tail -1)
echo "# RSS samples: $(wc -l < "$T/rss"), max ${max} kB (bound ${RSS_MAX_KB} kB)"
[ -n "$max" ] && [ "$max" -lt "$RSS_MAX_KB" ] || fail "RSS ${max} kB over ${RSS_MAX_KB} kB"
grep -q 'lvl=fatal\|ERROR: AddressSanitizer' "$T/hark.log" && fail "fatal in the log"
stop_hark
