# "Prove it", the dynamic verdict: the four guests (safe and naive drivers,
# gcc and clang) under isv on real KVM, with a PL011 echo workload and a
# virtio one (blk + rng + console), --stats on. (Sourced by run.sh.)
#   safe:  every MMIO exit has a valid syndrome, no NISV exit, self-checks pass;
#   naive, --nisv=stop:    isv stops at the first access without a syndrome,
#                          reporting the instruction the static verdict names;
#   naive, --nisv=emulate: the guests complete, isv prints how many it emulated;
#   naive clang, --sext-fix off: its sign-extending loads return wrong values.
# Traced cases run under virt-trace.sh, which lists every MMIO trap KVM saw;
# virt-trace-check.sh then holds those traps against the static verdict
# (make check-virt). The naive guests also run on plain QEMU (TCG), where
# every form works. The naive PL011 probe line shows one more form that no
# syndrome reveals: its ID snapshot is a struct copy done with 64-bit loads,
# which isv's PL011, like QEMU's, serves as two 32-bit register reads.

cp tests/integration/virt-trace.sh "$STAGE_EXTRA/virt-trace.sh"
python3 - "$STAGE_EXTRA" <<'PY'
import sys
t = "".join("virt %03d: the quick brown fox jumps over the lazy dog\n" % i for i in range(20))
open(sys.argv[1] + "/virt-echo.txt", "w").write(t)
open(sys.argv[1] + "/virt-echo.bin", "wb").write(t.encode() + b"\x04")
PY
VIRT_ECHO_BYTES=$(wc -c < "$STAGE_EXTRA/virt-echo.txt")

# Traced cases get 90 s: awk over the trace buffer under TCG is slow on a busy machine.
TRACE="sh virt-trace.sh"
ECHO="--console file:in=virt-echo.bin --append isv.test=echo"
virtio() { # disk image name -> the virtio workload's options
    echo "--device virtio-blk,file=/tmp/$1 --device virtio-rng --device virtio-console,file=/tmp/$1.con --append 'isv.test=virtio isv.seed=3'"
}
VBUILD=$build/aarch64
trace_check() { # case kind guest-name
    expect_out "$1" '^virt-trap pc='
    expect_not "$1" 'trace events lost'
    expect_cmd "$1" "VIRTCHECK=$build/host/virtcheck tests/integration/virt-trace-check.sh $2 $VBUILD/guest-$3 \$OUT"
}
stopped_at() { # case guest-name function tag: the reported pc is that static finding
    expect_cmd "$1" "pc=\$(sed -n 's/^isv:   pc \\(0x[0-9a-f]*\\) .*/\\1/p' \$OUT) && a=\$(printf %x \$((pc - 0x40000000))) && $build/host/virtcheck --no-sp -f '^$3\$' $VBUILD/guest-$2/guest.elf 2>/dev/null | grep '^0x'\$a' <$3+0x[0-9a-f]*> $4: '"
}
echo_ok() { # case
    expect_out "$1" "^isv guest: echo done: $VIRT_ECHO_BYTES bytes, [0-9]+ interrupts, 0 overflows, 0 unhandled, 0 throttles$"
    expect_cmd "$1" "tests/integration/echo-check.sh \$OUT \$STAGE_EXTRA/virt-echo.txt"
}
virtio_ok() { # case
    expect_out "$1" '^isv guest: virtio-blk: wrote and verified 256 sectors, seed 3, '
    expect_out "$1" '^isv guest: virtio-rng: 64 bytes: [0-9a-f]{128}$'
    expect_out "$1" '^isv guest: virtio-console: wrote 40 bytes to port 0$'
    expect_out "$1" '^isv guest: virtio: 3 devices tested, 0 failed$'
}
no_nisv() { # case
    expect_not "$1" 'isv: stats: +nisv |isv: emulated .* without a valid syndrome'
    expect_out "$1" '^isv: stats: +exits without a valid syndrome: 0$'
    expect_out "$1" '^isv: stats: +mmio-read +[1-9]'
    expect_out "$1" '^isv: stats: +mmio read +by width: 8-bit 0, 16-bit 0, 32-bit [1-9][0-9]*, 64-bit 0$'
}

# ---- safe: every exit ISV-decoded, nothing without a syndrome (--nisv=stop) ----
for cc in gcc clang; do
    n=virt-safe-$cc-echo
    vmm_case $n 90 "$TRACE bin/isv --stats $ECHO guest/$cc/Image"
    expect_rc $n 0; echo_ok $n; no_nisv $n; trace_check $n safe $cc
    n=virt-safe-$cc-virtio
    vmm_case $n 90 "truncate -s 128K /tmp/s-$cc.img && $TRACE bin/isv --stats $(virtio s-$cc.img) guest/$cc/Image"
    expect_rc $n 0; virtio_ok $n; no_nisv $n; trace_check $n safe $cc
done

# ---- naive, --nisv=stop: stopped at the first access without a syndrome ----
# gcc: the PL011 ID snapshot (ldp), before the greeting, whatever the workload.
n=virt-naive-gcc-stop
vmm_case $n 20 "bin/isv --stats $ECHO guest/naive-gcc/Image"
expect_rc $n 4
expect_out $n '^isv: guest MMIO access without a valid syndrome at IPA 0x9000fe0: stopping \(--nisv=stop\)$'
expect_out $n '^isv:   pc 0x4[0-9a-f]+ \(pa 0x4[0-9a-f]+\): [0-9a-f]{8}  ldp x[0-9]+, x[0-9]+, \[x[0-9]+\]$'
expect_out $n '^isv:   why: pair: '
expect_out $n '^isv: stats: +nisv pair +1$'
expect_not $n 'Hello from the isv guest'
stopped_at $n naive-gcc pl011_init pair
# clang: the virtio-blk configuration, copied byte by byte with ldrb post-index.
n=virt-naive-clang-stop
vmm_case $n 20 "truncate -s 128K /tmp/n-stop.img && bin/isv --stats $(virtio n-stop.img) guest/naive-clang/Image"
expect_rc $n 4
expect_out $n '^isv guest: virtio-mmio at 0xa000000: features offered '
expect_out $n '^isv: guest MMIO access without a valid syndrome at IPA 0xa000100: stopping \(--nisv=stop\)$'
expect_out $n '^isv:   pc 0x4[0-9a-f]+ \(pa 0x4[0-9a-f]+\): [0-9a-f]{8}  ldrb w[0-9]+, \[x[0-9]+\], #1$'
expect_out $n '^isv:   why: writeback: '
expect_out $n '^isv: stats: +nisv writeback +1$'
expect_not $n 'virtio-blk: capacity'
stopped_at $n naive-clang virtio_mmio_read_config writeback
# clang's naive PL011 path has no access without a syndrome: the echo completes
# under stop, but its ldrsb loads are sign-extending (fixed by isv, on by
# default) and its ID snapshot is four 64-bit loads (64-bit 4).
n=virt-naive-clang-echo
vmm_case $n 90 "$TRACE bin/isv --stats $ECHO guest/naive-clang/Image"
expect_rc $n 0; echo_ok $n; trace_check $n naive naive-clang
expect_out $n '^naive pl011 at 0x9000000: part 0x011, designer 0x41, revision 3, cell id bytes 13 -16 5 -79$'
expect_out $n '^isv: stats: +mmio read +by width: 8-bit 4, 16-bit 0, 32-bit [1-9][0-9]*, 64-bit 4$'
expect_out $n '^isv: stats: +sign-extending loads fixed: [1-9][0-9]*$'
expect_not $n 'isv: stats: +nisv |isv: emulated .* without a valid syndrome'
expect_out $n '^isv: stats: +exits without a valid syndrome: 0$'

# ---- naive, --nisv=emulate: they complete; isv counts what it emulated ----
n=virt-naive-gcc-echo-emulate
vmm_case $n 90 "$TRACE bin/isv --stats --nisv emulate $ECHO guest/naive-gcc/Image"
expect_rc $n 0; echo_ok $n; trace_check $n naive naive-gcc
expect_out $n 'isv: emulated 2 instructions without a valid syndrome$'
expect_out $n '^isv: stats: +nisv pair +2$'
expect_out $n '^naive pl011 at 0x9000000: part 0x011, designer 0x41, revision 3, cell id bytes 13 -16 5 -79$'
expect_out $n '^pl011@9000000: 8-byte read at offset 0xfe0: split into two 32-bit accesses$'
for cc in gcc clang; do
    n=virt-naive-$cc-virtio-emulate
    vmm_case $n 90 "truncate -s 128K /tmp/n-$cc.img && $TRACE bin/isv --stats --nisv emulate $(virtio n-$cc.img) guest/naive-$cc/Image"
    expect_rc $n 0; virtio_ok $n; trace_check $n naive naive-$cc
done
expect_out virt-naive-gcc-virtio-emulate 'isv: emulated 2 instructions without a valid syndrome$'
expect_out virt-naive-gcc-virtio-emulate '^isv: stats: +nisv pair +2$'
expect_out virt-naive-clang-virtio-emulate 'isv: emulated 16 instructions without a valid syndrome$'
expect_out virt-naive-clang-virtio-emulate '^isv: stats: +nisv writeback +16$'

# ---- sign extension: without the fix, KVM's zero-extension shows ----
# clang loads the signed ID bytes with ldrsb: 0xf0 and 0xb1 read as 240 and
# 177 instead of -16 and -79. gcc uses ldrb + sxtb, so the fix does not matter.
n=virt-naive-clang-sext-off
vmm_case $n 20 "bin/isv --sext-fix off --nisv emulate guest/naive-clang/Image"
expect_rc $n 0
expect_out $n '^naive pl011 at 0x9000000: .*, cell id bytes 13 240 5 177$'
n=virt-naive-gcc-sext-off
vmm_case $n 20 "bin/isv --sext-fix off --nisv emulate guest/naive-gcc/Image"
expect_rc $n 0
expect_out $n '^naive pl011 at 0x9000000: .*, cell id bytes 13 -16 5 -79$'

# ---- the naive guests on plain QEMU (TCG): every form works there ----
for cc in gcc clang; do
    n=virt-qemu-naive-$cc
    img=$work/virt-qemu-$cc.img
    host_case $n 60 "rm -f $img && truncate -s 128K $img && qemu-system-aarch64 -M virt,gic-version=3 \
-cpu max -m 256 -nographic -nic none -no-reboot -monitor none -serial stdio -global virtio-mmio.force-legacy=false \
-drive if=none,id=d0,file=$img,format=raw -device virtio-blk-device,drive=d0 -device virtio-rng-device \
-kernel $VBUILD/guest-naive-$cc/Image -append 'isv.test=virtio isv.seed=3'"
    expect_rc $n 0
    expect_out $n '^naive pl011 at 0x9000000: part 0x011, designer 0x41, revision 1, cell id bytes 13 -16 5 -79$'
    expect_out $n '^isv guest: virtio-blk: wrote and verified 256 sectors, seed 3, '
    expect_out $n '^isv guest: virtio: 2 devices tested, 0 failed$'
done

# ---- --nisv=audit: the same verdict from one run. Every access without a
# syndrome is emulated and every sign-extending load fixed, and at exit each
# PC is listed, named from guest.elf (--symbols); audit-check.sh holds every
# listed PC against the static verdict and requires the forms make check-virt
# names. Naive builds exit 6; safe builds and Debian's kernel are clean (0).
mkdir -p "$STAGE_EXTRA/elf"
for g in gcc clang naive-gcc naive-clang; do cp "$VBUILD/guest-$g/guest.elf" "$STAGE_EXTRA/elf/$g.elf"; done
AUDIT_CHECK="tests/integration/audit-check.sh $build/host/virtcheck"
AUDIT_HEAD='^isv: audit: [0-9]+ accesses at [0-9]+ PCs not virtualizable on a stock KVM host \(--nisv=audit\):$'
AUDIT_CLEAN='^isv: audit: clean: no access without a valid syndrome, no sign-extending MMIO load$'
for cc in gcc clang; do
    n=virt-naive-$cc-audit
    vmm_case $n 90 "truncate -s 128K /tmp/a-$cc.img && bin/isv --stats --nisv audit --symbols elf/naive-$cc.elf $(virtio a-$cc.img) guest/naive-$cc/Image"
    expect_rc $n 6; virtio_ok $n
    expect_out $n "$AUDIT_HEAD"
    # The listing replaces the per-access reports of --nisv=emulate.
    expect_not $n 'without a valid syndrome at IPA'
    n=virt-safe-$cc-audit
    vmm_case $n 90 "truncate -s 128K /tmp/sa-$cc.img && bin/isv --stats --nisv audit --symbols elf/$cc.elf $(virtio sa-$cc.img) guest/$cc/Image"
    expect_rc $n 0; virtio_ok $n; no_nisv $n
    expect_out $n "$AUDIT_CLEAN"
    expect_not $n '^isv: audit: pc '
done
# gcc: the ID snapshot's two ldp (the static verdict's pl011_init pair).
n=virt-naive-gcc-audit
expect_cmd $n "$AUDIT_CHECK $VBUILD/guest-naive-gcc/guest.elf \$OUT pl011_init:pair"
expect_out $n '^isv: audit: pc 0x4[0-9a-f]+ <pl011_init\+0x[0-9a-f]+>: 1 access, pl011@9000000\+0xfe0, 2x64-bit read: [0-9a-f]{8} ldp x[0-9]+, x[0-9]+, \[x[0-9]+\]; why: pair: load/store pair: ISV=0; use: one single-register ldr/str per register'
expect_out $n '^isv: emulated 2 instructions without a valid syndrome$'
# clang: the byte-wise config copy (ldrb post-index, 16 bytes: one PC) and the
# four ldrsb of the cell ID, noted whatever their values (0x0d has no top bit).
n=virt-naive-clang-audit
expect_cmd $n "$AUDIT_CHECK $VBUILD/guest-naive-clang/guest.elf \$OUT virtio_mmio_read_config:writeback pl011_init:sign-extend"
expect_out $n '^isv: audit: pc 0x4[0-9a-f]+ <virtio_mmio_read_config\+0x[0-9a-f]+>: 16 accesses, virtio-blk@a000000\+0x100 \(first of several addresses\), 8-bit read: [0-9a-f]{8} ldrb w[0-9]+, \[x[0-9]+\], #1; why: writeback: '
expect_out $n '^isv: audit: pc 0x4[0-9a-f]+ <pl011_init\+0x[0-9a-f]+>: 1 access, pl011@9000000\+0xff0, 8-bit read: [0-9a-f]{8} ldrsb w[0-9]+, \[x[0-9]+, #4080\]; why: sign-extend: sign-extending load: KVM returns the value zero-extended; use: a zero-extending ldrb'
expect_cmd $n '[ "$(grep -c "^isv: audit: pc .*; why: sign-extend: " "$OUT")" = 4 ]'
expect_out $n '^naive pl011 at 0x9000000: .*, cell id bytes 13 -16 5 -79$'
expect_out $n '^isv: stats: +nisv writeback +16$'

# Debian's kernel: its accessors are asm, one ldr/str each: clean, exit 0.
n=virt-linux-audit
vmm_case $n 240 "truncate -s 1M /tmp/lx-audit.img && bin/isv --mem 256M --stats --nisv audit \
--device virtio-blk,file=/tmp/lx-audit.img --device virtio-rng --device virtio-console,file=/tmp/lx-audit.con \
--initrd linux/initramfs.cpio.gz --append 'console=ttyAMA0 quiet panic=-1 isv.linux=boot,rng,rtc' linux/vmlinuz"
expect_rc $n 0
for t in boot rng rtc; do expect_out $n "^isv-linux: END $t rc=0$"; done
expect_out $n '^isv: stats:   exits without a valid syndrome: 0$'
expect_out $n '^isv: stats:   device virtio-blk@a000000 +reads [1-9]'
expect_out $n "$AUDIT_CLEAN"
