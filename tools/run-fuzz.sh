#!/bin/sh
# run-fuzz.sh SECONDS [TARGET...] - builds every fuzz/*.c (or only the named TARGETs) as a
# libFuzzer target with clang (-fsanitize=fuzzer,address,undefined, linked against all of src/
# except main.c) and runs each for SECONDS, seeded from tests/fixtures/<target>/ when that
# folder exists.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-20}
[ $# -gt 0 ] && shift
targets=""
for t in "$@"; do targets="$targets fuzz/$t.c"; done
[ -n "$targets" ] || targets=$(ls fuzz/*.c)
pkgs=$(make -s -f Makefile print-pkgs 2>/dev/null || echo "libmicrohttpd jansson libcurl sqlite3 openssl libargon2")
cflags="-std=c17 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -DHARK_FUZZ -DHARK_TEST_BUILD -Isrc $(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs) -lpthread -lm"
out=build/fuzz
mkdir -p $out/obj
objs=""
for f in $(ls src/*.c src/*/*.c build/gen/*.c | grep -v '^src/main.c$'); do
    o=$out/obj/$(echo "$f" | tr / _).o
    clang $cflags -c "$f" -o "$o"
    objs="$objs $o"
done
rc=0
for t in $targets; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .c)
    clang $cflags -fsanitize=fuzzer "$t" $objs $libs -o "$out/$name"
    corpus=$out/corpus-$name
    mkdir -p "$corpus"
    [ -d "tests/fixtures/$name" ] && cp -r "tests/fixtures/$name/." "$corpus/" 2>/dev/null || true
    echo "fuzz: $name for ${secs}s"
    if ! "$out/$name" -max_total_time="$secs" -max_len=65536 "$corpus" >"$out/$name.log" 2>&1; then
        echo "fuzz: $name FAILED (see $out/$name.log)"; tail -30 "$out/$name.log"; rc=1
    else
        grep -E '^Done|#[0-9]+.*DONE' "$out/$name.log" | tail -1
    fi
done
exit $rc
