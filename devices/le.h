/* Little-endian byte order (guest memory, kvm_run.mmio.data, image headers). */
#ifndef ISV_DEVICES_LE_H
#define ISV_DEVICES_LE_H

#include <stdint.h>

/* The value of len (<= 8) little-endian bytes at p. */
static inline uint64_t le_bytes_to_u64(const uint8_t *p, unsigned len)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < len && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Store the low len (<= 8) bytes of v at p, little-endian. */
static inline void u64_to_le_bytes(uint64_t v, uint8_t *p, unsigned len)
{
    for (unsigned i = 0; i < len && i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#endif
