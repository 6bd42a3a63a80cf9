/*
 * The run loop: KVM_RUN, decode the exit, dispatch MMIO to the bus, put read
 * results back into kvm_run, and re-enter (which completes the access: KVM
 * writes the register and advances the PC).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "config.h"
#include "vm.h"

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
                     (offsetof(struct kvm_regs, x) / sizeof(__u32)))

static uint64_t guest_pc(struct vm *vm)
{
    uint64_t pc = 0;
    struct kvm_one_reg r = {.id = CORE_REG(regs.pc), .addr = (uintptr_t)&pc};
    if (ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &r) < 0)
        return ~0ull;
    return pc;
}

static int handle_mmio(struct vm *vm)
{
    struct kvm_run *run = vm->run;
    uint64_t addr = run->mmio.phys_addr;
    unsigned len = run->mmio.len;
    bool is_write = run->mmio.is_write;
    struct device *dev;

    enum bus_status st = bus_access(&vm->bus, addr, len, is_write, run->mmio.data, &dev);
    if (vm->collect_stats)
        stats_mmio(&vm->stats, dev, is_write, len, stats_now_ns() - vm->exit_start_ns);
    if (st == BUS_OK)
        return -1;
    if (st == BUS_BAD_WIDTH)
        fprintf(stderr, "isv: guest MMIO %s of unsupported width %u at 0x%llx (pc 0x%llx): stopping\n",
                is_write ? "write" : "read", len, (unsigned long long)addr,
                (unsigned long long)guest_pc(vm));
    else if (is_write)
        fprintf(stderr, "isv: guest write of %u byte%s (value 0x%llx) to unmapped address 0x%llx (pc 0x%llx): stopping\n",
                len, len == 1 ? "" : "s", (unsigned long long)le_bytes_to_u64(run->mmio.data, len),
                (unsigned long long)addr, (unsigned long long)guest_pc(vm));
    else
        fprintf(stderr, "isv: guest read of %u byte%s from unmapped address 0x%llx (pc 0x%llx): stopping\n",
                len, len == 1 ? "" : "s", (unsigned long long)addr,
                (unsigned long long)guest_pc(vm));
    (void)dev;
    return ISV_EXIT_UNMAPPED;
}

static int handle_nisv(struct vm *vm)
{
    struct kvm_run *run = vm->run;
    fprintf(stderr,
            "isv: guest MMIO access without a valid syndrome at 0x%llx (pc 0x%llx, esr_iss 0x%llx): stopping\n",
            (unsigned long long)run->arm_nisv.fault_ipa, (unsigned long long)guest_pc(vm),
            (unsigned long long)run->arm_nisv.esr_iss);
    return ISV_EXIT_NISV;
}

static int handle_system_event(struct vm *vm)
{
    switch (vm->run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        return ISV_EXIT_POWEROFF;
    case KVM_SYSTEM_EVENT_RESET:
        fprintf(stderr, "isv: guest requested a reset\n");
        return ISV_EXIT_RESET;
    default:
        fprintf(stderr, "isv: guest system event %u (crash)\n", vm->run->system_event.type);
        return ISV_EXIT_INTERNAL;
    }
}

int vm_run(struct vm *vm)
{
    int rc = -1;
    if (vm->collect_stats)
        vm->stats.start_ns = stats_now_ns();
    while (rc < 0) {
        int r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
        if (vm->collect_stats) {
            vm->exit_start_ns = stats_now_ns();
            vm->stats.runs++;
        }
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                if (vm->collect_stats)
                    stats_exit(&vm->stats, STAT_INTR, 0);
                continue;
            }
            fprintf(stderr, "isv: KVM_RUN: %s (pc 0x%llx)\n", strerror(errno),
                    (unsigned long long)guest_pc(vm));
            rc = ISV_EXIT_INTERNAL;
            break;
        }
        enum stat_kind kind = STAT_OTHER;
        switch (vm->run->exit_reason) {
        case KVM_EXIT_MMIO:
            rc = handle_mmio(vm);
            break;
        case KVM_EXIT_ARM_NISV:
            rc = handle_nisv(vm);
            kind = STAT_NISV;
            break;
        case KVM_EXIT_SYSTEM_EVENT:
            rc = handle_system_event(vm);
            kind = STAT_SYSTEM_EVENT;
            break;
        case KVM_EXIT_INTR:
            kind = STAT_INTR;
            break;
        case KVM_EXIT_FAIL_ENTRY:
            fprintf(stderr, "isv: KVM_EXIT_FAIL_ENTRY (reason 0x%llx)\n",
                    (unsigned long long)vm->run->fail_entry.hardware_entry_failure_reason);
            rc = ISV_EXIT_INTERNAL;
            break;
        case KVM_EXIT_INTERNAL_ERROR:
            fprintf(stderr, "isv: KVM internal error (suberror %u)\n", vm->run->internal.suberror);
            rc = ISV_EXIT_INTERNAL;
            break;
        default:
            fprintf(stderr, "isv: unexpected KVM exit reason %u (pc 0x%llx)\n",
                    vm->run->exit_reason, (unsigned long long)guest_pc(vm));
            rc = ISV_EXIT_INTERNAL;
        }
        /* MMIO exits are counted by handle_mmio, with their device. */
        if (vm->collect_stats && vm->run->exit_reason != KVM_EXIT_MMIO)
            stats_exit(&vm->stats, kind, stats_now_ns() - vm->exit_start_ns);
    }
    if (vm->collect_stats)
        vm->stats.end_ns = stats_now_ns();
    return rc;
}
