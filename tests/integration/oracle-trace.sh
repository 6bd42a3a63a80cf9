#!/bin/sh
# Runs inside the nested host (busybox sh), from the stage dir: records KVM's
# kvm_guest_fault tracepoint (the real ESR_EL2 of every guest trap) while the
# guest runs every load/store form against the test device, then prints the
# trace so the host-side syndrome-oracle can compare it with the decoder.
#   oracle-trace.sh gcc|clang
cc=${1:?usage: oracle-trace.sh gcc|clang}
T=/sys/kernel/tracing
ev=$T/events/kvm/kvm_guest_fault
if [ ! -d "$ev" ]; then
    echo "oracle: no $ev in the nested host (tracefs not mounted or KVM tracepoints missing)"
    exit 3
fi
echo 0 > "$T/tracing_on"
# Room for every event: a lost event could only hide evidence, and the
# oracle reports losses (entries-in-buffer/entries-written header).
echo 8192 > "$T/buffer_size_kb"
echo > "$T/trace"
echo 1 > "$ev/enable"
echo 1 > "$T/tracing_on"
# All emulatable forms (ISV=1 ones and, with --nisv emulate, the ISV=0 ones),
# then the exclusive load, which only --nisv inject lets the guest survive.
bin/isv --device testdev --nisv emulate --append 'isv.test=forms isv.forms=all' "guest/$cc/Image"
rc1=$?
bin/isv --device testdev --nisv inject --append 'isv.test=forms isv.forms=ldxr isv.abort=expect' "guest/$cc/Image"
rc2=$?
echo 0 > "$ev/enable"
echo "oracle: forms run rc=$rc1, ldxr run rc=$rc2"
cat "$T/trace"
[ "$rc1" = 0 ] && [ "$rc2" = 0 ]
