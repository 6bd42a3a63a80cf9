# The building blocks of `make bench` (scripts/bench.sh), checked cheaply:
# the guest's bench test with a small N gives the right exit counts under
# isv, the floor runs the same guest, bench-run reports and passes the exit
# status on, the summary computes its ratios, and QEMU's
# bus=virtio-mmio-bus.0 really is slot 0. (Sourced by run.sh.)

mkdir -p "$STAGE_EXTRA/bin"
cp "$build/aarch64/kvm-floor" "$build/aarch64/bench-run" "$STAGE_EXTRA/bin/"
BENCH_ARGS="isv.test=bench isv.bench.n=64"
BENCH_GREETING="^Hello from the isv guest: AArch64 EL1, PL011 at 0x9000000"

# Under isv with --stats: 64 timed + 1 warm-up access each way, all at slot 0.
for cc in gcc clang; do
    vmm_case "bench-isv-$cc" 30 "bin/isv --stats --device virtio-rng --append '$BENCH_ARGS' guest/$cc/Image"
    expect_rc "bench-isv-$cc" 0
    expect_out "bench-isv-$cc" '^isv guest: bench: slot 0 device id 4$'
    expect_out "bench-isv-$cc" '^isv guest: bench: read 64 exits in [0-9]+ us \([1-9][0-9]* ns/exit\)$'
    expect_out "bench-isv-$cc" '^isv guest: bench: write 64 exits in [0-9]+ us \([1-9][0-9]* ns/exit\)$'
    expect_out "bench-isv-$cc" '^isv: stats:   device virtio-rng@a000000 +reads 65, writes 65,'
done

# make bench's traced variant: every timed exit is a line, as --stats counts them.
vmm_case bench-isv-trace 30 "bin/isv --stats --trace-mmio /tmp/bench-trace.txt --device virtio-rng --append '$BENCH_ARGS' guest/gcc/Image; echo rc \$?; cp /tmp/bench-trace.txt export/bench-trace.txt"
expect_out bench-isv-trace '^rc 0$'
expect_out bench-isv-trace '^isv: stats:   device virtio-rng@a000000 +reads 65, writes 65,'
expect_cmd bench-isv-trace "tests/integration/trace-check.py \$EXPORT/bench-trace.txt \$OUT"

# The floor: same guest, reads answered 0, PL011 output on stdout, PSCI off -> 0.
vmm_case bench-floor 30 "bin/kvm-floor --append '$BENCH_ARGS' guest/gcc/Image"
expect_rc bench-floor 0
expect_out bench-floor "$BENCH_GREETING"
expect_out bench-floor '^isv guest: bench: slot 0 device id 0$'
expect_out bench-floor '^isv guest: bench: read 64 exits in [0-9]+ us'
expect_out bench-floor '^isv guest: bench: write 64 exits in [0-9]+ us'
expect_out bench-floor '^isv guest: powering off$'

vmm_case bench-floor-reset 30 "bin/kvm-floor --append isv.test=none guest/gcc/Image"
expect_rc bench-floor-reset 2
expect_out bench-floor-reset "unknown test 'none'"

vmm_case bench-floor-usage 10 "bin/kvm-floor"
expect_rc bench-floor-usage 1
expect_out bench-floor-usage '^usage: kvm-floor'

# bench-run: copies the output, then one line of numbers; the VMM's status is its own.
vmm_case bench-run-isv 30 "bin/bench-run -- bin/isv --device virtio-rng --append '$BENCH_ARGS' guest/gcc/Image"
expect_rc bench-run-isv 0
expect_out bench-run-isv "$BENCH_GREETING"
expect_out bench-run-isv '^bench-run: first-byte-ms [0-9]+\.[0-9]{3} total-ms [0-9]+\.[0-9]{3} maxrss-kib [1-9][0-9]* status 0$'
expect_cmd bench-run-isv 'tail -n1 "$OUT" | awk "{ exit !(\$3 > 0 && \$3 < \$5) }"'

# Marks and the VMM's own memory (guest RAM, one 128 MiB mapping, left out).
vmm_case bench-run-mark 30 "bin/bench-run --mark 'powering off' --mark 'never printed' --ram-mib 128 -- bin/isv guest/gcc/Image"
expect_rc bench-run-mark 0
expect_out bench-run-mark "^bench-run: mark 'powering off' ms [1-9][0-9]*\.[0-9]{3}$"
expect_out bench-run-mark "^bench-run: mark 'never printed' ms -1\.000$"
expect_out bench-run-mark '^bench-run: vmm-rss-kib [1-9][0-9]* samples [1-9][0-9]*$'
expect_cmd bench-run-mark 'm=$(sed -n "s/^bench-run: mark .powering off. ms //p" "$OUT"); t=$(sed -n "s/.* total-ms \([0-9.]*\) .*/\1/p" "$OUT"); awk -v m="$m" -v t="$t" "BEGIN { exit !(m > 0 && m < t) }"'
expect_cmd bench-run-mark 'r=$(sed -n "s/^bench-run: vmm-rss-kib \([0-9]*\) .*/\1/p" "$OUT"); x=$(sed -n "s/.* maxrss-kib \([0-9]*\) .*/\1/p" "$OUT"); [ "$r" -le "$x" ]'

vmm_case bench-run-status 30 "bin/bench-run -- bin/isv --append isv.test=none guest/gcc/Image"
expect_rc bench-run-status 2
expect_out bench-run-status 'status 2$'

vmm_case bench-run-silent 10 "bin/bench-run -- /bin/true"
expect_rc bench-run-silent 0
expect_out bench-run-silent '^bench-run: first-byte-ms -1\.000 '

# Two vCPUs exiting at once (make bench's SMP figure): both phases report.
vmm_case bench-smp-isv 60 "bin/isv --cpus 2 --device virtio-rng --append 'isv.test=bench-smp isv.bench.n=64' guest/gcc/Image"
expect_rc bench-smp-isv 0
expect_out bench-smp-isv '^isv guest: bench-smp: 1 cpu: 64 exits in [0-9]+ us \([1-9][0-9]* exits/s\)$'
expect_out bench-smp-isv '^isv guest: bench-smp: 2 cpus: 128 exits in [0-9]+ us \([1-9][0-9]* exits/s\)$'
expect_out bench-smp-isv '^isv guest: bench-smp: aggregate ratio 2cpu/1cpu: [0-9]+\.[0-9]{2}$'

# make bench's Linux disk runs, once and short: lxbench in the initramfs gives
# every figure (the console runs are left to make bench: 64 KiB at ~1 KiB/s).
vmm_case bench-lxbench-blk 180 "truncate -s 64M /tmp/lxb.img; bin/bench-run --mark 'isv-linux: init started' --ram-mib 256 -- \
bin/isv --mem 256M --initrd linux/initramfs.cpio.gz --device virtio-blk,file=/tmp/lxb.img \
--append 'console=ttyAMA0 panic=-1 quiet isv.linux=bench-blk isv.bench.secs=1' linux/vmlinuz"
expect_rc bench-lxbench-blk 0
expect_out bench-lxbench-blk '^lxbench: seq /dev/vda write-mibps [0-9]+\.[0-9] read-mibps [0-9]+\.[0-9]'
expect_out bench-lxbench-blk '^lxbench: rand /dev/vda qd 1 iops [1-9][0-9]*'
expect_out bench-lxbench-blk '^lxbench: rand /dev/vda qd 16 iops [1-9][0-9]*'
expect_out bench-lxbench-blk '^isv-linux: END bench-blk rc=0'
expect_out bench-lxbench-blk "^bench-run: mark 'isv-linux: init started' ms [1-9]"
expect_out bench-lxbench-blk '^bench-run: vmm-rss-kib [1-9][0-9]* '

# The guest test refuses what it cannot measure.
vmm_case bench-no-slot0 30 "bin/isv --append '$BENCH_ARGS' guest/gcc/Image"
expect_rc bench-no-slot0 2
expect_out bench-no-slot0 'bench: no virtio,mmio node at 0xa000000 in the device tree'

vmm_case bench-bad-n 30 "bin/isv --device virtio-rng --append 'isv.test=bench isv.bench.n=0' guest/gcc/Image"
expect_rc bench-bad-n 2
expect_out bench-bad-n 'bench: isv.bench.n=0 is not a count'

# QEMU virt (TCG here): bus=virtio-mmio-bus.0 puts the device in slot 0, as bench.sh assumes.
host_case bench-qemu-slot0 60 "qemu-system-aarch64 -M virt -cpu max -m 128M -nodefaults -display none -monitor none -serial stdio -no-reboot -global virtio-mmio.force-legacy=false -device virtio-rng-device,bus=virtio-mmio-bus.0 -kernel build/aarch64/guest-gcc/Image -append '$BENCH_ARGS'"
expect_rc bench-qemu-slot0 0
expect_out bench-qemu-slot0 '^isv guest: bench: slot 0 device id 4$'
expect_out bench-qemu-slot0 '^isv guest: bench: write 64 exits'

# The summary on a recorded log: medians, paired ratios, verdicts, a failed run.
host_case bench-summary 20 "python3 scripts/bench-summary.py --n 100 --rounds 3 tests/integration/bench-sample.log"
expect_rc bench-summary 0
expect_out bench-summary '^isv +1100 \[1000\.\.1200\] +2100 \[2000\.\.2200\] +10\.0 \[9\.0\.\.11\.0\] +3000 \[3000\.\.3000\] +3$'
expect_out bench-summary '^isv / floor +1\.100 \[1\.000\.\.1\.200\] +1\.050 \[1\.000\.\.1\.100\] +1\.067 \[1\.000\.\.1\.133\] +<= 1\.05 +MISS \(read, all\); range crosses target: read, write, all$'
expect_out bench-summary '^isv / QEMU +0\.550 .* < 1 +PASS$'
expect_out bench-summary '^  sign-extension check per read .* per round: 50 \[50\.\.50\] ns$'
expect_out bench-summary '^  decode \+ bus \+ device per slot-0 access \(virtio-rng@a000000, --stats\): 4950 ns$'
expect_out bench-summary '^runs that failed or did not finish: isv-nosext@3 \(rc 5\), smp2@3, fwshell-isv@2 \(rc 143\), lxverbose-isv@1 \(rc 124\)$'
expect_out bench-summary '^ +device virtio-rng@a000000 +reads 101, writes 101,'
expect_out bench-summary '^boot to userspace, quiet \(ms\) +4000 \[4000\.\.4000\] +10000 \[10000\.\.10000\] +0\.400 \[0\.400\.\.0\.400\] +<= 0\.5 +PASS$'
expect_out bench-summary '^virtio-blk rand read 4K qd1 \(IOPS\) +1000 .* 0\.909 \[0\.909\.\.0\.909\] +>= 1 +MISS$'
expect_out bench-summary '^virtio-blk seq write 1M \(MiB/s\) +100 .* 1\.250 .* PASS$'
expect_out bench-summary '^hvc0 64 KiB \(bytes/s\) +900000 .* MISS$'
expect_out bench-summary '^VMM RSS, make run devices \(KiB\) +750 .* isv<=2048 PASS$'
expect_out bench-summary '^boot to userspace, loglevel=7 \(ms\) +- +- +- '
expect_out bench-summary '^2 vCPUs making MMIO exits concurrently \(isv --cpus 2, isv.test=bench-smp, 2 runs\):$'
expect_out bench-summary '^  2 vCPUs at once: 180000 \[160000\.\.200000\] exits/s$'
expect_out bench-summary '^  aggregate ratio 2 vCPUs / 1 vCPU, per run: 1\.80 \[1\.60\.\.2\.00\]$'
expect_out bench-summary '^  --trace-mmio to a file \(tmpfs\): MMIO exit throughput traced / untraced, per round: read 0\.650 \[0\.500\.\.0\.800\], write 0\.900 \[0\.800\.\.1\.000\], all 0\.772 \[0\.744\.\.0\.800\]; 2150 trace lines per run$'
expect_out bench-summary '^isv --trace-mmio / isv +1\.625 '
# EDK2 to its shell: the failed round is left out, the rest paired.
expect_out bench-summary "^VMM start to 'Press ESC' \(ms\) +9000 \[9000\.\.9000\] +12000 \[12000\.\.12000\] +0\.750 \[0\.750\.\.0\.750\]$"
expect_out bench-summary '^VMM start to Shell>, ESC typed \(ms\) +10000 \[10000\.\.10000\] +12500 \[12500\.\.12500\] +0\.800 \[0\.800\.\.0\.800\]$'

host_case bench-summary-incomplete 20 "grep -v '^@@ISV-END qemu' tests/integration/bench-sample.log > /tmp/isv-bench-partial.log; python3 scripts/bench-summary.py /tmp/isv-bench-partial.log"
expect_rc bench-summary-incomplete 1
expect_out bench-summary-incomplete '^bench: INCOMPLETE'
