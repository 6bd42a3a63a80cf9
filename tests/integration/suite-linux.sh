# Debian's unmodified arm64 kernel under isv, its own drivers on isv's devices:
# the guest's scripts (guest/linux/tests) print what they saw, the host checks
# it, and reads back what Linux wrote (the ext4 image comes back through
# export/). Two Linux boots: the devices, and the PL011 shell fed from a file.
# (Sourced by run.sh.)

LX="bin/isv --mem 256M --initrd linux/initramfs.cpio.gz"
LX_ARGS="console=ttyAMA0 quiet panic=-1"

# ---- host side: the disks, built before the boot ----
lxdir=$work/linux-src
mkdir -p "$lxdir/fs"
head -c 262144 /dev/urandom > "$lxdir/fs/known.bin"
KNOWN_SHA=$(sha256sum "$lxdir/fs/known.bin" | cut -d' ' -f1)
mke2fs -q -F -t ext4 -L isvtest -d "$lxdir/fs" "$STAGE_EXTRA/linux-ext4.img" 16M >/dev/null
head -c 4194304 /dev/urandom > "$STAGE_EXTRA/linux-ro.img"
RO_SHA=$(sha256sum "$STAGE_EXTRA/linux-ro.img" | cut -d' ' -f1)

n=linux-devices
# The host's line goes into virtio-console's stdin once the guest has hvc0 open
# (Linux drops input for a console port nobody has open, as for a serial line).
vmm_case $n 240 "date +%s | sed 's/^/isv-host: date /'; rm -f /tmp/lx-hvc-in /tmp/lx-console.txt; \
mkfifo /tmp/lx-hvc-in; exec 3<>/tmp/lx-hvc-in; \
$LX --stats --console file:out=/tmp/lx-console.txt \
--device virtio-blk,file=linux-ext4.img --device virtio-blk,file=linux-ro.img,readonly \
--device virtio-rng --device virtio-console \
--append '$LX_ARGS isv.linux=blk,blkro,rng,hvc,rtc,tty' linux/vmlinuz </tmp/lx-hvc-in > /tmp/lx-hvc.txt & pid=\$!; \
i=0; while ! grep -q 'hvc0 open' /tmp/lx-console.txt 2>/dev/null && [ \$i -lt 300 ]; do sleep 0.5; i=\$((i + 1)); done; \
echo 'isv-host: hello guest, from the host' >&3; wait \$pid; rc=\$?; \
cat /tmp/lx-console.txt; sed 's/^/isv-host: hvc file: /' /tmp/lx-hvc.txt; \
echo \"isv-host: ro image after: \$(sha256sum linux-ro.img | cut -d' ' -f1)\"; \
cp linux-ext4.img export/; exit \$rc"
expect_rc $n 0
expect_out $n '^isv-linux: userspace up at [0-9.]+ s'
for t in blk blkro rng hvc rtc tty; do expect_out $n "^isv-linux: END $t rc=0$"; done
# virtio-blk: Linux's ext4 over our disk, then e2fsck and debugfs on the host.
expect_out $n "^isv-linux: known.bin sha256 $KNOWN_SHA$"
expect_out $n '^isv-linux: unmounted$'
expect_cmd $n 'e2fsck -fn "$EXPORT/linux-ext4.img"'
expect_cmd $n 'want=$(sed -n "s/^isv-linux: guest.txt: //p" "$OUT"); got=$(debugfs -R "cat /guest.txt" "$EXPORT/linux-ext4.img" 2>/dev/null); [ -n "$want" ] && [ "$got" = "$want" ] || { echo "debugfs read \"$got\", the guest wrote \"$want\""; exit 1; }'
expect_cmd $n 'want=$(sed -n "s/^isv-linux: guest.bin sha256 //p" "$OUT"); got=$(debugfs -R "cat /guest.bin" "$EXPORT/linux-ext4.img" 2>/dev/null | sha256sum | cut -d" " -f1); [ "$got" = "$want" ] || { echo "guest.bin on the host: $got, in the guest: $want"; exit 1; }'
# virtio-blk read-only: refused by Linux, and by the device when forced; unchanged.
expect_out $n '^isv-linux: vdb ro=1$'
expect_out $n '^isv-linux: write to vdb: refused by Linux$'
expect_out $n '^isv-linux: forced write to vdb: failed$'
expect_out $n "^isv-linux: vdb sha256 $RO_SHA$"
expect_out $n "^isv-host: ro image after: $RO_SHA$"
# virtio-rng
expect_out $n '^isv-linux: rng_current virtio_rng\.0$'
expect_out $n '^isv-linux: hwrng read 4096 bytes, (2[0-9][0-9]) distinct byte values$'
# virtio-console, both ways
expect_out $n '^isv-host: hvc file: isv-linux: hello host, from hvc0'
expect_out $n '^isv-linux: hvc0 got: isv-host: hello guest, from the host'
# PL031: Linux's clock from our RTC, within a minute of the host's (the boot takes
# some of it), and an alarm that raised the RTC's interrupt.
expect_out $n '^isv-linux: rtc0 name rtc-pl031'
expect_cmd $n 'h=$(sed -n "s/^isv-host: date //p" "$OUT"); g=$(sed -n "s/^isv-linux: date //p" "$OUT"); d=$((g - h)); [ "$d" -ge 0 ] && [ "$d" -le 60 ] || { echo "guest date $g, host date $h before the boot"; exit 1; }'
expect_out $n '^isv-linux: rtc interrupts before 0 after [1-9]'
expect_out $n '^isv-linux: ttyAMA0 irq line: .*uart-pl011'
# Linux's accessors are asm: not one exit without a valid syndrome.
expect_out $n '^isv: stats:   exits without a valid syndrome: 0$'
expect_out $n '^isv: stats:   device pl031@9010000 +reads [1-9]'

# ---- the PL011 input path: a shell typed at through a FIFO once its prompt is
# there (Linux drains the RX FIFO when it opens the port, as on hardware, so
# type-ahead from before that is lost); its poweroff ends isv with status 0.
printf '%s\n' 'echo "isv-shell: $((6 * 7))"' \
    'grep uart-pl011 /proc/interrupts | sed "s/^/isv-shell: irq /"' 'poweroff' > "$STAGE_EXTRA/linux-cmds.txt"
n=linux-shell
vmm_case $n 240 "rm -f /tmp/lx-in /tmp/lx-shell.txt; mkfifo /tmp/lx-in; exec 3<>/tmp/lx-in; \
$LX --console file:in=/tmp/lx-in,out=/tmp/lx-shell.txt --append '$LX_ARGS' linux/vmlinuz & pid=\$!; \
i=0; while ! grep -q '/ # ' /tmp/lx-shell.txt 2>/dev/null && [ \$i -lt 300 ]; do sleep 0.5; i=\$((i + 1)); done; \
cat linux-cmds.txt >&3; wait \$pid; rc=\$?; cat /tmp/lx-shell.txt; exit \$rc"
expect_rc $n 0
expect_out $n '^isv-shell: 42'
expect_out $n '^isv-shell: irq +[0-9]+: +[1-9][0-9]* .*uart-pl011'
expect_out $n 'reboot: Power down'
