# Three `hark serve` on ONE PostgreSQL database with NATS JetStream between them (a temporary
# PostgreSQL and a real nats-server -js, both on 127.0.0.1; tests/lib/pg.sh, tests/lib/nats.sh),
# the shape docs/scale.md describes. Webhooks are spread over all three and replies queued on
# all three, with a short SLA policy so every unanswered conversation's timers come due while
# they run. In the middle of the flood B is killed with kill -9 and later started again.
# Then: every acknowledged message is in the database exactly once; every event stream on A
# and C saw every event, each once, in seq order; each SLA warning and breach was written once
# (three timer workers, one database); each reply reached the integration's endpoint once
# (three outbox workers claiming from one outbox). Prints the webhook-on-A -> event-on-C
# latency as a figure; it is not asserted.
# serial: three servers, PostgreSQL, NATS and floods
# sqlite-only: it starts a PostgreSQL of its own, so it runs once, in the SQLite pass
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/pg.sh"
. "$(dirname "$0")/../lib/nats.sh"
. "$(dirname "$0")/instlib.sh"
pg_start
nats_start
DB=$(pg_newdb three)
psql_at() { pg_psql "$DB" -At -c "$1"; }
# On failure, what each instance logged as a warning or an error.
fail() {
    echo "FAIL: $*"
    for f in "$T"/hark-*.log; do
        [ -f "$f" ] && grep -E 'lvl=(warn|error)' "$f" | tail -8 | sed "s|^|$(basename "$f"): |"
    done
    echo "replies by status: $(psql_at "SELECT string_agg(status || ' ' || n, ', ') FROM (SELECT status, count(*) n FROM message WHERE direction = 'out' GROUP BY 1) s")"
    echo "outbox: $(psql_at "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM outbox GROUP BY 1) s")"
    [ -f "$T/cb.log" ] && echo "endpoint requests: $(wc -l < "$T/cb.log")" && tail -3 "$T/cb.log"
    exit 1
}

max_seq() { psql_at 'SELECT coalesce(max(seq), 0) FROM event'; }
caught_up() { [ "$(last_seen "$1")" -eq "$(max_seq)" ]; }

start_inst A
URL=$URL_A
admin_setup
start_callback ""
new_channel "Three" "$CB_URL"
printf '%s' "$CH_SECRET" > "$T/cb.secret"
req POST /api/v1/sla/policies '{"name":"fast","first_response_s":3,"next_response_s":3,"warn_pct":50}'
check "a short SLA policy" "$STATUS" 201
start_inst B
start_inst C
BASE=$(max_seq)
record A "$URL_A" "$BASE"; record C "$URL_C" "$BASE"

# ---- the flood, with B killed in the middle -----------------------------------------------------
: > "$T/acks.txt"
$TOOL flood "$T/acks.txt" f 120 "$CH_ID" "$CH_SECRET" "$URL_A" "$URL_B" "$URL_C" &
echo $! > "$T/flood.pid"
wait_for "flood under way" 30 sh -c "[ \$(wc -l < '$T/acks.txt') -ge 60 ]"
kill -9 "$PID_B"
wait "$PID_B" 2>/dev/null
wait "$(cat "$T/flood.pid")"
acks_of() { awk -v k="$1" '$3 == k' "$T/acks.txt" | wc -l; }
check "A acknowledged its webhooks" "$(acks_of 0)" 120
check "C acknowledged its webhooks" "$(acks_of 2)" 120
echo "ok: B acknowledged $(acks_of 1) of 120 before kill -9"
start_inst B

# ---- every acknowledged message exactly once ---------------------------------------------------
cut -d' ' -f1 "$T/acks.txt" | sort > "$T/acked.txt"
psql_at "SELECT external_id FROM message WHERE direction = 'in' AND external_id LIKE 'bm-f-%' ORDER BY 1" > "$T/stored.txt"
missing=$(comm -23 "$T/acked.txt" "$T/stored.txt" | wc -l)
check "acknowledged messages missing from the database" "$missing" 0
check "messages stored twice" "$(psql_at "SELECT count(*) FROM (SELECT external_id FROM message WHERE direction = 'in' GROUP BY channel_id, external_id HAVING count(*) > 1) d")" 0

# ---- every stream saw every event, once, in order ----------------------------------------------
# Timers and the restarted B keep writing events: each stream is checked as far as it got,
# which must be at least the newest event when the flood was over.
TOP=$(max_seq)
for n in A C; do wait_for "stream $n caught up" 30 sh -c "[ \$(awk 'NF == 4 { s = \$1 } END { print s + 0 }' '$T/ev-$n.txt') -ge $TOP ]"; done
for n in A C; do
    cp "$T/ev-$n.txt" "$T/snap-$n.txt"
    END=$(last_seen "$T/snap-$n.txt")
    $TOOL check "$BASE" "$END" "$T/snap-$n.txt" || fail "stream $n"
    $TOOL markers "$T/acks.txt" "$T/snap-$n.txt" || fail "stream $n messages"
    echo "ok: the stream on $n saw seqs $((BASE + 1))..$END, each once, in order"
done
echo "figure: webhook on A -> event at a client on C: $($TOOL latency "$T/acks.txt" 0 "$T/ev-C.txt")"

# ---- replies queued on all three: each delivered once ------------------------------------------
convs=$(psql_at "SELECT id FROM conversation WHERE channel_id = $CH_ID ORDER BY id LIMIT 12")
i=0
for cid in $convs; do
    case $((i % 3)) in 0) URL=$URL_A ;; 1) URL=$URL_B ;; 2) URL=$URL_C ;; esac
    req POST "/api/v1/conversations/$cid/messages" "{\"text\":\"Reply $i from the team\"}"
    check "reply $i queued" "$STATUS" 201
    i=$((i + 1))
done
URL=$URL_A
replies_sent() { [ "$(psql_at "SELECT count(*) FROM message WHERE direction = 'out' AND text LIKE 'Reply %' AND status = 'sent'")" -ge "$i" ]; }
wait_for "every reply sent" 60 replies_sent
posted=$(grep -c '"text": *"Reply ' "$CB_LOG")
check "replies the endpoint received" "$posted" "$i"
check "replies received twice" "$(grep '"text": *"Reply ' "$CB_LOG" | jq -r .key | sort | uniq -d | wc -l)" 0

# ---- SLA timers: each fired once ---------------------------------------------------------------
unanswered=$(psql_at "SELECT count(*) FROM conversation c WHERE channel_id = $CH_ID AND NOT EXISTS (SELECT 1 FROM message m WHERE m.conversation_id = c.id AND m.direction = 'out')")
breached() { [ "$(psql_at "SELECT count(DISTINCT (data::jsonb->>'conversation_id')) FROM event WHERE type = 'sla.breached'")" -ge "$unanswered" ]; }
wait_for "breaches of the unanswered conversations" 60 breached
dup=$(psql_at "SELECT count(*) FROM (SELECT type, data::jsonb->>'conversation_id', data::jsonb->>'clock' FROM event WHERE type IN ('sla.warning', 'sla.breached') GROUP BY 1, 2, 3 HAVING count(*) > 1) d")
check "SLA events written more than once" "$dup" 0
echo "ok: $(psql_at "SELECT count(*) FROM event WHERE type = 'sla.breached'") breaches and $(psql_at "SELECT count(*) FROM event WHERE type = 'sla.warning'") warnings, each once, from three timer workers"

for n in A B C; do
    pid=$(eval echo "\$PID_$n")
    kill -TERM "$pid"; wait "$pid" || fail "hark $n exited with $? on SIGTERM"
done
rm -f "$T"/hark-*.pid
echo PASS
