#!/bin/sh
# deps.sh - installs the Debian packages named as arguments that are not installed yet.
# Runs `apt-get update` once, and only when something is missing; uses sudo when not root.
# Installing never starts a system service: some packages the tests use are servers (Dovecot,
# Exim) that the tests start themselves on 127.0.0.1, and a Debian install would otherwise
# start them for real, listening beyond loopback. Unless the machine already has one, a
# policy-rc.d that denies service starts is in place for the install (Debian's own mechanism,
# as Docker images use), and removed after.
set -eu
missing=""
for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# hark tools/deps.sh: no service starts while it installs packages\nexit 101\n' |
        $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    trap '$sudo rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
