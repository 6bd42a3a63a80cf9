/*
 * Data aborts without a valid instruction syndrome (KVM_EXIT_ARM_NISV): fetch
 * the faulting instruction from guest memory at the PC (through the guest's
 * stage-1 tables when its MMU is on), decode it, report it, and emulate it
 * against guest RAM and the MMIO bus. Pure: the KVM side (kvm_vcpu.c) reads
 * and writes the registers around it.
 */
#ifndef ISV_VMM_NISV_H
#define ISV_VMM_NISV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../devices/guest_mem.h"
#include "arm64/a64.h"
#include "arm64/emulate.h"
#include "arm64/s1walk.h"

struct bus;

enum nisv_policy {
    NISV_STOP,    /* report and stop the VM (default) */
    NISV_INJECT,  /* inject an external data abort into the guest */
    NISV_EMULATE, /* perform the instruction in the VMM */
};

/* The vCPU state the decoder and emulator need. */
struct vcpu_snapshot {
    struct a64_regs regs; /* x0..x30, the current SP, PC */
    uint64_t pstate;
    struct s1_regs s1;    /* SCTLR_EL1, TCR_EL1, TTBR0/1_EL1 */
};

struct guest_insn {
    uint64_t pc, pa;
    uint32_t word;
    struct a64_ldst d;
    const char *error; /* why it could not be fetched, or NULL */
};

/* Guest VA -> PA through stage 1 (identity with the MMU off). 0, or -1 with why. */
int guest_va_to_pa(const struct guest_mem *ram, const struct s1_regs *s1, uint64_t va,
                   uint64_t *pa, const char **why);
/* Fetch and decode the instruction at pc; on failure out->error says why. */
int guest_fetch_insn(const struct guest_mem *ram, const struct s1_regs *s1, uint64_t pc,
                     struct guest_insn *out);

/* The report: lines starting with "isv: ", ending in '\n'. */
size_t nisv_report(uint64_t ipa, uint64_t esr_iss, const struct guest_insn *insn,
                   const char *action, char *buf, size_t size);

/* Perform insn on the snapshot: memory accesses go to RAM or the bus,
 * registers, base writeback and PC are updated in st. 0, or -1 with why. */
int nisv_emulate(struct vcpu_snapshot *st, const struct guest_insn *insn,
                 const struct guest_mem *ram, struct bus *bus, uint64_t fault_ipa, char *why,
                 size_t whylen);

/* Parse --nisv=stop|inject|emulate. 0 or -1. */
int nisv_policy_parse(const char *s, enum nisv_policy *out);
const char *nisv_policy_name(enum nisv_policy p);

#endif
