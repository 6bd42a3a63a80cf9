# The guest's virtio-mmio drivers on plain QEMU virt (TCG, no KVM): host cases.
# Disk images and console files live in $work (build/integration), which
# run.sh recreates; the host checks what the guest wrote afterwards.
# (Sourced by run.sh.)

VQEMU="qemu-system-aarch64 -M virt,gic-version=3 -cpu max -m 256 -nographic -nic none -no-reboot \
-monitor none -serial stdio -global virtio-mmio.force-legacy=false"
VPAT=tests/integration/blk-pattern.py
VCON_LINE='isv guest: hello through virtio-console'

for cc in gcc clang; do
    img=$work/virtio-blk-$cc.img
    kernel="-kernel $build/aarch64/guest-$cc/Image"
    seed=$([ $cc = gcc ] && echo 7 || echo 4242)

    # Pattern over the whole 1 MiB disk, flush, read back; the host then finds
    # exactly that pattern in the image, and the guest's crc32 of it.
    n=virtio-qemu-blk-$cc
    host_case $n 60 "rm -f $img && truncate -s 1M $img && $VQEMU \
-drive if=none,id=d0,file=$img,format=raw -device virtio-blk-device,drive=d0,serial=isvdisk-$cc \
$kernel -append 'isv.test=virtio-blk isv.seed=$seed'"
    expect_rc $n 0
    expect_out $n '^isv guest: virtio-mmio at 0xa003e00: block device \(ID 2\), vendor 0x554d4551, SPI 47 edge-triggered$'
    expect_out $n '^isv guest: virtio-blk: capacity 2048 sectors \(1048576 bytes\), read-only no, flush yes$'
    expect_out $n "^isv guest: virtio-blk: id 'isvdisk-$cc'$"
    expect_out $n '^isv guest: virtio-blk: flush ok$'
    # Interrupts arrive through the GICv3 (at least one is taken).
    expect_out $n "^isv guest: virtio-blk: wrote and verified 2048 sectors, seed $seed, crc32 0x[0-9a-f]{8}, [0-9]+ requests, [1-9][0-9]* interrupts$"
    expect_out $n '^isv guest: powering off$'
    expect_not $n 'FATAL'
    expect_cmd $n "$VPAT $img $seed \"\$OUT\""

    # Read-only drive: VIRTIO_BLK_F_RO offered, reads match the image, a write
    # fails with IOERR and changes nothing.
    n=virtio-qemu-blk-ro-$cc
    roimg=$work/virtio-blk-ro-$cc.img
    host_case $n 60 "rm -f $roimg && truncate -s 256K $roimg && $VPAT --make $roimg 5 && $VQEMU \
-drive if=none,id=d0,file=$roimg,format=raw,readonly=on -device virtio-blk-device,drive=d0 \
$kernel -append isv.test=virtio-blk-ro"
    expect_rc $n 0
    expect_out $n '^isv guest: virtio-blk-ro: capacity 512 sectors \(262144 bytes\), read-only yes'
    expect_out $n '^isv guest: virtio-blk-ro: read 512 sectors, crc32 0x[0-9a-f]{8}$'
    expect_out $n '^isv guest: virtio-blk-ro: write to sector 0: IOERR$'
    expect_out $n '^isv guest: virtio-blk-ro: sector 0 unchanged after the write$'
    expect_out $n '^isv guest: powering off$'
    expect_not $n 'FATAL'
    expect_cmd $n "$VPAT --crc $roimg \"\$OUT\""
    expect_cmd $n "$VPAT $roimg 5"

    n=virtio-qemu-rng-$cc
    host_case $n 60 "$VQEMU -device virtio-rng-device $kernel -append isv.test=virtio-rng"
    expect_rc $n 0
    expect_out $n '^isv guest: virtio-rng: 64 bytes: [0-9a-f]{128}$'
    expect_out $n '^isv guest: powering off$'
    expect_not $n 'FATAL|all 64 bytes are zero'

    # The line reaches the chardev file through port 0's transmitq, byte for byte.
    n=virtio-qemu-console-$cc
    confile=$work/virtio-console-$cc.txt
    host_case $n 60 "rm -f $confile && $VQEMU -device virtio-serial-device \
-chardev file,id=c0,path=$confile -device virtconsole,chardev=c0 $kernel -append isv.test=virtio-console"
    expect_rc $n 0
    expect_out $n '^isv guest: virtio-console: wrote 40 bytes to port 0$'
    expect_out $n '^isv guest: powering off$'
    expect_not $n 'FATAL'
    expect_cmd $n "printf '%s\n' '$VCON_LINE' | cmp - $confile"
done

# Two boots, two different 64-byte samples.
n=virtio-qemu-rng-differs
host_case $n 60 "for i in 1 2; do $VQEMU -device virtio-rng-device \
-kernel $build/aarch64/guest-gcc/Image -append isv.test=virtio-rng; done"
expect_rc $n 0
expect_cmd $n "[ \$(grep -Ec '^isv guest: virtio-rng: 64 bytes: [0-9a-f]{128}\$' \"\$OUT\") = 2 ]"
expect_cmd $n "[ \$(grep -E '^isv guest: virtio-rng: 64 bytes: ' \"\$OUT\" | sort -u | wc -l) = 2 ]"

# isv.test=virtio: every device in turn (blk, read-only blk, rng, console).
# On a GICv2 machine the driver finds no GICv3 and polls: same results.
for gic in 3 2; do
    n=virtio-qemu-all-gicv$gic
    img=$work/virtio-all-$gic.img roimg=$work/virtio-all-ro-$gic.img confile=$work/virtio-all-$gic.txt
    host_case $n 60 "rm -f $img $roimg $confile && truncate -s 128K $img && truncate -s 64K $roimg && \
$VPAT --make $roimg 9 && ${VQEMU/gic-version=3/gic-version=$gic} \
-drive if=none,id=d0,file=$img,format=raw -device virtio-blk-device,drive=d0 \
-drive if=none,id=d1,file=$roimg,format=raw,readonly=on -device virtio-blk-device,drive=d1 \
-device virtio-rng-device -device virtio-serial-device -chardev file,id=c0,path=$confile \
-device virtconsole,chardev=c0 -kernel $build/aarch64/guest-clang/Image -append 'isv.test=virtio isv.seed=3'"
    expect_rc $n 0
    expect_out $n '^isv guest: virtio-blk: wrote and verified 256 sectors, seed 3, '
    expect_out $n '^isv guest: virtio-blk-ro: write to sector 0: IOERR$'
    expect_out $n '^isv guest: virtio-rng: 64 bytes: [0-9a-f]{128}$'
    expect_out $n '^isv guest: virtio-console: wrote 40 bytes to port 0$'
    expect_out $n '^isv guest: virtio: 4 devices tested, 0 failed$'
    expect_not $n 'FATAL'
    expect_cmd $n "$VPAT $img 3 \"\$OUT\""
    expect_cmd $n "$VPAT --crc $roimg \"\$OUT\""
    expect_cmd $n "printf '%s\n' '$VCON_LINE' | cmp - $confile"
done
expect_out virtio-qemu-all-gicv2 '^isv guest: virtio: no GICv3 in the device tree, completions are polled$'
expect_out virtio-qemu-all-gicv2 ', 0 interrupts$'
expect_not virtio-qemu-all-gicv3 'polled'

# QEMU's default legacy (version 1) transport is refused with a clear line,
# and the test then fails instead of hanging.
n=virtio-qemu-legacy-refused
host_case $n 60 "${VQEMU% -global*} -device virtio-rng-device \
-kernel $build/aarch64/guest-gcc/Image -append isv.test=virtio-rng"
expect_out $n '^isv guest: virtio-mmio at 0xa003e00: entropy device on a legacy transport \(version 1\): refused, only version 2 is supported'
expect_out $n '^isv guest: virtio-rng: no usable virtio entropy device$'
expect_out $n 'FATAL: test virtio-rng failed'
expect_lines $n 4

# No devices at all: isv.test=virtio fails rather than passing vacuously.
n=virtio-qemu-none
host_case $n 60 "$VQEMU -kernel $build/aarch64/guest-gcc/Image -append isv.test=virtio"
expect_out $n '^isv guest: virtio: 0 devices tested, 0 failed$'
expect_out $n 'FATAL: test virtio failed'
