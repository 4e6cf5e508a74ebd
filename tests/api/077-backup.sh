# Backup and restore, round trip: `hark backup` while the server is serving a flood of
# webhooks (online, consistent: everything acknowledged before the backup began is in it, and
# it is intact), `hark restore` refuses a running server's database, a non-Hark file and an
# existing database without --force, and the server runs on the restored copy with the same
# conversations.
# sqlite-only: hark backup and restore copy the SQLite database file
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
for i in $(seq 1 30); do
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"seed-$i\",\"from\":{\"id\":\"c$i\"},\"text\":\"order $i\"}"
    check "seed $i" "$STATUS" 200
done
: > "$T/acked"
python3 "$FAKES/flood.py" "$URL" "$CH_ID" "$CH_SECRET" 4 4 "$T/acked" > "$T/flood.out" 2>&1 &
FLOOD=$!
wait_for "the flood to be going" 20 sh -c "[ \$(wc -l < '$T/acked') -ge 50 ]"
sort -u "$T/acked" > "$T/acked.before"
"$HARK" backup --db "$DB" "$T/backup.db" 2> "$T/backup.err" || { cat "$T/backup.err"; fail "backup"; }
wait $FLOOD
cat "$T/backup.err"
check "backup is intact" "$(sqlite3 "$T/backup.db" 'PRAGMA integrity_check')" ok
sqlite3 "$T/backup.db" "SELECT external_id FROM message WHERE direction='in'" | sort > "$T/in.backup"
check "everything acknowledged before the backup is in it" \
    "$(comm -23 "$T/acked.before" "$T/in.backup" | wc -l)" 0
check "the seeded messages are in it" "$(grep -c '^seed-' "$T/in.backup")" 30
# A backup never overwrites.
"$HARK" backup --db "$DB" "$T/backup.db" 2> "$T/err" && fail "backup overwrote a file"
grep -q exists "$T/err" || fail "no clear error: $(cat "$T/err")"
# Restore refuses while the server runs on the database.
"$HARK" restore --db "$DB" --force "$T/backup.db" 2> "$T/err" && fail "restore over a running server"
grep -q 'in use' "$T/err" || fail "no clear error: $(cat "$T/err")"
echo "ok: restore refused while serving ($(cat "$T/err"))"
stop_hark

# Refusals: a file that is not a Hark database, an existing database without --force.
printf 'not a database at all' > "$T/junk.db"
"$HARK" restore --db "$T/new.db" "$T/junk.db" 2> "$T/err" && fail "restored junk"
echo "ok: junk refused ($(cat "$T/err"))"
sqlite3 "$T/other.db" "CREATE TABLE t(x); PRAGMA user_version=3;"
"$HARK" restore --db "$T/new.db" "$T/other.db" 2> "$T/err" && fail "restored a foreign database"
grep -q 'not a Hark database' "$T/err" || fail "no clear error: $(cat "$T/err")"
"$HARK" restore --db "$DB" "$T/backup.db" 2> "$T/err" && fail "replaced without --force"
grep -q -- '--force' "$T/err" || fail "no clear error: $(cat "$T/err")"

# The round trip: restore over the old database, serve it, read the same conversations.
want=$(sqlite3 "$T/backup.db" "SELECT count(*) FROM conversation")
"$HARK" restore --db "$DB" --force "$T/backup.db" 2> "$T/err" || { cat "$T/err"; fail "restore"; }
check "restored database is intact" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok
check "restored database is in WAL mode" "$(sqlite3 "$DB" 'PRAGMA journal_mode')" wal
start_hark
req GET "/api/v1/conversations/counts"
check "counts after restore" "$STATUS" 200
req GET "/api/v1/conversations?status=all&limit=1"
check "list after restore" "$STATUS" 200
check "same conversations as in the backup" "$(sqlite3 "$DB" 'SELECT count(*) FROM conversation')" "$want"
hook "$CH_ID" "$CH_SECRET" '{"id":"after-restore","from":{"id":"c1"},"text":"hello again"}'
check "webhooks work on the restored database" "$STATUS" 200
hook "$CH_ID" "$CH_SECRET" '{"id":"seed-1","from":{"id":"c1"},"text":"order 1"}'
check "dedupe survives the round trip" "$(jqr .duplicate)" true
stop_hark
