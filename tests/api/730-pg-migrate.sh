# hark migrate: a brand's SQLite store moved into PostgreSQL. The demo (`hark demo`, which seeds
# a brand and lets simulated customers write for a few seconds) makes a SQLite store with rows
# in most tables; `hark migrate` copies it into an empty PostgreSQL database (a temporary server,
# tests/lib/pg.sh) and prints a verification table whose counts must equal SQLite's own; a
# second run is refused (the target is not empty) and changes nothing; `hark serve` on the
# PostgreSQL copy answers for a conversation as the SQLite store did, and a new message gets an
# id past the copied ones. A copy that fails halfway (a row PostgreSQL refuses) leaves nothing.
# sqlite-only: it starts a PostgreSQL of its own, so it runs once, in the SQLite pass
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/pg.sh"
pg_start
SRC="$T/demo.db"

# --- a SQLite store with a brand in it --------------------------------------------------------
timeout -s TERM 15 "$HARK" demo --listen 127.0.0.1:0 --db "$SRC" >"$T/demo.log" 2>&1
msgs=$(sqlite3 "$SRC" 'SELECT count(*) FROM message')
convs=$(sqlite3 "$SRC" 'SELECT count(*) FROM conversation')
events=$(sqlite3 "$SRC" 'SELECT count(*) FROM event')
[ "$msgs" -gt 10 ] || { tail -20 "$T/demo.log"; fail "the demo wrote only $msgs messages"; }
echo "ok: the demo's SQLite store: $convs conversations, $msgs messages, $events events"

# --- the copy and its verification ------------------------------------------------------------
PGURL=$(pg_newdb brand)
"$HARK" migrate --from "sqlite:$SRC" --to "$PGURL" >"$T/migrate.out" 2>"$T/migrate.err" ||
    { cat "$T/migrate.out" "$T/migrate.err"; fail "hark migrate failed"; }
grep -q "^verified: .* 0 differ" "$T/migrate.out" || { cat "$T/migrate.out"; fail "no clean verification line"; }
check "message rows in the verification" "$(awk '$1 == "message" {print $2 "/" $3}' "$T/migrate.out")" "$msgs/$msgs"
check "messages in PostgreSQL" "$(pg_psql "$PGURL" -Atc 'SELECT count(*) FROM message')" "$msgs"
check "conversations in PostgreSQL" "$(pg_psql "$PGURL" -Atc 'SELECT count(*) FROM conversation')" "$convs"
check "events in PostgreSQL" "$(pg_psql "$PGURL" -Atc 'SELECT count(*) FROM event')" "$events"
check "the event counter is past the last seq" \
    "$(pg_psql "$PGURL" -Atc 'SELECT n = (SELECT max(seq) FROM event) FROM event_seq_counter')" "t"
grep -q "copied message: $msgs rows\|copying message" "$T/migrate.err" || { cat "$T/migrate.err"; fail "no progress for message"; }
echo "ok: progress printed per table"

# --- a second run is refused and changes nothing ----------------------------------------------
if "$HARK" migrate --from "sqlite:$SRC" --to "$PGURL" >"$T/again.out" 2>"$T/again.err"; then
    fail "a second migrate into a full database succeeded"
fi
grep -q "already holds rows" "$T/again.err" || { cat "$T/again.err"; fail "no clear reason"; }
check "messages after the refused run" "$(pg_psql "$PGURL" -Atc 'SELECT count(*) FROM message')" "$msgs"

# --- hark serves the copy ---------------------------------------------------------------------
DB="$PGURL"
TOKEN=$("$HARK" token create --db "$DB" --name migrated 2>"$T/token.err") || { cat "$T/token.err"; fail "token create on PostgreSQL"; }
start_hark
cid=$(sqlite3 "$SRC" 'SELECT id FROM conversation ORDER BY id DESC LIMIT 1')
want=$(sqlite3 "$SRC" "SELECT message_count FROM conversation WHERE id = $cid")
req GET "/api/v1/conversations/$cid"
check "the newest conversation on PostgreSQL" "$STATUS" 200

check "its message count" "$(jqr .message_count)" "$want"
max_id=$(pg_psql "$PGURL" -Atc 'SELECT max(id) FROM message')
req POST "/api/v1/conversations/$cid/messages" '{"private":true,"text":"moved to PostgreSQL"}'
[ "$STATUS" = 201 ] || [ "$STATUS" = 200 ] || fail "a note on the copy: $STATUS $BODY"
new_id=$(pg_psql "$PGURL" -Atc "SELECT max(id) FROM message")
[ "$new_id" -gt "$max_id" ] || fail "the new message's id $new_id is not past $max_id"
echo "ok: a new message takes id $new_id, past the copied $max_id"
stop_hark

# --- all or nothing ---------------------------------------------------------------------------
cp "$SRC" "$T/bad.db"
sqlite3 "$T/bad.db" "UPDATE message SET created_at = 'not a time' WHERE id = (SELECT max(id) FROM message)"
BAD=$(pg_newdb broken)
if "$HARK" migrate --from "sqlite:$T/bad.db" --to "$BAD" >"$T/bad.out" 2>"$T/bad.err"; then
    fail "a copy with a row PostgreSQL refuses succeeded"
fi
grep -q "nothing was copied" "$T/bad.err" || { cat "$T/bad.err"; fail "no clear failure"; }
check "agents after the failed copy" "$(pg_psql "$BAD" -Atc 'SELECT count(*) FROM agent')" "0"
check "messages after the failed copy" "$(pg_psql "$BAD" -Atc 'SELECT count(*) FROM message')" "0"
echo PASS
