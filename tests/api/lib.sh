# lib.sh - helpers for the black-box API tests (sourced by tests/api/NNN-*.sh).
#
# start_hark [extra args]   starts $HARK serve on 127.0.0.1 (random port) with a fresh database
#                           in $T (a temp dir removed at exit); sets $URL and $DB. A command in
#                           $HARK_WRAP (e.g. fiu-run) runs it; it must exec the server.
# stop_hark                 SIGTERM and wait; kill9_hark for a crash.
# admin_setup               adds an admin agent and an API token ($TOKEN) via the CLI.
# req METHOD PATH [BODY]    curl with the bearer token; sets $STATUS and $BODY.
# check NAME ACTUAL WANT    fails the test (exit 1) with both values when they differ.
set -u
FAKES=$(cd "$(dirname "$0")/../fakes" && pwd)
T=$(mktemp -d)
DB="$T/hark.db"
HARK_PID=""
cleanup() {
    [ -n "$HARK_PID" ] && kill "$HARK_PID" 2>/dev/null && wait "$HARK_PID" 2>/dev/null
    for p in $(cat "$T"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; [ -f "$T/hark.log" ] && tail -15 "$T/hark.log"; [ -f "$T/cb.log" ] && tail -5 "$T/cb.log"; exit 1; }
check() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; echo "ok: $1"; }

start_hark() {
    : > "$T/hark.log"
    ${HARK_WRAP:-} "$HARK" serve --listen 127.0.0.1:0 --db "$DB" "$@" >>"$T/hark.log" 2>&1 &
    HARK_PID=$!
    for _ in $(seq 1 200); do
        URL=$(sed -n 's/.*msg="listening" url=\([^ ]*\).*/\1/p' "$T/hark.log" | tail -1)
        [ -n "$URL" ] && return 0
        kill -0 "$HARK_PID" 2>/dev/null || { cat "$T/hark.log"; fail "hark exited"; }
        sleep 0.05
    done
    cat "$T/hark.log"; fail "hark did not start"
}

stop_hark() {
    kill -TERM "$HARK_PID" 2>/dev/null
    wait "$HARK_PID"; local rc=$?
    HARK_PID=""
    [ $rc -eq 0 ] || { tail -30 "$T/hark.log"; fail "hark exited with $rc on SIGTERM"; }
}

kill9_hark() {
    kill -9 "$HARK_PID" 2>/dev/null
    wait "$HARK_PID" 2>/dev/null
    HARK_PID=""
}

admin_setup() {
    echo "admin-password-1" | "$HARK" agent add --db "$DB" --email admin@example.com \
        --name "Ada Admin" --role admin --password-stdin >/dev/null || fail "agent add"
    TOKEN=$("$HARK" token create --db "$DB" --name tests 2>/dev/null) || fail "token create"
}

# req METHOD PATH [BODY] [extra curl args...]
req() {
    local m=$1 p=$2; shift 2
    local body=""
    if [ $# -gt 0 ]; then body=$1; shift; fi
    if [ -n "$body" ]; then
        BODY=$(curl -s -o - -w '\n%{http_code}' -X "$m" -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' --data-binary "$body" "$@" "$URL$p")
    else
        BODY=$(curl -s -o - -w '\n%{http_code}' -X "$m" -H "Authorization: Bearer $TOKEN" "$@" "$URL$p")
    fi
    STATUS=$(printf '%s' "$BODY" | tail -n1)
    BODY=$(printf '%s' "$BODY" | sed '$d')
}

# sign SECRET BODY -> "sha256=<hex>"
sign() {
    printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" -r | sed 's/^\([0-9a-f]*\).*/sha256=\1/'
}

# hook CHANNEL_ID SECRET BODY: posts a signed webhook; sets STATUS and BODY.
hook() {
    local sig
    sig=$(sign "$2" "$3")
    BODY=$(curl -s -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -H "X-Hark-Signature: $sig" --data-binary "$3" "$URL/hooks/$1")
    STATUS=$(printf '%s' "$BODY" | tail -n1)
    BODY=$(printf '%s' "$BODY" | sed '$d')
}

# new_channel NAME [CALLBACK]: sets CH_ID and CH_SECRET.
new_channel() {
    local settings='{}'
    [ $# -gt 1 ] && settings="{\"callback_url\":\"$2\"}"
    req POST /api/v1/channels "{\"type\":\"api\",\"name\":\"$1\",\"settings\":$settings}"
    check "create channel $1" "$STATUS" 201
    CH_ID=$(echo "$BODY" | jq -r .id)
    CH_SECRET=$(echo "$BODY" | jq -r .secret)
}

jqr() { printf '%s\n' "$BODY" | jq -r "$1"; }

# start_callback SCRIPT [THEN]: starts tests/fakes/callback.py; sets CB_URL, CB_LOG and writes
# the channel secret it checks to $T/cb.secret (fill it after creating the channel).
start_callback() {
    CB_LOG="$T/cb.log"; : > "$CB_LOG"; : > "$T/cb.secret"; rm -f "$T/cb.port"
    python3 "$FAKES/callback.py" --port-file "$T/cb.port" \
        --secret-file "$T/cb.secret" --log "$CB_LOG" --script "$1" --then "${2:-200}" &
    echo $! > "$T/cb.pid"
    for _ in $(seq 1 100); do [ -s "$T/cb.port" ] && break; sleep 0.05; done
    CB_URL="http://127.0.0.1:$(cat "$T/cb.port")/callback"
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
    local what=$1 secs=$2; shift 2
    local end=$(( $(date +%s) + secs ))
    while [ "$(date +%s)" -le "$end" ]; do
        "$@" && return 0
        sleep 0.1
    done
    fail "timed out waiting for $what"
}
