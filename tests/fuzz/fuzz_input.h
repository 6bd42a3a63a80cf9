/*
 * Reading a libFuzzer input as a stream of little-endian fields. Past the end
 * every field reads 0 and fz_done() turns true, so a harness never needs to
 * check lengths itself and a truncated input is just a shorter program.
 */
#ifndef ISV_FUZZ_INPUT_H
#define ISV_FUZZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct fz {
    const uint8_t *p;
    size_t n;
};

static inline bool fz_done(const struct fz *f) { return f->n == 0; }

static inline uint64_t fz_uint(struct fz *f, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes && f->n; i++, f->p++, f->n--)
        v |= (uint64_t)*f->p << (8 * i);
    return v;
}

static inline uint8_t fz_u8(struct fz *f) { return (uint8_t)fz_uint(f, 1); }
static inline uint16_t fz_u16(struct fz *f) { return (uint16_t)fz_uint(f, 2); }
static inline uint32_t fz_u32(struct fz *f) { return (uint32_t)fz_uint(f, 4); }
static inline uint64_t fz_u64(struct fz *f) { return fz_uint(f, 8); }

/* Up to n bytes (fewer at the end); returns how many, *out points into the input. */
static inline size_t fz_bytes(struct fz *f, size_t n, const uint8_t **out)
{
    if (n > f->n)
        n = f->n;
    *out = f->p;
    f->p += n;
    f->n -= n;
    return n;
}

/* Access widths the bus passes to devices, from two bits. */
static inline unsigned fz_width(unsigned bits) { return 1u << (bits & 3); }

#endif
