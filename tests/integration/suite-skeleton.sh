# Walking skeleton: boot, greeting, stop reasons, bad input. (Sourced by run.sh.)

GREETING='^Hello from the isv guest: AArch64 EL1, PL011 at 0x9000000'

for cc in gcc clang; do
    vmm_case "boot-$cc" 30 "bin/isv guest/$cc/Image"
    expect_rc "boot-$cc" 0
    expect_out "boot-$cc" "$GREETING"
    expect_out "boot-$cc" '^isv guest: powering off$'
    expect_not "boot-$cc" 'isv: |FATAL'

    # The same image on plain QEMU virt (TCG, no KVM) prints the same greeting.
    host_case "qemu-virt-$cc" 60 "qemu-system-aarch64 -M virt -cpu max -m 256 -nographic -nic none -no-reboot -monitor none -serial stdio -kernel build/aarch64/guest-$cc/Image"
    expect_rc "qemu-virt-$cc" 0
    expect_out "qemu-virt-$cc" "$GREETING"
    expect_out "qemu-virt-$cc" '^isv guest: powering off'
done

vmm_case boot-1g 30 "bin/isv --mem 1G guest/gcc/Image"
expect_rc boot-1g 0
expect_out boot-1g "$GREETING"

vmm_case boot-append 30 "bin/isv --append 'console=ttyAMA0 isv.test=none' guest/gcc/Image"
expect_rc boot-append 2
expect_out boot-append "unknown test 'none'"
expect_out boot-append 'isv: guest requested a reset'

# A guest access to an address no device claims: a clear report and exit 3, not a hang.
vmm_case unmapped-read 30 "bin/isv --append isv.test=unmapped guest/gcc/Image"
expect_rc unmapped-read 3
expect_out unmapped-read '^isv: guest read of 4 bytes from unmapped address 0xc000000 \(pc 0x4[0-9a-f]+\): stopping$'
expect_not unmapped-read 'unmapped read returned'

# An unexpected exception in the guest is reported by its vectors; it then asks for a reset.
vmm_case guest-fault 30 "bin/isv --append isv.test=fault guest/gcc/Image"
expect_rc guest-fault 2
expect_out guest-fault 'isv-guest: FATAL: unexpected exception: sync, ESR_EL1 0x2000000 \(EC 0x0\)'

vmm_case dump-dtb 30 "bin/isv --dump-dtb /tmp/isv.dtb guest/gcc/Image >/dev/null && od -An -tx1 -N4 /tmp/isv.dtb"
expect_rc dump-dtb 0
expect_out dump-dtb '^ d0 0d fe ed$'

# Bad input: one line naming the problem, exit 1, nothing run.
vmm_case bad-missing-image 10 "bin/isv /no/such/Image"
expect_rc bad-missing-image 1
expect_out bad-missing-image "^isv: error: kernel '/no/such/Image': No such file or directory$"
expect_lines bad-missing-image 1

vmm_case bad-empty-image 10 "bin/isv /dev/null"
expect_rc bad-empty-image 1
expect_out bad-empty-image "^isv: error: kernel '/dev/null': not a regular file$"
expect_lines bad-empty-image 1

# A file with the Image magic is held to the Image rules (one without is a raw binary).
vmm_case bad-truncated-image 10 "head -c 60 guest/gcc/Image > /tmp/trunc && bin/isv /tmp/trunc"
expect_rc bad-truncated-image 1
expect_out bad-truncated-image "not an arm64 Image|too small"
expect_lines bad-truncated-image 1

vmm_case bad-mem-absurd 10 "bin/isv --mem 100000G guest/gcc/Image"
expect_rc bad-mem-absurd 1
expect_out bad-mem-absurd '^isv: error: --mem: 100000G is out of range'
expect_lines bad-mem-absurd 1

vmm_case bad-mem-tiny 10 "bin/isv --mem 1 guest/gcc/Image"
expect_rc bad-mem-tiny 1
expect_lines bad-mem-tiny 1

vmm_case bad-mem-word 10 "bin/isv --mem lots guest/gcc/Image"
expect_rc bad-mem-word 1
expect_out bad-mem-word "^isv: error: --mem: 'lots' is not a size"
expect_lines bad-mem-word 1

vmm_case bad-option 10 "bin/isv --frobnicate guest/gcc/Image"
expect_rc bad-option 1
expect_out bad-option "^isv: error: unknown option '--frobnicate' \(see --help\)$"
expect_lines bad-option 1

vmm_case no-args 10 "bin/isv"
expect_rc no-args 1
expect_out no-args '^isv: error: no guest kernel given'
expect_lines no-args 1

vmm_case help 10 "bin/isv --help"
expect_rc help 0
expect_out help '^usage: isv \[options\] KERNEL'
expect_out help '^    pl031 +PL031 real-time clock at 0x09010000'

# The test device (README's "adding a device" example), every access width.
for cc in gcc clang; do
    vmm_case "testdev-$cc" 30 "bin/isv --device testdev --append isv.test=testdev guest/$cc/Image"
    expect_rc "testdev-$cc" 0
    expect_out "testdev-$cc" '^isv guest: testdev at 0xb000000, id 0x54565349$'
    for w in 1 2 4 8; do expect_out "testdev-$cc" "^isv guest: testdev $w-byte scratch write/read: ok$"; done
done
vmm_case testdev-absent 30 "bin/isv --append isv.test=testdev guest/gcc/Image"
expect_rc testdev-absent 2
expect_out testdev-absent 'no isv,testdev in the device tree'

vmm_case bad-device 10 "bin/isv --device frob guest/gcc/Image"
expect_rc bad-device 1
expect_out bad-device "^isv: error: --device 'frob': unknown device"
expect_lines bad-device 1

vmm_case bad-device-twice 10 "bin/isv --device testdev --device testdev guest/gcc/Image"
expect_rc bad-device-twice 1
expect_out bad-device-twice '^isv: error: --device testdev: given more than once$'
expect_lines bad-device-twice 1

# --stats: exit counts by kind, width and device after the run.
vmm_case stats 30 "bin/isv --stats --device testdev --append isv.test=testdev guest/gcc/Image"
expect_rc stats 0
expect_out stats '^isv: stats: [0-9]+ exits in [0-9.]+ s of run time'
expect_out stats '^isv: stats:   mmio-write +[0-9]+ '
expect_out stats '^isv: stats:   mmio write by width: 8-bit 1, 16-bit 1, 32-bit [0-9]+, 64-bit 1$'
expect_out stats '^isv: stats:   device pl011@9000000 +reads [0-9]+, writes [0-9]+'
expect_out stats '^isv: stats:   device testdev@b000000 +reads 7, writes 4,'
expect_out stats '^isv: stats:   system-event +1 '
expect_out stats '^isv: stats:   sign-extending loads fixed: 0$'
