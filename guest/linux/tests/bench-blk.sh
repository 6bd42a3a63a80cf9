# virtio-blk throughput and latency through Linux's driver (lxbench, O_DIRECT):
# sequential 1 MiB writes then reads of the first 64 MiB (the disk must hold
# them), then 4 KiB random reads at queue depth 1 and 16 for isv.bench.secs=
# seconds each (default 5). The disk's contents are overwritten.
. /tests/lib.sh
wait_for /dev/vda || exit 1
secs=$(sed -n 's/.*isv\.bench\.secs=\([0-9][0-9]*\).*/\1/p' /proc/cmdline)
secs=${secs:-5}
rc=0
lxbench seq /dev/vda 64 || rc=1
lxbench rand /dev/vda 1 "$secs" || rc=1
lxbench rand /dev/vda 16 "$secs" || rc=1
exit $rc
