# The config file as operators write it: a comment after a value, tabs, quoted values with
# '#' and spaces; the example hark.conf (`--print-config --commented`) names every setting and,
# uncommented, gives back the defaults; --print-config shows the effective public-url,
# web-root and models; a server started from a commented file listens where it says; `hark
# version` names the git revision and the build.
. "$(dirname "$0")/lib.sh"
cat > "$T/hark.conf" <<'CONF'
# a full-line comment
listen 127.0.0.1:0          # after the value
log-level	warn	# tabs around the value
brand-handles "acme, acme #care"   # quoted: the '#' inside stays
public-url https://care.example/#x # a '#' not after a space is kept
CONF
"$HARK" serve --print-config --config "$T/hark.conf" --db "$DB" > "$T/eff" 2>&1 || { cat "$T/eff"; fail "print-config"; }
check "trailing comment" "$(grep '^listen ' "$T/eff")" "listen 127.0.0.1:0"
check "tabs" "$(grep '^log-level ' "$T/eff")" "log-level warn"
check "quoted value" "$(grep '^brand-handles ' "$T/eff")" "brand-handles acme, acme #care"
check "'#' inside a word" "$(grep '^public-url ' "$T/eff")" "public-url https://care.example/#x"
printf 'listen "127.0.0.1:0\n' > "$T/bad.conf"
"$HARK" serve --print-config --config "$T/bad.conf" > "$T/err" 2>&1 && fail "unterminated quote accepted"
grep -q "bad.conf:1: 'listen': unterminated quote" "$T/err" || fail "unclear error: $(cat "$T/err")"
echo "ok: unterminated quote refused with file:line"

# Effective values, never empty.
"$HARK" serve --print-config --listen 127.0.0.1:4567 --db "$DB" > "$T/eff"
check "default public-url" "$(grep '^public-url ' "$T/eff")" "public-url http://127.0.0.1:4567"
W=$(sed -n 's/^web-root //p' "$T/eff"); M=$(sed -n 's/^models //p' "$T/eff")
[ -f "$W/index.html" ] || fail "web-root '$W' has no index.html"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# Every checkout builds the default models (mk/classify.mk), so the effective folder has them.
[ -f "$M/intent.bin" ] || fail "models '$M' has no intent.bin"
echo "ok: effective web-root $W, models $M"

# The example: every key of --print-config has a commented-out line; uncommented, it loads
# and gives exactly the defaults.
"$HARK" serve --print-config --commented > "$T/example.conf"
"$HARK" serve --print-config --config "$T/example.conf" > "$T/from-example" || fail "example does not load"
for k in $(cut -d' ' -f1 "$T/eff"); do
    grep -q "^# $k " "$T/example.conf" || fail "example lacks '$k'"
done
echo "ok: the example lists all $(wc -l < "$T/eff") settings"
awk 'prev ~ /^# (Environment|Range):/ && $0 !~ /^# (Environment|Range):/ { sub(/^# /, "") } { print; prev = $0 }' \
    "$T/example.conf" | grep -v '^#' | grep . > "$T/uncommented.conf"
check "uncommented settings" "$(wc -l < "$T/uncommented.conf")" "$(wc -l < "$T/eff")"
"$HARK" serve --print-config --config "$T/uncommented.conf" > "$T/from-uncommented" || fail "uncommented example does not load"
check "uncommented example gives the defaults" "$(cat "$T/from-uncommented")" "$(cat "$T/from-example")"

# A server from the commented file.
start_hark --config "$T/hark.conf" --log-level info # lib.sh reads the info line "listening"
check "served from the commented file" "$(curl -s "$URL/healthz" | jq -r .status)" ok
stop_hark

"$HARK" version > "$T/v"
head -1 "$T/v" | grep -Eq '^hark [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{7,}(-dirty)?|unknown)\)$' || fail "version line: $(head -1 "$T/v")"
grep -q '^build: sanitizers' "$T/v" || fail "build flavour: $(cat "$T/v")"
grep -q '^built against: .*sqlite3[ ][0-9]' "$T/v" || fail "libraries: $(cat "$T/v")"
grep -q 'libmicrohttpd [0-9]' "$T/v" || fail "libmicrohttpd: $(cat "$T/v")"
check "--version is the same" "$("$HARK" --version)" "$(cat "$T/v")"
echo "ok: $(head -1 "$T/v")"
