# SMP: the guest's isv.test=smp with 2, 4 and 8 vCPUs (PSCI CPU_ON, concurrent
# MMIO to one device with exact totals, SGIs between CPUs, CPU_OFF confirmed by
# AFFINITY_INFO, two virtio-blk disks driven from two CPUs at once), a vCPU
# other than 0 powering off, stop signals during an SMP run, Debian's kernel
# with --cpus 2, and --cpus 2 twins of cases from the other suites.
# (Sourced by run.sh.)

truncate -s 1M "$STAGE_EXTRA/smp-d0.img" "$STAGE_EXTRA/smp-d1.img"
SMP_DEVS="--device testdev --device virtio-blk,file=smp-d0.img --device virtio-blk,file=smp-d1.img"

smp_expect() { # NAME CPUS
    expect_rc "$1" 0
    expect_out "$1" "^isv guest: smp: $2 cpus in the device tree$"
    expect_out "$1" "^isv guest: smp: $2 cpus online$"
    expect_out "$1" "^isv guest: smp: testdev counter: $2 cpus x [0-9]+ reads, expected [0-9]+, got [0-9]+: ok$"
    expect_out "$1" '^isv guest: smp: scratch slots: ok$'
    expect_out "$1" '^isv guest: smp: sgi: each cpu received [0-9]+ of [0-9]+: ok$'
    expect_out "$1" '^isv guest: smp: cpu_off: [0-9]+ cpus off, AFFINITY_INFO confirms: ok$'
    expect_out "$1" '^isv guest: smp: virtio-blk: 2 disks driven concurrently from cpus 0 and [0-9]+: ok$'
    expect_out "$1" '^isv guest: smp: all checks passed$'
    expect_not "$1" 'MISMATCH|FATAL|isv: guest'
    # Every vCPU made MMIO exits of its own (counted per vCPU by the VMM).
    expect_cmd "$1" "[ \$(grep -cE '^isv: stats:   vcpu [0-9]+ +[0-9]+ exits, mmio [1-9]' \$OUT) = $2 ]"
    expect_out "$1" '^isv: stats:   exits without a valid syndrome: 0$'
}

for ncpu in 2 4 8; do
    vmm_case "smp-$ncpu" 150 "bin/isv --cpus $ncpu --stats $SMP_DEVS --append 'isv.test=smp' guest/gcc/Image"
    smp_expect "smp-$ncpu" $ncpu
done
vmm_case smp-4-clang 150 "bin/isv --cpus 4 --stats $SMP_DEVS --append 'isv.test=smp' guest/clang/Image"
smp_expect smp-4-clang 4

# Stress: every vCPU hammers the test device's counter, many times over.
vmm_case smp-stress 200 "bin/isv --cpus 4 --stats $SMP_DEVS --append 'isv.test=smp isv.smp.n=3000' guest/gcc/Image"
smp_expect smp-stress 4
expect_out smp-stress '^isv guest: smp: testdev counter: 4 cpus x 3000 reads, expected [0-9]+, got [0-9]+: ok$'

# With one CPU the test has nothing to do and says so.
vmm_case smp-uniprocessor 30 "bin/isv --device testdev --append isv.test=smp guest/gcc/Image"
expect_rc smp-uniprocessor 2
expect_out smp-uniprocessor '^isv guest: smp: only one cpu; nothing to test$'

# vCPU 1 powers the machine off while vCPU 0 keeps exiting: status 0, nothing else said.
vmm_case smp-off-from-cpu1 60 "bin/isv --cpus 2 --device testdev --append isv.test=smp-off guest/gcc/Image"
expect_rc smp-off-from-cpu1 0
expect_out smp-off-from-cpu1 '^isv guest: smp-off: cpu 1 powering the system off$'
expect_not smp-off-from-cpu1 '^isv: |FATAL'

# A stop signal while every vCPU is exiting: one line, the status of the
# signal, --stats still printed, no isv process left behind. (SIGINT is
# ignored by a background job of a script, so it cannot be sent here.)
for sig in TERM HUP; do
    n=smp-sig$sig
    vmm_case $n 90 "bin/isv --cpus 4 --stats --device testdev --append isv.test=smp-spin guest/gcc/Image > /tmp/$n.txt 2>&1 & p=\$!; \
i=0; while ! grep -q 'cpus spinning' /tmp/$n.txt && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done; \
sleep 1; kill -$sig \$p; wait \$p; echo \"isv-host: status \$?\"; cat /tmp/$n.txt; \
sleep 0.5; left=0; for d in /proc/[0-9]*; do [ \"\$(cat \$d/comm 2>/dev/null)\" = isv ] && left=\$((left + 1)); done; \
echo \"isv-host: isv processes left: \$left\""
    expect_out $n '^isv guest: smp-spin: 4 cpus spinning$'
    expect_out $n "^isv: SIG$sig: stopping the guest$"
    expect_out $n '^isv-host: isv processes left: 0$'
    expect_cmd $n "[ \$(grep -cE '^isv: stats:   vcpu [0-3] +[0-9]+ exits, mmio [1-9]' \$OUT) = 4 ]"
done
expect_out smp-sigTERM '^isv-host: status 143$'
expect_out smp-sigHUP '^isv-host: status 129$'

# A stop signal the parent ignores stays ignored (a background job's SIGINT,
# nohup's SIGHUP): SIGINT does nothing, SIGTERM then stops the run.
n=smp-sigint-ignored
vmm_case $n 90 "bin/isv --cpus 2 --device testdev --append isv.test=smp-spin guest/gcc/Image > /tmp/$n.txt 2>&1 & p=\$!; \
i=0; while ! grep -q 'cpus spinning' /tmp/$n.txt && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done; \
kill -INT \$p; sleep 2; kill -0 \$p && echo 'isv-host: running after SIGINT'; kill -TERM \$p; wait \$p; \
echo \"isv-host: status \$?\"; cat /tmp/$n.txt"
expect_out $n '^isv-host: running after SIGINT$'
expect_out $n '^isv-host: status 143$'
expect_out $n '^isv: SIGTERM: stopping the guest$'
expect_not $n 'SIGINT: stopping'

# Debian's kernel with two vCPUs: both brought up, work runs on each, and
# CPU 1 goes through hotplug (PSCI CPU_OFF, then CPU_ON) and comes back.
n=linux-smp
vmm_case $n 240 "bin/isv --cpus 2 --stats --mem 256M --initrd linux/initramfs.cpio.gz \
--append 'console=ttyAMA0 panic=-1 isv.linux=smp' linux/vmlinuz"
expect_rc $n 0
expect_out $n 'smp: Brought up 1 node, 2 CPUs$'
expect_out $n '^isv-linux: online 0-1 nproc 2$'
expect_out $n '^isv-linux: pinned work ran on: cpu 0 cpu 1 $'
expect_out $n '^isv-linux: cpu1 offline: online now 0$'
expect_out $n '^isv-linux: cpu1 back online: online now 0-1$'
expect_out $n '^isv-linux: END smp rc=0$'
expect_out $n '^isv: stats:   vcpu 1 +[0-9]+ exits, mmio [1-9]'

# Bad --cpus values: one line, exit 1.
for v in 0 x 100000 124; do
    vmm_case "bad-cpus-$v" 10 "bin/isv --cpus $v guest/gcc/Image"
    expect_rc "bad-cpus-$v" 1
    expect_out "bad-cpus-$v" "^isv: error: --cpus: '?$v'? (is out of range|is not a number)"
    expect_lines "bad-cpus-$v" 1
done

# The other suites' guests with two vCPUs (the secondary stays off, or Linux
# brings it up): the same expectations hold.
smp_twin boot-gcc unmapped-read guest-fault testdev-gcc stats echo-gcc console-file-out \
    forms-isv1-gcc forms-emulate-gcc nisv-stop nisv-inject load-initrd \
    isv-virtio-blk-gcc isv-virtio-console isv-virtio-all isv-virtio-hostile

# --trace-mmio with 4 vCPUs exiting at once: whole lines in TIME order, every
# vCPU's accesses counted as --stats counts them, both disks' doorbells relayed.
n=trace-mmio-smp
vmm_case $n 150 "bin/isv --cpus 4 --stats --trace-mmio /tmp/trace-smp.txt $SMP_DEVS --append 'isv.test=smp' guest/gcc/Image; echo rc \$?; cp /tmp/trace-smp.txt export/trace-smp.txt"
expect_out $n '^rc 0$'
expect_out $n '^isv guest: smp: all checks passed$'
expect_cmd $n "tests/integration/trace-check.py \$EXPORT/trace-smp.txt \$OUT --vcpus 4 --ioeventfd virtio-blk@a000000 --ioeventfd virtio-blk@a000200"
