# Login races: attempts are counted before the password is checked, so 60 logins released at
# once (59 wrong, 1 right) let at most the limit (5) reach argon2 and the rest get 429 with
# Retry-After and a JSON error; concurrent argon2 runs are capped, so 200 parallel logins do
# not grow memory by 19 MiB each.
# serial: measures RSS during a login burst
. "$(dirname "$0")/lib.sh"
# ASan keeps freed blocks in a quarantine (256 MiB by default) that would hide the bound being
# tested; a small one leaves the server's own use visible.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}:quarantine_size_mb=16"
# Enough argon2 slots for all 60: only the limiter's count-before-verify can hold them back.
start_hark --login-verify-max 64
admin_setup
echo "right-password-1" | "$HARK" agent add --db "$DB" --email ann@example.com --name Ann \
    --password-stdin >/dev/null || fail "agent add"

# race N FILE: writes a curl config of N logins to FILE (entry i: email_i, password_i).
race() {
    : > "$2"
    i=1
    while [ "$i" -le "$1" ]; do
        em=$(email_of "$i"); pw=$(password_of "$i")
        [ "$i" -gt 1 ] && echo next >> "$2"
        cat >> "$2" <<CFG
url = "$URL/api/v1/login"
header = "Content-Type: application/json"
data = "{\"email\":\"$em\",\"password\":\"$pw\"}"
output = "$T/race.body.$i"
dump-header = "$T/race.head.$i"
write-out = "%{http_code}\n"
CFG
        i=$((i + 1))
    done
    rm -f "$T"/race.body.* "$T"/race.head.*
    curl -s -Z --parallel-immediate --parallel-max "$1" -K "$2" > "$T/race.codes" 2>/dev/null
}

email_of() { echo ann@example.com; }
password_of() { if [ "$1" -eq 60 ]; then echo right-password-1; else echo "wrong-password-$1"; fi; }
race 60 "$T/r60"
n=$(wc -l < "$T/race.codes"); check "60 answers" "$n" 60
tried=$(grep -c '^\(401\|200\)$' "$T/race.codes")
limited=$(grep -c '^429$' "$T/race.codes")
echo "60 at once: $tried reached the password check, $limited got 429"
[ "$tried" -le 5 ] || fail "$tried logins reached argon2, limit 5"
check "the rest got 429" "$((tried + limited))" 60
for h in "$T"/race.head.*; do
    grep -q ' 429' "$h" || continue
    grep -qi '^retry-after: [1-9]' "$h" || fail "429 without Retry-After: $(cat "$h")"
    b="$T/race.body.${h##*.}"
    [ "$(jq -r .error.code < "$b")" = "rate_limited" ] || fail "429 body not a JSON error: $(cat "$b")"
done
curl -s "$URL/metrics" | grep -q '^hark_logins_limited_total [1-9]' || fail "limited metric"
curl -s "$URL/metrics" | grep -q '^hark_logins_failed_total [1-9]' || fail "failed metric"
stop_hark

# 200 parallel logins, each for a different unknown account, with limits high enough that
# only the argon2 cap stands in the way: memory stays bounded, the overflow gets 429.
start_hark --login-verify-max 2 --login-max-failures 1000 --login-account-max-failures 100000
curl -s -o /dev/null "$URL/healthz"
rss0=$(awk '/^VmRSS/{print $2}' "/proc/$HARK_PID/status")
email_of() { echo "nobody$1@example.com"; }
password_of() { echo "some-guess-$1"; }
race 200 "$T/r200"
hwm=$(awk '/^VmHWM/{print $2}' "/proc/$HARK_PID/status")
n=$(wc -l < "$T/race.codes"); check "200 answers" "$n" 200
busy=$(grep -c '^429$' "$T/race.codes"); wrong=$(grep -c '^401$' "$T/race.codes")
check "every login answered 401 or 429" "$((busy + wrong))" 200
[ "$busy" -gt 0 ] || fail "no 429 with 200 parallel logins and 2 argon2 slots"
grow=$(( (hwm - rss0) / 1024 ))
echo "200 parallel logins: RSS $((rss0 / 1024)) MiB before, peak $((hwm / 1024)) MiB (+$grow MiB), $wrong checked, $busy got 429"
# 2 slots x 19 MiB plus thread stacks and ASan's own overhead; unbounded it was ~1 GiB.
[ "$grow" -lt 250 ] || fail "RSS grew by $grow MiB"
stop_hark
