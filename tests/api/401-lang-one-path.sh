# Language id has one code path and one label form: the same texts through ingest (the API)
# and through `hark model predict --models` (the CLI) get the same language and the same
# intent confidence, "und" when unknown. These texts once disagreed (libexttextcat read past the
# text's end: a newline in the CLI's line buffer, a NUL in the database).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$ROOT/build/models/intent.bin" ] || fail "no build/models/intent.bin: run make first"
cat > "$T/texts.txt" <<'TEXTS'
@united #LAX #sunrise UAL212 LAX-JFK
@united so unhelpful... http://t.co/vBfIeo2qJC
@SouthwestAir I'm 30 mins out WAIT FOR ME
@JetBlue yesterday's deal?
@united Seat 14A, Flight UA895
@USAirways okay, great. Thank you!
Bonjour, je voudrais savoir si vous livrez en Belgique.
Hola, mi pedido llegó roto y quiero mi dinero
@AmericanAir WHY IS MY BAG STILL IN CHICAGO
ok
TEXTS
"$HARK" model predict --models "$ROOT/build/models" < "$T/texts.txt" > "$T/cli.jsonl"
start_hark --models "$ROOT/build/models"
admin_setup
new_channel "Web"
i=0
: > "$T/api.txt"
while IFS= read -r text; do
    i=$((i + 1))
    hook "$CH_ID" "$CH_SECRET" "$(jq -nc --arg t "$text" --arg id "l$i" '{id: $id, from: {id: ("u" + $id), name: "Ann"}, text: $t}')"
    req GET "/api/v1/conversations/$(jqr .conversation_id)"
    echo "$BODY" | jq -c '.messages[0].triage | [.lang, .intent, (.confidence * 10000 | round)]' >> "$T/api.txt"
done < "$T/texts.txt"
jq -c '[.lang, .intent, (.confidence * 10000 | round)]' "$T/cli.jsonl" > "$T/cli.txt"
diff "$T/cli.txt" "$T/api.txt" || fail "the CLI and the API disagree (left: CLI, right: API)"
check "unknown is und in the API" "$(sed -n 1p "$T/api.txt" | jq -r '.[0]')" und
check "too short is und" "$(sed -n 10p "$T/api.txt" | jq -r '.[0]')" und
check "shouting is English" "$(sed -n 9p "$T/api.txt" | jq -r '.[0]')" en
check "french" "$(sed -n 7p "$T/api.txt" | jq -r '.[0]')" fr
stop_hark
echo ok
