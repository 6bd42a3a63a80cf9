/*
 * vCPU register access for the exit handlers: single registers, a snapshot
 * of what the NISV emulator needs (x0-x30, SP of the current mode, PC,
 * PSTATE, and the stage-1 translation registers), and abort injection.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "../devices/errmsg.h"
#include "kvm_vcpu.h"

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
                     (offsetof(struct kvm_regs, x) / sizeof(__u32)))
#define SYS_REG(op0, op1, crn, crm, op2) ARM64_SYS_REG(op0, op1, crn, crm, op2)

int vcpu_get(struct vm *vm, uint64_t id, uint64_t *v)
{
    struct kvm_one_reg r = {.id = id, .addr = (uintptr_t)v};
    return ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &r);
}

int vcpu_set(struct vm *vm, uint64_t id, uint64_t v)
{
    struct kvm_one_reg r = {.id = id, .addr = (uintptr_t)&v};
    return ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &r);
}

uint64_t vcpu_reg_x(unsigned n)
{
    return CORE_REG(regs.regs[0]) + 2 * n; /* ids count 32-bit words */
}

uint64_t vcpu_reg_pc(void)
{
    return CORE_REG(regs.pc);
}

uint64_t vcpu_pc(struct vm *vm)
{
    uint64_t pc;
    return vcpu_get(vm, CORE_REG(regs.pc), &pc) ? ~0ull : pc;
}

/* PSTATE.M: EL1h uses SP_EL1; EL1t and EL0 use SP_EL0. */
static uint64_t sp_id(uint64_t pstate)
{
    return (pstate & 0xf) == 0x5 ? CORE_REG(sp_el1) : CORE_REG(regs.sp);
}

int vcpu_read_s1(struct vm *vm, struct s1_regs *s1)
{
    return vcpu_get(vm, SYS_REG(3, 0, 1, 0, 0), &s1->sctlr) |
           vcpu_get(vm, SYS_REG(3, 0, 2, 0, 2), &s1->tcr) |
           vcpu_get(vm, SYS_REG(3, 0, 2, 0, 0), &s1->ttbr0) |
           vcpu_get(vm, SYS_REG(3, 0, 2, 0, 1), &s1->ttbr1);
}

int vcpu_snapshot(struct vm *vm, struct vcpu_snapshot *st)
{
    memset(st, 0, sizeof *st);
    int err = 0;
    for (unsigned i = 0; i < 31; i++)
        err |= vcpu_get(vm, vcpu_reg_x(i), &st->regs.x[i]);
    err |= vcpu_get(vm, CORE_REG(regs.pc), &st->regs.pc);
    err |= vcpu_get(vm, CORE_REG(regs.pstate), &st->pstate);
    err |= vcpu_get(vm, sp_id(st->pstate), &st->regs.sp);
    err |= vcpu_read_s1(vm, &st->s1);
    return err ? -1 : 0;
}

int vcpu_restore(struct vm *vm, const struct vcpu_snapshot *st)
{
    int err = 0;
    for (unsigned i = 0; i < 31; i++)
        err |= vcpu_set(vm, vcpu_reg_x(i), st->regs.x[i]);
    err |= vcpu_set(vm, sp_id(st->pstate), st->regs.sp);
    err |= vcpu_set(vm, CORE_REG(regs.pc), st->regs.pc);
    return err ? -1 : 0;
}

int vm_set_boot_regs(struct vm *vm, uint64_t entry, uint64_t dtb, char *err, size_t errlen)
{
    const struct {
        uint64_t id, val;
    } regs[] = {
        {CORE_REG(regs.pstate), 0x3c5}, /* EL1h, DAIF masked */
        {CORE_REG(regs.pc), entry},
        {vcpu_reg_x(0), dtb},           /* boot protocol: x0 = DTB, x1-x3 = 0 */
        {vcpu_reg_x(1), 0},
        {vcpu_reg_x(2), 0},
        {vcpu_reg_x(3), 0},
    };
    for (size_t i = 0; i < sizeof regs / sizeof *regs; i++)
        if (vcpu_set(vm, regs[i].id, regs[i].val))
            return errmsg(err, errlen, "setting the boot registers (KVM_SET_ONE_REG): %s",
                          strerror(errno));
    return 0;
}

int vcpu_inject_ext_dabt(struct vm *vm)
{
    struct kvm_vcpu_events ev;
    memset(&ev, 0, sizeof ev);
    ev.exception.ext_dabt_pending = 1;
    return ioctl(vm->vcpu_fd, KVM_SET_VCPU_EVENTS, &ev);
}
