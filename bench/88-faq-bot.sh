#!/bin/sh
# 88-faq-bot.sh - the FAQ bot's decision cost per inbound message (issue 18, item 1), beside its
# anchor from the same run: ingest alone (triage, the durable write, routing) of the same
# messages into the same database. In process (bench/faqbot/decide.c, linked with build/rel's
# objects), with 500 FAQs of 6 ways of asking each (the question and 5 variants) and 1,000
# messages, half of them FAQ-like. Prints the decision's µs per message (settings read, match
# over every FAQ, answer read), the match alone, the index build, ingest with the bot on, and
# the decision / ingest ratio. Bounded: well under a minute. BENCH_FAQS and BENCH_MESSAGES size it.
set -eu
cd "$(dirname "$0")/.."
FAQS=${BENCH_FAQS:-500}
MSGS=${BENCH_MESSAGES:-1000}
W=build/bench/faqbot
rm -rf "$W"; mkdir -p "$W"
make -s build/rel/hark >/dev/null
PKGS="libmicrohttpd jansson libcurl sqlite3 openssl libargon2 libexttextcat libhs icu-uc icu-i18n libwebsockets yajl"
# The objects of today's sources only (build/ may hold objects of files since removed).
OBJS=$(ls src/*.c src/*/*.c build/gen/*.c | grep -v '^src/main\.c$' | sed 's|^|build/rel/|; s|\.c$|.o|')
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc $(pkg-config --cflags $PKGS) -o "$W/decide" \
    bench/faqbot/decide.c $OBJS $(pkg-config --libs $PKGS) -lpthread -lm
echo "# machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) (shared: figures move with it)"
out=$("$W/decide" "$W/bench.db" build/models "$FAQS" "$MSGS" 2>"$W/decide.log")
echo "$out"
field() { echo "$out" | sed -n "s/^$1=//p"; }
echo "faq-bot: decision $(field decide_us) us/message with $FAQS FAQs (match alone $(field match_us) us)" \
     "beside ingest alone $(field ingest_alone_us) us/message: ratio $(field ratio_decide_to_ingest)"
