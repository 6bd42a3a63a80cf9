# virtio-mmio under isv on KVM (issue 6): the guest's disk round trip checked
# against an independently computed image, read-only refusal, rng, console,
# all devices at once, a hostile driver, and bad options. (Sourced by run.sh.)
# Disk images live in the nested host's /tmp; the host recomputes the pattern
# (blk-pattern.py --make) and compares SHA-256 with the image the VMM wrote.

VPAT=tests/integration/blk-pattern.py
truncate -s 1M "$STAGE_EXTRA/expect-blk.img" && $VPAT --make "$STAGE_EXTRA/expect-blk.img" 11
truncate -s 256K "$STAGE_EXTRA/ro.img" && $VPAT --make "$STAGE_EXTRA/ro.img" 5
sha_of() { sha256sum "$1" | cut -d' ' -f1; }

for cc in gcc clang; do
    n=isv-virtio-blk-$cc
    vmm_case $n 60 "truncate -s 1M /tmp/disk-$cc.img && bin/isv --device virtio-blk,file=/tmp/disk-$cc.img --append 'isv.test=virtio-blk isv.seed=11' guest/$cc/Image; echo \"rc \$? sha256 \$(sha256sum /tmp/disk-$cc.img)\""
    expect_out $n '^isv guest: virtio-blk: capacity 2048 sectors \(1048576 bytes\), read-only no, flush yes$'
    expect_out $n "^isv guest: virtio-blk: id 'disk-$cc.img'$"
    expect_out $n '^isv guest: virtio-blk: wrote and verified 2048 sectors, seed 11, '
    expect_out $n "^rc 0 sha256 $(sha_of "$STAGE_EXTRA/expect-blk.img") "
    expect_not $n 'FATAL|isv: '
done

n=isv-virtio-blk-ro
vmm_case $n 60 "cp ro.img /tmp/ro.img && bin/isv --device virtio-blk,file=/tmp/ro.img,readonly --append isv.test=virtio-blk-ro guest/gcc/Image; echo \"rc \$? sha256 \$(sha256sum /tmp/ro.img)\""
expect_out $n '^isv guest: virtio-blk-ro: capacity 512 sectors \(262144 bytes\), read-only yes'
expect_out $n '^isv guest: virtio-blk-ro: write to sector 0: IOERR$'
expect_out $n '^isv guest: virtio-blk-ro: sector 0 unchanged after the write$'
expect_out $n "^rc 0 sha256 $(sha_of "$STAGE_EXTRA/ro.img") "
expect_cmd $n "$VPAT --crc $STAGE_EXTRA/ro.img \$OUT"

# Random bytes arrive, and differ between two runs.
vmm_case isv-virtio-rng 60 "bin/isv --device virtio-rng --append isv.test=virtio-rng guest/gcc/Image && bin/isv --device virtio-rng --append isv.test=virtio-rng guest/clang/Image"
expect_rc isv-virtio-rng 0
expect_out isv-virtio-rng '^isv guest: virtio-rng: 64 bytes: [0-9a-f]{128}$'
expect_cmd isv-virtio-rng "[ \$(grep -E '^isv guest: virtio-rng: 64 bytes' \$OUT | sort -u | wc -l) = 2 ]"

vmm_case isv-virtio-console 60 "bin/isv --device virtio-console,file=/tmp/vc.txt --append isv.test=virtio-console guest/gcc/Image && echo \"file: \$(cat /tmp/vc.txt)\""
expect_rc isv-virtio-console 0
expect_out isv-virtio-console '^isv guest: virtio-console: wrote 40 bytes to port 0$'
expect_out isv-virtio-console '^file: isv guest: hello through virtio-console$'

# Everything at once, console on stdio with the PL011 moved to a file.
vmm_case isv-virtio-all 90 "truncate -s 128K /tmp/all.img && cp ro.img /tmp/all-ro.img && bin/isv --console file:out=/tmp/uart.txt --device virtio-blk,file=/tmp/all.img --device virtio-blk,file=/tmp/all-ro.img,readonly --device virtio-rng --device virtio-console --append 'isv.test=virtio isv.seed=3' guest/clang/Image; echo rc \$?; cat /tmp/uart.txt"
expect_out isv-virtio-all '^rc 0$'
expect_out isv-virtio-all '^isv guest: virtio: 4 devices tested, 0 failed$'
expect_out isv-virtio-all '^isv guest: hello through virtio-console$'

# A hostile driver: every malformed chain is refused with one log line and
# DEVICE_NEEDS_RESET; the VMM keeps running and the device works after a reset.
vmm_case isv-virtio-hostile 90 "bin/isv --device virtio-rng --device virtio-console,file=/tmp/h.txt --append isv.test=virtio-hostile guest/gcc/Image; echo rc \$?"
expect_out isv-virtio-hostile '^rc 0$'
expect_out isv-virtio-hostile '^isv guest: hostile: 14 of 14 refused; rng after reset: works$'
expect_not isv-virtio-hostile 'NOT REFUSED'
expect_cmd isv-virtio-hostile "[ \$(grep -cE '^virtio-rng@a000000: .*device needs reset' \$OUT) -ge 14 ]"

# Bad options and conflicts: one line naming the option.
vmm_case bad-virtio-blk-nofile 10 "bin/isv --device virtio-blk guest/gcc/Image"
expect_rc bad-virtio-blk-nofile 1
expect_out bad-virtio-blk-nofile '^isv: error: --device virtio-blk: '
expect_lines bad-virtio-blk-nofile 1

vmm_case bad-virtio-option 10 "bin/isv --device virtio-rng,speed=9 guest/gcc/Image"
expect_rc bad-virtio-option 1
expect_out bad-virtio-option "^isv: error: --device virtio-rng,speed=9: .*speed"
expect_lines bad-virtio-option 1

vmm_case bad-virtio-missing-file 10 "bin/isv --device virtio-blk,file=/no/such.img guest/gcc/Image"
expect_rc bad-virtio-missing-file 1
expect_out bad-virtio-missing-file '^isv: error: --device virtio-blk,file=/no/such.img: .*No such file'
expect_lines bad-virtio-missing-file 1

vmm_case bad-virtio-console-stdio 10 "bin/isv --device virtio-console guest/gcc/Image"
expect_rc bad-virtio-console-stdio 1
expect_out bad-virtio-console-stdio '^isv: error: --device virtio-console: stdio is already the PL011'
expect_lines bad-virtio-console-stdio 1

vmm_case bad-virtio-same-disk 10 "truncate -s 64K /tmp/twice.img && bin/isv --device virtio-blk,file=/tmp/twice.img --device virtio-blk,file=/tmp/twice.img guest/gcc/Image"
expect_rc bad-virtio-same-disk 1
expect_out bad-virtio-same-disk '^isv: error: --device virtio-blk,file=/tmp/twice.img: '
expect_lines bad-virtio-same-disk 1

# --trace-mmio (vmm/trace.h) on the whole virtio run, checked against the run
# itself (trace-check.py): the PL011 writes spell the guest's lines, the mmio
# lines match --stats per device, each device's QueueNotify shows as ioeventfd.
TCHK=tests/integration/trace-check.py
n=trace-mmio-virtio
vmm_case $n 90 "truncate -s 1M /tmp/tr.img && bin/isv --stats --trace-mmio /tmp/trace.txt --device virtio-blk,file=/tmp/tr.img --device virtio-rng --device virtio-console,file=/tmp/tr-vc.txt guest/gcc/Image; echo rc \$?; cp /tmp/trace.txt export/trace-virtio.txt"
expect_out $n '^rc 0$'
expect_out $n '^isv guest: virtio: 3 devices tested, 0 failed$'
expect_not $n '^isv: --trace-mmio'
expect_cmd $n "$TCHK \$EXPORT/trace-virtio.txt \$OUT --ioeventfd virtio-blk@a000000 --ioeventfd virtio-rng@a000200 --ioeventfd virtio-console@a000400"
# The greeting's 'H' (0x48), written by a str from guest RAM.
expect_cmd $n 'grep -Eq "^[0-9]+ cpu0 mmio W 4 0x9000000 pl011@9000000\+0x0 0x00000048 0x4[0-9a-f]{7}$" "$EXPORT/trace-virtio.txt"'
