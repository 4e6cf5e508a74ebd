# chanlib.sh - helpers for the platform channel tests (65N-*.sh), on top of lib.sh.
#
# start_fake NAME ARGS...   starts tests/fakes/NAME.py serve on 127.0.0.1; sets FAKE_URL
#                           (http://127.0.0.1:PORT) and FAKE_LOG (its JSON-lines request log).
# new_typed_channel TYPE NAME SETTINGS_JSON   creates a channel; sets CH_ID, CH_HOOK.
# count_msgs                number of stored messages.
# msg_status ID             the stored delivery status of message ID.
# reply CONV TEXT           queues an agent reply; sets MSG.
start_fake() {
    local name=$1; shift
    FAKE_LOG="$T/$name.log"; : > "$FAKE_LOG"; rm -f "$T/$name.port"
    python3 "$FAKES/$name.py" serve --port-file "$T/$name.port" --log "$FAKE_LOG" "$@" &
    echo $! > "$T/$name.pid"
    for _ in $(seq 1 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
    FAKE_URL="http://127.0.0.1:$(cat "$T/$name.port")"
}

new_typed_channel() {
    req POST /api/v1/channels "{\"type\":\"$1\",\"name\":\"$2\",\"settings\":$3}"
    check "create $1 channel $2" "$STATUS" 201
    CH_ID=$(jqr .id)
    CH_HOOK=$(jqr .webhook_url)
}

count_msgs() { dbq 'SELECT count(*) FROM message'; }
msg_status() { dbq "SELECT status FROM message WHERE id=$1"; }
msg_error() { dbq "SELECT coalesce(error,'') FROM message WHERE id=$1"; }

reply() {
    req POST "/api/v1/conversations/$1/messages" "{\"text\":\"$2\"}"
    check "reply queued" "$STATUS" 201
    MSG=$(jqr .id)
}

# wait_status ID STATUS SECONDS
wait_status() {
    wait_for "message $1 $2" "$3" sh -c "[ \"\$('$DBQ' '$DB' 'SELECT status FROM message WHERE id=$1')\" = $2 ]"
}

# split "STATUS BODY" output of a fake's push role into PSTATUS and PBODY
push_result() { PSTATUS=${1%% *}; PBODY=${1#* }; }

# jqp FILTER: like jqr, but safe for bodies holding backslash escapes (dash's echo expands them)
jqp() { printf '%s' "$BODY" | jq -r "$1"; }
