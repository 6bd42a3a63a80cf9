/*
 * Guest PL011 driver: polled transmit. Register offsets and bits from the PL011
 * TRM (DDI0183). Accesses are single 32-bit ldr/str with a base register so
 * every trap carries a valid syndrome.
 */
#include "pl011.h"

enum { DR = 0x00, FR = 0x18, CR = 0x30, FR_TXFF = 1u << 5, CR_EN = (1u << 0) | (1u << 8) };

static inline uint32_t rd32(uint64_t a)
{
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return v;
}

static inline void wr32(uint64_t a, uint32_t v)
{
    __asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(a) : "memory");
}

void pl011_init(uint64_t base)
{
    /* UARTEN and TXE; firmware or QEMU may have left the UART disabled. */
    wr32(base + CR, rd32(base + CR) | CR_EN);
}

void pl011_putc(uint64_t base, char c)
{
    while (rd32(base + FR) & FR_TXFF)
        ;
    wr32(base + DR, (uint8_t)c);
}
