#!/bin/sh
# 36-search.sh - search at scale (issue 15, target 3): GET /api/v1/conversations?q= with
# 1,000,000 conversations and 5,000,000 messages, for message words (common, middling, rare,
# none, two words, a typed prefix), a contact's name, handle, email and phone, best-first, and
# with a filter; each beside the anchor from this run: the message index alone (raw SQLite
# FTS5, the same MATCH, newest 50 rowids) on the same database.
# Bounded: seeding takes a few minutes; BENCH_CONVS (default 1000000, 5 messages each) shrinks it.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
CONVS=${BENCH_CONVS:-1000000}
N=${BENCH_REQUESTS:-100}
W=build/bench/search
KEEP=${BENCH_KEEP:-}   # set: keep the seeded database for the next run, and reuse one that is there
[ -n "$KEEP" ] && [ -f "$W/search.db" ] && [ -f "$W/token" ] || { rm -rf "$W"; mkdir -p "$W"; }
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT

DB="$W/search.db"
if [ -f "$W/token" ]; then
TOKEN=$(cat "$W/token")
echo "reusing the seeded database in $W (BENCH_KEEP)"
else
"$HARK" channel add --db "$DB" --type api --name bench > /dev/null
"$HARK" agent add --db "$DB" --email bench@example.com --name "Bench Agent" --role admin > /dev/null
TOKEN=$("$HARK" token create --db "$DB" --name bench 2>/dev/null)
t0=$(date +%s)
# Words with a skewed frequency (the product of three uniform picks favours the low ids), so
# some words are in most messages and some in a handful, as in real traffic.
python3 - "$W/words.sql" <<'PY'
import random, sys
random.seed(7)
common = ("order parcel refund delivery help please still waiting week days store app card "
          "payment charged twice broken size exchange return tracking number account login "
          "password email phone store manager jacket shoes zipper torn late missing box "
          "driver address cancel subscription voucher discount price stock colour fit").split()
syll = "ka lo mi ne ru sa ti vo be da fe gu hi jo ku li mo nu pa re si to vu wa ye zo".split()
words = list(dict.fromkeys(common))
while len(words) < 5000:
    w = "".join(random.choice(syll) for _ in range(random.randint(2, 4)))
    if w not in words:
        words.append(w)
with open(sys.argv[1], "w") as f:
    f.write("CREATE TEMP TABLE w(id INTEGER PRIMARY KEY, t TEXT);\n")
    for i, w in enumerate(words):
        f.write(f"INSERT INTO w VALUES({i}, '{w}');\n")
PY
sqlite3 "$DB" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
PRAGMA cache_size=-262144;
.read $W/words.sql
CREATE TEMP TABLE fname(id INTEGER PRIMARY KEY, t TEXT);
CREATE TEMP TABLE lname(id INTEGER PRIMARY KEY, t TEXT);
INSERT INTO fname(t) VALUES ('Olivia'),('Liam'),('Emma'),('Noah'),('Ava'),('Mateo'),('Sofia'),
  ('Lucas'),('Mia'),('Elias'),('Lena'),('Jonas'),('Chloe'),('Hugo'),('Ines'),('Yuki'),('Aarav'),
  ('Fatima'),('Omar'),('Zoe'),('Ben'),('Clara'),('David'),('Ella'),('Finn'),('Grace'),('Ivan'),
  ('Julia'),('Karim'),('Lara'),('Marco'),('Nina'),('Oscar'),('Paula'),('Quinn'),('Rosa');
INSERT INTO lname(t) VALUES ('Smith'),('Garcia'),('Müller'),('Nakamura'),('Rossi'),('Dubois'),
  ('Kowalski'),('Silva'),('Jensen'),('Novak'),('Okafor'),('Haddad'),('Kim'),('Singh'),('Ivanova'),
  ('Berg'),('Costa'),('Fischer'),('Lopez'),('Moreau'),('Nguyen'),('Olsen'),('Patel'),('Quist');
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO contact(id, name, email, phone, created_at, updated_at)
SELECT i, f.t || ' ' || l.t || CASE WHEN i % 3 = 0 THEN '' ELSE ' ' || i END,
       lower(f.t) || '.' || i || '@example.com', '+1 555 ' || printf('%07d', i), 0, 0
  FROM n JOIN fname f ON f.id = 1 + i % 36 JOIN lname l ON l.id = 1 + (i / 36) % 24;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO identity(contact_id, channel_type, platform_id, handle, created_at)
SELECT i, 'api', 'u' || i, '@cust' || i, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS)
INSERT INTO conversation(id, channel_id, contact_id, status, labels, preview, unread,
                         message_count, last_message_at, created_at, updated_at)
SELECT i, 1, i, CASE WHEN i % 5 = 0 THEN 'open' ELSE 'resolved' END, '[]', 'bench', 0, 5,
       1700000000000 + i * 5000, 0, 0 FROM n;
COMMIT;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $CONVS * 5 - 1)
INSERT INTO message(conversation_id, channel_id, direction, kind, text, external_id, status, created_at)
SELECT 1 + i / 5, 1, 'in', 'message',
       (SELECT t FROM w WHERE id = (abs(random()) % 5000) * (abs(random()) % 5000) / 5000 * (abs(random()) % 5000) / 5000 + i - i) || ' ' ||
       (SELECT t FROM w WHERE id = (abs(random()) % 5000) * (abs(random()) % 5000) / 5000 * (abs(random()) % 5000) / 5000 + i - i) || ' ' ||
       (SELECT t FROM w WHERE id = (abs(random()) % 5000) * (abs(random()) % 5000) / 5000 * (abs(random()) % 5000) / 5000 + i - i) || ' ' ||
       (SELECT t FROM w WHERE id = (abs(random()) % 5000) * (abs(random()) % 5000) / 5000 * (abs(random()) % 5000) / 5000 + i - i) || ' ' ||
       (SELECT t FROM w WHERE id = (abs(random()) % 5000) * (abs(random()) % 5000) / 5000 * (abs(random()) % 5000) / 5000 + i - i) || ' ' ||
       (SELECT t FROM w WHERE id = (abs(random()) % 5000) * (abs(random()) % 5000) / 5000 * (abs(random()) % 5000) / 5000 + i - i) || ' ' ||
       (SELECT t FROM w WHERE id = abs(random()) % 5000 + i - i) || ' ' ||
       (SELECT t FROM w WHERE id = abs(random()) % 5000 + i - i),
       'x' || i, 'received', 1700000000000 + i * 1000 FROM n;
COMMIT;
-- Hark's writer indexes each batch's messages; rows put here by hand are indexed at once.
INSERT INTO message_fts(message_fts) VALUES ('rebuild');
INSERT INTO message_fts(message_fts) VALUES ('optimize');
INSERT INTO contact_fts(contact_fts) VALUES ('optimize');
ANALYZE;
SQL
[ -n "$KEEP" ] && echo "$TOKEN" > "$W/token"
echo "seeded $CONVS conversations, $((CONVS * 5)) messages in $(( $(date +%s) - t0 ))s ($(du -h "$DB" | cut -f1))"
fi
sqlite3 "$DB" "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, message_fts, row);" \
    "SELECT term || ' ' || doc FROM temp.v WHERE term GLOB '[a-z]*' ORDER BY doc DESC;" > "$W/vocab"
COMMON=$(sed -n 1p "$W/vocab" | cut -d' ' -f1)
MID=$(awk -v n="$CONVS" '$2 <= n / 20 { print $1; exit }' "$W/vocab")
RARE=$(awk '$2 >= 5 { w = $1 } END { print w }' "$W/vocab")
echo "words: common '$COMMON' ($(grep "^$COMMON " "$W/vocab" | cut -d' ' -f2) messages), middling '$MID' ($(grep "^$MID " "$W/vocab" | cut -d' ' -f2)), rare '$RARE' ($(grep "^$RARE " "$W/vocab" | cut -d' ' -f2))"

"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --log-level warn > "$W/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do
    PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
URL="http://127.0.0.1:$PORT"
lat() { # lat QUERY-STRING -> p50 and p99 in ms of N requests (after 3 to warm up)
    i=0; : > "$W/lat"
    while [ $i -lt $((N + 3)) ]; do
        t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL/api/v1/conversations?$1")
        [ $i -ge 3 ] && echo "$t" >> "$W/lat"
        i=$((i + 1))
    done
    sort -n "$W/lat" | awk '{ v[NR] = $1 * 1000 } END { printf "%.2f %.2f", v[int(NR * 0.5) + 1], v[int(NR * 0.99) + 1] }'
}
raw() { # raw TABLE MATCH -> p50 and p99 in ms of that index alone, newest 50 rowids
    python3 - "$DB" "$1" "$2" "$N" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); t, q, n = sys.argv[2], sys.argv[3], int(sys.argv[4]); v = []
for i in range(n + 3):
    s = time.perf_counter()
    db.execute(f"SELECT rowid FROM {t} WHERE {t} MATCH ? ORDER BY rowid DESC LIMIT 50", (q,)).fetchall()
    if i >= 3: v.append((time.perf_counter() - s) * 1000)
v.sort(); print("%.2f %.2f" % (v[int(n * 0.5)], v[min(n - 1, int(n * 0.99))]))
PY
}
row() { # row NAME QUERY-STRING TABLE MATCH
    h=$(lat "$2"); a=$(raw "$3" "$4")
    set -- "$1" $h $a "$3"
    printf '%-32s p50 %7.2f ms  p99 %7.2f ms   %s alone p50 %6.2f p99 %6.2f   ratio p99 %s   (target p99 <= 50 ms)\n' \
        "$1" "$2" "$3" "$6" "$4" "$5" "$(awk -v a="$3" -v b="$5" 'BEGIN { if (b > 0) printf "%.0f", a / b; else printf "n/a" }')"
}
M=message_fts C=contact_fts
EM="olivia.$((CONVS / 2 / 36 * 36 + 35))@example.com"
row "common word" "q=$COMMON&limit=50" $M "\"$COMMON\""
row "middling word" "q=$MID&limit=50" $M "\"$MID\""
row "rare word" "q=$RARE&limit=50" $M "\"$RARE\""
row "no hit" "q=zzqqxx&limit=50" $M '"zzqqxx"'
row "two words" "q=$COMMON%20$MID&limit=50" $M "\"$COMMON\" \"$MID\""
row "typed prefix (refu*)" "q=refu*&limit=50" $M '"refu"*'
row "best first (common word)" "q=$COMMON&order=relevance&limit=50" $M "\"$COMMON\""
row "common word, open only" "q=$COMMON&status=open&limit=50" $M "\"$COMMON\""
row "name (Olivia Nakamura)" "q=Olivia%20Nakamura&limit=50" $C '"Olivia" "Nakamura"'
row "handle (cust424242)" "q=cust424242&limit=50" $C '"cust424242"'
row "email ($EM)" "q=$EM&limit=50" $C "\"$EM\""
row "phone (+1 555 0424242)" "q=%2B1%20555%200424242&limit=50" $C 'phone : "15550424242"'
RSS=$(awk '/VmRSS/ { print $2 }' /proc/$PID/status)
kill $PID; wait $PID 2>/dev/null || true; PID=""
echo "RSS after the searches  $((RSS / 1024)) MB"
[ -n "$KEEP" ] || rm -rf "$DB"*
