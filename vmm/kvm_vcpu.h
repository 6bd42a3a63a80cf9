/* vCPU registers for the exit handlers (kvm_vcpu.c). */
#ifndef ISV_VMM_KVM_VCPU_H
#define ISV_VMM_KVM_VCPU_H

#include <stdint.h>

#include "nisv.h"
#include "vm.h"

int vcpu_get(struct vm *vm, uint64_t id, uint64_t *v);
int vcpu_set(struct vm *vm, uint64_t id, uint64_t v);
uint64_t vcpu_reg_x(unsigned n); /* register id of xN */
uint64_t vcpu_reg_pc(void);
uint64_t vcpu_pc(struct vm *vm); /* ~0 if it cannot be read */
int vcpu_read_s1(struct vm *vm, struct s1_regs *s1);
int vcpu_snapshot(struct vm *vm, struct vcpu_snapshot *st);
int vcpu_restore(struct vm *vm, const struct vcpu_snapshot *st);
/* Make the guest take an external data abort on the faulting access. */
int vcpu_inject_ext_dabt(struct vm *vm);

#endif
