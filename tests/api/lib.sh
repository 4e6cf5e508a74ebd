# lib.sh - helpers for the black-box API tests (sourced by tests/api/NNN-*.sh).
#
# start_hark [extra args]   starts $HARK serve on 127.0.0.1 (random port) with a fresh database
#                           in $T (a temp dir removed at exit); sets $URL and $DB. A command in
#                           $HARK_WRAP (e.g. fiu-run) runs it; it must exec the server.
# stop_hark                 SIGTERM and wait; kill9_hark for a crash.
# admin_setup               adds an admin agent and an API token ($TOKEN) via the CLI.
# req METHOD PATH [BODY]    curl with the bearer token; sets $STATUS and $BODY.
# check NAME ACTUAL WANT    fails the test (exit 1) with both values when they differ.
# dbq SQL                   runs SQL on the test's database, SQLite or PostgreSQL ($DBQ is the
#                           executable, for `sh -c` strings: "$DBQ '$DB' 'SELECT ...'").
#
# On PostgreSQL: with HARK_TEST_PG=postgres://... set (tests/lib/pg.sh's pg_start; make
# check-api-pg), $DB is that URL with a schema of this test's own (the store creates it), so
# every `--db "$DB"` runs the same test on PostgreSQL. A test that cannot run there ends at once
# with one line "skip: REASON" and exit 0 (run.sh counts it as skipped): a line
# "# sqlite-only: REASON" in it (SQLite's file features: backup, restore, inspect, a full disk),
# or its reading the SQLite file with `sqlite3 ` - itself or through a helper of chanlib.sh or
# metalib.sh that does.
set -u
FAKES=$(cd "$(dirname "$0")/../fakes" && pwd)
DBQ=$(cd "$(dirname "$0")/../lib" && pwd)/dbq
dbq() { "$DBQ" "$DB" "$@"; }
T=$(mktemp -d)
DB="$T/hark.db"
HARK_PID=""
cleanup() {
    [ -n "$HARK_PID" ] && kill "$HARK_PID" 2>/dev/null && wait "$HARK_PID" 2>/dev/null
    for p in $(cat "$T"/*.pid 2>/dev/null); do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

# Why the test "$0" cannot run on PostgreSQL; nothing when it can.
pg_skip_reason() {
    local why helpers
    why=$(sed -n 's/^# sqlite-only: *//p' "$0" | head -1)
    [ -n "$why" ] && { echo "$why"; return; }
    grep -q 'sqlite3 ' "$0" && { echo "reads the SQLite database with sqlite3"; return; }
    # The helpers of chanlib.sh and metalib.sh whose body runs sqlite3.
    helpers=$(awk '/^[a-z_0-9]+\(\)/ { f = $1; sub(/\(\).*/, "", f) }
                   /sqlite3 / && f != "" { print f }
                   /^}/ { f = "" }' "$(dirname "$0")/chanlib.sh" "$(dirname "$0")/metalib.sh" |
        sort -u | tr '\n' '|' | sed 's/|$//')
    [ -n "$helpers" ] && grep -Eq "(^|[^a-z_])($helpers)([^a-z_]|$)" "$0" &&
        echo "reads the SQLite database with sqlite3 (through $(grep -Eo "(^|[^a-z_])($helpers)([^a-z_]|$)" "$0" |
            tr -cd 'a-z_\n' | sort -u | tr '\n' ' ' | sed 's/ $//'))"
}

if [ -n "${HARK_TEST_PG:-}" ]; then
    why=$(pg_skip_reason)
    if [ -n "$why" ]; then
        echo "skip: $why: runs on SQLite only"
        exit 0
    fi
    # A schema per test (and per run: the pid), named after the test: t010_basics_1234.
    pg_schema=t$(basename "$0" .sh | tr 'A-Z-' 'a-z_' | tr -cd 'a-z0-9_' | cut -c1-40)_$$
    case "$HARK_TEST_PG" in *\?*) pg_sep='&' ;; *) pg_sep='?' ;; esac
    DB="$HARK_TEST_PG${pg_sep}options=-csearch_path%3D$pg_schema"
fi

fail() {
    echo "FAIL: $*"
    [ -f "$T/hark.log" ] && tail -15 "$T/hark.log"
    [ -f "$T/cb.log" ] && tail -5 "$T/cb.log"
    # On PostgreSQL the first failed statement usually explains the rest.
    [ -n "${HARK_TEST_PG:-}" ] && [ -f "$T/hark.log" ] &&
        grep -m1 'PostgreSQL statement failed' "$T/hark.log" | sed 's/^/first PostgreSQL error: /'
    exit 1
}
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
