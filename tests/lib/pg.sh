# pg.sh - a temporary PostgreSQL server for the tests (sourced by tests/api/*.sh and the other
# test scripts; POSIX sh). Nothing here touches a PostgreSQL the machine may run itself.
#
# pg_start            initdb a new cluster in a temp dir, start it listening ONLY on 127.0.0.1
#                     (a free port) and on a unix socket in that dir, create the database
#                     "hark", and export HARK_TEST_PG=postgres://hark@127.0.0.1:PORT/hark.
#                     Also sets PG_DIR (the temp dir), PG_PORT, PG_BIN (the server binaries).
#                     Waits at most ~20 s for the server; fails (exit 1) with what went wrong.
#                     A trap stops the server and removes the dir on every exit path (it runs
#                     the EXIT trap the script had before, e.g. tests/api/lib.sh's cleanup, too).
# pg_newdb NAME [TEMPLATE]
#                     creates the empty database NAME (a copy of TEMPLATE when given: migrate a
#                     template once, close its connections, then copy it per test; about 30 ms)
#                     and prints its postgres:// URL.
# pg_psql URL [ARGS...]
#                     psql on URL: no ~/.psqlrc, stops at the first error, quiet.
# pg_stop             stops the server and removes PG_DIR (also done by the trap; idempotent).
# pg_restart [immediate]  restarts it (same port, same data); every connection is cut.
#
# The server runs with fsync off (a test cluster is thrown away; PG_DURABLE=1 turns fsync and
# synchronous commit on, for benchmarks) and trust authentication on
# loopback and the socket. initdb and postgres refuse to run as root: as root they run as the
# `postgres` system user (installed with the server), else `nobody`, through runuser, and
# PG_DIR (under /tmp) belongs to that user.

PG_DIR=""
PG_PORT=""
PG_BIN=""
PG_USER=""
PG__PREV_EXIT=""

pg__fail() {
    echo "pg_start: $*" >&2
    if [ -n "$PG_DIR" ] && [ -s "$PG_DIR/postgres.log" ]; then
        echo "pg_start: the server's log:" >&2
        tail -20 "$PG_DIR/postgres.log" >&2
    fi
    pg_stop
    exit 1
}

# pg__as CMD...: runs CMD as the cluster's owner (unchanged when not root), from PG_DIR so that
# an unreadable working directory does not matter.
pg__as() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$PG_DIR" && runuser -u "$PG_USER" -- "$@")
    else
        (cd "$PG_DIR" && "$@")
    fi
}

# The server binaries: pg_config's bindir when it has initdb (libpq-dev's pg_config may name a
# version whose server is not installed), else the newest /usr/lib/postgresql/N/bin.
pg__find_bin() {
    pg__d=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$pg__d" ] && [ -x "$pg__d/initdb" ] && [ -x "$pg__d/postgres" ]; then
        echo "$pg__d"
        return 0
    fi
    for pg__d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$pg__d/initdb" ] && [ -x "$pg__d/postgres" ]; then
            echo "$pg__d"
            return 0
        fi
    done
    return 1
}

pg__free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Runs pg_stop, then the EXIT trap the script had before pg_start; keeps the exit status.
pg__on_exit() {
    pg_stop
    if [ -n "$PG__PREV_EXIT" ]; then
        eval "$PG__PREV_EXIT"
    fi
}

# Installs pg__on_exit as the EXIT trap, keeping the one already set (read with `trap` in this
# shell: dash prints no traps inside $(...)), and makes INT, TERM and HUP exit through it when
# the script has no trap of its own for them.
# shellcheck disable=SC2120 # set -- inside parses a trap line, not arguments
pg__hook_exit() {
    trap > "$PG_DIR/traps"
    PG__PREV_EXIT=""
    pg__int=0; pg__term=0; pg__hup=0
    while IFS= read -r pg__line; do
        case "$pg__line" in
        # shellcheck disable=SC2086 # the line is `trap -- 'ACTION' EXIT`, quoted by the shell
        *" EXIT") eval "set -- $pg__line"; PG__PREV_EXIT=$3 ;;
        *" INT") pg__int=1 ;;
        *" TERM") pg__term=1 ;;
        *" HUP") pg__hup=1 ;;
        esac
    done < "$PG_DIR/traps"
    trap pg__on_exit EXIT
    [ $pg__int -eq 1 ] || trap 'exit 130' INT
    [ $pg__term -eq 1 ] || trap 'exit 143' TERM
    [ $pg__hup -eq 1 ] || trap 'exit 129' HUP
}

pg_start() {
    [ -z "$PG_DIR" ] || { echo "pg_start: already started ($PG_DIR)" >&2; return 1; }
    PG_BIN=$(pg__find_bin) ||
        pg__fail "no PostgreSQL server binaries (initdb, postgres) in pg_config --bindir or" \
            "/usr/lib/postgresql/*/bin: install the Debian package postgresql (make test does)"
    if [ "$(id -u)" -eq 0 ]; then
        command -v runuser >/dev/null || pg__fail "running as root needs runuser (util-linux)"
        if id postgres >/dev/null 2>&1; then PG_USER=postgres; else PG_USER=nobody; fi
        PG_DIR=$(mktemp -d /tmp/hark-pg.XXXXXX) || pg__fail "mktemp failed"
        chown "$PG_USER" "$PG_DIR"
    else
        PG_USER=$(id -un)
        PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/hark-pg.XXXXXX") || pg__fail "mktemp failed"
    fi
    pg__hook_exit
    # In PG_DIR's name only: the socket path (PG_DIR/.s.PGSQL.PORT) must stay under 107 bytes.
    [ ${#PG_DIR} -lt 80 ] || pg__fail "temp dir path too long for a unix socket: $PG_DIR"
    pg__as timeout 60 "$PG_BIN/initdb" -D "$PG_DIR/data" -U hark --auth=trust -E UTF8 \
        --locale=C --no-sync > "$PG_DIR/initdb.log" 2>&1 ||
        { tail -20 "$PG_DIR/initdb.log" >&2; pg__fail "initdb failed (as $PG_USER)"; }
    # Tests need no durability; a benchmark (PG_DURABLE=1) gets PostgreSQL's defaults: fsync,
    # full page writes and synchronous commit on.
    pg__sync="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    [ "${PG_DURABLE:-0}" = 1 ] && pg__sync="-c fsync=on -c full_page_writes=on -c synchronous_commit=on"
    # A free port: asked of the kernel, then handed to postgres; another process may take it
    # in between (tests run in parallel), so a failed bind is retried with a new port.
    for pg__try in 1 2 3 4 5; do
        PG_PORT=$(pg__free_port) || pg__fail "python3 could not pick a free port"
        : > "$PG_DIR/postgres.log"
        if [ "$(id -u)" -eq 0 ]; then chown "$PG_USER" "$PG_DIR/postgres.log"; fi
        if pg__as "$PG_BIN/pg_ctl" start -w -t 20 -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" \
            -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR $pg__sync -c shared_buffers=${PG_SHARED_BUFFERS:-32MB} -c max_connections=200" \
            > "$PG_DIR/pg_ctl.log" 2>&1; then
            break
        fi
        grep -q 'could not bind\|Address already in use' "$PG_DIR/postgres.log" && [ "$pg__try" -lt 5 ] &&
            continue
        cat "$PG_DIR/pg_ctl.log" >&2
        pg__fail "the server did not start within 20 s on 127.0.0.1:$PG_PORT"
    done
    PG_PSQL="$PG_BIN/psql"
    [ -x "$PG_PSQL" ] || PG_PSQL=psql
    HARK_TEST_PG="postgres://hark@127.0.0.1:$PG_PORT/hark"
    pg_psql "postgres://hark@127.0.0.1:$PG_PORT/postgres" -c 'CREATE DATABASE hark' ||
        pg__fail "could not create the database hark"
    export HARK_TEST_PG PG_DIR PG_PORT PG_BIN
    echo "pg_start: PostgreSQL $("$PG_BIN/postgres" -V | sed 's/^[^0-9]*\([0-9.]*\).*/\1/') on 127.0.0.1:$PG_PORT ($PG_DIR)"
}

pg_psql() {
    pg__url=$1
    shift
    "$PG_PSQL" -X -q -v ON_ERROR_STOP=1 -d "$pg__url" "$@"
}

pg_newdb() {
    for pg__name in "$1" "${2:-template1}"; do
        case "$pg__name" in
        '' | [!a-z]* | *[!a-z0-9_]*)
            echo "pg_newdb: a database name is [a-z][a-z0-9_]* (got '$pg__name')" >&2
            return 1
            ;;
        esac
    done
    [ -n "$PG_PORT" ] || { echo "pg_newdb: pg_start first" >&2; return 1; }
    pg_psql "postgres://hark@127.0.0.1:$PG_PORT/postgres" \
        -c "CREATE DATABASE \"$1\" TEMPLATE \"${2:-template1}\"" >&2 || return 1
    echo "postgres://hark@127.0.0.1:$PG_PORT/$1"
}

pg_stop() {
    [ -n "$PG_DIR" ] || return 0
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
        pg__as "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m fast -w -t 10 >/dev/null 2>&1 ||
            pg__as "$PG_BIN/pg_ctl" stop -D "$PG_DIR/data" -m immediate -w -t 10 >/dev/null 2>&1
        if [ -f "$PG_DIR/data/postmaster.pid" ]; then
            kill -9 "$(head -1 "$PG_DIR/data/postmaster.pid")" 2>/dev/null
        fi
    fi
    rm -rf "$PG_DIR"
    PG_DIR=""
    PG_PORT=""
}

# pg_restart [immediate]: restarts the server on the same port and data (fast shutdown, or
# immediate: a crash as kill -9 of the server would leave it); connections are cut.
pg_restart() {
    pg__as "$PG_BIN/pg_ctl" restart -D "$PG_DIR/data" -m "${1:-fast}" -w -t 30 \
        -l "$PG_DIR/postgres.log" > "$PG_DIR/pg_ctl.log" 2>&1 ||
        { cat "$PG_DIR/pg_ctl.log" >&2; pg__fail "the server did not come back"; }
}
