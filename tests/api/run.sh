#!/bin/sh
# run.sh [PREFIX...] - runs the tests/api/NNN-*.sh black-box tests against the real binary
# ($HARK): all of them, or those whose names start with a PREFIX (`run.sh 030`, `run.sh 02 65`).
# Each script exits 0 on success; its output goes to tests/artifacts/api-NAME.log and is shown
# only when it fails. Scripts run concurrently, API_JOBS at a time (default: the number of CPUs,
# at most 4); a script with a line `# serial` (timing or memory measurements, fixed resources)
# runs alone after the parallel batch. Each script has its own temp dir ($T) and its server a
# random port, so concurrent scripts share nothing. Results print in name order at the end,
# then one line: `api tests: N passed, M failed`. A script that prints "skip: REASON" first and
# exits 0 (lib.sh on PostgreSQL, for a test that runs on SQLite only) is listed as
# `ok - NAME # skip REASON` and counted in ", K skipped".
set -u
cd "$(dirname "$0")"
HARK=${HARK:-$(pwd)/../../build/asan/hark}
export HARK
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p ../artifacts

# run.sh --one NAME.sh: runs one script; writes its log and its result line (NAME.result).
if [ "${1:-}" = --one ]; then
    t=$2; base=../artifacts/api-$(basename "$t" .sh)
    start=$(date +%s)
    if sh "$t" >"$base.log" 2>&1; then
        why=$(sed -n '1s/^skip: //p' "$base.log")
        if [ -n "$why" ]; then
            echo "ok - $t # skip $why" >"$base.result"
        else
            echo "ok - $t ($(( $(date +%s) - start ))s)" >"$base.result"
        fi
    else
        echo "not ok - $t" >"$base.result"
    fi
    exit 0
fi

tests=""
for t in [0-9]*.sh; do
    [ -e "$t" ] || continue
    if [ $# -gt 0 ]; then
        want=0
        for p in "$@"; do case "$t" in "$p"*) want=1;; esac; done
        [ $want -eq 1 ] || continue
    fi
    tests="$tests $t"
done
[ -n "$tests" ] || { echo "run.sh: no test matches: $*"; exit 1; }

jobs=${API_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ -z "${API_JOBS:-}" ] && [ "$jobs" -gt 4 ] && jobs=4
parallel=""; serial=""
for t in $tests; do
    rm -f "../artifacts/api-$(basename "$t" .sh).result"
    if grep -q '^# serial' "$t"; then serial="$serial $t"; else parallel="$parallel $t"; fi
done
[ -n "$parallel" ] && printf '%s\n' $parallel | xargs -P "$jobs" -n 1 sh ./run.sh --one
for t in $serial; do sh ./run.sh --one "$t"; done

pass=0; fail=0; skipped=0; bad=""
for t in $tests; do
    base=../artifacts/api-$(basename "$t" .sh)
    line=$(cat "$base.result" 2>/dev/null || echo "not ok - $t")
    rm -f "$base.result"
    echo "$line"
    case "$line" in
    *" # skip "*) skipped=$((skipped + 1)) ;;
    ok*) pass=$((pass + 1)) ;;
    *) fail=$((fail + 1)); bad="$bad $t"; tail -40 "$base.log" | sed 's/^/#   /' ;;
    esac
done
skips=""
[ $skipped -gt 0 ] && skips=", $skipped skipped"
echo "api tests: $pass passed, $fail failed$skips${bad:+ (failing:$bad)}"
[ $fail -eq 0 ]
