# Search text is never syntax: a table of hostile q values (FTS5 operators, quotes, column
# filters, prefixes, unicode punctuation) answers 200 on every search endpoint, never 500; a
# q of only spaces or punctuation is no filter; words still find what they name.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
new_channel "Web"
hook "$CH_ID" "$CH_SECRET" '{"id":"a1","from":{"id":"u1","name":"Olivia Smith"},"text":"My order #1234 never arrived"}'
check "first" "$STATUS" 200
hook "$CH_ID" "$CH_SECRET" '{"id":"a2","from":{"id":"u2","name":"Liam Near"},"text":"Is the shop NEAR the station? Café au lait"}'
check "second" "$STATUS" 200
hook "$CH_ID" "$CH_SECRET" '{"id":"a3","from":{"id":"u3","name":"Zoë"},"text":"refund AND replacement, please"}'
check "third" "$STATUS" 200

# search PATH Q: GET PATH with q=Q (URL-encoded by curl); sets STATUS and BODY.
search() { req GET "$1" "" -G --data-urlencode "q=$2"; }

# Made only of spaces or punctuation: no filter, so every conversation.
while IFS= read -r q; do
    search /api/v1/conversations "$q"
    check "empty search [$q]" "$STATUS,$(jqr '.items | length')" "200,3"
done <<'QS'
 
   
"
""
***
*
(
)
()
-
^
:
+
'
\
%
_
{}
.,;!?
"" "" ""
-- ;
QS
# q=%20 and q=%22 written exactly as a client sends them.
req GET "/api/v1/conversations?q=%20"; check "q=%20" "$STATUS,$(jqr '.items | length')" "200,3"
req GET "/api/v1/conversations?q=%22"; check "q=%22" "$STATUS,$(jqr '.items | length')" "200,3"
req GET "/api/v1/conversations?q=%09%0A"; check "q=tab newline" "$STATUS,$(jqr '.items | length')" "200,3"

# Hostile text with words: 200 on every search endpoint (the counts are checked below for the
# ones with a clear answer).
while IFS= read -r q; do
    for p in /api/v1/conversations /api/v1/contacts /api/v1/listening/mentions; do
        search "$p" "$q"
        check "[$q] on $p" "$STATUS" 200
    done
done <<'QS'
order
"order
order"
"order"
"""order"""
order*
*order
NEAR
NEAR(order arrived)
NEAR(order arrived, 2)
order NEAR arrived
order AND arrived
order OR refund
NOT order
order NOT refund
AND
OR
NOT
text:order
{text}: order
- order
-order
^order
+order
(order
order)
(order OR refund) AND NOT NEAR
order'; DROP TABLE message; --
50%
a_b
\order
—
«»
…
“order”
‘order’
order—arrived
¿qué?
日本語
🙂
Zoë
café
x" OR text:"y
QS

check_count() {
    search /api/v1/conversations "$1"
    check "[$1] finds $2" "$STATUS,$(jqr '.items | length')" "200,$2"
}
check_count order 1
check_count '"order"' 1
check_count 'ord' 0
check_count 'ord*' 1
check_count 'or*' 1
check_count 'o*' 0   # a prefix needs two letters
check_count '-order' 1
check_count '^order' 1
check_count '(order' 1
check_count 'order *** ((' 1
check_count 'NEAR' 1
check_count 'AND' 1
check_count 'refund AND' 1
check_count 'text:order' 0
check_count 'Olivia' 1
check_count 'café' 1
check_count 'Zoë' 1
check_count '—' 0
check_count 'order refund' 0
stop_hark
