# Console output throughput (lxbench, raw, drained): 64 KiB of text to the
# PL011 (the console, so it lands in the PL011's output among these lines),
# then to the virtio console if there is one (its bytes go wherever the VMM
# sends that port).
. /tests/lib.sh
rc=0
lxbench tty /dev/ttyAMA0 65536 || rc=1
if wait_for /dev/hvc0 2; then
    lxbench tty /dev/hvc0 65536 || rc=1
fi
exit $rc
