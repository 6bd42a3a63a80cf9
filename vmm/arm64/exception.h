/*
 * Taking a synchronous data abort to AArch64 EL1, as the PE does it (Arm ARM
 * D1.3 "Exception entry"): the syndrome, the saved state and the new PSTATE
 * and PC, computed from the interrupted state. Pure; the VMM writes the result
 * into the vCPU when it delivers a fault the CPU would have raised.
 */
#ifndef ISV_ARM64_EXCEPTION_H
#define ISV_ARM64_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>

struct a64_exc_entry {
    uint64_t esr, far;   /* ESR_EL1, FAR_EL1 */
    uint64_t spsr, elr;  /* SPSR_EL1 = old PSTATE, ELR_EL1 = the faulting PC */
    uint64_t pstate, pc; /* EL1h, DAIF masked; VBAR_EL1 + the vector offset */
};

/* A data abort with status code dfsc (ESR ISS[5:0]) at virtual address far,
 * taken from pstate/pc (EL0 or EL1, AArch64) with SCTLR_EL1 and VBAR_EL1. */
struct a64_exc_entry a64_data_abort_entry(uint64_t pstate, uint64_t pc, uint64_t sctlr,
                                          uint64_t vbar, uint64_t far, unsigned dfsc,
                                          bool write);

#endif
