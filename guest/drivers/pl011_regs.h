/* Arm PL011 UART register block (DDI0183), every register accessed 32 bits
 * wide through the safe MMIO library. Shared by the guest driver and the
 * library's worked example (tests/unit/mmio_pl011_example.h). */
#ifndef ISV_PL011_REGS_H
#define ISV_PL011_REGS_H

#include <mmio.h>

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

#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_TXFE (1u << 7)
#define PL011_CR_UARTEN (1u << 0)
#define PL011_CR_TXE (1u << 8)
#define PL011_CR_RXE (1u << 9)
#define PL011_INT_RX (1u << 4)
#define PL011_INT_TX (1u << 5)
#define PL011_INT_RT (1u << 6)
#define PL011_INT_ERR (0xfu << 7) /* FE, PE, BE, OE */

#endif
