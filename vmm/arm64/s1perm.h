/*
 * Stage-1 (EL1&0) permission and alignment checks on a completed walk
 * (s1walk.h), as the CPU makes them for an access it performs: direct
 * permissions from AP[2:1] with the tables' APTable limits, PAN for
 * privileged accesses, LDTR/STTR checked as EL0 (unless PSTATE.UAO),
 * UXN/PXN with the implicit PXN of EL0-writable pages and SCTLR_EL1.WXN for
 * instruction fetches, and alignment (Device memory, or SCTLR_EL1.A). Plus
 * the data-abort status code (DFSC) for each fault. Not covered:
 * FEAT_S1PIE/S1POE indirect permissions, EPAN, hardware dirty state (DBM).
 */
#ifndef ISV_ARM64_S1PERM_H
#define ISV_ARM64_S1PERM_H

#include <stdbool.h>
#include <stdint.h>

#include "s1walk.h"

/* PSTATE fields the checks read (the KVM_REG_ARM_CORE pstate layout). */
#define PSTATE_EL(p) ((unsigned)((p) >> 2) & 3)
#define PSTATE_NRW (1ull << 4)  /* AArch32 state */
#define PSTATE_PAN (1ull << 22)
#define PSTATE_UAO (1ull << 23)

enum s1_check {
    S1_CHECK_OK = 0,
    S1_CHECK_PERMISSION,
    S1_CHECK_ALIGNMENT,
};

struct s1_access {
    uint64_t va;
    unsigned size;  /* bytes: the alignment the access needs */
    bool write;
    bool unpriv;    /* LDTR/STTR and friends */
};

/* The memory type is Device (MMU off: every data access is Device-nGnRnE). */
bool s1_is_device(const struct s1_regs *regs, const struct s1_result *w);
/* A data access of the PE in state pstate through walk w (w->fault == S1_OK). */
enum s1_check s1_check_data(const struct s1_regs *regs, const struct s1_result *w,
                            uint64_t pstate, const struct s1_access *a);
/* An instruction fetch at the PE's EL through walk w. */
bool s1_can_execute(const struct s1_regs *regs, const struct s1_result *w, uint64_t pstate);

/* The DFSC (ESR_ELx.ISS[5:0]) for a failed walk at its level, or for a
 * failed check; -1 when the fault has no architected code (unsupported). */
int s1_dfsc_walk(enum s1_fault f, int level);
int s1_dfsc_check(enum s1_check c, int level);
const char *s1_check_name(enum s1_check c);

#endif
