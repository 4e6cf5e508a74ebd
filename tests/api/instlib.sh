# instlib.sh - several `hark serve` instances on one database for the black-box tests (sourced
# after lib.sh and tests/lib/nats.sh; tests/fakes/bus_tool.py records the event streams).
#
# start_inst NAME [env]     another `hark serve` on $DB, given NATS by --nats or, with 'env', by
#                           the environment (HARK_NATS, the config key 'nats'); sets URL_<NAME>
#                           and PID_<NAME>, logs to $T/hark-NAME.log.
# record NAME URL LAST_ID   an event stream client of URL from LAST_ID, writing $T/ev-NAME.txt
#                           (one line per event: seq type time marker).
# last_seen FILE            the newest seq a recorded stream saw.
TOOL="python3 $FAKES/bus_tool.py"

start_inst() {
    local log="$T/hark-$1.log" url="" pid
    : > "$log"
    if [ "${2:-}" = env ]; then
        HARK_NATS="$HARK_TEST_NATS" "$HARK" serve --listen 127.0.0.1:0 --db "$DB" >>"$log" 2>&1 &
    else
        "$HARK" serve --listen 127.0.0.1:0 --db "$DB" --nats "$HARK_TEST_NATS" >>"$log" 2>&1 &
    fi
    pid=$!
    echo "$pid" > "$T/hark-$1.pid"
    for _ in $(seq 1 300); do
        url=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$log" | tail -1)
        [ -n "$url" ] && break
        kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "hark $1 exited"; }
        sleep 0.05
    done
    [ -n "$url" ] || { cat "$log"; fail "hark $1 did not start"; }
    eval "URL_$1=$url PID_$1=$pid"
}

record() {
    : > "$T/ev-$1.txt"
    $TOOL record "$2" "$TOKEN" "$3" "$T/ev-$1.txt" &
    echo $! > "$T/rec-$1.pid"
    wait_for "stream $1 connected" 10 grep -q '^connected' "$T/ev-$1.txt"
}

last_seen() { awk 'NF == 4 { s = $1 } END { print s + 0 }' "$1"; }
