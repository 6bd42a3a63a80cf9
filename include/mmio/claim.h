/*
 * Where unique pointers come from, and how to get at parts of a block.
 *
 * Unique pointer: `struct X MMIO_PTR *`. Shared pointer: `const struct X
 * MMIO_PTR *`. Unique converts to shared implicitly; shared to unique only
 * through a cast that discards const, which -Wcast-qual diagnoses.
 *
 * mmio_claim(T, va) is the one way to make a unique pointer from an address.
 * CONTRACT, promised by the caller:
 *   1. va is the virtual address of a device's registers laid out as T,
 *      mapped for at least sizeof(T) bytes for as long as the pointer is used;
 *   2. the mapping is Device memory (nGnRE or stronger; with the MMU off all
 *      data accesses are Device-nGnRnE), never Normal/cacheable memory;
 *   3. nothing else accesses those registers while the pointer is in use: no
 *      other claim of an overlapping range, no other pointer made except by
 *      projection from this one (sub-blocks, elements, shared copies).
 *      Copies of a unique pointer are reborrows: the copy's user must be done
 *      before the original is used again (C cannot check this).
 * Checked at run time (trap on failure): va is non-zero and aligned to
 * _Alignof(T). T must be a complete type.
 *
 * mmio_phys is the physical-address token for code that maps devices: what a
 * board description hands to the mapper, carrying the size and alignment the
 * block type needs. It is not a pointer and no accessor takes it; the mapper
 * maps [pa, pa + size) as Device memory and then claims the virtual address.
 *
 * Internal: included through <mmio.h>.
 */
#ifndef MMIO_CLAIM_H
#define MMIO_CLAIM_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

/* Contract violation detected at run time: stop here (brk on AArch64). */
MMIO_NORETURN_ static inline void mmio_trap_(void)
{
#if defined(__GNUC__)
    __builtin_trap();
#else
    for (;;) {
    }
#endif
}

/* Returns a pointer (not the integer) so the cast in mmio_claim is pointer to
 * pointer, which -Wbad-function-cast accepts. */
MMIO_INLINE_ void MMIO_PTR *mmio_claim_check_(uintptr_t va, size_t align)
{
    if (va == 0 || (va & (align - 1)) != 0)
        mmio_trap_();
    return (void MMIO_PTR *)va;
}

/* The claim: see the contract above. grep for "mmio_claim(" to audit them. */
#define mmio_claim(T, va) ((T MMIO_PTR *)mmio_claim_check_((va), _Alignof(T)))

typedef struct mmio_phys {
    uint64_t pa;    /* physical base address of the register block */
    uint64_t size;  /* bytes to map: sizeof the block type */
    uint64_t align; /* the block type's alignment (pa must be aligned to it) */
} mmio_phys;

/* Initializer for an mmio_phys describing a T at physical address pa:
 *   static const mmio_phys uart0 = MMIO_PHYS(struct pl011_regs, 0x09000000);
 * Use (mmio_phys)MMIO_PHYS(...) in an expression. */
#define MMIO_PHYS(T, pa_) { .pa = (pa_), .size = sizeof(T), .align = _Alignof(T) }

/*
 * Projection. A sub-block or register is just &p->member: taking the address
 * accesses nothing, and constness (unique/shared) carries over. Register
 * arrays are indexed with a bounds check:
 *
 *   mmio_elem(p, member, i)   &p->member[i]; a constant i out of range is a
 *                             compile error, a variable one traps at run time
 *   MMIO_COUNT(p->member)     number of elements (not evaluated)
 *
 * p is evaluated once, i once.
 */
#define MMIO_COUNT(array) (sizeof(array) / sizeof((array)[0]))

MMIO_INLINE_ size_t mmio_index_(size_t i, size_t n)
{
    if (i >= n)
        mmio_trap_();
    return i;
}

/* 0, after refusing at compile time an integer-constant index i >= n. */
#define MMIO_CONST_INDEX_OK_(i, n) \
    (0 * sizeof(struct { \
        _Static_assert((size_t)MMIO_ICE_OR_ZERO_(i) < (n), "mmio: constant register index out of bounds"); \
        char mmio_unused_; \
    }))

#define mmio_elem(p, member, i) \
    (&(p)->member[mmio_index_((size_t)(i), MMIO_COUNT((p)->member)) + \
                  MMIO_CONST_INDEX_OK_(i, MMIO_COUNT((p)->member))])

#endif
