/*
 * Register wrapper types and the helpers that lay out register blocks.
 *
 * One wrapper type per (kind, width). The kind says what the accessors allow:
 *
 *   kind  read                         write   read needs unique pointer
 *   rp    yes, no side effects         no      no  (shared is enough)
 *   ro    yes, may have side effects   no      yes
 *   wo    no                           yes     -
 *   rw    yes, may have side effects   yes     yes
 *   rpw   yes, no side effects         yes     no  (write still needs unique)
 *
 * Every (kind, width) is a distinct struct type, so a register cannot be passed
 * where another kind is expected. The storage member is `const` (no struct
 * assignment of registers or of whole blocks), `volatile`, private (naming it
 * is diagnosed) and naturally aligned.
 *
 * Internal: included through <mmio.h>.
 */
#ifndef MMIO_REGS_H
#define MMIO_REGS_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

/* Register values are native-endian; both targets (aarch64, x86-64 hosts) are LE. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "mmio: little-endian targets only");

/* Read-pure: reading has no side effects. */
typedef struct mmio_rp8  { _Alignas(1) const volatile uint8_t  mmio_private_ MMIO_PRIVATE_; } mmio_rp8;
typedef struct mmio_rp16 { _Alignas(2) const volatile uint16_t mmio_private_ MMIO_PRIVATE_; } mmio_rp16;
typedef struct mmio_rp32 { _Alignas(4) const volatile uint32_t mmio_private_ MMIO_PRIVATE_; } mmio_rp32;
typedef struct mmio_rp64 { _Alignas(8) const volatile uint64_t mmio_private_ MMIO_PRIVATE_; } mmio_rp64;
/* Read-only: reading may have side effects (pops a FIFO, clears status). */
typedef struct mmio_ro8  { _Alignas(1) const volatile uint8_t  mmio_private_ MMIO_PRIVATE_; } mmio_ro8;
typedef struct mmio_ro16 { _Alignas(2) const volatile uint16_t mmio_private_ MMIO_PRIVATE_; } mmio_ro16;
typedef struct mmio_ro32 { _Alignas(4) const volatile uint32_t mmio_private_ MMIO_PRIVATE_; } mmio_ro32;
typedef struct mmio_ro64 { _Alignas(8) const volatile uint64_t mmio_private_ MMIO_PRIVATE_; } mmio_ro64;
/* Write-only. */
typedef struct mmio_wo8  { _Alignas(1) const volatile uint8_t  mmio_private_ MMIO_PRIVATE_; } mmio_wo8;
typedef struct mmio_wo16 { _Alignas(2) const volatile uint16_t mmio_private_ MMIO_PRIVATE_; } mmio_wo16;
typedef struct mmio_wo32 { _Alignas(4) const volatile uint32_t mmio_private_ MMIO_PRIVATE_; } mmio_wo32;
typedef struct mmio_wo64 { _Alignas(8) const volatile uint64_t mmio_private_ MMIO_PRIVATE_; } mmio_wo64;
/* Read-write, reading may have side effects. */
typedef struct mmio_rw8  { _Alignas(1) const volatile uint8_t  mmio_private_ MMIO_PRIVATE_; } mmio_rw8;
typedef struct mmio_rw16 { _Alignas(2) const volatile uint16_t mmio_private_ MMIO_PRIVATE_; } mmio_rw16;
typedef struct mmio_rw32 { _Alignas(4) const volatile uint32_t mmio_private_ MMIO_PRIVATE_; } mmio_rw32;
typedef struct mmio_rw64 { _Alignas(8) const volatile uint64_t mmio_private_ MMIO_PRIVATE_; } mmio_rw64;
/* Read-pure-write: pure reads, writes. */
typedef struct mmio_rpw8  { _Alignas(1) const volatile uint8_t  mmio_private_ MMIO_PRIVATE_; } mmio_rpw8;
typedef struct mmio_rpw16 { _Alignas(2) const volatile uint16_t mmio_private_ MMIO_PRIVATE_; } mmio_rpw16;
typedef struct mmio_rpw32 { _Alignas(4) const volatile uint32_t mmio_private_ MMIO_PRIVATE_; } mmio_rpw32;
typedef struct mmio_rpw64 { _Alignas(8) const volatile uint64_t mmio_private_ MMIO_PRIVATE_; } mmio_rpw64;

#define MMIO_CHECK_WRAPPER_(t, n) \
    _Static_assert(sizeof(t) == (n) && _Alignof(t) == (n), "mmio: " #t " must be " #n " bytes, naturally aligned")
MMIO_CHECK_WRAPPER_(mmio_rp8, 1);  MMIO_CHECK_WRAPPER_(mmio_rp16, 2);
MMIO_CHECK_WRAPPER_(mmio_rp32, 4); MMIO_CHECK_WRAPPER_(mmio_rp64, 8);
MMIO_CHECK_WRAPPER_(mmio_ro8, 1);  MMIO_CHECK_WRAPPER_(mmio_ro16, 2);
MMIO_CHECK_WRAPPER_(mmio_ro32, 4); MMIO_CHECK_WRAPPER_(mmio_ro64, 8);
MMIO_CHECK_WRAPPER_(mmio_wo8, 1);  MMIO_CHECK_WRAPPER_(mmio_wo16, 2);
MMIO_CHECK_WRAPPER_(mmio_wo32, 4); MMIO_CHECK_WRAPPER_(mmio_wo64, 8);
MMIO_CHECK_WRAPPER_(mmio_rw8, 1);  MMIO_CHECK_WRAPPER_(mmio_rw16, 2);
MMIO_CHECK_WRAPPER_(mmio_rw32, 4); MMIO_CHECK_WRAPPER_(mmio_rw64, 8);
MMIO_CHECK_WRAPPER_(mmio_rpw8, 1);  MMIO_CHECK_WRAPPER_(mmio_rpw16, 2);
MMIO_CHECK_WRAPPER_(mmio_rpw32, 4); MMIO_CHECK_WRAPPER_(mmio_rpw64, 8);

/*
 * Inside a register-block struct:
 *
 *   MMIO_REG(kind, bits, declarator);   a register (or array: `isenabler[32]`)
 *   MMIO_RESERVED(from, to);            a gap covering byte offsets [from, to)
 *
 * MMIO_REG refuses widths other than 8/16/32/64 with a readable diagnostic
 * (no silent splitting into several accesses).
 */
#define MMIO_WIDTH_OK_(bits) ((bits) == 8 || (bits) == 16 || (bits) == 32 || (bits) == 64)
#define MMIO_REG(kind, bits, declarator) \
    _Static_assert(MMIO_WIDTH_OK_(bits), \
                   "mmio: register " #declarator " width must be 8, 16, 32 or 64 bits"); \
    mmio_##kind##bits declarator

#define MMIO_RESERVED(from, to) \
    _Static_assert((to) > (from), "mmio: reserved range [" #from ", " #to ") is empty or reversed"); \
    const volatile unsigned char MMIO_CAT_(mmio_reserved_, __LINE__)[(to) - (from)] MMIO_PRIVATE_

/*
 * After the struct, one line per register pins its offset, and one line the
 * block's total size:
 *
 *   MMIO_OFFSET(struct pl011_regs, fr, 0x018);
 *   MMIO_SIZE(struct pl011_regs, 0x1000);
 */
#define MMIO_OFFSET(type, member, off) \
    _Static_assert(offsetof(type, member) == (off), \
                   "mmio: register " #member " of " #type " is not at offset " #off)
#define MMIO_SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), "mmio: " #type " is not " #size " bytes")

#endif
