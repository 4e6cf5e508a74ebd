# A full disk, for real: the database lives on a small tmpfs that a filler file fills up. While
# it is full, webhooks are answered 503 with Retry-After (nothing stored, nothing lost),
# /healthz says "degraded" (503), the server stays up; once space is freed, /healthz is "ok"
# again by itself and webhooks are accepted. Every acknowledged message is there afterwards.
# Where this machine does not let the test mount a tmpfs (not root), the full disk is made by
# libfiu instead: every write fails with ENOSPC (DISK_FULL_WITH=fiu forces that path).
# serial: fills a disk, may mount a tmpfs
# sqlite-only: fills the disk under the SQLite database file
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/disk"
MOUNTED=0
if [ "${DISK_FULL_WITH:-}" != fiu ] && mount -t tmpfs -o size=8m tmpfs "$T/disk" 2>/dev/null; then
    MOUNTED=1
    echo "full disk: an 8 MiB tmpfs"
else
    command -v fiu-run >/dev/null || fail "neither a tmpfs mount nor fiu-run is available"
    echo "full disk: libfiu (no permission to mount a tmpfs)"
    FIU_LIBS=/usr/lib/fiu/fiu_run_preload.so:/usr/lib/fiu/fiu_posix_preload.so
    if ldd "$HARK" | grep -q libasan; then
        FIU_LIBS=$(ldd "$HARK" | sed -n 's/.*libasan[^ ]* => \([^ ]*\).*/\1/p'):$FIU_LIBS
    fi
    HARK_WRAP="env LD_PRELOAD=$FIU_LIBS FIU_CTRL_FIFO=$T/fiu"
fi
unmount() { [ $MOUNTED -eq 1 ] && umount "$T/disk" 2>/dev/null; MOUNTED=0; }
trap 'unmount; cleanup' EXIT
DB="$T/disk/hark.db"

fill() {
    if [ $MOUNTED -eq 1 ]; then
        dd if=/dev/zero of="$T/disk/filler" bs=64k 2>/dev/null || true
    else
        fiu-ctrl -f "$T/fiu" -c "enable name=posix/io/rw/pwrite,failinfo=28" "$HARK_PID"
    fi
}
unfill() {
    if [ $MOUNTED -eq 1 ]; then
        rm -f "$T/disk/filler"
    else
        fiu-ctrl -f "$T/fiu" -c "disable name=posix/io/rw/pwrite" "$HARK_PID"
    fi
}

start_hark
admin_setup
new_channel "Web"
: > "$T/acked"
for i in 1 2 3 4 5; do
    hook "$CH_ID" "$CH_SECRET" "{\"id\":\"before-$i\",\"from\":{\"id\":\"c$i\"},\"text\":\"hello $i\"}"
    check "webhook before the disk fills" "$STATUS" 200
    echo "before-$i" >> "$T/acked"
done

fill
# The WAL may still have room for a few pages: post until the store refuses.
refused=0
i=0
while [ $i -lt 400 ] && [ $refused -eq 0 ]; do
    i=$((i + 1))
    body="{\"id\":\"full-$i\",\"from\":{\"id\":\"d$i\"},\"text\":\"$(head -c 3000 /dev/zero | tr '\0' x)\"}"
    sig=$(sign "$CH_SECRET" "$body")
    code=$(curl -s -o "$T/full.out" -D "$T/full.hdr" -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "X-Hark-Signature: $sig" --data-binary "$body" "$URL/hooks/$CH_ID")
    case $code in
        200) grep -q '"duplicate":false' "$T/full.out" && echo "full-$i" >> "$T/acked" ;;
        503) refused=1 ;;
        *) cat "$T/full.out"; fail "webhook on a full disk answered $code" ;;
    esac
done
check "a webhook on a full disk is refused with 503" "$refused" 1
grep -qi '^Retry-After: [0-9]' "$T/full.hdr" || fail "503 without Retry-After"
echo "ok: 503 carries Retry-After ($(jq -r .error.message "$T/full.out"))"
check "healthz while the disk is full" "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz")" 503
check "healthz says degraded" "$(curl -s "$URL/healthz" | jq -r .status)" degraded
curl -s "$URL/metrics" | grep -q '^hark_store_writable 0' || fail "metric hark_store_writable is not 0"
kill -0 "$HARK_PID" || fail "the server died on a full disk"
# Reads still work while the disk is full.
req GET "/api/v1/conversations?limit=5"
check "the inbox reads on a full disk" "$STATUS" 200

unfill
wait_for "healthz ok by itself after space is freed" 30 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$URL/healthz')\" = 200 ]"
hook "$CH_ID" "$CH_SECRET" '{"id":"after","from":{"id":"c1"},"text":"back"}'
check "webhook after space is freed" "$STATUS" 200
echo after >> "$T/acked"
stop_hark
start_hark
sort -u "$T/acked" > "$T/acked.sorted"
sqlite3 "$DB" "SELECT external_id FROM message WHERE direction='in'" | sort > "$T/stored"
check "every acknowledged message is stored" "$(comm -23 "$T/acked.sorted" "$T/stored" | wc -l)" 0
check "integrity" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok
stop_hark
