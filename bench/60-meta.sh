#!/bin/sh
# 60-meta.sh - ingest throughput for each Meta payload format (whatsapp, messenger, instagram;
# issue 6) beside the api channel's, in one run: the same keep-alive load client, one message
# per signed delivery, durable before the 200. Each figure is printed with its ratio to the
# api anchor measured just before it. BENCH_SECONDS (default 5) and BENCH_CONNS (16) size it.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-16}
W=build/bench/meta
rm -rf "$W"; mkdir -p "$W"
cc -O2 -o "$W/load" bench/meta/load_meta.c $(pkg-config --cflags --libs libcurl openssl) -lpthread
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
rate() { echo "$1" | sed 's/.*rate=\([0-9]*\).*/\1/'; }

DB="$W/meta.db"
SECRET_APP=bench-app-secret
add() { # add TYPE ID_KEY ID
    "$HARK" channel add --db "$DB" --type "$1" --name "$1" --setting app_secret=$SECRET_APP \
        --setting verify_token=v --setting access_token=t --setting "$2=$3" \
        --setting api_base=http://127.0.0.1:9/v19.0 | sed -n 's/^id: //p'
}
out=$("$HARK" channel add --db "$DB" --type api --name api)
API=$(echo "$out" | sed -n 's/^id: //p'); API_SECRET=$(echo "$out" | sed -n 's/^secret: //p')
WA=$(add whatsapp phone_number_id 800000000000002)
FB=$(add messenger page_id 111222333444555)
IG=$(add instagram page_id 111222333444555)
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --log-level warn > "$W/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT"
echo "# Meta webhook ingest, $CONNS keep-alive connections, ${SECS}s each (WAL + synchronous=FULL)"
for f in whatsapp messenger instagram; do
    anchor=$("$W/load" "$URL" "$API" "$API_SECRET" "$CONNS" "$SECS" "a-$f" api)
    case $f in whatsapp) ch=$WA ;; messenger) ch=$FB ;; *) ch=$IG ;; esac
    res=$("$W/load" "$URL" "$ch" "$SECRET_APP" "$CONNS" "$SECS" "$f" "$f")
    echo "$f ingest:  $res"
    echo "anchor api: $anchor"
    echo "$f messages/s $(rate "$res")   vs api $(rate "$anchor")   ratio $(ratio "$(rate "$res")" "$(rate "$anchor")")"
done
kill $PID; wait $PID 2>/dev/null || true; PID=""
