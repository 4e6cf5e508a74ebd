# Soak (issue 10): the demo's traffic shape, compressed. Customers write through the real signed
# webhooks - new conversations in WhatsApp deliveries of 100, and repeat customers on the api
# channel (replies go to a local callback receiver) - while social listening ingests posts. One
# routing rule sends everything to a team where four agents are offline and one has capacity 3;
# the team acknowledges honestly (auto-ack on, replies through the fakes) and an SLA policy with
# short targets fires warnings, breaches and escalations during the run; the one agent resolves
# a few conversations each round (repeat customers reopen theirs) and every third round a second
# agent comes online with ten more places, so the queue drains as it grows. Thousands of
# conversations in about 90 s (SOAK_SECONDS).
#
# Checked: RSS (from /proc/PID/status every 2 s) is flat - after a warm-up of the first 20% of
# the samples, the max of the second half exceeds the max of the first half by less than
# 20 MB (ASan build with a 16 MB quarantine, so freed memory shows as freed); and every
# conversation is accounted for: each is assigned or queued, the queue (API) matches the store,
# open unassigned conversations are exactly the queued ones, and assigned + queued == created.
# serial: soak: measures RSS over 90 s of traffic
# sqlite-only: its RSS bound (20 MB after warm-up) is calibrated on SQLite; on PostgreSQL each HTTP thread's libpq connection warms up through the whole run (growth measured 6.7-24 MB), so there it would judge warm-up, not leaks
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metalib.sh"
SECS=${SOAK_SECONDS:-90}
GROWTH_MAX_KB=20480
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}:quarantine_size_mb=16"
start_meta "" 200
start_hark
admin_setup
start_callback "" 200
new_channel "Web" "$CB_URL"
printf '%s' "$CH_SECRET" > "$T/cb.secret"
API_CH=$CH_ID
meta_channel whatsapp wa phone_number_id 800000000000002
WA=$CH_ID
agent() {
    req POST /api/v1/agents "{\"email\":\"$1@example.com\",\"name\":\"$1\",\"password\":\"a long password 1\"}"
    check "add agent $1" "$STATUS" 201 >&2
    jqr .id
}
A=$(agent maya); B=$(agent jonas); C=$(agent aiko); D=$(agent sam); E=$(agent lea)
req PATCH "/api/v1/agents/$A/profile" '{"availability":"online","capacity":3,"auto_presence":false}'
check "maya online, capacity 3" "$STATUS" 200
for x in $B $C $D $E; do
    req PATCH "/api/v1/agents/$x/profile" '{"availability":"offline","auto_presence":false}'
done
req POST /api/v1/teams "{\"name\":\"Care\",\"members\":[$A,$B,$C,$D,$E],\"lead_agent_id\":$C,\"autoack\":{\"enabled\":true,\"templates\":{\"en\":\"Thanks! {team} answers by {when}.\"}}}"
check "team with auto-ack" "$STATUS" 201
TEAM=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "one routing rule" "$STATUS" 201
req POST /api/v1/sla/policies '{"name":"fast","first_response_s":20,"next_response_s":20,"resolution_s":3600,"warn_pct":50}'
check "SLA policy" "$STATUS" 201
req POST /api/v1/listening/queries '{"name":"brand","query":"northwind OR @northwind*"}'
check "listening query" "$STATUS" 201

( while kill -0 "$HARK_PID" 2>/dev/null; do
      sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$HARK_PID/status" 2>/dev/null
      sleep 2
  done > "$T/rss" ) &
echo $! > "$T/sampler.pid"

posts() { # posts ROUND: 200 listening lines, a quarter about the brand
    local i
    for i in $(seq 1 200); do
        case $((i % 4)) in
            0) txt="@northwind my parcel is late again, order $1-$i" ;;
            1) txt="anyone tried the northwind tent? thinking of buying ($1-$i)" ;;
            *) txt="lovely weather on the trail today ($1-$i)" ;;
        esac
        printf '{"id":"p%s-%s","platform":"bluesky","author":"u%s.bsky.social","text":"%s","lang":"en"}\n' "$1" "$i" "$i" "$txt"
    done
}
end=$(( $(date +%s) + SECS ))
round=0
while [ "$(date +%s)" -lt "$end" ]; do
    round=$((round + 1))
    python3 "$FAKES/wa_burst.py" "$URL" "$WA" "$APP_SECRET" 200 2 "r$round" >> "$T/burst" ||
        fail "round $round: whatsapp deliveries refused: $(tail -1 "$T/burst")"
    python3 "$FAKES/flood.py" "$URL" "$API_CH" "$CH_SECRET" 2 2 "$T/acks" "r$round" >> "$T/flood" ||
        fail "round $round: flood"
    posts "$round" > "$T/posts.jsonl"
    S=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        --data-binary @"$T/posts.jsonl" "$URL/api/v1/listening/ingest")
    [ "$S" = 200 ] || fail "round $round: listening ingest $S"
    # Maya resolves five of her open conversations, freeing capacity for the queue (repeat
    # customers on the api channel reopen theirs, which are routed again); every third round
    # Jonas comes online with ten more places.
    req GET "/api/v1/conversations?assignee=$A&status=open&limit=5"
    for c in $(jqr '.items[].id'); do
        req POST "/api/v1/conversations/$c/status" '{"status":"resolved","reason":"no_reply_needed"}'
        [ "$STATUS" = 200 ] || fail "resolve $c: $STATUS $BODY"
    done
    if [ $((round % 3)) = 0 ]; then
        req PATCH "/api/v1/agents/$B/profile" "{\"availability\":\"online\",\"capacity\":$((round / 3 * 10))}"
        [ "$STATUS" = 200 ] || fail "jonas: $STATUS $BODY"
    fi
    kill -0 "$HARK_PID" 2>/dev/null || fail "server died in round $round"
done
sleep 2
echo "# rounds=$round $(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^accepted=/) { split($i, v, "="); a += v[2] } } END { print "whatsapp_accepted=" a }' "$T/burst") api_acked=$(wc -l < "$T/acks")"

# Accounting: one consistent snapshot from the store, then the API's view of the same.
req GET /api/v1/routing/queue
QUEUED_API=$(jqr .total)
SNAP=$(dbq "SELECT count(*), sum(CASE WHEN c.assignee_id IS NOT NULL THEN 1 ELSE 0 END),
    sum(CASE WHEN s.queued_at IS NOT NULL THEN 1 ELSE 0 END),
    sum(CASE WHEN c.assignee_id IS NULL AND s.queued_at IS NULL THEN 1 ELSE 0 END),
    sum(CASE WHEN c.assignee_id IS NOT NULL AND s.queued_at IS NOT NULL THEN 1 ELSE 0 END)
    FROM conversation c LEFT JOIN conv_sla s ON s.conversation_id = c.id")
set -- $(echo "$SNAP" | tr '|' ' ')
CREATED=$1 ASSIGNED=$2 QUEUED=$3 NEITHER=$4 BOTH=$5
echo "# created=$CREATED assigned=$ASSIGNED queued=$QUEUED neither=$NEITHER both=$BOTH"
[ "$CREATED" -ge 2000 ] || fail "only $CREATED conversations: not a soak"
check "no conversation both queued and assigned" "$BOTH" 0
check "none lost (neither assigned nor queued)" "$NEITHER" 0
check "assigned + queued == created" "$((ASSIGNED + QUEUED))" "$CREATED"
req GET /api/v1/routing/queue
check "the queue API agrees with the store" "$(jqr .total)" "$QUEUED"
req GET /api/v1/conversations/counts
check "open unassigned conversations are the queued ones" "$(jqr .unassigned)" "$QUEUED"
ACKS=$(dbq "SELECT count(*) FROM conv_sla WHERE autoack_msg_id IS NOT NULL")
[ "$ACKS" -gt 0 ] || fail "no acknowledgement was sent"
FIRED=$(curl -s "$URL/metrics" | sed -n 's/^hark_sla_timers_fired_total //p')
[ "${FIRED:-0}" -gt 0 ] || fail "no SLA timer fired"
MENTIONS=$(dbq "SELECT count(*) FROM mention")
[ "$MENTIONS" -gt 0 ] || fail "no mention stored"
echo "# acknowledgements=$ACKS sla_timers_fired=$FIRED mentions=$MENTIONS"

# RSS flat after warm-up.
n=$(wc -l < "$T/rss")
[ "$n" -ge 20 ] || fail "only $n RSS samples"
skip=$(( n / 5 )); rest=$(( n - skip )); half=$(( rest / 2 ))
tail -n "$rest" "$T/rss" > "$T/rss.run"
M1=$(head -n "$half" "$T/rss.run" | sort -n | tail -1)
M2=$(tail -n "$(( rest - half ))" "$T/rss.run" | sort -n | tail -1)
echo "# RSS kB every 2 s: $(tr '\n' ' ' < "$T/rss")"
echo "# RSS max first half ${M1} kB, second half ${M2} kB, growth $(( M2 - M1 )) kB (bound ${GROWTH_MAX_KB} kB)"
[ $(( M2 - M1 )) -lt "$GROWTH_MAX_KB" ] || fail "RSS grew $(( M2 - M1 )) kB after warm-up"
grep -q 'lvl=fatal\|ERROR: AddressSanitizer' "$T/hark.log" && fail "fatal in the log"
stop_hark
