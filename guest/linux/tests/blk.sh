# virtio-blk through Linux's driver: /dev/vda holds an ext4 file system the host
# built around known.bin; check it, write guest.txt, sync, unmount. The host
# then runs e2fsck and reads guest.txt back with debugfs.
. /tests/lib.sh
wait_for /dev/vda || exit 1
say "vda: $(cat /sys/block/vda/size) sectors, ro=$(cat /sys/block/vda/ro)"
mount -t ext4 /dev/vda /mnt || { say "mount failed"; exit 1; }
say "known.bin sha256 $(sha256sum /mnt/known.bin | cut -d' ' -f1)"
tag=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
echo "written by Linux under isv, tag $tag" > /mnt/guest.txt
dd if=/dev/urandom of=/mnt/guest.bin bs=4096 count=64 2>/dev/null
say "guest.txt: written by Linux under isv, tag $tag"
say "guest.bin sha256 $(sha256sum /mnt/guest.bin | cut -d' ' -f1)"
sync
umount /mnt || { say "umount failed"; exit 1; }
say "unmounted"
