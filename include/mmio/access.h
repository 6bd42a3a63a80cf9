/*
 * The accessors. Each is a _Generic selection on the register pointer's type,
 * so the register's kind and the pointer's constness decide what compiles:
 *
 *   unique pointer (struct X MMIO_PTR *)        shared pointer (const struct X MMIO_PTR *)
 *   mmio_read:   rp, rpw, ro, rw                 rp, rpw
 *   mmio_write:  wo, rw, rpw                     -
 *   mmio_modify: rw, rpw                         -
 *
 * A pointer that matches no association is a compile error ("_Generic
 * selector of type 'const mmio_rw32 *' is not compatible with any
 * association" or clang's "controlling expression type ... not compatible");
 * there is intentionally no `default:`.
 *
 * mmio_read/mmio_write are "relaxed": one access, no barrier. The _ordered
 * forms add the barrier Linux readX/writeX add (see backend: rmb after a
 * read, wmb before a write). Use them where a device access must be ordered
 * against normal memory, e.g. a virtio notify after filling a ring.
 *
 * Internal: included through <mmio.h>.
 */
#ifndef MMIO_ACCESS_H
#define MMIO_ACCESS_H

#include <stdint.h>

#include "backend.h"
#include "compiler.h"
#include "regs.h"

/* Width-level workers. The pointer's type was checked by _Generic already. */
MMIO_INLINE_ uintptr_t mmio_addr_(const volatile void MMIO_PTR *r) { return (uintptr_t)r; }

#define MMIO_WORKERS_(W) \
    MMIO_INLINE_ uint##W##_t mmio_rd##W##_(const volatile void MMIO_PTR *r) \
    { \
        return mmio_impl_ld##W##_(mmio_addr_(r)); \
    } \
    MMIO_INLINE_ uint##W##_t mmio_rd##W##_ord_(const volatile void MMIO_PTR *r) \
    { \
        uint##W##_t v = mmio_impl_ld##W##_(mmio_addr_(r)); \
        mmio_impl_rmb_(); \
        return v; \
    } \
    MMIO_INLINE_ void mmio_wr##W##_(const volatile void MMIO_PTR *r, uint##W##_t v) \
    { \
        mmio_impl_st##W##_(mmio_addr_(r), v); \
    } \
    MMIO_INLINE_ void mmio_wr##W##_ord_(const volatile void MMIO_PTR *r, uint##W##_t v) \
    { \
        mmio_impl_wmb_(); \
        mmio_impl_st##W##_(mmio_addr_(r), v); \
    } \
    MMIO_INLINE_ void mmio_mod##W##_(const volatile void MMIO_PTR *r, uint##W##_t clear, \
                                     uint##W##_t set) \
    { \
        uint##W##_t v = mmio_impl_ld##W##_(mmio_addr_(r)); \
        mmio_impl_st##W##_(mmio_addr_(r), (uint##W##_t)((v & (uint##W##_t)~clear) | set)); \
    }
MMIO_WORKERS_(8)
MMIO_WORKERS_(16)
MMIO_WORKERS_(32)
MMIO_WORKERS_(64)

/* Associations, per width W, mapping the permitted pointer types to f. */
#define MMIO_PURE_READ_(W, f) \
    mmio_rp##W *: f, const mmio_rp##W *: f, mmio_rpw##W *: f, const mmio_rpw##W *: f
#define MMIO_READ_(W, f) MMIO_PURE_READ_(W, f), mmio_ro##W *: f, mmio_rw##W *: f
#define MMIO_WRITE_(W, f) mmio_wo##W *: f, mmio_rw##W *: f, mmio_rpw##W *: f
#define MMIO_MODIFY_(W, f) mmio_rw##W *: f, mmio_rpw##W *: f
#define MMIO_ALL_UNIQUE_(W, f) \
    mmio_rp##W *: f, mmio_ro##W *: f, mmio_wo##W *: f, mmio_rw##W *: f, mmio_rpw##W *: f
#define MMIO_ALL_SHARED_(W, f) \
    const mmio_rp##W *: f, const mmio_ro##W *: f, const mmio_wo##W *: f, \
    const mmio_rw##W *: f, const mmio_rpw##W *: f
#define MMIO_BY_WIDTH_(ASSOC, fn, sfx) \
    ASSOC(8, fn##8##sfx), ASSOC(16, fn##16##sfx), ASSOC(32, fn##32##sfx), ASSOC(64, fn##64##sfx)

/* Value of register *p (uint8_t .. uint64_t, the register's width). */
#define mmio_read(p) _Generic((p), MMIO_BY_WIDTH_(MMIO_READ_, mmio_rd, _))(p)
/* Write v to *p. v must fit the register's width without conversion loss. */
#define mmio_write(p, v) \
    MMIO_STRICT_CONVERSION_(_Generic((p), MMIO_BY_WIDTH_(MMIO_WRITE_, mmio_wr, _))((p), (v)))
/* *p = (*p & ~clear) | set: one read then one write, not atomic. */
#define mmio_modify(p, clear, set) \
    MMIO_STRICT_CONVERSION_( \
        _Generic((p), MMIO_BY_WIDTH_(MMIO_MODIFY_, mmio_mod, _))((p), (clear), (set)))

/* Read, then rmb: later memory accesses stay after this read. */
#define mmio_read_ordered(p) _Generic((p), MMIO_BY_WIDTH_(MMIO_READ_, mmio_rd, _ord_))(p)
/* wmb, then write: earlier memory writes are visible before this write. */
#define mmio_write_ordered(p, v) \
    MMIO_STRICT_CONVERSION_(_Generic((p), MMIO_BY_WIDTH_(MMIO_WRITE_, mmio_wr, _ord_))((p), (v)))

/*
 * Escape hatches, greppable by their _unsafe suffix. Same single-instruction
 * forms, no permission check:
 *   mmio_read_unsafe(p)      any register kind, unique or shared pointer; the
 *                            caller vouches the read is allowed (and, through
 *                            a shared pointer, free of side effects)
 *   mmio_write_unsafe(p, v)  any register kind, unique pointer only (there is
 *                            no write through a shared pointer, even unsafe)
 *   mmio_readN_unsafe(addr), mmio_writeN_unsafe(addr, v)   N = 8/16/32/64, at a
 *                            raw virtual address the caller owns
 */
#define mmio_read_unsafe(p) \
    _Generic((p), MMIO_BY_WIDTH_(MMIO_ALL_UNIQUE_, mmio_rd, _), \
             MMIO_BY_WIDTH_(MMIO_ALL_SHARED_, mmio_rd, _))(p)
#define mmio_write_unsafe(p, v) \
    MMIO_STRICT_CONVERSION_(_Generic((p), MMIO_BY_WIDTH_(MMIO_ALL_UNIQUE_, mmio_wr, _))((p), (v)))

#define mmio_read8_unsafe(addr) mmio_impl_ld8_(addr)
#define mmio_read16_unsafe(addr) mmio_impl_ld16_(addr)
#define mmio_read32_unsafe(addr) mmio_impl_ld32_(addr)
#define mmio_read64_unsafe(addr) mmio_impl_ld64_(addr)
#define mmio_write8_unsafe(addr, v) MMIO_STRICT_CONVERSION_(mmio_impl_st8_((addr), (v)))
#define mmio_write16_unsafe(addr, v) MMIO_STRICT_CONVERSION_(mmio_impl_st16_((addr), (v)))
#define mmio_write32_unsafe(addr, v) MMIO_STRICT_CONVERSION_(mmio_impl_st32_((addr), (v)))
#define mmio_write64_unsafe(addr, v) MMIO_STRICT_CONVERSION_(mmio_impl_st64_((addr), (v)))

/* Stand-alone barriers, the same ones the _ordered accessors use. */
MMIO_INLINE_ void mmio_rmb(void) { mmio_impl_rmb_(); }
MMIO_INLINE_ void mmio_wmb(void) { mmio_impl_wmb_(); }
MMIO_INLINE_ void mmio_mb(void) { mmio_impl_mb_(); }

#endif
