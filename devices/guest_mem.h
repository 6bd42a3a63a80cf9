/*
 * Guest RAM as device models see it: one contiguous range of guest-physical
 * addresses backed by host memory. Every DMA access goes through
 * guest_mem_ptr(), which refuses ranges that leave RAM or overflow.
 */
#ifndef ISV_DEVICES_GUEST_MEM_H
#define ISV_DEVICES_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "le.h"

struct guest_mem {
    uint8_t *host;  /* host mapping of guest RAM */
    uint64_t base;  /* guest-physical address of host[0] */
    uint64_t size;  /* bytes */
};

/* Host pointer for guest range [gpa, gpa+len), or NULL when any byte of it lies
 * outside RAM (including address overflow). len 0 is valid inside RAM. */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
    if (!m || gpa < m->base)
        return NULL;
    uint64_t off = gpa - m->base;
    if (off > m->size || len > m->size - off)
        return NULL;
    return m->host + off;
}

/* A len-byte (<= 8) little-endian load or store at gpa: 0, or -1 (nothing
 * done) when the range is not all in RAM. */
static inline int guest_mem_read(const struct guest_mem *m, uint64_t gpa, unsigned len,
                                 uint64_t *v)
{
    const uint8_t *p = guest_mem_ptr(m, gpa, len);
    if (!p)
        return -1;
    *v = le_bytes_to_u64(p, len);
    return 0;
}

static inline int guest_mem_write(const struct guest_mem *m, uint64_t gpa, unsigned len,
                                  uint64_t v)
{
    uint8_t *p = guest_mem_ptr(m, gpa, len);
    if (!p)
        return -1;
    u64_to_le_bytes(v, p, len);
    return 0;
}

#endif
