#!/bin/sh
# 72-rule-effect.sh - time from saving a routing rule to its effect on the next webhook
# (issue 13): a rule is changed through the API (PUT /api/v1/routing/rules/{id}, team A <-> B)
# and, the moment the save answers 200, a signed webhook opens a new conversation; the figure
# is from that 200 to the webhook's 200, counted only when the conversation was routed by the
# new rule (every run is checked; a stale read would show as "routed by the old rule").
# Anchor, from the same run: the same webhook with the rule set unchanged (routing per
# conversation without a save before it). Routing reads the rules per decision, so the two
# should be the same order. Medians of RUNS (default 25) runs of each, interleaved; one
# keep-alive connection. Release build; a fresh database with 2 teams of 10 online agents.
# Bounded: well under a minute.
set -eu
cd "$(dirname "$0")/.."
HARK=${HARK:-build/rel/hark}
RUNS=${RUNS:-25}
W=build/bench/rule-effect
rm -rf "$W"; mkdir -p "$W"
DB="$W/hark.db"
PID=""
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; true' EXIT

out=$("$HARK" channel add --db "$DB" --type api --name bench 2>/dev/null)
CH=$(echo "$out" | sed -n 's/^id: //p'); SECRET=$(echo "$out" | sed -n 's/^secret: //p')
TOKEN=$("$HARK" token create --db "$DB" --name bench 2>/dev/null)
sqlite3 "$DB" <<'SQL'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
INSERT INTO agent(email, password_hash, name, display_name, role, created_at)
SELECT 'a' || i || '@bench.test', 'x', 'A' || i, 'A' || i, 'agent', 0 FROM n;
INSERT INTO agent_profile(agent_id, capacity, availability, auto_presence)
SELECT id, 100000, 'online', 0 FROM agent;
INSERT INTO team(name, created_at, updated_at) VALUES ('A', 0, 0), ('B', 0, 0);
INSERT INTO team_member(team_id, agent_id) SELECT (id - 1) % 2 + 1, id FROM agent;
COMMIT;
SQL
"$HARK" serve --listen 127.0.0.1:0 --db "$DB" --log-level warn > "$W/hark.log" 2>&1 &
PID=$!
PORT=""
for _ in $(seq 1 300); do
    PORT=$(ss -Hltnp 2>/dev/null | grep "pid=$PID," | sed 's/.*127.0.0.1:\([0-9]*\).*/\1/' | head -1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { cat "$W/hark.log"; echo "hark did not start"; exit 1; }

python3 - "$PORT" "$TOKEN" "$CH" "$SECRET" "$RUNS" <<'PY'
import hashlib, hmac, http.client, json, statistics, sys, time
port, token, ch, secret, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
c = http.client.HTTPConnection("127.0.0.1", int(port))
def call(method, path, body=None, headers=None):
    h = {"Authorization": "Bearer " + token}
    if body is not None:
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, (json.loads(data) if data else None)
s, b = call("GET", "/api/v1/teams")
teams = {t["name"]: t["id"] for t in b["items"]}
rule = {"name": "all api", "team_id": teams["A"], "strategy": "least_loaded",
        "conditions": {"channels": ["api"]}}
s, b = call("POST", "/api/v1/routing/rules", json.dumps(rule))
assert s == 201, (s, b)
rid = b["id"]
seq = [0]
def webhook():
    seq[0] += 1
    body = json.dumps({"id": "m%d" % seq[0], "from": {"id": "u%d" % seq[0], "name": "C"},
                       "text": "Hello, where is my parcel?"})
    sig = "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    t0 = time.perf_counter()
    s, b = call("POST", "/hooks/" + ch, body, {"X-Hark-Signature": sig})
    t1 = time.perf_counter()
    assert s == 200, (s, b)
    return b["conversation_id"], t1 - t0
def routed_team(conv):
    s, b = call("GET", "/api/v1/conversations/%d/sla" % conv)
    return b["routing"]["team_id"]
current = "A"
effect, save, anchor, stale, anchor_wrong = [], [], [], 0, 0
for i in range(runs + 3):
    # Anchor: the rule set unchanged since the previous webhook.
    conv, dt = webhook()
    if routed_team(conv) != teams[current]:
        anchor_wrong += 1
    if i >= 3:
        anchor.append(dt)
    # A save, then the next webhook at once.
    current = "B" if current == "A" else "A"
    rule["team_id"] = teams[current]
    t0 = time.perf_counter()
    s, b = call("PUT", "/api/v1/routing/rules/%d" % rid, json.dumps(rule))
    t1 = time.perf_counter()
    assert s == 200, (s, b)
    conv, _ = webhook()
    t2 = time.perf_counter()
    if routed_team(conv) != teams[current]:
        stale += 1
    if i >= 3:  # the first runs warm the statement caches
        save.append(t1 - t0)
        effect.append(t2 - t1)
ms = lambda v: statistics.median(v) * 1000
p90 = lambda v: sorted(v)[int(len(v) * 0.9) - 1] * 1000
print("runs: %d (after 3 warm-up runs), one keep-alive connection" % len(effect))
print("rule save (PUT, durable):                  median %.2f ms  p90 %.2f ms" % (ms(save), p90(save)))
print("save 200 -> next webhook routed by it:     median %.2f ms  p90 %.2f ms" % (ms(effect), p90(effect)))
print("anchor: same webhook, rules unchanged:     median %.2f ms  p90 %.2f ms" % (ms(anchor), p90(anchor)))
print("effect - anchor (median):                  %.2f ms" % (ms(effect) - ms(anchor)))
print("webhooks right after a save routed by the old rule: %d of %d (target 0)" % (stale, runs + 3))
print("anchor webhooks routed elsewhere than the rule says: %d of %d (target 0)" % (anchor_wrong, runs + 3))
print("target: the next webhook after the save's 200 is routed by the new rule, in about the time of a webhook")
PY
kill $PID; wait $PID 2>/dev/null || true; PID=""
