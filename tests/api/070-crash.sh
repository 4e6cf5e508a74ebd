# Crash safety: kill -9 the server while clients post webhooks as fast as they can; after a
# restart every acknowledged message is present exactly once and the database is intact.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
: > "$T/acked"
python3 "$FAKES/flood.py" "$URL" "$CH_ID" "$CH_SECRET" 30 8 "$T/acked" > "$T/flood.out" 2>&1 &
FLOOD=$!
wait_for "some acknowledged messages" 20 sh -c "[ \$(wc -l < '$T/acked') -ge 200 ]"
kill9_hark
wait $FLOOD
cat "$T/flood.out"
N=$(wc -l < "$T/acked")
echo "acknowledged before the crash: $N"
start_hark
# The SQLite file intact, and its search index holding every stored message once (the writer
# indexes each batch in it). PostgreSQL has neither check: its search is expression indexes,
# kept by its own WAL.
sqlite_file_checks() {
    case "$DB" in postgres://*) return ;; esac
    check "integrity" "$(dbq 'PRAGMA integrity_check')" ok
    check "search index matches the messages" \
        "$(dbq "INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)" 2>&1; echo $?)" 0
}
sqlite_file_checks
sort -u "$T/acked" > "$T/acked.sorted"
dbq "SELECT external_id FROM message WHERE direction='in'" | sort > "$T/stored"
missing=$(comm -23 "$T/acked.sorted" "$T/stored" | wc -l)
check "every acknowledged message survived" "$missing" 0
dups=$(dbq "SELECT count(*) FROM (SELECT external_id FROM message GROUP BY channel_id, external_id HAVING count(*) > 1) AS d")
check "no duplicates" "$dups" 0
# Retrying every acknowledged message after the restart creates nothing new.
before=$(dbq 'SELECT count(*) FROM message')
head -20 "$T/acked.sorted" | while read -r id; do
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"$id\",\"from\":{\"id\":\"c1\"},\"text\":\"retry\"}"
    [ "$(jqr .duplicate)" = true ] || fail "retry of $id not a duplicate"
done
check "retries stored nothing" "$(dbq 'SELECT count(*) FROM message')" "$before"
hook "$CH_ID" "$CH_SECRET" '{"id":"after-restart","from":{"id":"c9"},"text":"quokka after the restart"}'
req GET "/api/v1/conversations?q=quokka"
check "a message after the restart is found" "$(jqr '.items | length')" 1
sqlite_file_checks
stop_hark
