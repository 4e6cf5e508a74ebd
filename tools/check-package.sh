#!/bin/sh
# check-package.sh - the repeatable package check: builds the Debian package from the committed
# tree (HEAD) in a scratch folder, installs it with dpkg on this machine, starts hark from the
# installed paths as the service would, checks /healthz, the web app and `hark doctor`, then
# purges the package. Needs root (or sudo) and a few minutes; not part of `make test`.
#
# Service start: with systemd as PID 1, `systemctl start hark`. Without it (containers), the
# unit's ExecStart line runs by hand as an unprivileged user (nobody, no new privileges) with
# the unit's state directory made for it, and the process's memory map is checked for pages
# that are writable and executable (what MemoryDenyWriteExecute=yes would refuse).
# The package must hold the triage models, trained from the tree's data/classify/. KEEP=1
# leaves the scratch folder.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSION=$(sed -n '1s/^hark (\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
fail() { echo "FAIL: $*"; [ -f "$W/serve.log" ] && tail -20 "$W/serve.log"; exit 1; }
ok() { echo "ok: $*"; }

"$ROOT/tools/deps.sh" debhelper dpkg-dev fakeroot
W=$(mktemp -d /tmp/hark-package.XXXXXX)
PID=""
cleanup() {
    [ -n "$PID" ] && $sudo kill "$PID" 2>/dev/null
    if dpkg-query -W -f='${Status}' hark 2>/dev/null | grep -q installed; then
        $sudo dpkg --purge hark > /dev/null 2>&1 || true
    fi
    [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

# 1. Build from HEAD, as a clean source tree.
mkdir -p "$W/hark-$VERSION"
git -C "$ROOT" archive HEAD | tar -x -C "$W/hark-$VERSION"
echo "building hark $VERSION in $W"
(cd "$W/hark-$VERSION" && nice -n 10 dpkg-buildpackage -us -uc -b -j2) > "$W/build.log" 2>&1 ||
    { tail -40 "$W/build.log"; fail "dpkg-buildpackage"; }
DEB="$W/hark_${VERSION}_amd64.deb"
[ -f "$DEB" ] || fail "no $DEB"
ok "dpkg-buildpackage -us -uc -b: $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB)"
dpkg-deb -c "$DEB" | awk '{print $6}' > "$W/contents"
for f in ./usr/bin/hark ./usr/share/hark/web/index.html ./usr/share/man/man1/hark.1.gz \
         ./etc/hark/hark.conf ./lib/systemd/system/hark.service ./usr/share/hark/hark.conf.example; do
    grep -qx "$f" "$W/contents" || fail "the package lacks $f"
done
for f in intent sentiment; do # trained from the source tree's data/classify/
    grep -qx "./usr/share/hark/models/$f.bin" "$W/contents" || fail "the package lacks $f.bin"
done
ok "models packaged"
ok "the package holds the binary, web app, man page, config, unit"

# 2. Install.
$sudo dpkg -i "$DEB" > "$W/install.log" 2>&1 || { cat "$W/install.log"; fail "dpkg -i"; }
ok "dpkg -i"
/usr/bin/hark version | tee "$W/version"
grep -q "(git $(git -C "$ROOT" rev-parse --short HEAD)" "$W/version" || fail "version lacks the commit"
man -l /usr/share/man/man1/hark.1.gz > /dev/null 2>&1 || fail "man page does not render"

# 3. Start it as the service would.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
if [ "$(ps -p 1 -o comm=)" = systemd ]; then
    $sudo mkdir -p /etc/systemd/system/hark.service.d
    printf '[Service]\nEnvironment=HARK_LISTEN=127.0.0.1:%s\n' "$PORT" |
        $sudo tee /etc/systemd/system/hark.service.d/check.conf > /dev/null
    $sudo systemctl daemon-reload
    $sudo systemctl restart hark
    HOW="systemctl"
else
    EXEC=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/hark.service)
    $sudo mkdir -p /var/lib/hark
    $sudo chown nobody:nogroup /var/lib/hark
    $sudo chmod 750 /var/lib/hark
    # shellcheck disable=SC2086
    (cd /var/lib/hark && exec $sudo env -i PATH=/usr/bin:/bin HARK_LISTEN="127.0.0.1:$PORT" \
        setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs $EXEC) \
        > "$W/serve.log" 2>&1 &
    PID=$!
    HOW="ExecStart by hand as nobody (PID 1 is $(ps -p 1 -o comm=), not systemd)"
fi
for _ in $(seq 1 100); do
    curl -fsS "$URL/healthz" > "$W/healthz" 2>/dev/null && break
    sleep 0.1
done
grep -q '"status":"ok"' "$W/healthz" || fail "/healthz did not answer ok"
ok "started ($HOW); /healthz: $(cat "$W/healthz")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/")" = 200 ] || fail "the web app is not served"
curl -s "$URL/" | grep -qi '<!doctype html' || fail "/ is not the web app"
ok "the web app is served from /usr/share/hark/web"
if [ -n "$PID" ]; then
    HPID=$PID # the subshell exec'd env, setpriv and hark in turn (with sudo: its child)
    for p in $(pgrep -u nobody -x hark -P "$PID"); do HPID=$p; done
    [ -n "$HPID" ] || fail "cannot find the hark process"
    if $sudo awk '$2 ~ /w/ && $2 ~ /x/' "/proc/$HPID/maps" | grep -q .; then
        fail "writable and executable pages (MemoryDenyWriteExecute=yes would break it)"
    fi
    ok "no writable+executable pages in the serving process ($(wc -l < "/proc/$HPID/maps") mappings)"
fi
$sudo env -i PATH=/usr/bin:/bin HARK_LISTEN="127.0.0.1:$PORT" setpriv --reuid=nobody \
    --regid=nogroup --clear-groups /usr/bin/hark doctor --config /etc/hark/hark.conf \
    --db /var/lib/hark/hark.db > "$W/doctor.out" 2>&1 || { cat "$W/doctor.out"; fail "hark doctor"; }
cat "$W/doctor.out"
grep -q "^ok *web-root *'/usr/share/hark/web'" "$W/doctor.out" || fail "doctor: web root"
ok "hark doctor passes on the installed service"

# 4. Stop and purge.
if [ -n "$PID" ]; then
    $sudo kill "$HPID"
    wait "$PID" || true
    PID=""
else
    $sudo systemctl stop hark
    $sudo rm -rf /etc/systemd/system/hark.service.d
fi
$sudo dpkg --purge hark > "$W/purge.log" 2>&1 || { cat "$W/purge.log"; fail "dpkg --purge"; }
[ ! -e /usr/bin/hark ] && [ ! -e /etc/hark ] && [ ! -e /var/lib/hark ] || fail "purge left files"
ok "dpkg --purge removed the binary, /etc/hark and /var/lib/hark"
echo "package check passed"
