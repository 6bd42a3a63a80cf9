/*
 * AArch64 backend: every access is exactly one inline-asm instruction that a
 * hypervisor can emulate from the syndrome alone (ESR_EL2.ISV = 1):
 *
 *   ldrb/ldrh/ldr w/ldr x  and  strb/strh/str w/str x  with a bare base
 *   register [xN]: no offset arithmetic, no writeback, no pair, no SIMD/FP,
 *   and no sign-extending load (KVM hands those back zero-extended, so signed
 *   values are converted in C by the caller).
 *
 * Stores use the "rZ" constraint so a constant 0 may come from wzr/xzr (the
 * syndrome then names register 31, which an emulator must read as zero).
 * Every asm has a "memory" clobber: the compiler may not cache, move or merge
 * memory accesses across a device access.
 *
 * Each access instruction is labelled and its address recorded, PC-relative,
 * in section .mmio_insns (one 32-bit entry: insn_address - entry_address), so
 * a checker can find and verify exactly these instructions in an object or
 * image. PC-relative entries need no dynamic relocation in a self-relocating
 * PIE. Barriers are not recorded.
 *
 * Internal: included through <mmio.h>.
 */
#ifndef MMIO_BACKEND_AARCH64_H
#define MMIO_BACKEND_AARCH64_H

#include <stdint.h>

#include "compiler.h"

#define MMIO_BACKEND_NAME "aarch64-asm"

/* Appended to each access instruction, which carries the local label 1. */
#define MMIO_A64_RECORD_ \
    "\n\t.pushsection .mmio_insns, \"a\"" \
    "\n\t.balign 4" \
    "\n\t.long 1b - ." \
    "\n\t.popsection"

#define MMIO_A64_LOAD_(name, type, reg_type, insn) \
    MMIO_INLINE_ type name(uintptr_t addr) \
    { \
        reg_type v; \
        __asm__ volatile("1:\t" insn MMIO_A64_RECORD_ : "=r"(v) : "r"(addr) : "memory"); \
        return (type)v; \
    }
#define MMIO_A64_STORE_(name, type, insn) \
    MMIO_INLINE_ void name(uintptr_t addr, type v) \
    { \
        __asm__ volatile("1:\t" insn MMIO_A64_RECORD_ : : "rZ"(v), "r"(addr) : "memory"); \
    }

/* 8/16/32-bit loads fill a W register, zero-extended by the instruction. */
MMIO_A64_LOAD_(mmio_impl_ld8_, uint8_t, uint32_t, "ldrb %w0, [%1]")
MMIO_A64_LOAD_(mmio_impl_ld16_, uint16_t, uint32_t, "ldrh %w0, [%1]")
MMIO_A64_LOAD_(mmio_impl_ld32_, uint32_t, uint32_t, "ldr %w0, [%1]")
MMIO_A64_LOAD_(mmio_impl_ld64_, uint64_t, uint64_t, "ldr %x0, [%1]")
MMIO_A64_STORE_(mmio_impl_st8_, uint8_t, "strb %w0, [%1]")
MMIO_A64_STORE_(mmio_impl_st16_, uint16_t, "strh %w0, [%1]")
MMIO_A64_STORE_(mmio_impl_st32_, uint32_t, "str %w0, [%1]")
MMIO_A64_STORE_(mmio_impl_st64_, uint64_t, "str %x0, [%1]")

/*
 * Barriers for the ordered accessors, as Linux readX/writeX use them: outer
 * shareable so they also order against DMA observers (virtio rings).
 *   rmb: after a device read, before later loads/stores (dma_rmb, dmb oshld)
 *   wmb: after earlier stores, before a device write   (dma_wmb, dmb oshst)
 *   mb:  full                                           (dmb osh)
 */
MMIO_INLINE_ void mmio_impl_rmb_(void) { __asm__ volatile("dmb oshld" : : : "memory"); }
MMIO_INLINE_ void mmio_impl_wmb_(void) { __asm__ volatile("dmb oshst" : : : "memory"); }
MMIO_INLINE_ void mmio_impl_mb_(void) { __asm__ volatile("dmb osh" : : : "memory"); }

#endif
