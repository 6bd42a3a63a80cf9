/*
 * vCPUs: creation in the order KVM needs (every vCPU initialised before the
 * vGIC), and register access for the exit handlers: single registers, a
 * snapshot of what the NISV emulator needs (x0-x30, SP of the current mode,
 * PC, PSTATE, and the stage-1 translation registers), and abort injection
 * (KVM's external abort, or a data abort entered as the CPU would).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "../devices/errmsg.h"
#include "vcpu.h"
#include "vm.h"

#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
                     (offsetof(struct kvm_regs, x) / sizeof(__u32)))
#define SYS_REG(op0, op1, crn, crm, op2) ARM64_SYS_REG(op0, op1, crn, crm, op2)

int vcpu_get(struct vcpu *c, uint64_t id, uint64_t *v)
{
    struct kvm_one_reg r = {.id = id, .addr = (uintptr_t)v};
    return ioctl(c->fd, KVM_GET_ONE_REG, &r);
}

int vcpu_set(struct vcpu *c, uint64_t id, uint64_t v)
{
    struct kvm_one_reg r = {.id = id, .addr = (uintptr_t)&v};
    return ioctl(c->fd, KVM_SET_ONE_REG, &r);
}

uint64_t vcpu_reg_x(unsigned n)
{
    return CORE_REG(regs.regs[0]) + 2 * n; /* ids count 32-bit words */
}

uint64_t vcpu_reg_pc(void)
{
    return CORE_REG(regs.pc);
}

uint64_t vcpu_pc(struct vcpu *c)
{
    uint64_t pc;
    return vcpu_get(c, CORE_REG(regs.pc), &pc) ? ~0ull : pc;
}

/* PSTATE.M: EL1h uses SP_EL1; EL1t and EL0 use SP_EL0. */
static uint64_t sp_id(uint64_t pstate)
{
    return (pstate & 0xf) == 0x5 ? CORE_REG(sp_el1) : CORE_REG(regs.sp);
}

int vcpu_read_s1(struct vcpu *c, struct s1_regs *s1)
{
    return vcpu_get(c, SYS_REG(3, 0, 1, 0, 0), &s1->sctlr) |
           vcpu_get(c, SYS_REG(3, 0, 2, 0, 2), &s1->tcr) |
           vcpu_get(c, SYS_REG(3, 0, 2, 0, 0), &s1->ttbr0) |
           vcpu_get(c, SYS_REG(3, 0, 2, 0, 1), &s1->ttbr1) |
           vcpu_get(c, SYS_REG(3, 0, 10, 2, 0), &s1->mair);
}

uint64_t vcpu_reg_pstate(void)
{
    return CORE_REG(regs.pstate);
}

int vcpu_get_base(struct vcpu *c, unsigned n, uint64_t pstate, uint64_t *v)
{
    return vcpu_get(c, n == 31 ? sp_id(pstate) : vcpu_reg_x(n), v);
}

int vcpu_snapshot(struct vcpu *c, struct vcpu_snapshot *st)
{
    memset(st, 0, sizeof *st);
    int err = 0;
    for (unsigned i = 0; i < 31; i++)
        err |= vcpu_get(c, vcpu_reg_x(i), &st->regs.x[i]);
    err |= vcpu_get(c, CORE_REG(regs.pc), &st->regs.pc);
    err |= vcpu_get(c, CORE_REG(regs.pstate), &st->pstate);
    err |= vcpu_get(c, sp_id(st->pstate), &st->regs.sp);
    err |= vcpu_read_s1(c, &st->s1);
    return err ? -1 : 0;
}

int vcpu_restore(struct vcpu *c, const struct vcpu_snapshot *st)
{
    int err = 0;
    for (unsigned i = 0; i < 31; i++)
        err |= vcpu_set(c, vcpu_reg_x(i), st->regs.x[i]);
    err |= vcpu_set(c, sp_id(st->pstate), st->regs.sp);
    err |= vcpu_set(c, CORE_REG(regs.pc), st->regs.pc);
    return err ? -1 : 0;
}

int vcpu_set_boot_regs(struct vcpu *c, uint64_t entry, uint64_t dtb, char *err, size_t errlen)
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
        if (vcpu_set(c, regs[i].id, regs[i].val))
            return errmsg(err, errlen, "setting the boot registers (KVM_SET_ONE_REG): %s",
                          strerror(errno));
    return 0;
}

int vcpu_inject_ext_dabt(struct vcpu *c)
{
    struct kvm_vcpu_events ev;
    memset(&ev, 0, sizeof ev);
    ev.exception.ext_dabt_pending = 1;
    return ioctl(c->fd, KVM_SET_VCPU_EVENTS, &ev);
}

int vcpu_get_vbar(struct vcpu *c, uint64_t *vbar)
{
    return vcpu_get(c, SYS_REG(3, 0, 12, 0, 0), vbar);
}

int vcpu_describe(struct vcpu *c, char *buf, size_t size)
{
    /* What a firmware developer asks first when a guest hangs: where it is,
     * and the last exception EL1 took (its handler may be spinning). */
    uint64_t pc, pstate, elr, esr, far, vbar;
    if (vcpu_get(c, CORE_REG(regs.pc), &pc) || vcpu_get(c, CORE_REG(regs.pstate), &pstate) ||
        vcpu_get(c, CORE_REG(elr_el1), &elr) || vcpu_get(c, SYS_REG(3, 0, 5, 2, 0), &esr) ||
        vcpu_get(c, SYS_REG(3, 0, 6, 0, 0), &far) || vcpu_get_vbar(c, &vbar))
        return snprintf(buf, size, "registers unreadable: %s", strerror(errno));
    return snprintf(buf, size,
                    "pc 0x%llx pstate 0x%llx (EL%llu), last EL1 exception: ELR_EL1 0x%llx "
                    "ESR_EL1 0x%llx (EC 0x%llx) FAR_EL1 0x%llx, VBAR_EL1 0x%llx",
                    (unsigned long long)pc, (unsigned long long)pstate,
                    (unsigned long long)(pstate >> 2 & 3), (unsigned long long)elr,
                    (unsigned long long)esr, (unsigned long long)(esr >> 26 & 0x3f),
                    (unsigned long long)far, (unsigned long long)vbar);
}

int vcpu_enter_exception(struct vcpu *c, const struct a64_exc_entry *e)
{
    const struct {
        uint64_t id, val;
    } regs[] = {
        {SYS_REG(3, 0, 5, 2, 0), e->esr}, /* ESR_EL1 */
        {SYS_REG(3, 0, 6, 0, 0), e->far}, /* FAR_EL1 */
        {CORE_REG(spsr[KVM_SPSR_EL1]), e->spsr},
        {CORE_REG(elr_el1), e->elr},
        {CORE_REG(regs.pstate), e->pstate},
        {CORE_REG(regs.pc), e->pc},
    };
    for (size_t i = 0; i < sizeof regs / sizeof *regs; i++)
        if (vcpu_set(c, regs[i].id, regs[i].val))
            return -1;
    return 0;
}

#define MPIDR_EL1 SYS_REG(3, 0, 0, 0, 5)

static int vcpu_init_one(struct vm *vm, struct vcpu *c, unsigned id,
                         const struct kvm_vcpu_init *target, char *err, size_t errlen)
{
    c->vm = vm;
    c->id = id;
    c->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
    if (c->fd < 0)
        return errmsg(err, errlen, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
    c->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
    if (c->run == MAP_FAILED) {
        c->run = NULL;
        return errmsg(err, errlen, "mmap kvm_run of vCPU %u: %s", id, strerror(errno));
    }
    struct kvm_vcpu_init init = *target;
    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
    /* Secondaries wait, powered off, for the guest's PSCI CPU_ON (which KVM
     * handles in the kernel). */
    if (id > 0)
        init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
    if (ioctl(c->fd, KVM_ARM_VCPU_INIT, &init) < 0)
        return errmsg(err, errlen, "KVM_ARM_VCPU_INIT of vCPU %u: %s", id, strerror(errno));
    if (vcpu_get(c, MPIDR_EL1, &c->mpidr))
        return errmsg(err, errlen, "reading MPIDR_EL1 of vCPU %u: %s", id, strerror(errno));
    return 0;
}

int vm_create_vcpus(struct vm *vm, unsigned n, char *err, size_t errlen)
{
    int max = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
    if (max > 0 && n > (unsigned)max)
        return errmsg(err, errlen, "--cpus %u: KVM allows at most %d vCPUs here (KVM_CAP_MAX_VCPUS)",
                      n, max);
    int sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz < (int)sizeof(struct kvm_run))
        return errmsg(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
    vm->run_size = (size_t)sz;
    vm->vcpus = calloc(n, sizeof *vm->vcpus);
    if (!vm->vcpus)
        return errmsg(err, errlen, "cannot allocate %u vCPUs", n);
    for (unsigned i = 0; i < n; i++)
        vm->vcpus[i].fd = -1;
    vm->ncpus = n;
    struct kvm_vcpu_init target;
    if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &target) < 0)
        return errmsg(err, errlen, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
    for (unsigned i = 0; i < n; i++)
        if (vcpu_init_one(vm, &vm->vcpus[i], i, &target, err, errlen))
            return -1;
    return gic_create(&vm->gic, vm->vm_fd, n, err, errlen);
}
