# A read-only virtio-blk disk (/dev/vdb): Linux sees it read-only; a write
# refused by Linux, and one forced past it (blockdev --setrw) refused by the
# device; the whole disk read at the same time as vda, from two processes.
. /tests/lib.sh
wait_for /dev/vdb || exit 1
say "vdb ro=$(cat /sys/block/vdb/ro)"
if dd if=/dev/zero of=/dev/vdb bs=4096 count=1 2>/dev/null; then say "write to vdb: accepted"; else say "write to vdb: refused by Linux"; fi
blockdev --setrw /dev/vdb 2>/dev/null
if dd if=/dev/zero of=/dev/vdb bs=4096 count=1 oflag=direct 2>/dev/null; then
    say "forced write to vdb: accepted"
else
    say "forced write to vdb: failed"
fi
# Both disks at once.
sha256sum /dev/vdb > /tmp/vdb.sha &
dd if=/dev/vda of=/dev/null bs=65536 2>/dev/null &
wait
say "vdb sha256 $(cut -d' ' -f1 /tmp/vdb.sha)"
