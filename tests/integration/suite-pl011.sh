# PL011 (issue 5): interrupt-driven echo of a scripted byte stream much larger
# than the 32-byte FIFO, under isv and on plain QEMU; console backends. (Sourced by run.sh.)

# 4400 bytes of text, then EOT (0x04), which ends the guest's echo loop.
python3 - "$STAGE_EXTRA" <<'PY'
import sys
d = sys.argv[1]
text = "".join("line %04d: the quick brown fox jumps over the lazy dog, %s\n" % (i, "x" * (i % 7))
               for i in range(70))
open(d + "/echo-in.txt", "w").write(text)
open(d + "/echo-in.bin", "wb").write(text.encode() + b"\x04")
PY
ECHO_BYTES=$(wc -c < "$STAGE_EXTRA/echo-in.txt")

for cc in gcc clang; do
    vmm_case "echo-$cc" 60 "bin/isv --console file:in=echo-in.bin --append isv.test=echo guest/$cc/Image"
    expect_rc "echo-$cc" 0
    expect_out "echo-$cc" '^isv guest: echo ready \(SPI 1\)$'
    expect_out "echo-$cc" "^isv guest: echo done: $ECHO_BYTES bytes, [1-9][0-9]* interrupts, 0 overflows, 0 unhandled, [0-9]+ throttles$"
    expect_cmd "echo-$cc" "tests/integration/echo-check.sh \$OUT \$STAGE_EXTRA/echo-in.txt"

    # The same guest echo on plain QEMU virt (GICv3), input on its serial stdin.
    host_case "qemu-echo-$cc" 90 "(sleep 1; cat $STAGE_EXTRA/echo-in.bin) | qemu-system-aarch64 -M virt,gic-version=3 -cpu max -m 256 -nographic -nic none -no-reboot -monitor none -serial stdio -kernel build/aarch64/guest-$cc/Image -append isv.test=echo"
    expect_rc "qemu-echo-$cc" 0
    expect_out "qemu-echo-$cc" "^isv guest: echo done: $ECHO_BYTES bytes, [1-9][0-9]* interrupts, 0 overflows, 0 unhandled, [0-9]+ throttles$"
    expect_cmd "qemu-echo-$cc" "tests/integration/echo-check.sh \$OUT \$STAGE_EXTRA/echo-in.txt"
done

# Console output to a file: the guest's greeting lands there, not on stdout.
vmm_case console-file-out 30 "bin/isv --console file:out=/tmp/console.txt guest/gcc/Image && echo '--- file:' && cat /tmp/console.txt"
expect_rc console-file-out 0
expect_out console-file-out '^--- file:$'
expect_out console-file-out '^Hello from the isv guest'
expect_cmd console-file-out "[ \"\$(grep -c 'Hello from the isv guest' \$OUT)\" = 1 ]"

vmm_case console-null 30 "bin/isv --console null guest/gcc/Image"
expect_rc console-null 0
expect_lines console-null 0

vmm_case bad-console 10 "bin/isv --console carrier-pigeon guest/gcc/Image"
expect_rc bad-console 1
expect_out bad-console '^isv: error: --console carrier-pigeon: '
expect_lines bad-console 1

vmm_case bad-console-file 10 "bin/isv --console file:in=/no/such/input guest/gcc/Image"
expect_rc bad-console-file 1
expect_out bad-console-file '^isv: error: --console file:in=/no/such/input: .*No such file'
expect_lines bad-console-file 1

# --trace-mmio: to stderr, in place among the VMM's output; a full disk is
# said once and the guest runs on; a path that cannot be opened is a setup error.
n=trace-mmio-stderr
vmm_case $n 30 "bin/isv --console null --trace-mmio - guest/gcc/Image"
expect_rc $n 0
expect_out $n '^# isv --trace-mmio: time_ns vcpu via dir width ipa device\+offset value pc \[xN\]$'
expect_out $n '^[0-9]+ cpu0 mmio W 4 0x9000000 pl011@9000000\+0x0 0x00000048 0x4[0-9a-f]{7}$'
expect_cmd $n '[ "$(grep -c " mmio " "$OUT")" -gt 100 ] && [ "$(grep -vc -E "^(#|[0-9]+ cpu0 mmio )" "$OUT")" = 0 ]'

n=trace-mmio-full
vmm_case $n 30 "bin/isv --console null --trace-mmio /dev/full guest/gcc/Image"
expect_rc $n 0
expect_out $n '^isv: --trace-mmio /dev/full: writing failed \(No space left on device\): tracing stopped, 0 bytes written$'
expect_lines $n 1

n=bad-trace-mmio-path
vmm_case $n 10 "bin/isv --trace-mmio /no/such/dir/trace.txt guest/gcc/Image"
expect_rc $n 1
expect_out $n "^isv: error: --trace-mmio '/no/such/dir/trace.txt': cannot open it: No such file or directory$"
expect_lines $n 1
