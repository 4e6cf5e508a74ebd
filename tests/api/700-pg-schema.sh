# The PostgreSQL schema (src/store/schema/pg/*.sql) against the SQLite schema the current hark
# makes: a temporary PostgreSQL (tests/lib/pg.sh) gets the pg migrations with psql, and a SQLite
# database gets hark's own migrations (any CLI command that opens the store migrates it). Then:
# every SQLite table (but FTS5 tables and their shadow tables) is in PostgreSQL with the same
# columns in the same order (type class, NOT NULL, default, primary key position); every SQLite
# index on plain columns has a PostgreSQL index on the same columns (COLLATE NOCASE as
# lower(col)), with the same uniqueness and partialness, and every expression index one of the
# same name; the foreign keys are the same; every SQLite trigger (but the FTS ones) has a
# PostgreSQL trigger of the same name on the same table; the migration numbers match (a SQLite
# 028 without a pg 028 fails here and in tools/lint.sh). Each difference is printed.
# Then the triggers run (PL/pgSQL is only checked when it runs), and the event counter: two
# concurrent transactions insert an event, the first rolls back, the second takes its number;
# again with a commit: seq stays gap-free and in commit order.
# sqlite-only: it starts a PostgreSQL of its own, so it runs once, in the SQLite pass
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../lib/pg.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

pg_start
URL_PG=$HARK_TEST_PG
psql_at() { pg_psql "$URL_PG" -At "$@"; }

# --- the migrations: the same numbers from 028 on, and both at the same newest number --------
"$HARK" token list --db "$DB" >/dev/null 2>"$T/migrate.log" || { cat "$T/migrate.log"; fail "hark could not make the SQLite database"; }
sqlite_version=$(sqlite3 "$DB" 'PRAGMA user_version')
newest_pg=0
for f in "$ROOT"/src/store/schema/pg/[0-9][0-9][0-9]_*.sql; do
    pg_psql "$URL_PG" -f "$f" >"$T/pg-migrate.log" 2>&1 || { cat "$T/pg-migrate.log"; fail "psql -f $f"; }
    newest_pg=$(basename "$f" | sed 's/^0*\([0-9][0-9]*\)_.*/\1/')
done
echo "ok: applied src/store/schema/pg/*.sql (newest $newest_pg); hark's SQLite schema is $sqlite_version"
bad=0
for f in "$ROOT"/src/store/schema/[0-9][0-9][0-9]_*.sql; do
    n=$(basename "$f" | sed 's/_.*//')
    [ "$n" -ge 28 ] 2>/dev/null || continue
    ls "$ROOT"/src/store/schema/pg/"${n}"_*.sql >/dev/null 2>&1 ||
        { echo "DIFF: SQLite migration $(basename "$f") has no src/store/schema/pg/${n}_*.sql"; bad=1; }
done
[ "$newest_pg" -eq "$sqlite_version" ] ||
    { echo "DIFF: PostgreSQL migrations end at $newest_pg, SQLite's at $sqlite_version"; bad=1; }

# --- tables and columns ------------------------------------------------------------------------
# Not compared: FTS5 virtual tables, their shadow tables, SQLite's own (sqlite_*).
SKIP="m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.type = 'table'
                  AND v.sql LIKE 'CREATE VIRTUAL TABLE%'
                  AND (m.name = v.name OR m.name LIKE v.name || '\\_%' ESCAPE '\\'))"
# Only in PostgreSQL, and said why in 027_baseline.sql.
PG_ONLY="'event_seq_counter', 'schema_version'"
sqlite3 -separator '|' "$DB" "
SELECT m.name, p.cid + 1, p.name,
       CASE upper(p.type) WHEN 'INTEGER' THEN 'int' WHEN 'REAL' THEN 'real'
            WHEN 'TEXT' THEN 'text' WHEN 'BLOB' THEN 'blob' ELSE 'any:' || p.type END,
       CASE WHEN p.\"notnull\" OR p.pk > 0 THEN 'not null' ELSE 'null' END,
       coalesce(p.dflt_value, ''), p.pk
  FROM sqlite_master m JOIN pragma_table_info(m.name) p
 WHERE m.type = 'table' AND $SKIP ORDER BY m.name, p.cid" > "$T/sqlite-columns"
psql_at -F '|' -c "
SELECT c.table_name, row_number() OVER (PARTITION BY c.table_name ORDER BY c.ordinal_position),
       c.column_name,
       CASE c.data_type WHEN 'bigint' THEN 'int' WHEN 'integer' THEN 'int'
            WHEN 'double precision' THEN 'real' WHEN 'text' THEN 'text' WHEN 'bytea' THEN 'blob'
            ELSE 'any:' || c.data_type END,
       CASE c.is_nullable WHEN 'NO' THEN 'not null' ELSE 'null' END,
       coalesce(regexp_replace(c.column_default, '::(text|bigint|integer|double precision)$', ''), ''),
       coalesce((SELECT array_position(k.conkey, a.attnum) FROM pg_constraint k
                   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attname = c.column_name
                  WHERE k.conrelid = (quote_ident(c.table_name))::regclass AND k.contype = 'p'
                    AND a.attnum = ANY (k.conkey)), 0)
  FROM information_schema.columns c
 WHERE c.table_schema = 'public' AND c.table_name NOT IN ($PG_ONLY)
   AND c.table_name IN (SELECT tablename FROM pg_tables WHERE schemaname = 'public')
 ORDER BY c.table_name COLLATE \"C\", c.ordinal_position" > "$T/pg-columns"
LC_ALL=C sort "$T/sqlite-columns" > "$T/a" && mv "$T/a" "$T/sqlite-columns"
LC_ALL=C sort "$T/pg-columns" > "$T/a" && mv "$T/a" "$T/pg-columns"
[ -s "$T/sqlite-columns" ] && [ -s "$T/pg-columns" ] || fail "no columns read"
if ! diff "$T/sqlite-columns" "$T/pg-columns" > "$T/columns.diff"; then
    echo "DIFF: columns (table|position|name|type|null|default|pk; < SQLite, > PostgreSQL):"
    grep '^[<>]' "$T/columns.diff"
    bad=1
fi
for table in $(cut -d'|' -f1 "$T/pg-columns" | sort -u); do
    grep -q "^$table|" "$T/sqlite-columns" || { echo "DIFF: table $table only in PostgreSQL"; bad=1; }
done
echo "compared $(cut -d'|' -f1 "$T/sqlite-columns" | sort -u | wc -l) tables," \
    "$(wc -l < "$T/sqlite-columns") columns"

# --- indexes -----------------------------------------------------------------------------------
# A signature per index: table|unique|partial|columns, a NOCASE column as lower(col). A SQLite
# index on an expression is looked for by name: "name:NAME".
sqlite3 -separator '|' "$DB" "
SELECT m.name, l.\"unique\", l.partial,
       CASE WHEN EXISTS (SELECT 1 FROM pragma_index_xinfo(l.name) x WHERE x.key AND x.cid = -2)
            THEN 'name:' || l.name
            ELSE (SELECT group_concat(CASE WHEN x.coll = 'NOCASE' THEN 'lower(' || x.name || ')'
                                           ELSE x.name END, ',')
                    FROM (SELECT * FROM pragma_index_xinfo(l.name) WHERE key ORDER BY seqno) x)
       END, l.name
  FROM sqlite_master m JOIN pragma_index_list(m.name) l
 WHERE m.type = 'table' AND $SKIP ORDER BY m.name, l.name" > "$T/sqlite-indexes"
psql_at -F '|' -c "
SELECT t.relname, i.indisunique::int, (i.indpred IS NOT NULL)::int,
       (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ',' ORDER BY k)
          FROM generate_series(1, i.indnkeyatts) k),
       c.relname
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = 'public'" > "$T/pg-indexes"
has_index() { # has_index TABLE UNIQUE PARTIAL FIELD VALUE: a PG index matches
    awk -F'|' -v t="$1" -v u="$2" -v p="$3" -v f="$4" -v v="$5" \
        '$1 == t && $2 == u && $3 == p && $f == v { found = 1 } END { exit !found }' "$T/pg-indexes"
}
nidx=0
while IFS='|' read -r table uniq partial cols name; do
    nidx=$((nidx + 1))
    case "$cols" in
    name:*)
        has_index "$table" "$uniq" "$partial" 5 "$name" ||
            { echo "DIFF: index $name on $table (an expression; unique=$uniq partial=$partial): no PostgreSQL index of that name with the same uniqueness"; bad=1; }
        ;;
    *)
        has_index "$table" "$uniq" "$partial" 4 "$cols" ||
            { echo "DIFF: index $name: no PostgreSQL index on $table($cols) unique=$uniq partial=$partial"; bad=1; }
        ;;
    esac
done < "$T/sqlite-indexes"
echo "compared $nidx SQLite indexes"

# --- foreign keys ------------------------------------------------------------------------------
sqlite3 -separator '|' "$DB" "
SELECT m.name, f.\"from\", f.\"table\", f.\"to\", upper(f.on_delete), upper(f.on_update)
  FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
 WHERE m.type = 'table' AND $SKIP" | LC_ALL=C sort > "$T/sqlite-fks"
psql_at -F '|' -c "
SELECT k.conrelid::regclass, a.attname, k.confrelid::regclass, b.attname,
       CASE k.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
            WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
       CASE k.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
            WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END
  FROM pg_constraint k
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
  JOIN pg_attribute b ON b.attrelid = k.confrelid AND b.attnum = k.confkey[1]
 WHERE k.contype = 'f'" | LC_ALL=C sort > "$T/pg-fks"
if ! diff "$T/sqlite-fks" "$T/pg-fks" > "$T/fks.diff"; then
    echo "DIFF: foreign keys (table|column|references|column|on delete|on update; < SQLite, > PostgreSQL):"
    grep '^[<>]' "$T/fks.diff"
    bad=1
fi
echo "compared $(wc -l < "$T/sqlite-fks") foreign keys"

# --- triggers ----------------------------------------------------------------------------------
# The FTS5 triggers are replaced by GIN indexes; audit_no_replace guards INSERT OR REPLACE,
# which PostgreSQL does not have (see 027_baseline.sql).
sqlite3 -separator '|' "$DB" "
SELECT m.tbl_name, m.name FROM sqlite_master m
 WHERE m.type = 'trigger' AND m.name NOT LIKE '%\\_fts\\_%' ESCAPE '\\'
   AND m.name <> 'audit_no_replace'" > "$T/sqlite-triggers"
psql_at -F '|' -c "SELECT tgrelid::regclass, tgname FROM pg_trigger WHERE NOT tgisinternal" \
    > "$T/pg-triggers"
while IFS='|' read -r table name; do
    grep -qFx "$table|$name" "$T/pg-triggers" ||
        { echo "DIFF: trigger $name on $table has no PostgreSQL trigger of that name"; bad=1; }
done < "$T/sqlite-triggers"
echo "compared $(wc -l < "$T/sqlite-triggers") triggers"

[ $bad -eq 0 ] || fail "the PostgreSQL schema differs from the SQLite one (DIFF lines above)"
check "schema_version" "$(psql_at -c 'SELECT version FROM schema_version')" "$newest_pg"

# --- the triggers run --------------------------------------------------------------------------
psql_at > "$T/triggers.out" 2>&1 <<'EOF' || { cat "$T/triggers.out"; fail "running the triggers"; }
INSERT INTO agent(email, password_hash, name, display_name, role, created_at)
    VALUES ('Ada@Example.com', 'x', 'Ada', 'Ada', 'agent', 1);
SELECT 'agent_id=' || lastval();
INSERT INTO agent_profile(agent_id, location) VALUES (1, 'Lyon');
INSERT INTO contact(name, created_at, updated_at) VALUES ('Zoé', 1, 1);
INSERT INTO channel(type, name, secret, settings, created_at) VALUES ('api', 'c', 's', '{"store": no JSON', 1);
INSERT INTO conversation(channel_id, contact_id, last_message_at, created_at, updated_at)
    VALUES (1, 1, 10, 10, 10);
INSERT INTO conversation_label(label, conversation_id) VALUES ('vip', 1);
INSERT INTO message(conversation_id, channel_id, direction, kind, text, status, created_at)
    VALUES (1, 1, 'in', 'message', 'my order at the lyon store', 'received', 100);
SELECT 'message_id=' || lastval();
SELECT 'in: awaiting=' || awaiting_since || ' opened=' || opened_at FROM conv_sla;
SELECT 'store=' || store FROM conversation;
INSERT INTO message(conversation_id, channel_id, direction, kind, text, status, created_at,
                    author_agent_id)
    VALUES (1, 1, 'out', 'message', 'hello Zoé', 'queued', 160, 1);
SELECT 'out: awaiting=' || coalesce(awaiting_since::text, 'null') || ' first_reply=' || first_reply_at FROM conv_sla;
SELECT 'frt=' || frt_sum_ms || '/' || frt_count FROM agent_profile;
UPDATE conversation SET assignee_id = 1, updated_at = 200 WHERE id = 1;
UPDATE conversation SET status = 'resolved', updated_at = 300, last_message_at = 300 WHERE id = 1;
SELECT 'resolved=' || resolved_count FROM agent_profile;
SELECT 'label_recency=' || last_message_at FROM conversation_label;
SELECT 'dirty=' || gen FROM sla_dirty;
UPDATE contact SET location = ' Paris ' WHERE id = 1;
SELECT 'store=' || store FROM conversation;
SELECT 'nocase=' || count(*) FROM agent WHERE lower(email) = lower('ADA@example.COM');
SELECT 'search=' || count(*) FROM message WHERE to_tsvector('simple', text) @@ to_tsquery('simple', 'lyon');
INSERT INTO audit(at, action) VALUES (1, 'x.y');
EOF
cat "$T/triggers.out"
for want in agent_id=1 message_id=1 'in: awaiting=100 opened=100' 'store=Lyon' \
    'out: awaiting=null first_reply=160' frt=60/1 resolved=1 label_recency=300 dirty=4 \
    'store=Paris' nocase=1 search=1; do
    grep -qFx "$want" "$T/triggers.out" || fail "trigger result '$want' missing"
done
echo "ok: the triggers ran as on SQLite"
psql_at -c "UPDATE audit SET action = 'z'" > "$T/audit.out" 2>&1 && fail "an audit row was updated"
grep -q 'append-only' "$T/audit.out" || { cat "$T/audit.out"; fail "audit update: wrong refusal"; }
psql_at -c "DELETE FROM agent WHERE id = 1" > "$T/fk.out" 2>&1 && fail "a referenced agent was deleted"
grep -q 'foreign key' "$T/fk.out" || { cat "$T/fk.out"; fail "agent delete: wrong refusal"; }
psql_at -c "INSERT INTO agent(email, password_hash, name, display_name, role, created_at)
            VALUES ('ADA@example.com', 'x', 'A', 'A', 'agent', 1)" > "$T/dup.out" 2>&1 &&
    fail "a second agent with the same email in other case was accepted"
echo "ok: audit append-only, foreign keys, NOCASE uniqueness refused what SQLite refuses"

# --- event seq: gap-free, in commit order, across concurrent transactions ----------------------
# Transaction A (psql fed through a FIFO, so that the test decides when it ends) inserts an
# event and holds; B inserts an event and must wait for A (the counter row is locked): B is
# seen waiting on a lock in pg_stat_activity, then A ends and B commits.
# round 1: A rolls back, so B takes A's number; round 2: A commits, so B takes the next one.
waiting_on_lock() { # waiting_on_lock TYPE: B's insert of an event of TYPE waits on a lock
    [ "$(psql_at -c "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                      AND query LIKE '%INSERT INTO event%''$1''%'")" = 1 ]
}
event_round() { # event_round A-TYPE B-TYPE ROLLBACK|COMMIT
    rm -f "$T/a.fifo"; mkfifo "$T/a.fifo"
    pg_psql "$URL_PG" -At < "$T/a.fifo" > "$T/a.out" 2>&1 &
    a_pid=$!
    exec 3> "$T/a.fifo"
    printf "BEGIN;\nINSERT INTO event(type, data, created_at) VALUES ('%s', '{}', 1) RETURNING seq;\n" "$1" >&3
    wait_for "A's event seq" 20 grep -q '^[0-9]' "$T/a.out"
    a_seq=$(grep '^[0-9]' "$T/a.out")
    pg_psql "$URL_PG" -At -c "BEGIN" \
        -c "INSERT INTO event(type, data, created_at) VALUES ('$2', '{}', 1) RETURNING seq" \
        -c "COMMIT" > "$T/b.out" 2>&1 &
    b_pid=$!
    wait_for "B waiting for A's lock" 20 waiting_on_lock "$2"
    printf '%s;\n\\q\n' "$3" >&3
    exec 3>&-
    wait "$a_pid" || { cat "$T/a.out"; fail "transaction A failed"; }
    wait "$b_pid" || { cat "$T/b.out"; fail "transaction B failed"; }
    b_seq=$(grep '^[0-9]' "$T/b.out")
    echo "ok: A ($1) took seq $a_seq and did $3; B ($2), which waited for it, took seq $b_seq"
}
event_round a1 b1 ROLLBACK
check "B took the number A gave back" "$b_seq" "$a_seq"
event_round a2 b2 COMMIT
check "B took the number after A's" "$b_seq" "$((a_seq + 1))"
check "events in seq order" "$(psql_at -c "SELECT string_agg(seq || ':' || type, ',' ORDER BY seq) FROM event")" \
    "1:b1,2:a2,3:b2"
check "the counter" "$(psql_at -c 'SELECT n FROM event_seq_counter')" 3
echo "PASS"
