#!/bin/sh
# lint.sh - house rules that the compiler does not check:
#   1. every .c file includes "base/base.h" first;
#   2. a folder includes only folders above it in the dependency order (docs/architecture.md);
#   3. each third-party library header appears only in the folder that owns it;
#   4. channels/ never include store/: adapters get what they deliver (struct outbox_item)
#      from model/;
#   5. each header in src/ compiles on its own (it includes what it uses);
#   6. migrations in src/store/schema are numbered 001..N, without gaps or duplicates; from 028
#      on each has a PostgreSQL twin with the same number in src/store/schema/pg, and back
#      (pg/027_baseline.sql is the SQLite schema after 027);
#   7. every /api/v1 route in src/api/routes.c is documented in docs/api.md.
set -u
cd "$(dirname "$0")/.."
order="base model store bus fetch classify listen channels auth routing watch care http api"
rank() { i=0; for f in $order; do [ "$f" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 99; }
bad=0
for f in src/*.c src/*/*.c; do
    first=$(grep -m1 '^#include' "$f")
    if [ "$first" != '#include "base/base.h"' ]; then
        echo "$f: first include must be \"base/base.h\" (is: $first)"; bad=1
    fi
done
for f in src/*/*.c src/*/*.h; do
    dir=$(basename "$(dirname "$f")")
    me=$(rank "$dir")
    for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f" | sort -u); do
        [ "$inc" = "$dir" ] && continue
        if [ "$(rank "$inc")" -ge "$me" ]; then
            echo "$f: includes $inc/, which is not above $dir/ in the dependency order"; bad=1
        fi
    done
done
for f in $(grep -l '^#include "store/' src/channels/*.c src/channels/*.h 2>/dev/null); do
    echo "$f: channels/ must not include store/ (struct outbox_item is in model/model.h)"; bad=1
done
owns() { # owns HEADER-REGEX FOLDER-OR-FILE...
    pat=$1; shift
    for f in $(grep -lE "^#include <($pat)" src/*.c src/*/*.c src/*/*.h 2>/dev/null); do
        ok=0
        for d in "$@"; do case "$f" in src/$d/* | src/$d) ok=1;; esac; done
        [ $ok -eq 1 ] || { echo "$f: includes <$pat> outside $*"; bad=1; }
    done
}
owns 'microhttpd.h' http
owns 'sqlite3.h|libpq-fe.h' store
owns 'nats.h|nats/' bus
owns 'hs.h|hs/|yajl/|libwebsockets.h' listen
owns 'unicode/' base/charset.c listen routing
owns 'curl/' fetch
owns 'argon2.h' auth
owns 'openssl/' channels auth
owns 'jansson.h' model api channels listen
owns 'libexttextcat/|textcat.h' classify
cflags="-std=c17 -Isrc $(pkg-config --cflags $(make -s print-pkgs) 2>/dev/null)"
for h in src/*.h src/*/*.h; do
    printf '#include "%s"\n' "${h#src/}" | ${CC:-cc} -x c -fsyntax-only $cflags - 2>/dev/null ||
        { echo "$h: does not compile on its own (include what it uses)"; bad=1; }
done
want=1
for f in src/store/schema/*.sql; do
    n=$(basename "$f" | sed -n 's/^\([0-9][0-9][0-9]\)_[a-z0-9_]*\.sql$/\1/p')
    if [ -z "$n" ]; then echo "$f: a migration is named NNN_name.sql"; bad=1; continue; fi
    n=$(expr "$n" + 0)
    if [ "$n" -ne "$want" ]; then
        echo "$f: migration $n where $want was expected (no gaps, no duplicates; never fill a gap later)"
        bad=1
    fi
    want=$((n + 1))
done
for f in src/store/schema/[0-9][0-9][0-9]_*.sql; do
    n=$(basename "$f" | cut -c1-3)
    [ "$(expr "$n" + 0)" -ge 28 ] || continue
    ls src/store/schema/pg/"${n}"_*.sql >/dev/null 2>&1 ||
        { echo "$f: no src/store/schema/pg/${n}_*.sql (from 028 on, write every migration for both backends)"; bad=1; }
done
for f in src/store/schema/pg/*.sql; do
    [ -e "$f" ] || continue
    n=$(basename "$f" | sed -n 's/^\([0-9][0-9][0-9]\)_[a-z0-9_]*\.sql$/\1/p')
    if [ -z "$n" ]; then echo "$f: a migration is named NNN_name.sql"; bad=1; continue; fi
    [ "$n" = 027 ] && continue
    ls src/store/schema/"${n}"_*.sql >/dev/null 2>&1 ||
        { echo "$f: no SQLite migration src/store/schema/${n}_*.sql with its number"; bad=1; }
done
routes=$(sed -n 's/^ *{ "[A-Z*]*", "\(\/api\/v1\/[^"]*\)".*/\1/p' src/api/routes.c | grep -v '/\*$' | sort -u)
[ -n "$routes" ] || { echo "src/api/routes.c: no /api/v1 route found (has the table moved? update lint.sh)"; bad=1; }
for p in $routes; do
    grep -qF "$p" docs/api.md || { echo "docs/api.md: route $p (src/api/routes.c) is not documented"; bad=1; }
done
[ $bad -eq 0 ] && echo "lint: ok"
exit $bad
