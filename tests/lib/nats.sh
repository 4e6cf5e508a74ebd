# nats.sh - a real nats-server with JetStream on 127.0.0.1 for the tests (sourced).
#
# nats_start      starts `nats-server -js` on a free loopback port with a temporary store
#                 folder (-sd), waits (bounded) until it accepts connections and exports
#                 HARK_TEST_NATS=nats://127.0.0.1:PORT. A second call after nats_stop starts it
#                 again on the same port with the same store folder (a NATS restart).
# nats_stop       stops it (SIGTERM, then SIGKILL after 5 s); a no-op when it is not running.
# The server is stopped at exit: nats_start chains nats_stop before the EXIT trap of
# tests/api/lib.sh (its cleanup function) when that is loaded, else sets its own.
# Debian's nats-server is in /usr/sbin (tools/deps.sh installs it: TEST_DEBS in mk/nats.mk).
NATS_BIN=${NATS_BIN:-$(command -v nats-server || echo /usr/sbin/nats-server)}
NATS_DIR=""
NATS_PORT=""
NATS_PID=""

nats_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

nats_start() {
    [ -x "$NATS_BIN" ] || { echo "FAIL: nats-server is missing (apt-get install nats-server)"; exit 1; }
    if [ -z "$NATS_DIR" ]; then
        NATS_DIR=$(mktemp -d "${T:-/tmp}/nats.XXXXXX")
        NATS_PORT=$(nats_free_port)
        if command -v cleanup >/dev/null 2>&1; then
            trap 'nats_stop; cleanup' EXIT
        else
            trap 'nats_stop; rm -rf "$NATS_DIR"' EXIT
        fi
    fi
    "$NATS_BIN" -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$NATS_DIR/store" \
        >>"$NATS_DIR/nats.log" 2>&1 &
    NATS_PID=$!
    HARK_TEST_NATS="nats://127.0.0.1:$NATS_PORT"
    export HARK_TEST_NATS
    for _ in $(seq 1 100); do
        if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' \
            "$NATS_PORT" 2>/dev/null && grep -q 'Server is ready' "$NATS_DIR/nats.log"; then
            return 0
        fi
        kill -0 "$NATS_PID" 2>/dev/null || break
        sleep 0.1
    done
    tail -20 "$NATS_DIR/nats.log"
    echo "FAIL: nats-server did not start on port $NATS_PORT"
    exit 1
}

nats_stop() {
    [ -n "$NATS_PID" ] || return 0
    kill -TERM "$NATS_PID" 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 "$NATS_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$NATS_PID" 2>/dev/null
    wait "$NATS_PID" 2>/dev/null
    NATS_PID=""
}
