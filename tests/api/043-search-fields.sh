# Search finds a conversation by its messages and by its contact (name, handle, email, phone
# however it is written), each conversation once, newest match first or best match first; says
# what matched with the words marked; pages without losing or repeating anything; keeps to the
# list's filters.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
WEB_ID=$CH_ID WEB_SECRET=$CH_SECRET
new_channel "Shop"
SHOP_ID=$CH_ID SHOP_SECRET=$CH_SECRET

search() { req GET "/api/v1/conversations" "" -G --data-urlencode "q=$1" ${2:+--data-urlencode "$2"} ${3:+--data-urlencode "$3"}; }

hook "$WEB_ID" "$WEB_SECRET" '{"id":"m1","from":{"id":"u1","name":"Olivia Smith","handle":"@olivia_s"},"text":"parcel never arrived","thread_id":"t1"}'
check "olivia" "$STATUS" 200
OLIVIA=$(jqr .conversation_id)
hook "$WEB_ID" "$WEB_SECRET" '{"id":"m2","from":{"id":"u2","name":"Björn Berg"},"text":"the zipper broke on day two","thread_id":"t2"}'
BJORN=$(jqr .conversation_id)
hook "$SHOP_ID" "$SHOP_SECRET" '{"id":"m3","from":{"id":"u3","name":"Chen Wu"},"text":"where is my parcel, Mr Smith said Tuesday","thread_id":"t3"}'
CHEN=$(jqr .conversation_id)
hook "$WEB_ID" "$WEB_SECRET" '{"id":"m4","from":{"id":"u1","name":"Olivia Smith","handle":"@olivia_s"},"text":"still waiting for the parcel","thread_id":"t1"}'
check "olivia again, same conversation" "$(jqr .conversation_id)" "$OLIVIA"
CONTACT_B=$(req GET "/api/v1/conversations/$BJORN" && jqr .contact_id)
req PATCH "/api/v1/contacts/$CONTACT_B" '{"email":"bjorn.berg@example.com","phone":"+46 (70) 123-45.67"}'
check "contact patched" "$STATUS" 200

# Each field of the contact, and the message text.
search "Olivia";           check "name" "$(jqr '[.items[].id]|@csv'),$(jqr '.items[0].match.field')" "$OLIVIA,name"
search "olivia_s";         check "handle" "$(jqr '[.items[].id]|@csv'),$(jqr '.items[0].match.field')" "$OLIVIA,handle"
search "bjorn.berg@example.com"; check "email" "$(jqr '[.items[].id]|@csv'),$(jqr '.items[0].match.field')" "$BJORN,email"
# FTS5's unicode61 removes diacritics; PostgreSQL's 'simple' configuration keeps them (the pg
# baseline's contact_search: folding them there needs unaccent and a migration).
case "$DB" in
postgres://*) echo "not checked on PostgreSQL: a name without its accent" ;;
*) search "Bjorn"; check "name without its accent" "$(jqr '[.items[].id]|@csv')" "$BJORN" ;;
esac
search "+46 70 1234567";   check "phone as typed differently" "$(jqr '[.items[].id]|@csv'),$(jqr '.items[0].match.field')" "$BJORN,phone"
search "46701234567";      check "phone as digits" "$(jqr '[.items[].id]|@csv')" "$BJORN"
check "the phone shown as written" "$(jqr '.items[0].match.parts[0]|"\(.hit) \(.text)"')" "true +46 (70) 123-45.67"
search "zipper";           check "message" "$(jqr '[.items[].id]|@csv'),$(jqr '.items[0].match.field')" "$BJORN,message"
check "the matching word is marked" "$(jqr '[.items[0].match.parts[]|select(.hit)|.text]|@csv')" '"zipper"'
check "and the rest is text around it" "$(jqr '[.items[0].match.parts[].text]|join("")')" "the zipper broke on day two"
search "zip";              check "no prefix unless typed" "$(jqr '.items|length')" "0"
search "zip*";             check "prefix when typed" "$(jqr '[.items[].id]|@csv')" "$BJORN"
search "nobody-has-this";  check "no hit" "$(jqr '.items|length'),$(jqr .next_cursor)" "0,null"

# Newest match first, each conversation once (Olivia's has two matching messages).
search "parcel";           check "newest match first, once each" "$(jqr '[.items[].id]|@csv')" "$OLIVIA,$CHEN"
check "the newest matching message is the one shown" "$(jqr '[.items[0].match.parts[].text]|join("")')" "still waiting for the parcel"
search "parcel" "order=oldest"; check "oldest first" "$(jqr '[.items[].id]|@csv')" "$OLIVIA,$CHEN"
search "parcel" "channel=$SHOP_ID"; check "with a filter" "$(jqr '[.items[].id]|@csv')" "$CHEN"
search "parcel" "status=resolved";  check "filtered out" "$(jqr '.items|length')" "0"
search "parcel" "order=relevance"; check "best first finds both" "$(jqr '[.items[].id]|sort|@csv')" "$(printf '%s\n%s' "$OLIVIA" "$CHEN" | sort -n | paste -sd,)"
search "Smith" "order=relevance"; check "a contact match first" "$(jqr '[.items[]|"\(.id):\(.match.field)"]|@csv')" "\"$OLIVIA:name\",\"$CHEN:message\""
req GET "/api/v1/conversations?q=x&order=best"; check "bad order" "$STATUS" 400

# Paging: 30 conversations, some matching twice, walked two at a time in both orders: every
# matching conversation exactly once, none that does not match.
i=0
while [ $i -lt 30 ]; do
    hook "$WEB_ID" "$WEB_SECRET" "{\"id\":\"p$i\",\"from\":{\"id\":\"pu$i\",\"name\":\"Pager $i\"},\"text\":\"refund please $i\",\"thread_id\":\"pt$i\"}"
    [ $((i % 3)) -eq 0 ] && hook "$WEB_ID" "$WEB_SECRET" "{\"id\":\"q$i\",\"from\":{\"id\":\"pu$i\",\"name\":\"Pager $i\"},\"text\":\"any news on my refund\",\"thread_id\":\"pt$i\"}"
    [ $((i % 5)) -eq 0 ] && hook "$WEB_ID" "$WEB_SECRET" "{\"id\":\"n$i\",\"from\":{\"id\":\"nu$i\",\"name\":\"Other $i\"},\"text\":\"not about money\",\"thread_id\":\"nt$i\"}"
    i=$((i + 1))
done
for order in newest oldest relevance; do
    seen="" cursor="" pages=0
    while :; do
        req GET "/api/v1/conversations" "" -G --data-urlencode "q=refund" --data-urlencode "order=$order" --data-urlencode "limit=2" ${cursor:+--data-urlencode "cursor=$cursor"}
        check "page $pages ($order)" "$STATUS" 200
        seen="$seen $(jqr '.items[].contact_name|gsub(" ";"_")')"
        cursor=$(jqr '.next_cursor // empty')
        pages=$((pages + 1))
        [ -z "$cursor" ] && break
        [ $pages -gt 40 ] && fail "paging does not end"
    done
    n=$(printf '%s\n' $seen | grep -c .)
    u=$(printf '%s\n' $seen | sort -u | grep -c .)
    others=$(printf '%s\n' $seen | grep -c '^Other' || true)
    check "$order: 30 conversations, each once, only matching ones" "$n,$u,$others" "30,30,0"
done
# SQLite: FTS5's own integrity check of message_fts (kept by the writer). PostgreSQL indexes
# message's text itself (an expression index, message_search): no second copy to check.
case "$DB" in
postgres://*) ;;
*) check "the search index holds every message once" \
    "$(dbq "INSERT INTO message_fts(message_fts, rank) VALUES ('integrity-check', 1)" 2>&1; echo $?)" 0 ;;
esac
stop_hark
