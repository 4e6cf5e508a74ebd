# The audit log: each kind of admin and security action recorded with the resource before and
# after, secrets never stored, filters and paging, the CSV export (quoting, formulas
# neutralised, itself recorded), admins only, and settings.changed live on a second admin's
# event stream (not on an agent's).
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
echo "agent-password-1" | "$HARK" agent add --db "$DB" --email bo@example.com --name "Bo Agent" \
    --role agent --password-stdin >/dev/null || fail "agent add"
echo "admin-password-2" | "$HARK" agent add --db "$DB" --email cy@example.com --name "Cy Admin" \
    --role admin --password-stdin >/dev/null || fail "second admin add"

# login EMAIL PASSWORD JAR: prints the status; the CSRF token goes to JAR.csrf.
login() {
    out=$(curl -s -c "$3" -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$URL/api/v1/login")
    echo "$out" | sed '$d' | jq -r '.csrf // empty' > "$3.csrf"
    echo "$out" | tail -1
}
# entry ACTION: the newest entry with exactly that action (JSON, or empty).
entry() {
    curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit?action=$1&limit=200" |
        jq -c --arg a "$1" '[.items[] | select(.action == $a)][0] // empty'
}

# --- Cy (second admin) watches the event stream; so does Bo (an agent). ---
check "cy logs in" "$(login cy@example.com admin-password-2 "$T/cy")" 200
check "bo logs in" "$(login bo@example.com agent-password-1 "$T/bo")" 200
curl -s -N -b "$T/cy" "$URL/api/v1/events" > "$T/cy.sse" &
echo $! > "$T/cy-sse.pid"
curl -s -N -b "$T/bo" "$URL/api/v1/events" > "$T/bo.sse" &
echo $! > "$T/bo-sse.pid"
wait_for "cy's stream" 5 grep -q ': connected' "$T/cy.sse"
wait_for "bo's stream" 5 grep -q ': connected' "$T/bo.sse"

# --- Teams: create, update, delete, each with before/after. ---
req POST /api/v1/teams '{"name":"Returns"}'; check "team create" "$STATUS" 201
TEAM=$(jqr .id)
wait_for "settings.changed on cy's stream" 5 grep -q '^event: settings.changed' "$T/cy.sse"
data=$(grep -A1 '^event: settings.changed' "$T/cy.sse" | grep '^data: ' | head -1 | sed 's/^data: //')
check "settings.changed area" "$(echo "$data" | jq -r .area)" teams
check "settings.changed id" "$(echo "$data" | jq -r .id)" "$TEAM"
check "settings.changed action" "$(echo "$data" | jq -r .action)" team.create
check "settings.changed actor" "$(echo "$data" | jq -r .actor.name)" 'API token "tests"'
e=$(entry team.create)
check "team.create before" "$(echo "$e" | jq -c .before)" null
check "team.create after" "$(echo "$e" | jq -r .after.name)" Returns
check "team.create target" "$(echo "$e" | jq -c .target)" "{\"type\":\"team\",\"id\":$TEAM}"
check "team.create request id" "$(echo "$e" | jq -r '.request_id | length > 0')" true
check "team.create ip" "$(echo "$e" | jq -r .ip)" 127.0.0.1

# Cy changes a team from the web app (cookie + CSRF): recorded with Cy as the actor.
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/cy" -X PUT -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $(cat "$T/cy.csrf")" -d '{"name":"Returns EU"}' "$URL/api/v1/teams/$TEAM")
check "cy updates the team" "$code" 200
e=$(entry team.update)
check "team.update before" "$(echo "$e" | jq -r .before.name)" Returns
check "team.update after" "$(echo "$e" | jq -r .after.name)" "Returns EU"
check "team.update actor" "$(echo "$e" | jq -r .actor.name)" "Cy Admin"
check "team.update summary" "$(echo "$e" | jq -r .summary)" 'Team "Returns EU" updated: name'
# A refused change is not recorded.
req PUT "/api/v1/teams/$TEAM" '{"name":""}'; check "bad team update" "$STATUS" 422
check "one team.update" "$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit?action=team.update" | jq '.items | length')" 1

# --- Calendars, SLA policies, routing rules, listening queries and sources. ---
req POST /api/v1/calendars '{"name":"Office","tz":"Europe/Berlin","hours":{"mon":[["09:00","17:00"]]}}'
check "calendar create" "$STATUS" 201
CAL=$(jqr .id)
req PUT "/api/v1/calendars/$CAL" '{"name":"Office","tz":"Europe/Paris","hours":{"mon":[["09:00","17:00"]]}}'
check "calendar update" "$STATUS" 200
e=$(entry calendar.update)
check "calendar.update before tz" "$(echo "$e" | jq -r .before.tz)" Europe/Berlin
check "calendar.update after tz" "$(echo "$e" | jq -r .after.tz)" Europe/Paris
req POST /api/v1/sla/policies '{"name":"fast","first_response_s":60}'; check "policy create" "$STATUS" 201
check "sla_policy.create" "$(entry sla_policy.create | jq -r .after.name)" fast
# Saved replies: the team's texts are settings (a supervisor edits them); filling one for a
# conversation changes nothing and is not recorded.
req POST /api/v1/canned '{"title":"Hours","shortcut":"hours","bodies":{"en":"We open at 9."},"shared":true}'
check "canned create" "$STATUS" 201
CANNED=$(jqr .id)
check "canned_reply.create" "$(entry canned_reply.create | jq -r .after.title)" Hours
req PUT "/api/v1/canned/$CANNED" '{"title":"Opening hours","shortcut":"hours","bodies":{"en":"We open at 10."},"shared":true}'
e=$(entry canned_reply.update)
check "canned_reply.update before/after" "$(echo "$e" | jq -r '.before.title + " > " + .after.title')" "Hours > Opening hours"
req POST /api/v1/routing/rules "{\"name\":\"all\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "rule create" "$STATUS" 201
RULE=$(jqr .id)
req POST /api/v1/routing/rules "{\"name\":\"second\",\"team_id\":$TEAM,\"strategy\":\"least_loaded\"}"
check "second rule" "$STATUS" 201
RULE2=$(jqr .id)
req PUT /api/v1/routing/rules/order "{\"ids\":[$RULE2,$RULE]}"; check "reorder" "$STATUS" 200
e=$(entry routing_rule.order)
check "reorder: the list before" "$(echo "$e" | jq -r '[.before.items[].name] | join(",")')" "all,second"
check "reorder: the list after" "$(echo "$e" | jq -r '[.after.items[].name] | join(",")')" "second,all"
check "reorder summary" "$(echo "$e" | jq -r .summary)" "Routing rule order changed"
# A dry run changes nothing and is not recorded.
req POST /api/v1/channels '{"type":"api","name":"Dry runs"}'; DRY_CH=$(jqr .id)
n0=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit?limit=200" | jq '.items | length')
req POST /api/v1/routing/dry-run "{\"channel_id\":$DRY_CH,\"text\":\"hello\"}"
check "dry run answered" "$(echo "$STATUS" | cut -c1)" 2
check "dry run not recorded" "$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit?limit=200" | jq '.items | length')" "$n0"
req DELETE "/api/v1/routing/rules/$RULE2"; check "second rule delete" "$STATUS" 204
req DELETE "/api/v1/routing/rules/$RULE"; check "rule delete" "$STATUS" 204
e=$(entry routing_rule.delete)
check "routing_rule.delete before" "$(echo "$e" | jq -r .before.name)" all
check "routing_rule.delete after" "$(echo "$e" | jq -c .after)" null
req POST /api/v1/listening/queries '{"name":"brand","query":"acme"}'; check "query create" "$STATUS" 201
Q=$(jqr .id)
req PATCH "/api/v1/listening/queries/$Q" '{"active":false}'; check "query patch" "$STATUS" 200
e=$(entry listening_query.update)
check "listening_query.update before" "$(echo "$e" | jq -r .before.active)" true
check "listening_query.update after" "$(echo "$e" | jq -r .after.active)" false
req POST /api/v1/listening/sources '{"spec":"jetstream://127.0.0.1:9","active":false}'
check "source create" "$STATUS" 201
check "listening_source.create" "$(entry listening_source.create | jq -r .after.spec)" "jetstream://127.0.0.1:9"

# --- Channels and tokens: their secrets never reach the log. ---
new_channel "Support API"
e=$(entry channel.create)
check "channel.create after" "$(echo "$e" | jq -r .after.name)" "Support API"
req POST /api/v1/tokens '{"name":"ci","role":"agent"}'; check "token create" "$STATUS" 201
CI_TOKEN=$(jqr .token); CI_ID=$(jqr .id)
req DELETE "/api/v1/tokens/$CI_ID"; check "token revoke" "$STATUS" 200
e=$(entry token.revoke)
check "token.revoke before" "$(echo "$e" | jq -r .before.status)" active
check "token.create after" "$(entry token.create | jq -r .after.name)" ci

# --- Agents: create, role change seen in before/after, password reset, disable, enable. ---
req POST /api/v1/agents '{"email":"di@example.com","name":"Di","role":"agent","password":"di-password-11"}'
check "agent create" "$STATUS" 201
DI=$(echo "$BODY" | jq -r '.id // .agent.id')
req POST "/api/v1/agents/$DI/password" '{"password":"di-password-22"}'; check "password reset" "$STATUS" 200
e=$(entry agent.password)
check "agent.password after shows only 'changed'" "$(echo "$e" | jq -r .after.password)" changed
req POST "/api/v1/agents/$DI/disable"; check "disable" "$STATUS" 200
e=$(entry agent.disable)
check "agent.disable target" "$(echo "$e" | jq -r .target.id)" "$DI"
check "agent.disable before/after differ" "$(echo "$e" | jq '.before != .after')" true
req POST "/api/v1/agents/$DI/enable"; check "enable" "$STATUS" 200
check "agent.enable" "$(entry agent.enable | jq -r .target.id)" "$DI"
req PATCH "/api/v1/agents/$DI/profile" '{"capacity":7}'; check "profile" "$STATUS" 200
e=$(entry agent.profile)
check "agent.profile after capacity" "$(echo "$e" | jq -r .after.capacity)" 7

# --- Logins, failed logins, logout, own password change. ---
check "bo wrong password" "$(login bo@example.com 'not-the-password-9' "$T/x")" 401
e=$(entry login.failed)
check "login.failed actor is the email tried" "$(echo "$e" | jq -r .actor.name)" bo@example.com
check "login.failed names the agent" "$(echo "$e" | jq -r .target.id)" \
    "$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/agents" | jq -r '.items[] | select(.email=="bo@example.com") | .id')"
check "login recorded" "$(entry login | jq -r .actor.name)" "Bo Agent"
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/bo" -X POST -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $(cat "$T/bo.csrf")" \
    -d '{"current_password":"agent-password-1","password":"agent-password-3"}' "$URL/api/v1/me/password")
check "bo changes own password" "$code" 200
check "password.change" "$(entry password.change | jq -r .actor.name)" "Bo Agent"

# --- Changes made with the CLI are recorded too (actor "command line"). ---
req GET "/api/v1/audit?actor=command%20line&limit=50"
check "cli: agents and the token" "$(jqr '[.items[].action] | sort | unique | join(",")')" "agent.create,token.create"
check "cli: bo's creation" "$(jqr '[.items[] | select(.summary | contains("bo@example.com"))] | length')" 1
"$HARK" agent disable --db "$DB" di@example.com >/dev/null || fail "cli disable"
check "cli: disable" "$(entry agent.disable | jq -r '.actor.name + " " + .summary')" \
    'command line Agent "Di" disabled from the command line'
"$HARK" agent enable --db "$DB" di@example.com >/dev/null || fail "cli enable"

# --- Non-admins are refused. ---
check "bo logs in again" "$(login bo@example.com agent-password-3 "$T/bo2")" 200
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/bo2" "$URL/api/v1/audit"); check "agent reads audit" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/bo2" "$URL/api/v1/audit/export"); check "agent exports" "$code" 403
req POST /api/v1/tokens '{"name":"agent-token","role":"agent"}'; AGENT_TOKEN=$(jqr .token)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGENT_TOKEN" "$URL/api/v1/audit")
check "agent token reads audit" "$code" 403
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/bo2" -X POST -H "X-CSRF-Token: $(cat "$T/bo2.csrf")" "$URL/api/v1/logout")
check "bo logs out" "$code" 200
check "logout recorded" "$(entry logout | jq -r .actor.name)" "Bo Agent"

# --- Bo's (agent) stream never got settings.changed or audit.recorded. A marker every stream
# sees (Bo's own availability, a later event) proves Bo's stream had read past them. ---
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/bo" -X PUT -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $(cat "$T/bo.csrf")" -d '{"availability":"away"}' "$URL/api/v1/me/availability")
check "bo goes away (the marker)" "$code" 200
wait_for "marker on bo's stream" 5 grep -q '"availability":"away"' "$T/bo.sse"
grep -q '^event: settings.changed' "$T/bo.sse" && fail "an agent's stream got settings.changed"
grep -q '^event: audit.recorded' "$T/bo.sse" && fail "an agent's stream got audit.recorded"
grep -q '^event: audit.recorded' "$T/cy.sse" || fail "no audit.recorded on the admin's stream"
echo "ok: settings events only on admin streams"

# --- Secrets: nothing of them anywhere in the log. ---
ALL=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit?limit=200")
check "log is long enough" "$(echo "$ALL" | jq '.items | length >= 20')" true
for s in "$CH_SECRET" "$CI_TOKEN" "$AGENT_TOKEN" agent-password-1 agent-password-3 \
         di-password-11 di-password-22 not-the-password-9 admin-password-2; do
    echo "$ALL" | grep -qF -- "$s" && fail "secret in the audit log: ${s%"${s#????}"}..."
done
curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit/export" > "$T/all.csv"
for s in "$CH_SECRET" "$CI_TOKEN" "$AGENT_TOKEN" agent-password-1 di-password-22 not-the-password-9; do
    grep -qF -- "$s" "$T/all.csv" && fail "secret in the CSV export"
done
echo "ok: no secret in the log or the export"

# --- Filters and paging. ---
req GET "/api/v1/audit?limit=3"; check "page 1" "$(jqr '.items | length')" 3
C=$(jqr .next_cursor)
req GET "/api/v1/audit?limit=3&cursor=$C"; check "page 2" "$(jqr '.items | length')" 3
check "page 2 is older" "$(jqr ".items[0].id < $C")" true
req GET "/api/v1/audit?target_type=team&target_id=$TEAM"
check "by target: team entries" "$(jqr '[.items[].action] | sort | join(",")')" "team.create,team.update"
CY=$(curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/agents" | jq -r '.items[] | select(.email=="cy@example.com") | .id')
req GET "/api/v1/audit?actor=$CY&action=team."; check "by actor id" "$(jqr '[.items[].action] | join(",")')" team.update
req GET "/api/v1/audit?actor=Cy"; check "by actor name" "$(jqr '[.items[] | .actor.name] | unique | join(",")')" "Cy Admin"
req GET "/api/v1/audit?q=Returns%20EU"; check "by text" "$(jqr '.items | length >= 1')" true
req GET "/api/v1/audit?until=2000-01-01T00:00:00Z"; check "until" "$(jqr '.items | length')" 0
req GET "/api/v1/audit?since=yesterday"; check "bad since" "$STATUS" 400
req GET "/api/v1/audit?limit=500"; check "bad limit" "$STATUS" 400

# --- CSV: quoting and formula neutralising. A failed login's email is text an outsider
# chooses; it lands in the actor cell. ---
EVIL='=HYPERLINK("http://evil.example","x"),1'
curl -s -o /dev/null -H 'Content-Type: application/json' \
    -d "$(jq -nc --arg e "$EVIL" '{email:$e,password:"whatever-12345"}')" "$URL/api/v1/login"
curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"email":"@SUM(1+1)","password":"whatever-12345"}' "$URL/api/v1/login"
curl -s -o /dev/null -H 'Content-Type: application/json' -d '{"email":"-2+3","password":"whatever-12345"}' "$URL/api/v1/login"
curl -s -D "$T/csv.h" -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit/export?action=login.failed" > "$T/f.csv"
grep -qi '^content-type: text/csv' "$T/csv.h" || fail "export is not text/csv"
grep -qi '^content-disposition: attachment; filename="hark-audit-' "$T/csv.h" || fail "no attachment filename"
check "csv header" "$(head -1 "$T/f.csv" | tr -d '\r')" \
    "id,at,actor,actor_agent_id,actor_token_id,action,target_type,target_id,summary,ip,request_id,before,after"
grep -qF ",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\"),1\"," "$T/f.csv" || { cat "$T/f.csv"; fail "formula not neutralised or badly quoted"; }
grep -qF ",\"'@SUM(1+1)\"," "$T/f.csv" || fail "@ not neutralised"
grep -qF ",\"'-2+3\"," "$T/f.csv" || fail "- not neutralised"
grep -q ',"=\|,"+\|,"-\|,"@' "$T/f.csv" && fail "a cell starts with a formula character"
# Parsed by a real CSV reader: every row has the 13 columns; the evil email reads back as text.
python3 - "$T/f.csv" "$EVIL" <<'PY' || fail "CSV does not parse back"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert all(len(r) == 13 for r in rows), [len(r) for r in rows]
assert rows[0][0] == "id"
actors = [r[2] for r in rows[1:]]
assert "'" + sys.argv[2] in actors, actors
assert all(r[5] == "login.failed" for r in rows[1:]), rows
PY
echo "ok: csv parses back with 13 columns"
# The export recorded itself, with its filter.
e=$(entry audit.export)
check "audit.export summary" "$(echo "$e" | jq -r .summary)" "Exported the audit log as CSV (action=login.failed)"

# --- A long export: more rows than one page of the stream (200), every entry once, newest
# first. ---
for i in $(seq 1 210); do
    curl -s -o /dev/null -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"name\":\"Returns $i\"}" "$URL/api/v1/teams/$TEAM"
done
curl -s -H "Authorization: Bearer $TOKEN" "$URL/api/v1/audit/export" > "$T/long.csv"
python3 - "$T/long.csv" "$(dbq 'SELECT count(*) FROM audit')" <<'PY' || fail "long export"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))[1:]
ids = [int(r[0]) for r in rows]
assert len(ids) == int(sys.argv[2]), (len(ids), sys.argv[2])
assert ids == sorted(set(ids), reverse=True), "not newest first, or a row twice"
assert sum(1 for r in rows if r[5] == "team.update") >= 211
PY
echo "ok: a long export has every entry once"

# --- Append-only in the database itself. ---
stop_hark
dbq "UPDATE audit SET summary='x'" 2>/dev/null && fail "UPDATE of the audit table allowed"
dbq "DELETE FROM audit" 2>/dev/null && fail "DELETE from the audit table allowed"
check "entries intact" "$(dbq "SELECT CASE WHEN count(*) > 20 THEN 1 ELSE 0 END FROM audit")" 1
echo "ok: append-only"
