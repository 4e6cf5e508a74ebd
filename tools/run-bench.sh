#!/bin/sh
# run-bench.sh - runs every bench/*.sh in order; each prints its figures beside its anchors.
set -u
cd "$(dirname "$0")/.."
rc=0
for b in bench/*.sh; do
    [ -e "$b" ] || continue
    echo "== $b"
    sh "$b" || rc=1
done
exit $rc
