# Messenger and Facebook Page comments against tests/fakes/meta_fake.py: the Messenger test
# vector from PROTOCOLS.md, one batch with several entries (DMs, a Page comment, an echo and a
# read receipt) handled whole, DMs private and comments public (one conversation per post),
# one conversation per post and commenter), replies through the Send API and under the comment, the Page rate-limit code slowing
# delivery, the 2000-byte limit and the 24-hour window, and a private reply to a comment that
# opens a DM conversation linked to the public thread (the customer's answer lands in it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/metalib.sh"
start_meta "rl:4:1" 200
start_hark --outbox-retry-ms 200
admin_setup
PAGE=111222333444555
meta_channel messenger fb page_id "$PAGE"
FB=$CH_ID
check "handshake" "$(curl -s "$URL/hooks/$FB?hub.mode=subscribe&hub.challenge=42&hub.verify_token=vt-fb")" 42

# PROTOCOLS.md §1.2 test vector: exact bytes, é escaped as \u00e9.
VEC='{"object":"page","entry":[{"id":"111222333444555","time":1700000000123,"messaging":[{"sender":{"id":"24681357902468135"},"recipient":{"id":"111222333444555"},"timestamp":1700000000001,"message":{"mid":"m_TESTMID0001","text":"Hi, is my order shipped? caf\u00e9"}}]}]}'
S=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Hub-Signature-256: sha256=cbfac9c4118a8c6669af7441d9954e47bfa9f7487652a4109fd9e80350937928' --data-binary "$VEC" "$URL/hooks/$FB")
check "test vector" "$S" 200
check "escaped text decoded" "$(dbq "SELECT text FROM message WHERE external_id='m_TESTMID0001'")" "Hi, is my order shipped? café"
S=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Hub-Signature: sha1=13cddb88fbd54509cae952ebd894d1c83d460969' --data-binary "$VEC" "$URL/hooks/$FB")
check "legacy sha1 alone is not enough" "$S" 401

# One delivery, four entries: two DMs from one customer (out of order), a comment, an echo of
# our own send and a read receipt.
NOW=$(( $(date +%s) * 1000 ))
push "$FB" page \
    "$(entry dm --account $PAGE --sender 5550001 --id m_B --text 'second' --ts $((NOW - 1000)))" \
    "$(entry dm --account $PAGE --sender 5550001 --id m_A --text 'Mon colis est abîmé' --ts $((NOW - 5000)))" \
    "$(entry fb-comment --account $PAGE --sender 7770001 --name 'Carla Dias' --id 999_1 --post ${PAGE}_42 --text 'Still waiting for my refund!')" \
    "$(entry dm --account $PAGE --sender 5550001 --id m_ECHO --text 'our reply' --echo)" \
    "$(entry read --account $PAGE --sender 5550001)"
check "batch accepted" "$PUSH_STATUS" 200
check "three messages from the batch" "$(dbq "SELECT count(*) FROM message WHERE external_id IN ('m_A','m_B','999_1')")" 3
check "echo skipped" "$(dbq "SELECT count(*) FROM message WHERE external_id='m_ECHO'")" 0
DM=$(dbq "SELECT conversation_id FROM message WHERE external_id='m_A'")
check "both DMs in one conversation" "$(dbq "SELECT conversation_id FROM message WHERE external_id='m_B'")" "$DM"
check "timestamps kept (out of order)" "$(dbq "SELECT (SELECT created_at FROM message WHERE external_id='m_B') - (SELECT created_at FROM message WHERE external_id='m_A')")" 4000
PUB=$(dbq "SELECT conversation_id FROM message WHERE external_id='999_1'")
req GET "/api/v1/conversations/$DM"
check "DM is private" "$(jqr .public)" false
check "DM window open" "$(jqr .reply_window_open)" true
req GET "/api/v1/conversations/$PUB"
check "comment is public" "$(jqr .public)" true
check "commenter name" "$(jqr .contact.name)" "Carla Dias"
check "public threads have no window" "$(jqr .reply_window_closes_at)" null
# The same customer's next comment on the post joins the conversation; a redelivery adds
# nothing; another customer's comment on the post is their own conversation.
push "$FB" page --times 2 "$(entry fb-comment --account $PAGE --sender 7770001 --name 'Carla Dias' --id 999_2 --post ${PAGE}_42 --text 'Hello??')"
check "redelivered" "$PUSH_STATUS" "200 200"
check "one conversation per post and customer" "$(dbq "SELECT conversation_id FROM message WHERE external_id='999_2'")" "$PUB"
push "$FB" page "$(entry fb-comment --account $PAGE --sender 7770002 --name 'Dan' --id 999_4 --post ${PAGE}_42 --text 'Same here')"
[ "$(dbq "SELECT conversation_id FROM message WHERE external_id='999_4'")" != "$PUB" ] || fail "another customer's comment joined"
check "no duplicate" "$(dbq "SELECT count(*) FROM message WHERE external_id='999_2'")" 1
# The Page's own comment is not a customer message.
push "$FB" page "$(entry fb-comment --account $PAGE --sender $PAGE --name 'Shop' --id 999_3 --post ${PAGE}_42 --text 'We are on it')"
check "own comment ignored" "$(dbq "SELECT count(*) FROM message WHERE external_id='999_3'")" 0
# An attachment becomes a placeholder with its URL.
push "$FB" page "$(entry dm --account $PAGE --sender 5550009 --id m_IMG --attach 'image:https://cdn.example/a.jpg')"
check "attachment" "$(dbq "SELECT text FROM message WHERE external_id='m_IMG'")" "[image] https://cdn.example/a.jpg"
grep -q 'cdn.example' "$T/hark.log" && fail "attachment URL in the log"

# DM reply: the Page limit (code 4, Retry-After 1) slows it down, then the Send API shape.
LONG=$(head -c 2001 /dev/zero | tr '\0' a)
req POST "/api/v1/conversations/$DM/messages" "{\"text\":\"$LONG\"}"
check "over 2000 bytes refused" "$STATUS" 422
req POST "/api/v1/conversations/$DM/messages" '{"text":"Désolé ! We will replace it."}'
MSG=$(jqr .id)
wait_for "DM sent" 20 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "rate limited once, then sent" "$(graph_count)" 2
check "send api" "$(tail -n1 "$GLOG" | jq -c '{path,body}')" "{\"path\":\"/v19.0/$PAGE/messages\",\"body\":{\"recipient\":{\"id\":\"5550001\"},\"message\":{\"text\":\"Désolé ! We will replace it.\"},\"messaging_type\":\"RESPONSE\"}}"
wait_for "platform id recorded" 5 sh -c "[ \"\$($DBQ '$DB' 'SELECT external_id FROM message WHERE id=$MSG')\" = m_SENT0001 ]"

# Public reply: under the latest comment.
req POST "/api/v1/conversations/$PUB/messages" '{"text":"Sorry to hear that, we are looking into it."}'
MSG=$(jqr .id)
wait_for "comment reply sent" 10 sh -c "[ \"\$($DBQ '$DB' 'SELECT status FROM message WHERE id=$MSG')\" = sent ]"
check "comment reply" "$(tail -n1 "$GLOG" | jq -c '{path,body}')" '{"path":"/v19.0/999_2/comments","body":{"message":"Sorry to hear that, we are looking into it."}}'

# Public to private: Meta's private reply to the latest comment, linked as one case.
req POST "/api/v1/conversations/$DM/private-reply" '{"text":"x"}'
check "a DM cannot move to private" "$STATUS" 422
req POST "/api/v1/conversations/$PUB/private-reply" '{"text":"Hi Carla, could you send us your order number here?"}'
check "private reply" "$STATUS" 201
PRIV=$(jqr .conversation.id)
check "linked back" "$(jqr .linked_conversation_id)" "$PUB"
check "private conversation" "$(jqr .conversation.public)" false
check "sent" "$(jqr .message.status)" sent
check "platform id kept" "$(jqr .message.external_id | cut -c1-6)" m_SENT
check "private reply shape" "$(tail -n1 "$GLOG" | jq -c '{path,body}')" "{\"path\":\"/v19.0/$PAGE/messages\",\"body\":{\"recipient\":{\"comment_id\":\"999_2\"},\"message\":{\"text\":\"Hi Carla, could you send us your order number here?\"}}}"
req GET "/api/v1/conversations/$PUB"
check "public side links to the DM" "$(jqr .linked_conversation_id)" "$PRIV"
check "event in the public thread" "$(jqr '.messages[-1].kind')" event
req GET "/api/v1/conversations/$PRIV"
check "DM links to the public thread" "$(jqr .linked_conversation_id)" "$PUB"
check "no window until the customer writes" "$(jqr .reply_window_open)" false
req POST "/api/v1/conversations/$PRIV/messages" '{"text":"Anything else?"}'
check "free-form refused before the customer answers" "$STATUS" 422
check "code" "$(jqr .error.code)" outside_reply_window
# The fake's private reply answers with recipient_id 24681357902468135 (the customer's PSID).
push "$FB" page "$(entry dm --account $PAGE --sender 24681357902468135 --id m_ANSWER --text 'Order 12345')"
check "the answer lands in the linked DM" "$(echo "$PUSH_BODY" | jq -r .conversation_id)" "$PRIV"
req POST "/api/v1/conversations/$PRIV/messages" '{"text":"Thanks, refund on its way."}'
check "window open after the answer" "$STATUS" 201
# Meta allows one private reply per comment.
req POST "/api/v1/conversations/$PUB/private-reply" '{"text":"again"}'
check "second private reply refused" "$STATUS" 502
jqr .error.message | grep -q 'already replied' || fail "platform reason shown: $(jqr .error.message)"
stop_hark
echo "all ok"
