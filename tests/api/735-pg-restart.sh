# PostgreSQL going away under a running hark: the database restarts (every connection cut),
# once cleanly and once as a crash (immediate shutdown). Webhooks sent meanwhile are answered
# 200 (stored) or 503 (not stored: the sender retries), never a 200 for a message that is not
# there; hark reconnects by itself and accepts every webhook again; the health endpoint says so.
# sqlite-only: it starts a PostgreSQL of its own, so it runs once, in the SQLite pass
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start
DB=$(pg_newdb restart)
start_hark
admin_setup
new_channel "Restart"
sent=0
send() { # send ID: one webhook; appends "ID STATUS" to $T/answers
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"$1\",\"from\":{\"id\":\"u$((sent % 5))\",\"name\":\"Ann\"},\"text\":\"Where is my parcel $1?\"}"
    echo "$1 $STATUS" >> "$T/answers"
    sent=$((sent + 1))
}
: > "$T/answers"
send before
check "a webhook before the restart" "$STATUS" 200
for mode in fast immediate; do
    for i in 1 2 3 4 5; do send "$mode-a$i"; done
    pg_restart "$mode" &
    rp=$!
    for i in $(seq 1 20); do send "$mode-b$i"; done
    wait $rp || fail "PostgreSQL did not restart ($mode)"
    accepted() { send "$mode-probe$(date +%s%N)"; [ "$STATUS" = 200 ]; }
    wait_for "webhooks accepted again after the $mode restart" 30 accepted
    for i in 1 2 3 4 5; do send "$mode-c$i"; check "a webhook after the $mode restart" "$STATUS" 200; done
done
bad=$(awk '$2 != 200 && $2 != 503' "$T/answers" | head -3)
[ -z "$bad" ] || fail "answers other than 200 or 503: $bad"
awk '$2 == 200 { print $1 }' "$T/answers" | sort > "$T/acked"
dbq "SELECT external_id FROM message WHERE direction = 'in'" | sort > "$T/stored"
check "acknowledged webhooks missing from the database" "$(comm -23 "$T/acked" "$T/stored" | wc -l)" 0
echo "ok: $(wc -l < "$T/acked") acknowledged, $(awk '$2 == 503' "$T/answers" | wc -l) answered 503 during the restarts"
req GET /healthz
check "healthy again" "$(jqr .store_writable)" true
echo PASS
