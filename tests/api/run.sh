#!/bin/sh
# run.sh - runs every tests/api/NNN-*.sh black-box test against the real binary ($HARK).
# Each script exits 0 on success; its output is shown only when it fails.
set -u
cd "$(dirname "$0")"
HARK=${HARK:-$(pwd)/../../build/asan/hark}
export HARK
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p ../artifacts
pass=0; fail=0; bad=""
for t in [0-9]*.sh; do
    [ -e "$t" ] || continue
    log=../artifacts/api-$(basename "$t" .sh).log
    start=$(date +%s)
    if sh "$t" >"$log" 2>&1; then
        pass=$((pass + 1)); echo "ok - $t ($(( $(date +%s) - start ))s)"
    else
        fail=$((fail + 1)); bad="$bad $t"; echo "not ok - $t"; tail -40 "$log" | sed 's/^/#   /'
    fi
done
echo "api tests: $pass passed, $fail failed${bad:+ (failing:$bad)}"
[ $fail -eq 0 ]
