/*
 * One vCPU: its KVM fd and kvm_run page, its thread, and what the exit
 * handlers keep per vCPU (NISV and sign-extension counters, exit statistics). While the VM runs, all of it belongs to the vCPU's own
 * thread, except `run->immediate_exit`, which vm_stop() sets from any thread
 * to kick it out of KVM_RUN. The main thread reads the rest after the join.
 */
#ifndef ISV_VMM_VCPU_H
#define ISV_VMM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arm64/exception.h"
#include "nisv.h"
#include "stats.h"

struct kvm_run;
struct vm;

struct vcpu {
    struct vm *vm;
    unsigned id;          /* KVM vcpu id = index = logical CPU number */
    int fd;
    struct kvm_run *run;
    uint64_t mpidr;       /* MPIDR_EL1 as KVM set it (read back after init) */
    pthread_t thread;
    bool thread_started;
    uint64_t nisv_emulated, nisv_injected, nisv_faults, sext_fixed;
    struct exit_stats stats;
    uint64_t exit_start_ns; /* when the current exit came back from KVM_RUN */
};

/* kvm_vcpu.c: registers, for the exit handlers. */
int vcpu_get(struct vcpu *c, uint64_t id, uint64_t *v);
int vcpu_set(struct vcpu *c, uint64_t id, uint64_t v);
uint64_t vcpu_reg_x(unsigned n); /* register id of xN */
uint64_t vcpu_reg_pc(void);
uint64_t vcpu_reg_pstate(void);
uint64_t vcpu_pc(struct vcpu *c); /* ~0 if it cannot be read */
/* A base register: xN, or for 31 the SP of pstate's mode. */
int vcpu_get_base(struct vcpu *c, unsigned n, uint64_t pstate, uint64_t *v);
int vcpu_read_s1(struct vcpu *c, struct s1_regs *s1);
int vcpu_get_vbar(struct vcpu *c, uint64_t *vbar);
/* One line (no newline) of where the vCPU is and the last exception EL1 took;
 * for --verbose reports when a run is stopped from outside. snprintf-like. */
int vcpu_describe(struct vcpu *c, char *buf, size_t size);
int vcpu_snapshot(struct vcpu *c, struct vcpu_snapshot *st);
int vcpu_restore(struct vcpu *c, const struct vcpu_snapshot *st);
/* Make the guest take an external data abort on the faulting access. */
int vcpu_inject_ext_dabt(struct vcpu *c);
/* Take an exception as computed by exception.h (ESR, FAR, SPSR, ELR, PSTATE, PC). */
int vcpu_enter_exception(struct vcpu *c, const struct a64_exc_entry *e);
/* Boot registers per the arm64 boot protocol: PC = entry, x0 = DTB. */
int vcpu_set_boot_regs(struct vcpu *c, uint64_t entry, uint64_t dtb, char *err, size_t errlen);

#endif
