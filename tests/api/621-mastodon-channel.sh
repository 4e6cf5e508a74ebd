# Mastodon channel against tests/fakes/mastodon_fake.py (role serve): settings checked and the
# token masked; a converted listening mention (status URI) answered on the status itself
# (resolved through /api/v2/search, in_reply_to_id, the original visibility kept, the outbox's
# Idempotency-Key, so a reply whose answer was lost is posted once); 429 with X-RateLimit-Reset
# and a 5xx retried, then sent; a 422 failed with
# the instance's words; over 500 characters refused; mention notifications polled once each
# (min_id cursor; after a restart the page read again, its repeats dropped), threaded by
# in_reply_to_id, a direct one private; a
# refused token is a clear, permanent failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/chanlib.sh"
start_fake mastodon_fake --token masto-token-1 --script "429:1,500,ok,422,timeout" --then ok --lifetime 300
start_hark --outbox-retry-ms 200 --mail-poll-ms 200 --models none
admin_setup
fake() { curl -s -o /dev/null -H 'Content-Type: application/json' --data-binary "$2" "$FAKE_URL/_fake/$1"; }

# ---- settings
req POST /api/v1/channels '{"type":"mastodon","name":"M","settings":{"instance_url":"https://m.example"}}'
check "access_token required" "$(jqr .error.field)" settings.access_token
req POST /api/v1/channels '{"type":"mastodon","name":"M","settings":{"instance_url":"m.example","access_token":"t"}}'
check "instance_url is a URL" "$(jqr .error.field)" settings.instance_url
req POST /api/v1/channels '{"type":"mastodon","name":"M","settings":{"instance_url":"https://u:p@m.example","access_token":"t"}}'
check "no credentials in the URL" "$STATUS" 422
new_typed_channel mastodon "Mastodon" "{\"instance_url\":\"$FAKE_URL\",\"access_token\":\"masto-token-1\"}"
MCH=$CH_ID
req GET "/api/v1/channels/$MCH"
check "token masked" "$(jqr .settings.access_token)" '********'
check "limit" "$(jqr .reply_limit.unit) $(jqr .reply_limit.max)" "chars 500"

# ---- the customer's status, unlisted, known to the brand's instance as 4242
URI=https://m.example/users/lee/statuses/110000000000000042
fake status "{\"id\":\"4242\",\"uri\":\"$URI\",\"url\":\"https://m.example/@lee/110000000000000042\",\"visibility\":\"unlisted\",\"content\":\"<p>kettle broke</p>\",\"account\":{\"id\":\"77\",\"acct\":\"lee@m.example\"}}"
req POST /api/v1/listening/queries '{"name":"kettle","query":"kettle"}'
printf '{"id":"%s","platform":"mastodon","author":"lee@m.example","text":"my Acme kettle broke","lang":"en"}\n' "$URI" > "$T/m.jsonl"
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' --data-binary @"$T/m.jsonl" "$URL/api/v1/listening/ingest" > "$T/ing"
check "mention stored" "$(jq .stored "$T/ing")" 1
req GET /api/v1/listening/mentions
req POST "/api/v1/listening/mentions/$(jqr '.items[0].id')/convert" "{\"channel_id\":$MCH}"
check "converted" "$STATUS" 201
CONV=$(jqr .conversation_id)
# A Bluesky post is not answered from a Mastodon channel.
printf '{"id":"at://did:plc:x/app.bsky.feed.post/3x","platform":"bluesky","author":"x.bsky.social","text":"kettle again","lang":"en"}\n' > "$T/b.jsonl"
curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-ndjson' --data-binary @"$T/b.jsonl" "$URL/api/v1/listening/ingest" > /dev/null
req GET /api/v1/listening/mentions
BM=$(jqr '.items[] | select(.platform == "bluesky") | .id')
req POST "/api/v1/listening/mentions/$BM/convert" "{\"channel_id\":$MCH}"
check "another platform's post refused" "$STATUS $(jqr .error.field)" "422 channel_id"
check "in plain words" "$(jqr .error.message)" "invalid 'channel_id': a mastodon channel answers only mastodon posts; this one is from bluesky"

TEXT='@lee@m.example Lee, désolé — a new kettle ships today 🚚'
reply "$CONV" "$TEXT"
wait_status "$MSG" sent 20
P=$(grep '"/api/v1/statuses"' "$FAKE_LOG")
check "429, 500, then sent" "$(echo "$P" | jq -r .status | tr '\n' ' ')" "429 500 200 "
L=$(echo "$P" | tail -1)
check "in reply to the status" "$(echo "$L" | jq -r .in_reply_to_id)" 4242
check "visibility kept" "$(echo "$L" | jq -r .visibility)" unlisted
check "text as written" "$(echo "$L" | jq -r .status_text)" "$TEXT"
check "one idempotency key across retries" "$(echo "$P" | jq -r .idempotency_key | sort -u | wc -l)" 1
[ "$(echo "$L" | jq -r .idempotency_key)" != null ] || fail "no Idempotency-Key"
S=$(grep '"/api/v2/search"' "$FAKE_LOG" | head -1)
check "resolved by URI" "$(echo "$S" | jq -r '.q + " " + .resolve')" "$URI true"
wait_for "the status id" 10 sh -c "[ \"\$($DBQ '$DB' 'SELECT external_id FROM message WHERE id=$MSG')\" = 900001 ]"
# 422: permanent, with the instance's words.
reply "$CONV" "Lee, here is your tracking number soon."
wait_status "$MSG" failed 20
check "422 reason" "$(msg_error "$MSG")" "mastodon: the reply was refused: Validation failed: Text can't be blank (HTTP 422)"
LONG=$(python3 -c 'print("é" * 501)')
req POST "/api/v1/conversations/$CONV/messages" "{\"text\":\"$LONG\"}"
check "501 characters refused" "$STATUS" 422

# ---- mention notifications, polled: each once, threaded by in_reply_to_id
fake status '{"id":"900001","uri":"https://brand.example/users/shop/statuses/900001","visibility":"unlisted","content":"<p>ours</p>","account":{"id":"1","acct":"shop"}}'
N1='{"id":"501","type":"mention","account":{"id":"77","acct":"lee@m.example","display_name":"Lee"},"status":{"id":"5001","in_reply_to_id":"900001","visibility":"unlisted","content":"<p><span class=\"h-card\"><a href=\"https://brand.example/@shop\">@shop</a></span> thanks &amp; when?</p>","created_at":"2026-12-06T06:00:00.000Z","account":{"id":"77","acct":"lee@m.example","display_name":"Lee"}}}'
N2='{"id":"502","type":"mention","account":{"id":"88","acct":"kim@x.social"},"status":{"id":"5002","in_reply_to_id":"777","visibility":"public","content":"<p>@shop is the kettle 220V?</p>","account":{"id":"88","acct":"kim@x.social","display_name":"Kim"}}}'
N3='{"id":"503","type":"favourite","account":{"id":"99","acct":"z@x.social"},"status":{"id":"900001","content":"<p>ours</p>","account":{"id":"1","acct":"shop"}}}'
N4='{"id":"504","type":"mention","account":{"id":"88","acct":"kim@x.social"},"status":{"id":"5004","in_reply_to_id":null,"visibility":"direct","content":"<p>@shop my address is private</p>","account":{"id":"88","acct":"kim@x.social","display_name":"Kim"}}}'
for n in "$N1" "$N2" "$N3" "$N4"; do fake notify "$n"; done
inbound() { dbq "SELECT count(*) FROM message WHERE channel_id=$MCH AND direction='in'"; }
wait_for "three mentions stored" 20 sh -c "[ \"\$($DBQ '$DB' \"SELECT count(*) FROM message WHERE channel_id=$MCH AND direction='in'\")\" = 4 ]"
polls=$(grep -c '"/api/v1/notifications"' "$FAKE_LOG")
wait_for "polled again" 10 sh -c "[ \$(grep -c '\"/api/v1/notifications\"' '$FAKE_LOG') -ge $((polls + 2)) ]"
check "each once (favourites ignored)" "$(inbound)" 4
grep '"/api/v1/notifications"' "$FAKE_LOG" | tail -1 | jq -r .query | grep -q 'min_id=504' || fail "cursor: $(grep '"/api/v1/notifications"' "$FAKE_LOG" | tail -1)"
check "Lee's reply threads into the conversation" "$(dbq "SELECT conversation_id FROM message WHERE channel_id=$MCH AND external_id='5001'")" "$CONV"
check "HTML reduced to text" "$(dbq "SELECT text FROM message WHERE external_id='5001'")" "@shop thanks & when?"
KC=$(dbq "SELECT conversation_id FROM message WHERE channel_id=$MCH AND external_id='5002'")
req GET "/api/v1/conversations/$KC"
check "Kim's mention is public" "$(jqp .public)" true
check "Kim's handle" "$(jqp '.contact.identities[0].handle')" "@kim@x.social"
DC=$(dbq "SELECT conversation_id FROM message WHERE channel_id=$MCH AND external_id='5004'")
req GET "/api/v1/conversations/$DC"
check "a direct mention is private" "$(jqp .public)" false
# Answering Kim: in reply to her status, public as hers was.
fake status '{"id":"5002","uri":"https://x.social/users/kim/statuses/5002","visibility":"public","content":"<p>q</p>","account":{"id":"88","acct":"kim@x.social"}}'
# The first try is posted but its answer is lost (a timeout): the retry, with the same
# Idempotency-Key, gets that status back instead of posting a second one.
reply "$KC" "@kim@x.social Kim, yes: every kettle we sell is 220V."
wait_status "$MSG" sent 40
P=$(grep '"/api/v1/statuses"' "$FAKE_LOG" | tail -2)
check "timed out, then answered" "$(echo "$P" | jq -r .step | tr '\n' ' ')" "timeout ok "
check "same key both times" "$(echo "$P" | jq -r .idempotency_key | sort -u | wc -l)" 1
L=$(echo "$P" | tail -1)
check "in reply to Kim" "$(echo "$L" | jq -r '.in_reply_to_id + " " + .visibility')" "5002 public"
WANT=$(echo "$P" | head -1 | jq -r .created)
wait_for "posted once: the first status" 10 sh -c "[ \"\$($DBQ '$DB' 'SELECT external_id FROM message WHERE id=$MSG')\" = '$WANT' ]"
# A status that is gone: a permanent failure that says so.
fake notify '{"id":"505","type":"mention","account":{"id":"66","acct":"gone@x.social"},"status":{"id":"5005","visibility":"public","content":"<p>@shop hello</p>","account":{"id":"66","acct":"gone@x.social"}}}'
wait_for "gone's mention" 20 sh -c "[ -n \"\$($DBQ '$DB' \"SELECT id FROM message WHERE external_id='5005'\")\" ]"
reply "$(dbq "SELECT conversation_id FROM message WHERE external_id='5005'")" "Hello gone, how can we help?"
wait_status "$MSG" failed 20
check "gone reason" "$(msg_error "$MSG")" "mastodon: the status being answered is gone (deleted, or not visible to the brand's account)"

# ---- a restart forgets the cursor: the newest page is read again and every repeat dropped
before=$(inbound)
stop_hark
: > "$FAKE_LOG"
start_hark --outbox-retry-ms 200 --mail-poll-ms 200 --models none
wait_for "polled after the restart" 20 sh -c "[ \$(grep -c '\"/api/v1/notifications\"' '$FAKE_LOG') -ge 2 ]"
grep '"/api/v1/notifications"' "$FAKE_LOG" | head -1 | jq -r .query | grep -q min_id && fail "a cursor survived the restart"
check "repeats after a restart dropped" "$(inbound)" "$before"

# ---- a refused token
req PATCH "/api/v1/channels/$MCH" '{"settings":{"access_token":"wrong-token"}}'
check "token changed" "$STATUS" 200
reply "$KC" "Kim, one more thing about the kettle."
wait_status "$MSG" failed 20
check "refused token reason" "$(msg_error "$MSG")" "mastodon: the access token was refused (The access token is invalid): check the channel's settings"
grep -q 'masto-token-1\|wrong-token' "$T/hark.log" && fail "a token in the log"
stop_hark
echo "621-mastodon-channel: all passed"
