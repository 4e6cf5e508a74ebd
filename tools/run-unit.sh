#!/bin/sh
# run-unit.sh - runs each unit-test binary (one process per file) and prints one summary line.
# Each binary prints TAP ("ok N - name" / "not ok N - name") and exits non-zero on failure.
set -u
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
pass=0; fail=0; files=0; bad=""
for t in "$@"; do
    files=$((files + 1))
    out=$(cd "$(dirname "$0")/.." && "$t" 2>&1)
    rc=$?
    echo "$out" | grep -E '^(not ok|# )' || true
    p=$(echo "$out" | grep -c '^ok ')
    f=$(echo "$out" | grep -c '^not ok ')
    pass=$((pass + p)); fail=$((fail + f))
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$out" | tail -20
        fail=$((fail + 1))
    fi
    [ $rc -ne 0 ] && bad="$bad $(basename "$t")"
done
echo "unit tests: $pass passed, $fail failed, $files files${bad:+ (failing:$bad)}"
[ $fail -eq 0 ]
