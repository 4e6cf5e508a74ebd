# The back-test of a listening query over the posts Hark saw last (POST
# /api/v1/listening/queries/test): its counts equal `hark listen`'s back-test over the same
# posts, examples carry the matched terms, a syntax error is a 422 on 'query' with the column,
# nothing is stored, only admins may call it, and the ring of recent posts is bounded by count
# and by bytes.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup

req POST /api/v1/listening/queries/test '{"query":"acme"}'
check "nothing seen yet" "$STATUS" 200
check "scanned none" "$(jqr .scanned)" 0
check "matched none" "$(jqr .matched)" 0
check "no oldest" "$(jqr .oldest_seen_at)" null

# 300 posts from a fixed word list: every post differs, every query below matches some.
awk 'BEGIN {
    split("acme order late refund parcel café Straße broken love kettle blender delayed still waiting money back ACME! #acmefail @acme.bsky.social 退款 hello", w, " ");
    n = 0; for (k in w) n++;
    for (i = 1; i <= 300; i++) {
        t = "";
        for (j = 0; j < 6; j++) t = t " " w[1 + (i * 7 + j * 13 + i * j) % n];
        if (i % 5 == 0) t = t " still, waiting";
        lang = (i % 3 == 0) ? "fr" : "en";
        plat = (i % 4 == 0) ? "mastodon" : "bluesky";
        printf("{\"id\":\"post%d\",\"platform\":\"%s\",\"author\":\"user%d.bsky.social\",\"lang\":\"%s\",\"text\":\"post %d:%s\"}\n", i, plat, i % 17, lang, i, t);
    }
}' > "$T/posts.jsonl"
check "300 posts written" "$(wc -l < "$T/posts.jsonl" | tr -d ' ')" 300
curl -s -H "Authorization: Bearer $TOKEN" --data-binary @"$T/posts.jsonl" \
    "$URL/api/v1/listening/ingest" > "$T/ingest.json"
check "ingested as posts" "$(jq .posts "$T/ingest.json")" 300
check "no query, nothing stored" "$(jq .stored "$T/ingest.json")" 0

# Each query: the API's count must equal the CLI's back-test over the same file.
cat > "$T/queries.txt" <<'EOF'
q1 acme
q2 refund* OR "money back"
q3 (late OR delayed) AND (order OR parcel) -kettle
q4 cafe NEAR/2 strasse
q5 @acme* OR #acmefail
q6 退款 lang:fr
q7 NOT acme platform:mastodon
q8 "still waiting"
EOF
total=0
while read -r id q; do
    want=$("$HARK" listen --queries /dev/stdin --source "$T/posts.jsonl" <<EOF | grep -c '"type":"match"'
$id $q
EOF
)
    body=$(jq -cn --arg q "$q" '{query:$q, examples:50}')
    req POST /api/v1/listening/queries/test "$body"
    check "$id status" "$STATUS" 200
    check "$id scanned" "$(jqr .scanned)" 300
    check "$id matches like the CLI ($want)" "$(jqr .matched)" "$want"
    [ "$want" -gt 0 ] || fail "$id: the data should match some posts"
    n=$(jqr '.examples | length')
    [ "$n" -eq "$([ "$want" -lt 50 ] && echo "$want" || echo 50)" ] || fail "$id: $n examples"
    total=$((total + want))
done < "$T/queries.txt"
[ "$total" -lt 2400 ] || fail "queries should not match everything: $total"

# Examples: the newest first, with the query's words found in them (folded) and the post.
req POST /api/v1/listening/queries/test '{"query":"café NEAR/2 Straße","examples":3}'
check "three examples" "$(jqr '.examples | length')" 3
check "terms are folded" "$(jqr '.examples[0].terms | sort | join(",")')" "cafe,strasse"
first=$(jqr '.examples[0].id' | sed 's/post//')
second=$(jqr '.examples[1].id' | sed 's/post//')
[ "$first" -gt "$second" ] || fail "examples not newest first: $first, $second"
echo "$BODY" | jq -e '.examples[0] | (.text | test("Straße")) and .platform != null and .author != null and .seen_at != null' >/dev/null \
    || fail "example fields: $BODY"
req POST /api/v1/listening/queries/test '{"query":"acme","examples":0}'
check "no examples asked" "$(jqr '.examples | length')" 0
[ "$(jqr .matched)" -gt 0 ] || fail "count without examples"

# Syntax errors: 422 on 'query' with the column (characters, from 1), as for create.
req POST /api/v1/listening/queries/test '{"query":"(late OR delayed) AND (order OR"}'
check "syntax error" "$STATUS" 422
check "names the field" "$(jqr .error.field)" query
check "column" "$(jqr .error.column)" 32
echo "$BODY" | jq -r .error.message | grep -q 'at column 32' || fail "message: $BODY"
req POST /api/v1/listening/queries/test '{"query":"café refu*nd"}'
check "wildcard inside a word" "$STATUS" 422
check "column counts characters, not bytes" "$(jqr .error.column)" 10
req POST /api/v1/listening/queries/test '{"query":""}'
check "empty query" "$STATUS" 422
check "empty query field" "$(jqr .error.field)" query
req POST /api/v1/listening/queries/test '{"query":"acme","examples":51}'
check "too many examples" "$STATUS" 422
req POST /api/v1/listening/queries/test "{\"query\":\"$(head -c 5000 /dev/zero | tr '\0' 'a')\"}"
check "oversized query" "$STATUS" 422
req POST /api/v1/listening/queries/test '{"query":"acme","active":"yes"}'
check "active must be a boolean" "$STATUS" 422

# Nothing is stored by a test.
req GET /api/v1/listening/queries
check "no query stored" "$(jqr '.items | length')" 0
req GET /api/v1/listening/mentions
check "no mention stored" "$(jqr '.items | length')" 0

# Admins only.
printf 'agent-password-1' | "$HARK" agent add --db "$DB" --email bo@example.com --name Bo \
    --role agent --password-stdin >/dev/null || fail "agent add"
AGENT_TOKEN=$("$HARK" token create --db "$DB" --name agent --role agent 2>/dev/null) || fail "agent token"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGENT_TOKEN" \
    -H 'Content-Type: application/json' -d '{"query":"acme"}' "$URL/api/v1/listening/queries/test")
check "agents cannot back-test" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d '{"query":"acme"}' "$URL/api/v1/listening/queries/test")
check "anonymous" "$code" 401

# Bounds: by count (the last 5000 posts) ...
for b in 1 2 3 4 5; do
    seq 1 1000 | sed "s/.*/{\"id\":\"bulk$b-&\",\"platform\":\"bluesky\",\"text\":\"bulk $b post & kettle\"}/" > "$T/bulk.jsonl"
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" --data-binary @"$T/bulk.jsonl" \
        "$URL/api/v1/listening/ingest"
done
req POST /api/v1/listening/queries/test '{"query":"kettle"}'
check "kept the last 5000 posts" "$(jqr .scanned)" 5000
check "the oldest were dropped" "$(jqr .matched)" 5000
req POST /api/v1/listening/queries/test '{"query":"acme"}'
check "the first batch is gone" "$(jqr .matched)" 0
# ... and by bytes (8 MiB): 150 posts of 63 KB keep far fewer than 5000.
awk 'BEGIN { s = ""; for (i = 0; i < 7000; i++) s = s "longtext "; for (b = 0; b < 10; b++) {
    f = sprintf("'"$T"'/big%d.jsonl", b);
    for (i = 0; i < 15; i++) printf("{\"id\":\"big%d-%d\",\"text\":\"%s end\"}\n", b, i, s) > f; } }'
for b in 0 1 2 3 4 5 6 7 8 9; do
    curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
        --data-binary @"$T/big$b.jsonl" "$URL/api/v1/listening/ingest" > "$T/code"
    check "big batch $b" "$(cat "$T/code")" 200
done
req POST /api/v1/listening/queries/test '{"query":"longtext","examples":50}'
scanned=$(jqr .scanned)
[ "$scanned" -ge 100 ] && [ "$scanned" -le 140 ] || fail "byte bound: scanned $scanned"
check "all scanned posts are the big ones" "$(jqr .matched)" "$scanned"
check "example text is cut" "$(jqr '.examples[0].text_cut')" true
[ "$(jqr '.examples[0].text | length')" -le 1000 ] || fail "example text not cut"
echo "byte bound kept $scanned posts of 63 KB"

stop_hark
echo "PASS"
