/*
 * The README's PL011 example driver (polling loops included) built for
 * AArch64, for scripts/mmio-insns-check.sh: every .mmio_insns record must
 * name a single-register, base-only ldr/str (no count: loops may be unrolled).
 */
#include "../unit/mmio_pl011_example.h"

void a64_pl011_puts(uintptr_t va, const char *str);
void a64_pl011_puts(uintptr_t va, const char *str)
{
    struct pl011_regs MMIO_PTR *uart = mmio_claim(struct pl011_regs, va);
    pl011_enable(uart);
    while (*str)
        pl011_putc(uart, (uint8_t)*str++);
}

unsigned a64_pl011_drain(uintptr_t va, uint8_t *buf, unsigned len);
unsigned a64_pl011_drain(uintptr_t va, uint8_t *buf, unsigned len)
{
    struct pl011_regs MMIO_PTR *uart = mmio_claim(struct pl011_regs, va);
    unsigned n = 0;
    while (n < len && pl011_getc(uart, &buf[n]))
        n++;
    return n + pl011_cell_id(uart);
}
