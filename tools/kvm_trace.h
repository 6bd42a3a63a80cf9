/*
 * Parsing of the Linux KVM/arm64 `kvm_guest_fault` tracepoint as tracefs
 * prints it (arch/arm64/kvm/trace_arm.h):
 *   <task>-<pid> [cpu] flags ts: kvm_guest_fault: ipa 0x.., hsr 0x.., hxfar 0x.., pc 0x..
 * ipa is HPFAR-derived (page-granular), hsr is ESR_EL2, hxfar FAR_EL2 (the
 * guest virtual address), pc the guest PC.
 */
#ifndef ISV_TOOLS_KVM_TRACE_H
#define ISV_TOOLS_KVM_TRACE_H

#include <stdint.h>

struct kvm_fault {
    uint64_t ipa, esr, far, pc;
};

enum kvm_trace_line {
    KVM_TRACE_OTHER = 0,  /* no kvm_guest_fault event on this line */
    KVM_TRACE_FAULT,      /* *out filled */
    KVM_TRACE_MALFORMED,  /* names the event but its fields do not parse */
};

enum kvm_trace_line kvm_trace_parse(const char *line, struct kvm_fault *out);

/* Parses tracefs's "# entries-in-buffer/entries-written: N/M" header; 1 if
 * this is that line. M > N means the ring buffer dropped events. */
int kvm_trace_entries(const char *line, unsigned long *in_buffer, unsigned long *written);

#endif
