# Disk faults injected for real (libfiu's POSIX preload, driven by fiu-ctrl while the server
# runs): random write, read and sync errors during a flood of webhooks from 8 keep-alive
# clients, in several rounds. The server never dies; webhooks that could not be stored are
# answered 5xx (503 with Retry-After, never 200); /healthz says "degraded" while the store cannot
# write and "ok" again by itself; after a kill -9 and a restart without faults every
# acknowledged message is present exactly once and the database is intact.
# sqlite-only: injects disk faults into the SQLite file's I/O (libfiu in hark's process; PostgreSQL does its own I/O)
# serial: injects faults on a timer (fiu-ctrl) during a webhook flood
. "$(dirname "$0")/lib.sh"
command -v fiu-run >/dev/null || fail "fiu-run not installed (Debian package fiu-utils; make installs it)"
ROUNDS=${FAULT_ROUNDS:-3}
SECS=${FAULT_SECS:-6}
# What fiu-run -x does, by hand: an ASan build needs its runtime first among the preloads.
FIU_LIBS=/usr/lib/fiu/fiu_run_preload.so:/usr/lib/fiu/fiu_posix_preload.so
if ldd "$HARK" | grep -q libasan; then
    FIU_LIBS=$(ldd "$HARK" | sed -n 's/.*libasan[^ ]* => \([^ ]*\).*/\1/p'):$FIU_LIBS
fi
HARK_WRAP="env LD_PRELOAD=$FIU_LIBS FIU_CTRL_FIFO=$T/fiu"
: > "$T/acked"
: > "$T/all.log"

faults() { # faults enable|disable
    if [ "$1" = enable ]; then
        # errno 28 = ENOSPC, 5 = EIO.
        fiu-ctrl -f "$T/fiu" \
            -c "enable_random name=posix/io/rw/pwrite,probability=0.05,failinfo=28" \
            -c "enable_random name=posix/io/rw/pread,probability=0.01,failinfo=5" \
            -c "enable_random name=posix/io/sync/fsync,probability=0.03,failinfo=5" \
            -c "enable_random name=posix/io/sync/fdatasync,probability=0.03,failinfo=5" \
            "$HARK_PID" || fail "fiu-ctrl enable"
    else
        fiu-ctrl -f "$T/fiu" -c "disable name=posix/io/rw/pwrite" \
            -c "disable name=posix/io/rw/pread" -c "disable name=posix/io/sync/fsync" \
            -c "disable name=posix/io/sync/fdatasync" "$HARK_PID" || fail "fiu-ctrl disable"
    fi
}

healthz() { curl -s -o /dev/null -w '%{http_code}' "$URL/healthz"; }

degraded_seen=0
r=1
while [ $r -le "$ROUNDS" ]; do
    start_hark
    if [ $r -eq 1 ]; then
        admin_setup
        new_channel "Web"
    fi
    faults enable
    python3 "$FAKES/flood.py" "$URL" "$CH_ID" "$CH_SECRET" "$SECS" 8 "$T/acked" "r$r" \
        > "$T/flood.out" 2>&1
    # Health while the faults are on: it may already say degraded (or not, by chance).
    [ "$(healthz)" = 503 ] && degraded_seen=$((degraded_seen + 1))
    faults disable
    echo "round $r: $(cat "$T/flood.out")"
    kill -0 "$HARK_PID" 2>/dev/null || { cat "$T/hark.log"; fail "the server died in round $r"; }
    grep -q 200: "$T/flood.out" || fail "round $r: nothing was acknowledged at all"
    # Every non-200 answer a webhook got is a retryable 5xx, never a 4xx or a reset.
    others=$(sed -n 's/.*codes=//p' "$T/flood.out" | tr ',' '\n' | grep -v '^200:\|^500:\|^503:' || true)
    check "round $r: only 200, 500 or 503 answers" "$others" ""
    # With the faults off, the store heals by itself (the writer probes every second).
    wait_for "healthz ok again after round $r" 30 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/healthz')\" = 200 ]"
    kill9_hark
    cat "$T/hark.log" >> "$T/all.log"
    r=$((r + 1))
done

# A batch failed at least once and was answered as such, or the test injected nothing.
lost=$(grep -c 'msg="batch failed' "$T/all.log" || true)
echo "batches failed as a whole: $lost; degraded seen by /healthz: $degraded_seen round(s)"
[ "$lost" -gt 0 ] || grep -q 'lvl=error\|lvl=warn' "$T/all.log" || fail "no fault reached the server"
if grep -q 'assert\|lvl=fatal\|AddressSanitizer\|runtime error' "$T/all.log"; then
    grep 'assert\|lvl=fatal\|AddressSanitizer\|runtime error' "$T/all.log" | head
    fail "the server hit an assertion or a sanitizer report"
fi

HARK_WRAP=""
start_hark
check "integrity" "$(dbq 'PRAGMA integrity_check')" ok
sort -u "$T/acked" > "$T/acked.sorted"
N=$(wc -l < "$T/acked.sorted")
echo "acknowledged in all rounds: $N"
dbq "SELECT external_id FROM message WHERE direction='in'" | sort > "$T/stored"
missing=$(comm -23 "$T/acked.sorted" "$T/stored" | wc -l)
[ "$missing" -eq 0 ] || comm -23 "$T/acked.sorted" "$T/stored" | head -5
check "every acknowledged message survived" "$missing" 0
dups=$(dbq "SELECT count(*) FROM (SELECT external_id FROM message GROUP BY channel_id, external_id HAVING count(*) > 1) AS d")
check "no duplicates" "$dups" 0
# The live event stream still works after everything: one new webhook is an event in order.
hook "$CH_ID" "$CH_SECRET" '{"id":"after-faults","from":{"id":"c1"},"text":"still there?"}'
check "webhook after the faults" "$STATUS" 200
check "healthz ok" "$(healthz)" 200
stop_hark
