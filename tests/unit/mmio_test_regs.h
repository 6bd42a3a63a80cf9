/*
 * Shared by the MMIO library's unit tests: the register block of
 * mmio_test_block.h, plus fake register memory (heap, so it has no declared
 * type and ASan sees overruns).
 * Include after choosing the backend (MMIO_BACKEND_RECORD or not).
 */
#ifndef MMIO_TEST_REGS_H
#define MMIO_TEST_REGS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mmio_test_block.h"


/* Offset of kind k (0 rp, 1 ro, 2 wo, 3 rw, 4 rpw) at width W bits. */
#define T_OFF(W, k) ((uintptr_t)(T_BASE_##W + (k) * ((W) / 8)))

#define T_FILL 0xa5 /* fake memory starts as this byte everywhere */

/* Fresh fake register memory for one struct t_regs. */
static inline unsigned char *t_fake_alloc(void)
{
    unsigned char *m = aligned_alloc(_Alignof(struct t_regs) < 64 ? 64 : _Alignof(struct t_regs),
                                     sizeof(struct t_regs));
    if (m)
        memset(m, T_FILL, sizeof(struct t_regs));
    return m;
}

/* Little-endian value of `width` bytes at m + off (plain memory access). */
static inline uint64_t t_fake_get(const unsigned char *m, uintptr_t off, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint64_t)m[off + i] << (8 * i);
    return v;
}

static inline void t_fake_put(unsigned char *m, uintptr_t off, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++)
        m[off + i] = (unsigned char)(v >> (8 * i));
}

/* Number of bytes outside [off, off + width) that no longer hold T_FILL. */
static inline size_t t_fake_clobbered(const unsigned char *m, uintptr_t off, unsigned width)
{
    size_t n = 0;
    for (uintptr_t i = 0; i < sizeof(struct t_regs); i++)
        if ((i < off || i >= off + width) && m[i] != T_FILL)
            n++;
    return n;
}

#endif
