# Three `hark serve` on ONE SQLite file with --nats (a real nats-server -js on 127.0.0.1): an
# event stream on any instance sees every instance's events, each once, in seq order, live;
# after kill -9 of one instance mid-flood the others' streams still see everything and a stream
# resumed on another instance with Last-Event-ID has no gap and no duplicate, and the killed
# instance comes back and serves every event too; with NATS stopped
# mid-flood the streams keep receiving (read from the database) and stay in order when it is
# back. Only inbound webhooks and events: timers and the outbox would run in every instance.
# Prints the webhook-on-A -> event-on-C latency (p95) as a figure; it is not asserted.
# serial: three servers, a NATS server and floods
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/nats.sh"
. "$(dirname "$0")/instlib.sh"
nats_start

# Asked for NATS that is not there: a clear error and a failing exit code at startup.
dead="nats://127.0.0.1:$(nats_free_port)"
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --nats "$dead" > "$T/dead.log" 2>&1
rc=$?
[ $rc -ne 0 ] || fail "hark serve with an unreachable NATS exited 0"
grep -q "cannot connect to NATS at $dead" "$T/dead.log" || { cat "$T/dead.log"; fail "no clear error for an unreachable NATS"; }
echo "ok: unreachable NATS at startup: exit $rc, $(grep -o 'cannot connect to NATS.*' "$T/dead.log")"


max_seq() { sqlite3 "$DB" 'PRAGMA busy_timeout=5000; SELECT coalesce(max(seq), 0) FROM event;' | tail -1; }
# caught_up FILE...: the newest seq of the last FILE is the database's newest.
caught_up() { eval "f=\${$#}"; [ "$(last_seen "$f")" -eq "$(max_seq)" ]; }
acked() { cat "$T"/acks-*.txt 2>/dev/null | wc -l; }

"$HARK" migrate --db "$DB" >/dev/null 2>&1 || true
start_inst A
URL=$URL_A
admin_setup
new_channel "Bus"
start_inst B
start_inst C env
grep -q 'msg="connected to NATS"' "$T/hark-C.log" || fail "C (HARK_NATS) did not connect to NATS"

# Phase 1: 60 webhooks to each instance at once; every stream sees every event in order.
BASE=$(max_seq)
record A "$URL_A" "$BASE"; record B "$URL_B" "$BASE"; record C "$URL_C" "$BASE"
$TOOL flood "$T/acks-1.txt" p1 60 "$CH_ID" "$CH_SECRET" "$URL_A" "$URL_B" "$URL_C"
check "phase 1: every webhook acknowledged" "$(acked)" 180
TOP=$(max_seq)
for n in A B C; do wait_for "stream $n caught up (phase 1)" 20 caught_up "$T/ev-$n.txt"; done
for n in A B C; do
    $TOOL check "$BASE" "$TOP" "$T/ev-$n.txt" || fail "stream $n (phase 1)"
    $TOOL markers "$T/acks-1.txt" "$T/ev-$n.txt" || fail "stream $n messages (phase 1)"
done
echo "ok: phase 1: three streams saw seqs $((BASE + 1))..$TOP, each once, in order"
metric() { curl -s "$1/metrics" | sed -n "s/^hark_bus_$2 //p"; }
bus_figures() { curl -s "$1/metrics" | grep '^hark_bus_' | grep -v '^hark_bus_connected' | sed 's/^hark_bus_//; s/_total / /' | tr '\n' ' '; }
echo "figure: phase 1, C: $(bus_figures "$URL_C")"
echo "figure: webhook on A -> event at a client on C: $($TOOL latency "$T/acks-1.txt" 0 "$T/ev-C.txt")"
echo "figure: webhook on C -> event at a client on A: $($TOOL latency "$T/acks-1.txt" 2 "$T/ev-A.txt")"

: > "$T/acks-2.txt"; : > "$T/acks-3.txt"; : > "$T/acks-4.txt"

# Phase 2: kill -9 B in the middle of a flood on all three; A and C keep being flooded.
$TOOL flood "$T/acks-2.txt" p2 150 "$CH_ID" "$CH_SECRET" "$URL_A" "$URL_B" "$URL_C" &
echo $! > "$T/flood2.pid"
wait_for "flood under way" 20 sh -c "[ \$(wc -l < '$T/acks-2.txt' 2>/dev/null || echo 0) -ge 90 ]"
kill -9 "$PID_B"
wait "$PID_B" 2>/dev/null
wait "$(cat "$T/flood2.pid")"
acks_of() { awk -v k="$1" '$3 == k' "$T/acks-2.txt" | wc -l; }
[ "$(acks_of 1)" -lt 150 ] || fail "B was killed after its flood ended"
check "phase 2: A acknowledged its webhooks" "$(acks_of 0)" 150
check "phase 2: C acknowledged its webhooks" "$(acks_of 2)" 150
echo "ok: phase 2: B acknowledged $(acks_of 1) of 150 before kill -9"
TOP=$(max_seq)
for n in A C; do wait_for "stream $n caught up (phase 2)" 20 caught_up "$T/ev-$n.txt"; done
for n in A C; do
    $TOOL check "$BASE" "$TOP" "$T/ev-$n.txt" || fail "stream $n (phase 2)"
    $TOOL markers "$T/acks-2.txt" "$T/ev-$n.txt" || fail "stream $n messages (phase 2)"
done
echo "ok: phase 2: after kill -9 of B, A's and C's streams saw every event once, in order"
# B's client switches to C with the last id it saw.
wait_for "B's stream ended" 10 sh -c "! kill -0 $(cat "$T/rec-B.pid") 2>/dev/null"
B_LAST=$(last_seen "$T/ev-B.txt")
record B2 "$URL_C" "$B_LAST"
wait_for "B's client caught up on C" 20 caught_up "$T/ev-B.txt" "$T/ev-B2.txt"
$TOOL check "$BASE" "$TOP" "$T/ev-B.txt" "$T/ev-B2.txt" || fail "B's client resumed on C"
echo "ok: phase 2: B's client resumed on C after seq $B_LAST: no gap, no duplicate"
# B comes back on the same database; a new client of it starts from before the flood.
start_inst B
record B3 "$URL_B" "$BASE"

# Phase 3: NATS stops in the middle of a flood on A and C; the streams keep receiving.
$TOOL flood "$T/acks-3.txt" p3 120 "$CH_ID" "$CH_SECRET" "$URL_A" "$URL_C" &
echo $! > "$T/flood3.pid"
wait_for "flood 3 under way" 20 sh -c "[ \$(wc -l < '$T/acks-3.txt' 2>/dev/null || echo 0) -ge 40 ]"
nats_stop
wait_for "A saw NATS go" 10 grep -q 'lost the connection to NATS' "$T/hark-A.log"
wait "$(cat "$T/flood3.pid")"
errors=$(metric "$URL_A" publish_errors_total)
$TOOL flood "$T/acks-3.txt" p3b 20 "$CH_ID" "$CH_SECRET" "$URL_A" "$URL_C" # surely NATS-less
check "phase 3: every webhook acknowledged without NATS" "$(wc -l < "$T/acks-3.txt")" 280
[ "$(metric "$URL_A" publish_errors_total)" -gt "$errors" ] || fail "A published to NATS while it was down?"
TOP=$(max_seq)
for n in A C B2 B3; do wait_for "stream $n caught up without NATS" 20 caught_up "$T/ev-$n.txt"; done
for n in A C B3; do $TOOL check "$BASE" "$TOP" "$T/ev-$n.txt" || fail "stream $n (NATS down)"; done
$TOOL check "$BASE" "$TOP" "$T/ev-B.txt" "$T/ev-B2.txt" || fail "stream B2 (NATS down)"
echo "ok: phase 3: with NATS down every stream still saw every event once, in order"
curl -s "$URL_A/metrics" | grep -q '^hark_bus_connected 0$' || fail "A does not report NATS down"

# NATS back (same port, same store): the instances reconnect and events flow in order again.
nats_start
wait_for "A reconnected" 20 sh -c "curl -s '$URL_A/metrics' | grep -q '^hark_bus_connected 1$'"
wait_for "C reconnected" 20 sh -c "curl -s '$URL_C/metrics' | grep -q '^hark_bus_connected 1$'"
received=$(metric "$URL_C" received_total)
wait_for "B reconnected" 20 sh -c "curl -s '$URL_B/metrics' | grep -q '^hark_bus_connected 1$'"
$TOOL flood "$T/acks-4.txt" p4 60 "$CH_ID" "$CH_SECRET" "$URL_A" "$URL_B" "$URL_C"
check "phase 4: every webhook acknowledged" "$(wc -l < "$T/acks-4.txt")" 180
TOP=$(max_seq)
for n in A C B2 B3; do wait_for "stream $n caught up (NATS back)" 20 caught_up "$T/ev-$n.txt"; done
for n in A C B3; do
    $TOOL check "$BASE" "$TOP" "$T/ev-$n.txt" || fail "stream $n (NATS back)"
    for p in 3 4; do $TOOL markers "$T/acks-$p.txt" "$T/ev-$n.txt" || fail "stream $n messages ($p)"; done
done
$TOOL check "$BASE" "$TOP" "$T/ev-B.txt" "$T/ev-B2.txt" || fail "stream B2 (NATS back)"
echo "ok: phase 4: NATS back, B restarted: every stream saw every event once, in order"
[ "$(metric "$URL_C" received_total)" -gt "$received" ] || fail "C received nothing from NATS once it was back"
echo "ok: phase 4: C receives from NATS again"
echo "figure: end, A: $(bus_figures "$URL_A")"
echo "figure: end, C: $(bus_figures "$URL_C")"

# Stop A, B and C cleanly.
for n in A B C; do
    pid=$(eval echo "\$PID_$n")
    kill -TERM "$pid"; wait "$pid" || fail "hark $n exited with $? on SIGTERM"
done
rm -f "$T"/hark-*.pid
echo "ok: all phases"
