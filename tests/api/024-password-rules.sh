# Password rules (OWASP ASVS 2.1): at least 12 characters counted as code points, at most
# 1024 bytes, not in the shipped breached list (any case), and no composition rules. Checked
# for the API (agent add) and the CLI.
. "$(dirname "$0")/lib.sh"
start_hark
admin_setup
n=0
add() { # add PASSWORD_JSON -> sets STATUS, BODY
    n=$((n + 1))
    req POST /api/v1/agents "{\"email\":\"p$n@example.com\",\"name\":\"P $n\",\"password\":$1}"
}
add '"elevenchars"'; check "11 characters" "$STATUS" 422
check "11 characters code" "$(jqr .error.code)" password_too_short
add '"twelve chars"'; check "12 characters, no digits or capitals" "$STATUS" 201
add '"ééééééééééé"'; check "11 two-byte characters (22 bytes)" "$STATUS" 422
add '"éééééééééééé"'; check "12 two-byte characters" "$STATUS" 201
add '"1qaz2wsx3edc"'; check "breached" "$STATUS" 422
check "breached code" "$(jqr .error.code)" password_breached
add '"1QAZ2WSX3edc"'; check "breached, other case" "$STATUS" 422
add '"northwind-demo"'; check "the demo password" "$STATUS" 201
long=$(head -c 1025 /dev/zero | tr '\0' k)
add "\"$long\""; check "1025 bytes" "$STATUS" 422
add "\"${long%k}\""; check "1024 bytes" "$STATUS" 201
# Without a password the agent is invited (tests/api/141-agents-admin.sh): a link, no password.
add 'null'; check "no password: invited" "$STATUS" 201
check "no password: invite link" "$(jqr '.invite_url | test("/#/invite/")')" true
add '42'; check "password not a string" "$STATUS" 422
# The CLI applies the same rules.
echo "elevenchars" | "$HARK" agent add --db "$DB" --email c1@example.com --name C --password-stdin \
    2>"$T/err" && fail "cli accepted 11 characters"
grep -q 'at least 12' "$T/err" || fail "cli error: $(cat "$T/err")"
echo "qwertyuiopasdfgh" | "$HARK" agent add --db "$DB" --email c2@example.com --name C --password-stdin \
    >/dev/null || fail "cli refused a fine password"
stop_hark
