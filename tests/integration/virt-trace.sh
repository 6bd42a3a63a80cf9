#!/bin/sh
# virt-trace.sh COMMAND...: run COMMAND (the VMM) in the nested host with the
# kvm_guest_fault tracepoint on, and print, after its output, one line per
# distinct guest MMIO trap (faulting IPA below RAM at 0x40000000) as KVM saw it:
#   virt-trap pc=0x... esr=0x... n=COUNT
# The ESR is the hardware syndrome (ISV in bit 24, SSE in bit 21), the PC the
# guest's. Exits with COMMAND's status. Busybox sh and awk.
T=/sys/kernel/tracing
[ -w "$T/events/kvm/kvm_guest_fault/enable" ] || { echo "virt-trace: no kvm_guest_fault tracepoint"; exit 125; }
echo 0 >"$T/tracing_on"
echo 8192 >"$T/buffer_size_kb"
echo >"$T/trace"
echo 1 >"$T/events/kvm/kvm_guest_fault/enable"
echo 1 >"$T/tracing_on"
"$@"
rc=$?
echo 0 >"$T/tracing_on"
echo 0 >"$T/events/kvm/kvm_guest_fault/enable"
# "... kvm_guest_fault: ipa 0x9000000, hsr 0x93210005, hxfar 0x9000000, pc 0x4000..."
awk '/kvm_guest_fault:/ {
        ipa = ""; esr = ""; pc = ""
        for (i = 1; i < NF; i++) {
            v = $(i + 1); sub(/,$/, "", v)
            if ($i == "ipa") ipa = v
            else if ($i == "hsr" || $i == "esr") esr = v
            else if ($i == "pc") pc = v
        }
        h = ipa; sub(/^0x0*/, "", h)
        if (length(h) < 8 || (length(h) == 8 && h ~ /^[0-3]/)) n[pc " " esr]++
     }
     END { for (k in n) { split(k, a, " "); print "virt-trap pc=" a[1] " esr=" a[2] " n=" n[k] } }' "$T/trace" | sort
lost=$(cat "$T/per_cpu"/cpu*/stats 2>/dev/null | awk '/^overrun:/ { s += $2 } END { print s + 0 }')
[ "$lost" = 0 ] || echo "virt-trace: $lost trace events lost (buffer overrun)"
echo >"$T/trace"
exit $rc
