/*
 * KVM exits as typed values: what the run loop dispatches on. Pure (it reads
 * a struct kvm_run, issues no ioctl), so it is unit-tested on the host.
 */
#ifndef ISV_VMM_EXIT_H
#define ISV_VMM_EXIT_H

#include <stdbool.h>
#include <stdint.h>

struct kvm_run;

enum exit_kind {
    EXIT_MMIO,           /* an access with a valid syndrome, for the bus */
    EXIT_NISV,           /* a data abort without a valid syndrome */
    EXIT_SHUTDOWN,       /* PSCI SYSTEM_OFF */
    EXIT_RESET,          /* PSCI SYSTEM_RESET */
    EXIT_SYSTEM_OTHER,   /* another system event (e.g. crash) */
    EXIT_INTR,           /* interrupted by a signal */
    EXIT_FAIL_ENTRY,     /* the vCPU could not be entered */
    EXIT_INTERNAL_ERROR, /* KVM gave up */
    EXIT_UNKNOWN,        /* an exit reason we do not handle */
};

struct mmio_access {
    uint64_t ipa;
    unsigned len;     /* 1, 2, 4 or 8 (others are reported, never dispatched) */
    bool is_write;
    uint64_t data;    /* for writes: the value stored (len bytes, zero-extended) */
};

struct exit_info {
    enum exit_kind kind;
    uint32_t reason;          /* kvm_run.exit_reason */
    struct mmio_access mmio;  /* EXIT_MMIO */
    uint64_t nisv_esr_iss;    /* EXIT_NISV: sanitized ISS (CM, WnR, FSC) */
    uint64_t nisv_ipa;        /* EXIT_NISV: faulting IPA, page offset included */
    uint32_t event_type;      /* system events */
    uint64_t detail;          /* fail-entry reason or internal suberror */
};

void exit_decode(const struct kvm_run *run, struct exit_info *out);
/* Put a read's result into kvm_run for KVM to load into the register. */
void exit_complete_read(struct kvm_run *run, uint64_t value);
const char *exit_kind_name(enum exit_kind k);

#endif
