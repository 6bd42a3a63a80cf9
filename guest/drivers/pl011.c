/*
 * Guest PL011 driver (DDI0183), through the safe MMIO library only.
 * Receive is interrupt-driven: RX fires at the FIFO trigger level, RT (receive
 * timeout) for the bytes left below it; both clear themselves once the FIFO is
 * drained, so the handler never writes ICR for them.
 */
#include "pl011.h"

#define LCR_H_FEN  (1u << 4)
#define LCR_H_WLEN8 (3u << 5)

void pl011_init(struct pl011 *u, uintptr_t base)
{
    u->regs = mmio_claim(struct pl011_regs, base);
    u->rx_head = u->rx_tail = u->irqs = u->rx_overflow = u->rx_throttled = 0;
    u->throttling = false;
    mmio_modify(&u->regs->cr, 0u, PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE);
}

void pl011_putc(struct pl011 *u, uint8_t c)
{
    while (mmio_read(&u->regs->fr) & PL011_FR_TXFF)
        ;
    mmio_write(&u->regs->dr, c);
}

bool pl011_getc(struct pl011 *u, uint8_t *c)
{
    if (mmio_read(&u->regs->fr) & PL011_FR_RXFE)
        return false;
    *c = (uint8_t)mmio_read(&u->regs->dr);
    return true;
}

#define RX_INTS (PL011_INT_RX | PL011_INT_RT)

static uint32_t ring_used(const struct pl011 *u)
{
    return (u->rx_head - u->rx_tail + sizeof u->rx) % sizeof u->rx;
}

/*
 * Move the RX FIFO into the ring while there is room. When the ring is full,
 * leave the rest in the FIFO and mask RX/RT: the full FIFO holds off the
 * sender (the device's back-pressure), so nothing is dropped. rx_pop unmasks
 * once the ring has drained to half.
 */
static void rx_drain(struct pl011 *u, unsigned max)
{
    for (; max && ring_used(u) < sizeof u->rx - 1; max--) {
        uint8_t c;
        if (!pl011_getc(u, &c))
            return;
        u->rx[u->rx_head] = c;
        u->rx_head = (u->rx_head + 1) % sizeof u->rx;
    }
    if (max && !(mmio_read(&u->regs->fr) & PL011_FR_RXFE)) {
        if (!u->throttling)
            u->rx_throttled++;
        u->throttling = true;
        mmio_modify(&u->regs->imsc, RX_INTS, 0u);
    }
}

void pl011_enable_rx_irq(struct pl011 *u)
{
    struct pl011_regs MMIO_PTR *r = u->regs;
    mmio_write(&r->imsc, 0u);
    mmio_write(&r->icr, 0x7ffu);
    mmio_modify(&r->lcr_h, 0u, LCR_H_FEN | LCR_H_WLEN8);
    mmio_write(&r->ifls, (2u << 3) | 2u); /* RX and TX at 1/2 */
    rx_drain(u, 64); /* what arrived before (up to 2 FIFOs' worth, as Linux does) */
    if (!u->throttling)
        mmio_write(&r->imsc, RX_INTS);
}

void pl011_irq(struct pl011 *u)
{
    u->irqs++;
    rx_drain(u, 256); /* bounded, like Linux: RX/RT stay raised if more is waiting */
    uint32_t errs = mmio_read(&u->regs->mis) & PL011_INT_ERR;
    if (errs)
        mmio_write(&u->regs->icr, errs);
}

bool pl011_rx_pop(struct pl011 *u, uint8_t *c)
{
    if (u->rx_tail == u->rx_head)
        return false;
    *c = u->rx[u->rx_tail];
    u->rx_tail = (u->rx_tail + 1) % sizeof u->rx;
    if (u->throttling && ring_used(u) < sizeof u->rx / 2) {
        u->throttling = false;
        mmio_modify(&u->regs->imsc, 0u, RX_INTS); /* RX/RT re-assert at once if due */
    }
    return true;
}
