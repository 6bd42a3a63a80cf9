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
#include "bus.h"

enum nisv_policy {
    NISV_STOP,    /* report and stop the VM (default) */
    NISV_INJECT,  /* inject an external data abort into the guest */
    NISV_EMULATE, /* perform the instruction in the VMM */
    NISV_AUDIT,   /* emulate, and list every access that is not virtualizable at exit */
};

/* The vCPU state the decoder and emulator need. */
struct vcpu_snapshot {
    struct a64_regs regs; /* x0..x30, the current SP, PC */
    uint64_t pstate;
    struct s1_regs s1;    /* SCTLR_EL1, TCR_EL1, TTBR0/1_EL1, MAIR_EL1 */
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
/* Fetch and decode the A64 instruction at pc, as the vCPU in pstate would
 * (AArch32 state, a misaligned PC, or one not executable at its EL are
 * refused); on failure out->error says why. */
int guest_fetch_insn(const struct guest_mem *ram, const struct s1_regs *s1, uint64_t pstate,
                     uint64_t pc, struct guest_insn *out);
/* The same where code may also run from read-only memory outside RAM (with
 * --bios, the firmware's SEC and PEI execute in place from flash bank 0):
 * the word comes from RAM or, failing that, from rom (size 0: none). The
 * translation tables are in RAM either way. */
int guest_fetch_insn_rom(const struct guest_mem *ram, const struct guest_mem *rom,
                         const struct s1_regs *s1, uint64_t pstate, uint64_t pc,
                         struct guest_insn *out);

/* The report: lines starting with "isv: ", ending in '\n'. */
size_t nisv_report(uint64_t ipa, uint64_t esr_iss, const struct guest_insn *insn,
                   const char *action, char *buf, size_t size);

/* A fault the CPU would have raised for one of the instruction's accesses:
 * the VMM delivers it to the guest as a data abort. */
struct nisv_fault {
    uint64_t va;
    unsigned dfsc; /* ESR ISS[5:0] */
    bool write;
    const char *what;
};

enum { NISV_DONE = 0, NISV_REFUSED = -1, NISV_FAULT = 1 };

/* Perform insn on the snapshot as the CPU would: every access it makes is
 * translated and checked (permissions at the vCPU's EL, PAN, LDTR/STTR as
 * EL0, alignment) before any is performed, one of them must be the faulting
 * IPA, and the syndrome's WnR must match. Then the accesses go to RAM or the
 * bus and registers, base writeback and PC are updated in st: NISV_DONE.
 * NISV_FAULT: nothing performed, *fault says what to deliver. NISV_REFUSED:
 * nothing changed (unless a device failed mid-instruction), why says why. */
int nisv_emulate(struct vcpu_snapshot *st, const struct guest_insn *insn,
                 const struct guest_mem *ram, struct bus *bus, uint64_t fault_ipa,
                 uint64_t esr_iss, struct nisv_fault *fault, char *why, size_t whylen);

/* For --trace-mmio: told of each device access the emulator performs, after
 * the device handled it (value: written, or read back). RAM accesses are not
 * MMIO and are not told; nor are the probe pass's checks. */
struct nisv_observer {
    void (*access)(void *ctx, uint64_t pa, unsigned len, bool is_write, uint64_t value,
                   enum bus_status st, struct device *dev);
    void *ctx;
};
/* nisv_emulate, telling obs (NULL: nobody) of each device access. */
int nisv_emulate_observed(struct vcpu_snapshot *st, const struct guest_insn *insn,
                          const struct guest_mem *ram, struct bus *bus, uint64_t fault_ipa,
                          uint64_t esr_iss, struct nisv_fault *fault, char *why, size_t whylen,
                          const struct nisv_observer *obs);

/* Parse --nisv=stop|inject|emulate|audit. 0 or -1. */
int nisv_policy_parse(const char *s, enum nisv_policy *out);
const char *nisv_policy_name(enum nisv_policy p);

#endif
