/*
 * Emulation of decoded A64 general-purpose loads/stores against a register
 * file and memory callbacks: single register and pair, every addressing mode
 * (offset, register offset, literal, pre/post-index writeback), sign/zero
 * extension into W/X, the zero register, PC advance. Refuses (with a reason)
 * exclusives, atomics, SIMD/FP, tags, LS64, MOPS, pointer authentication.
 * Also the fix-up for sign-extending MMIO loads that KVM zero-extends.
 */
#ifndef ISV_ARM64_EMULATE_H
#define ISV_ARM64_EMULATE_H

#include <stdint.h>

#include "a64.h"

struct a64_regs {
    uint64_t x[31]; /* x0..x30 */
    uint64_t sp;    /* the stack pointer of the faulting context */
    uint64_t pc;
};

/* Memory callbacks: one access of len 1, 2, 4 or 8 bytes at virtual address
 * va; values are numeric (little-endian memory order is the callee's job).
 * Return 0, or -1 for a fault. */
struct a64_mem {
    int (*read)(void *ctx, uint64_t va, unsigned len, uint64_t *val);
    int (*write)(void *ctx, uint64_t va, unsigned len, uint64_t val);
    void *ctx;
};

enum a64_emu_status {
    A64_EMU_OK = 0,    /* done: registers updated, pc += 4 */
    A64_EMU_REFUSED,   /* not emulated; nothing changed */
    A64_EMU_MEM_FAULT, /* a callback failed; registers and pc unchanged (a pair
                          store may have written its first half) */
};

/* Perform the access as the architecture would. *why (optional) receives a
 * reason string for REFUSED/MEM_FAULT, NULL on success; *fault_va (optional)
 * the address of the failed access. */
enum a64_emu_status a64_emulate(const struct a64_ldst *d, struct a64_regs *r,
                                const struct a64_mem *m, const char **why, uint64_t *fault_va);

/* The address of the instruction's first access (before any writeback).
 * Reads only rn (31 = r->sp), rm for register offsets, and pc for literals. */
uint64_t a64_address(const struct a64_ldst *d, const struct a64_regs *r);

/* For an ISV=1 sign-extending load (LDRSB/LDRSH/LDRSW and friends): the
 * architecturally correct register value, given the zero-extended value KVM
 * put in Rt. Any other instruction: kvm_value unchanged. */
uint64_t a64_fix_sign_extension(const struct a64_ldst *d, uint64_t kvm_value);

#endif
