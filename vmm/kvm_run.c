/*
 * The run loop: KVM_RUN, decode the exit (exit.c), dispatch MMIO to the bus,
 * put read results back into kvm_run, and re-enter, which completes the
 * access (KVM writes the register and advances the PC). Accesses without a
 * valid syndrome follow --nisv; sign-extending loads get the register fix
 * KVM misses (see fix_sign_extension()).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "config.h"
#include "exit.h"
#include "kvm_vcpu.h"
#include "vm.h"

#define NISV_REPORT_LIMIT 8 /* reports under inject/emulate before going quiet */
#define KEEP_RUNNING (-1)   /* handlers return this, or an enum isv_exit to stop */

static int report_unmapped(struct vm *vm, const struct mmio_access *a, enum bus_status st)
{
    unsigned long long pc = (unsigned long long)vcpu_pc(vm);
    vm_flush_console(vm);
    if (st == BUS_BAD_WIDTH)
        fprintf(stderr, "isv: guest MMIO %s of unsupported width %u at 0x%llx (pc 0x%llx): stopping\n",
                a->is_write ? "write" : "read", a->len, (unsigned long long)a->ipa, pc);
    else if (a->is_write)
        fprintf(stderr, "isv: guest write of %u byte%s (value 0x%llx) to unmapped address 0x%llx (pc 0x%llx): stopping\n",
                a->len, a->len == 1 ? "" : "s", (unsigned long long)a->data,
                (unsigned long long)a->ipa, pc);
    else
        fprintf(stderr, "isv: guest read of %u byte%s from unmapped address 0x%llx (pc 0x%llx): stopping\n",
                a->len, a->len == 1 ? "" : "s", (unsigned long long)a->ipa, pc);
    return ISV_EXIT_UNMAPPED;
}

/*
 * The decoded instruction at the PC of an MMIO read, cached by PC: the word is
 * re-read from its physical address each time, so code that changed is
 * decoded afresh (a remapped VA with identical bytes at the old PA is the one
 * case this cannot see, and it would still decode the same instruction).
 */
static const struct pc_cache_entry *insn_at_pc(struct vm *vm, uint64_t pc)
{
    struct pc_cache_entry *e = &vm->pc_cache[(pc >> 2) % 64];
    uint64_t word;
    if (e->valid && e->pc == pc && guest_mem_read(&vm->ram, e->pa, 4, &word) == 0 &&
        word == e->word)
        return e;
    struct s1_regs s1;
    struct guest_insn insn;
    if (vcpu_read_s1(vm, &s1) || guest_fetch_insn(&vm->ram, &s1, pc, &insn))
        return NULL;
    *e = (struct pc_cache_entry){.pc = pc, .pa = insn.pa, .word = insn.word, .valid = true,
                                 .sext = a64_sign_extending_load(&insn.d), .d = insn.d};
    return e;
}

/*
 * KVM on the nested host returns sign-extending MMIO loads zero-extended
 * (reference README). After a read, if the instruction is LDRSB/LDRSH/LDRSW:
 * let KVM complete the access without running the guest (immediate_exit),
 * then write the architecturally correct value into Rt.
 */
static int fix_sign_extension(struct vm *vm, unsigned len, uint64_t value)
{
    /* Sign- and zero-extension agree unless the value's top bit is set; only
     * then is it worth an ioctl to learn which instruction loaded it. */
    if (len >= 8 || !((value >> (8 * len - 1)) & 1))
        return KEEP_RUNNING;
    uint64_t pc;
    if (vcpu_get(vm, vcpu_reg_pc(), &pc))
        return KEEP_RUNNING;
    const struct pc_cache_entry *e = insn_at_pc(vm, pc);
    if (!e || !e->sext || e->d.rt == 31)
        return KEEP_RUNNING;
    vm->run->immediate_exit = 1;
    int r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
    vm->run->immediate_exit = 0;
    if (r == 0 || errno != EINTR) {
        fprintf(stderr, "isv: completing a sign-extending load at pc 0x%llx: %s\n",
                (unsigned long long)pc, r == 0 ? "the guest ran" : strerror(errno));
        return ISV_EXIT_INTERNAL;
    }
    uint64_t v;
    if (vcpu_get(vm, vcpu_reg_x(e->d.rt), &v) ||
        vcpu_set(vm, vcpu_reg_x(e->d.rt), a64_fix_sign_extension(&e->d, v))) {
        fprintf(stderr, "isv: fixing x%u after a sign-extending load: %s\n", e->d.rt,
                strerror(errno));
        return ISV_EXIT_INTERNAL;
    }
    vm->sext_fixed++;
    return KEEP_RUNNING;
}

static int handle_mmio(struct vm *vm, const struct exit_info *x)
{
    struct device *dev;
    uint64_t v = x->mmio.data;
    enum bus_status st = bus_access(&vm->bus, x->mmio.ipa, x->mmio.len, x->mmio.is_write, &v, &dev);
    if (vm->collect_stats)
        stats_mmio(&vm->stats, dev, x->mmio.is_write, x->mmio.len,
                   stats_now_ns() - vm->exit_start_ns);
    if (st != BUS_OK)
        return report_unmapped(vm, &x->mmio, st);
    if (!x->mmio.is_write) {
        exit_complete_read(vm->run, v);
        if (vm->fix_sign_extension)
            return fix_sign_extension(vm, x->mmio.len, v);
    }
    return KEEP_RUNNING;
}

static int handle_nisv(struct vm *vm, const struct exit_info *x)
{
    struct vcpu_snapshot st;
    struct guest_insn insn;
    char report[1024], why[200], action[240];
    uint64_t t0 = vm->collect_stats ? vm->exit_start_ns : 0;

    if (vcpu_snapshot(vm, &st)) {
        fprintf(stderr, "isv: reading vCPU registers after a no-syndrome abort: %s\n",
                strerror(errno));
        return ISV_EXIT_INTERNAL;
    }
    guest_fetch_insn(&vm->ram, &st.s1, st.regs.pc, &insn);
    unsigned reason = insn.error ? A64_R_COUNT : (unsigned)insn.d.reason;
    if (vm->collect_stats)
        stats_nisv(&vm->stats, reason, insn.error ? "unfetched" : a64_reason_tag(insn.d.reason),
                   stats_now_ns() - t0);

    int rc = KEEP_RUNNING;
    switch (vm->nisv) {
    case NISV_STOP:
        snprintf(action, sizeof action, "stopping (--nisv=stop)");
        rc = ISV_EXIT_NISV;
        break;
    case NISV_INJECT:
        if (vcpu_inject_ext_dabt(vm)) {
            snprintf(action, sizeof action, "injecting an external abort failed (%s): stopping",
                     strerror(errno));
            rc = ISV_EXIT_INTERNAL;
            break;
        }
        snprintf(action, sizeof action, "injected an external data abort (--nisv=inject)");
        if (++vm->nisv_injected > NISV_REPORT_LIMIT)
            return KEEP_RUNNING;
        break;
    case NISV_EMULATE:
        if (nisv_emulate(&st, &insn, &vm->ram, &vm->bus, x->nisv_ipa, why, sizeof why)) {
            snprintf(action, sizeof action, "cannot emulate it (%s): stopping", why);
            rc = ISV_EXIT_NISV;
            break;
        }
        if (vcpu_restore(vm, &st)) {
            fprintf(stderr, "isv: writing vCPU registers after emulation: %s\n", strerror(errno));
            return ISV_EXIT_INTERNAL;
        }
        snprintf(action, sizeof action, "emulated (--nisv=emulate)");
        if (++vm->nisv_emulated > NISV_REPORT_LIMIT)
            return KEEP_RUNNING;
        break;
    }
    nisv_report(x->nisv_ipa, x->nisv_esr_iss, &insn, action, report, sizeof report);
    vm_flush_console(vm);
    fputs(report, stderr);
    return rc;
}

static int handle_system_event(struct vm *vm, const struct exit_info *x)
{
    switch (x->kind) {
    case EXIT_SHUTDOWN:
        return ISV_EXIT_POWEROFF;
    case EXIT_RESET:
        vm_flush_console(vm);
        fprintf(stderr, "isv: guest requested a reset\n");
        return ISV_EXIT_RESET;
    default:
        vm_flush_console(vm);
        fprintf(stderr, "isv: guest system event %u (crash)\n", x->event_type);
        return ISV_EXIT_INTERNAL;
    }
}

static enum stat_kind stat_kind_of(enum exit_kind k)
{
    switch (k) {
    case EXIT_NISV: return STAT_NISV;
    case EXIT_SHUTDOWN:
    case EXIT_RESET:
    case EXIT_SYSTEM_OTHER: return STAT_SYSTEM_EVENT;
    case EXIT_INTR: return STAT_INTR;
    default: return STAT_OTHER;
    }
}

int vm_run(struct vm *vm)
{
    int rc = KEEP_RUNNING;
    if (vm->collect_stats)
        vm->stats.start_ns = stats_now_ns();
    while (rc == KEEP_RUNNING) {
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
                    (unsigned long long)vcpu_pc(vm));
            rc = ISV_EXIT_INTERNAL;
            break;
        }
        struct exit_info x;
        exit_decode(vm->run, &x);
        switch (x.kind) {
        case EXIT_MMIO:
            rc = handle_mmio(vm, &x); /* counted there, with its device */
            continue;
        case EXIT_NISV:
            rc = handle_nisv(vm, &x); /* counted there, with its reason */
            continue;
        case EXIT_SHUTDOWN:
        case EXIT_RESET:
        case EXIT_SYSTEM_OTHER:
            rc = handle_system_event(vm, &x);
            break;
        case EXIT_INTR:
            break;
        case EXIT_FAIL_ENTRY:
            fprintf(stderr, "isv: KVM could not enter the vCPU (hardware reason 0x%llx)\n",
                    (unsigned long long)x.detail);
            rc = ISV_EXIT_INTERNAL;
            break;
        case EXIT_INTERNAL_ERROR:
            fprintf(stderr, "isv: KVM internal error (suberror %llu)\n",
                    (unsigned long long)x.detail);
            rc = ISV_EXIT_INTERNAL;
            break;
        case EXIT_UNKNOWN:
            fprintf(stderr, "isv: unexpected KVM exit reason %u (pc 0x%llx)\n", x.reason,
                    (unsigned long long)vcpu_pc(vm));
            rc = ISV_EXIT_INTERNAL;
            break;
        }
        if (vm->collect_stats)
            stats_exit(&vm->stats, stat_kind_of(x.kind), stats_now_ns() - vm->exit_start_ns);
    }
    if (vm->collect_stats)
        vm->stats.end_ns = stats_now_ns();
    return rc;
}
