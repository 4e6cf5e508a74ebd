#!/bin/sh
# 65-platforms.sh - ingest throughput for the Telegram, X and Twilio SMS payload formats (issue
# 6) beside the api channel's, in one run: the same keep-alive load client, one message per
# signed delivery, durable before the 200. Each figure is printed with its ratio to the api
# anchor measured just before it. Email is polled, not pushed, so it has no webhook figure.
# BENCH_SECONDS (default 5) and BENCH_CONNS (16) size it.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
SECS=${BENCH_SECONDS:-5}
CONNS=${BENCH_CONNS:-16}
W=build/bench/platforms
rm -rf "$W"; mkdir -p "$W"
cc -O2 -o "$W/load" bench/platforms/load_platforms.c $(pkg-config --cflags --libs libcurl openssl) -lpthread
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
rate() { echo "$1" | sed 's/.*rate=\([0-9]*\).*/\1/'; }
id_of() { sed -n 's/^id: //p'; }

DB="$W/platforms.db"
out=$("$HARK" channel add --db "$DB" --type api --name api)
API=$(echo "$out" | id_of); API_SECRET=$(echo "$out" | sed -n 's/^secret: //p')
TG=$("$HARK" channel add --db "$DB" --type telegram --name tg --setting bot_token=1:A \
    --setting secret_token=bench-secret --setting api_base=http://127.0.0.1:9 | id_of)
XX=$("$HARK" channel add --db "$DB" --type x --name x --setting consumer_secret=bench-secret \
    --setting access_token=t --setting user_id=2244994945 --setting api_base=http://127.0.0.1:9 | id_of)
SMS=$("$HARK" channel add --db "$DB" --type sms --name sms \
    --setting account_sid=AC00000000000000000000000000000000 --setting auth_token=bench-secret \
    --setting from=+14155550199 --setting api_base=http://127.0.0.1:9 | id_of)
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --log-level warn > "$W/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT"
echo "# platform webhook ingest, $CONNS keep-alive connections, ${SECS}s each (WAL + synchronous=FULL)"
for f in telegram x sms; do
    anchor=$("$W/load" "$URL" "$API" "$API_SECRET" "$CONNS" "$SECS" "a$f" api)
    case $f in telegram) ch=$TG ;; x) ch=$XX ;; *) ch=$SMS ;; esac
    res=$("$W/load" "$URL" "$ch" bench-secret "$CONNS" "$SECS" "p$f" "$f")
    echo "$f ingest:  $res"
    echo "anchor api: $anchor"
    echo "$f messages/s $(rate "$res")   vs api $(rate "$anchor")   ratio $(ratio "$(rate "$res")" "$(rate "$anchor")")"
done
kill $PID; wait $PID 2>/dev/null || true; PID=""
