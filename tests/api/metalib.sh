# metalib.sh - helpers for the Meta channel tests (60N-meta-*.sh), on top of lib.sh.
#
# start_meta [SCRIPT] [THEN]   starts tests/fakes/meta_fake.py serve; sets GRAPH (its API root,
#                              for settings.api_base) and GLOG (its request log). It serves the
#                              WhatsApp templates of tests/fakes/wa_templates.json for the
#                              business account $WABA.
# meta_channel TYPE NAME ID_KEY ID   creates a channel pointed at the fake; sets CH_ID.
# push OBJECT ENTRY... [-- push options]  signs and posts a delivery; sets PUSH (statuses, body).
# entry KIND ARGS...           one webhook entry (meta_fake.py entry).
# graph_count                  how many requests the fake has seen.
APP_SECRET=test_app_secret
PAGE_TOKEN=test-page-token
WABA=102290129340398

start_meta() {
    GLOG="$T/graph.log"; : > "$GLOG"; rm -f "$T/graph.port"
    [ -f "$T/graph.pid" ] && kill "$(cat "$T/graph.pid")" 2>/dev/null
    python3 "$FAKES/meta_fake.py" serve --port-file "$T/graph.port" --log "$GLOG" \
        --token "$PAGE_TOKEN" --script "${1:-}" --then "${2:-200}" \
        --templates "$FAKES/wa_templates.json" --waba "$WABA" &
    echo $! > "$T/graph.pid"
    for _ in $(seq 1 100); do [ -s "$T/graph.port" ] && break; sleep 0.05; done
    GRAPH="http://127.0.0.1:$(cat "$T/graph.port")/v19.0"
}

meta_channel() {
    req POST /api/v1/channels "{\"type\":\"$1\",\"name\":\"$2\",\"settings\":{\"app_secret\":\"$APP_SECRET\",\"verify_token\":\"vt-$2\",\"access_token\":\"$PAGE_TOKEN\",\"$3\":\"$4\",\"api_base\":\"$GRAPH\",\"timeout_ms\":2000}}"
    check "create $1 channel $2" "$STATUS" 201
    CH_ID=$(jqr .id)
}

entry() { python3 "$FAKES/meta_fake.py" entry "$@"; }

# push CHANNEL OBJECT [--bad-sig|--times N|--retry N]... ENTRY...
push() {
    local ch=$1 obj=$2; shift 2
    PUSH=$(python3 "$FAKES/meta_fake.py" push --url "$URL/hooks/$ch" --secret "$APP_SECRET" \
        --object "$obj" "$@")
    PUSH_STATUS=$(printf '%s\n' "$PUSH" | sed '$d' | tr '\n' ' ' | sed 's/ $//')
    PUSH_BODY=$(printf '%s\n' "$PUSH" | tail -n1)
}

graph_count() { wc -l < "$GLOG" | tr -d ' '; }
nmsgs() { dbq "SELECT count(*) FROM message WHERE channel_id=$1"; }
msg_state() { dbq "SELECT status FROM message WHERE id=$1"; }
