# hark doctor: a healthy deployment passes (exit 0), then each broken one gives the right
# failing line and exit 1: a missing web root, an unreachable public URL, a channel whose
# stored settings are invalid, a database from a newer hark, a missing database. Without a
# server the public URL is reported as not checked, not as failed.
# sqlite-only: hark doctor inspects a SQLite store only (a PostgreSQL one gets a "not inspected" warning, src/doctor.c)
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web" "http://127.0.0.1:9/hook"
LISTEN=${URL#http://}
doctor() { "$HARK" doctor --db "$DB" --listen "$LISTEN" "$@" > "$T/doc.out" 2>&1; RC=$?; }
line() { grep "^$1 *$2 " "$T/doc.out" | head -1; }
has() { line "$1" "$2" | grep -q . || { cat "$T/doc.out"; fail "no '$1 $2' line"; }; echo "ok: $1 $2"; }

"$HARK" doctor --help | grep -q '^usage: hark doctor' || fail "doctor --help"
"$HARK" doctor --db "$DB" stray > /dev/null 2>&1; check "stray argument exits 2" $? 2
doctor
cat "$T/doc.out"
check "healthy: exit 0" "$RC" 0
has ok database
has ok web-root
has ok models # every checkout builds the default models (mk/classify.mk)
has ok public-url
has ok "channel $CH_ID"
check "healthy: no fail line" "$(grep -c '^fail' "$T/doc.out")" 0

doctor --web-root "$T/no-such-web"
check "missing web root: exit 1" "$RC" 1
has fail web-root
line fail web-root | grep -q "no readable index.html" || fail "says what is wrong: $(line fail web-root)"

doctor --public-url http://127.0.0.1:9
check "unreachable public URL: exit 1" "$RC" 1
has fail public-url
line fail public-url | grep -q "fix 'public-url'" || fail "says what to fix: $(line fail public-url)"

# Settings the API would refuse, written behind its back.
dbq "UPDATE channel SET settings = '{\"callback_url\":\"ftp://x.example/\"}' WHERE id = $CH_ID"
doctor
check "bad channel settings: exit 1" "$RC" 1
has fail "channel $CH_ID"
line fail "channel $CH_ID" | grep -q "callback_url" || fail "names the setting: $(line fail "channel $CH_ID")"
dbq "UPDATE channel SET settings = '{}' WHERE id = $CH_ID"
stop_hark

doctor
check "no server: exit 0" "$RC" 0
has warn public-url
line warn public-url | grep -q "not checked" || fail "says it did not check: $(line warn public-url)"
has ok "channel $CH_ID"

cp "$DB" "$T/newer.db"
"$DBQ" "$T/newer.db" "PRAGMA user_version = 9999"
"$HARK" doctor --db "$T/newer.db" > "$T/doc.out" 2>&1; RC=$?
check "newer schema: exit 1" "$RC" 1
has fail database
line fail database | grep -q "newer than this hark" || fail "says why: $(line fail database)"

"$HARK" doctor --db "$T/missing.db" > "$T/doc.out" 2>&1; RC=$?
check "missing database: exit 1" "$RC" 1
has fail database
[ -e "$T/missing.db" ] && fail "doctor created the database"
echo "ok: doctor did not create a database"
