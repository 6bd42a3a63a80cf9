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

/* Arm PL011 (DDI0183), every register accessed 32 bits wide. */
struct pl011_regs {
    MMIO_REG(rw, 32, dr);          /* data; a read pops the RX FIFO */
    MMIO_REG(rpw, 32, rsr_ecr);    /* receive status; a write clears errors */
    MMIO_RESERVED(0x008, 0x018);
    MMIO_REG(rp, 32, fr);          /* flags */
    MMIO_RESERVED(0x01c, 0x020);
    MMIO_REG(rpw, 32, ilpr);       /* IrDA low-power divisor */
    MMIO_REG(rpw, 32, ibrd);       /* integer baud divisor */
    MMIO_REG(rpw, 32, fbrd);       /* fractional baud divisor */
    MMIO_REG(rpw, 32, lcr_h);      /* line control */
    MMIO_REG(rpw, 32, cr);         /* control */
    MMIO_REG(rpw, 32, ifls);       /* FIFO interrupt levels */
    MMIO_REG(rpw, 32, imsc);       /* interrupt mask (1 = enabled) */
    MMIO_REG(rp, 32, ris);         /* raw interrupt status */
    MMIO_REG(rp, 32, mis);         /* masked interrupt status */
    MMIO_REG(wo, 32, icr);         /* interrupt clear */
    MMIO_REG(rpw, 32, dmacr);      /* DMA control */
    MMIO_RESERVED(0x04c, 0xfe0);
    MMIO_REG(rp, 32, periph_id[4]); /* low byte of each: 0x11 0x10 0x?4 0x00 */
    MMIO_REG(rp, 32, pcell_id[4]);  /* low bytes: 0x0d 0xf0 0x05 0xb1 */
};
MMIO_OFFSET(struct pl011_regs, dr, 0x000);
MMIO_OFFSET(struct pl011_regs, rsr_ecr, 0x004);
MMIO_OFFSET(struct pl011_regs, fr, 0x018);
MMIO_OFFSET(struct pl011_regs, ilpr, 0x020);
MMIO_OFFSET(struct pl011_regs, ibrd, 0x024);
MMIO_OFFSET(struct pl011_regs, fbrd, 0x028);
MMIO_OFFSET(struct pl011_regs, lcr_h, 0x02c);
MMIO_OFFSET(struct pl011_regs, cr, 0x030);
MMIO_OFFSET(struct pl011_regs, ifls, 0x034);
MMIO_OFFSET(struct pl011_regs, imsc, 0x038);
MMIO_OFFSET(struct pl011_regs, ris, 0x03c);
MMIO_OFFSET(struct pl011_regs, mis, 0x040);
MMIO_OFFSET(struct pl011_regs, icr, 0x044);
MMIO_OFFSET(struct pl011_regs, dmacr, 0x048);
MMIO_OFFSET(struct pl011_regs, periph_id, 0xfe0);
MMIO_OFFSET(struct pl011_regs, pcell_id, 0xff0);
MMIO_SIZE(struct pl011_regs, 0x1000);

#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_CR_UARTEN (1u << 0)
#define PL011_CR_TXE (1u << 8)
#define PL011_CR_RXE (1u << 9)

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
