#!/bin/sh
# 50-listen.sh - social listening throughput: 1,000,000 generated Jetstream post events against
# 1,000 and 10,000 queries, (a) full pipeline JSON -> matches, (b) matching stage alone, beside
# (c) raw Hyperscan on the same texts and literals and (d) grep -F -c -f, printed as ratios.
# Env: LISTEN_BENCH_POSTS (default 1000000), LISTEN_BENCH_KEEP=1 keeps the generated files.
# Needs `make all` first (make bench does it). Takes about two minutes.
set -eu
cd "$(dirname "$0")/.."
posts=${LISTEN_BENCH_POSTS:-1000000}
data=${HARK_DATA:-../shared/data}
tmp=$(mktemp -d)
if [ -n "${LISTEN_BENCH_KEEP:-}" ]; then echo "keeping $tmp" >&2; else trap 'rm -rf "$tmp"' EXIT INT TERM; fi
pkgs=$(make -s print-pkgs 2>/dev/null)
objs="$(ls build/rel/src/listen/*.o build/rel/src/base/*.o) build/rel/src/fetch/stream.o"
# shellcheck disable=SC2086
gcc -std=c17 -O2 -g -Isrc $(pkg-config --cflags $pkgs) bench/listen/listen_bench.c $objs \
    $(pkg-config --libs $pkgs) -lpthread -lm -o "$tmp/listen_bench"
"$tmp/listen_bench" "$data" "$posts" "$tmp"

# (d) grep -F -c -f on the texts of the first 200,000 posts, with each query set's literals.
n=$(wc -l < "$tmp/texts.txt")
for q in 1k 10k; do
    start=$(date +%s.%N)
    timeout 300 grep -F -c -f "$tmp/literals-$q.txt" "$tmp/texts.txt" > /dev/null || true
    end=$(date +%s.%N)
    awk -v n="$n" -v s="$start" -v e="$end" -v q="$q" -v b="$(wc -c < "$tmp/texts.txt")" 'BEGIN {
        t = e - s; if (t <= 0) t = 0.001;
        printf "  (d) grep -F -c -f %s: %10.0f posts/s %8.1f MB/s of text (%d posts)\n", q, n / t, b / 1e6 / t, n }'
done
