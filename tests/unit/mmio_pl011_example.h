/*
 * The worked example of include/README.md: a PL011 register block and a
 * small polled driver. Compiled and run on the host by
 * tests/unit/mmio_pl011_example_test.c and built for AArch64 (gcc and clang,
 * -O0/-O2/-Os) by `make check-mmio-insns`.
 */
#ifndef MMIO_PL011_EXAMPLE_H
#define MMIO_PL011_EXAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include <mmio.h>

/* The register block is the guest driver's (one definition for both). */
#include "../../guest/drivers/pl011_regs.h"

static inline void pl011_putc(struct pl011_regs MMIO_PTR *uart, uint8_t c)
{
    while (mmio_read(&uart->fr) & PL011_FR_TXFF)
        ;
    mmio_write(&uart->dr, c);
}

static inline bool pl011_getc(struct pl011_regs MMIO_PTR *uart, uint8_t *c)
{
    if (mmio_read(&uart->fr) & PL011_FR_RXFE)
        return false;
    *c = (uint8_t)mmio_read(&uart->dr); /* side effect: pops the FIFO */
    return true;
}

/* Pure reads only, so a shared pointer is enough. */
static inline uint32_t pl011_cell_id(const struct pl011_regs MMIO_PTR *uart)
{
    uint32_t id = 0;
    for (unsigned i = 0; i < MMIO_COUNT(uart->pcell_id); i++)
        id |= (mmio_read(mmio_elem(uart, pcell_id, i)) & 0xffu) << (8 * i);
    return id;
}

static inline void pl011_enable(struct pl011_regs MMIO_PTR *uart)
{
    mmio_modify(&uart->cr, 0u, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
}

#endif
