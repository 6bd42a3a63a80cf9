/* kvm_run → typed exit (see exit.h). */
#include "exit.h"

#include <string.h>

#include <linux/kvm.h>

#include "../devices/le.h"

void exit_decode(const struct kvm_run *run, struct exit_info *out)
{
    memset(out, 0, sizeof *out);
    out->reason = run->exit_reason;
    switch (run->exit_reason) {
    case KVM_EXIT_MMIO:
        out->kind = EXIT_MMIO;
        out->mmio.ipa = run->mmio.phys_addr;
        out->mmio.len = run->mmio.len;
        out->mmio.is_write = run->mmio.is_write;
        if (run->mmio.is_write)
            out->mmio.data = le_bytes_to_u64(run->mmio.data,
                                             run->mmio.len <= 8 ? run->mmio.len : 8);
        break;
    case KVM_EXIT_ARM_NISV:
        out->kind = EXIT_NISV;
        out->nisv_esr_iss = run->arm_nisv.esr_iss;
        out->nisv_ipa = run->arm_nisv.fault_ipa;
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        out->event_type = run->system_event.type;
        out->kind = run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? EXIT_SHUTDOWN
                    : run->system_event.type == KVM_SYSTEM_EVENT_RESET  ? EXIT_RESET
                                                                         : EXIT_SYSTEM_OTHER;
        break;
    case KVM_EXIT_INTR:
        out->kind = EXIT_INTR;
        break;
    case KVM_EXIT_FAIL_ENTRY:
        out->kind = EXIT_FAIL_ENTRY;
        out->detail = run->fail_entry.hardware_entry_failure_reason;
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        out->kind = EXIT_INTERNAL_ERROR;
        out->detail = run->internal.suberror;
        break;
    default:
        out->kind = EXIT_UNKNOWN;
    }
}

void exit_complete_read(struct kvm_run *run, uint64_t value)
{
    memset(run->mmio.data, 0, sizeof run->mmio.data);
    u64_to_le_bytes(value, run->mmio.data, run->mmio.len <= 8 ? run->mmio.len : 8);
}

const char *exit_kind_name(enum exit_kind k)
{
    static const char *const names[] = {
        "mmio", "nisv", "shutdown", "reset", "system-event", "interrupted",
        "fail-entry", "internal-error", "unknown",
    };
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}
