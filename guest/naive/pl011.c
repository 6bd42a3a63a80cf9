/*
 * Naive twin of guest/drivers/pl011.c: the same driver (interrupt-driven RX,
 * polled TX) written with plain volatile C, as such drivers usually are.
 * Correct C, and it works on QEMU TCG; the forms the compilers make of it are
 * what `make check-virt` and tests/integration/suite-virt.sh look at.
 */
#include "pl011.h"

#include "../guest.h"

#define LCR_H_FEN  (1u << 4)
#define LCR_H_WLEN8 (3u << 5)
#define RX_INTS (PL011_INT_RX | PL011_INT_RT)

/* Log what we found, like a probe message: part, designer and revision from a
 * snapshot of the ID registers, and the PrimeCell ID bytes as read, as int8_t
 * (the byte type a lot of code uses; 0xf0 and 0xb1 print as -16 and -79). */
static void pl011_identify(struct pl011 *u)
{
    volatile struct pl011_regs *r = u->regs;
    u->id = r->id; /* snapshot of the ID registers: a struct copy */
    unsigned part = (u->id.periph[0] & 0xff) | (u->id.periph[1] & 0xf) << 8;
    unsigned designer = (u->id.periph[1] >> 4 & 0xf) | (u->id.periph[2] & 0xf) << 4;
    const volatile int8_t *cid = (const volatile int8_t *)r->id.cell; /* low byte of each */
    kprintf("naive pl011 at 0x%lx: part 0x%03x, designer 0x%02x, revision %u, "
            "cell id bytes %d %d %d %d\n", (unsigned long)(uintptr_t)r, part, designer,
            (unsigned)(u->id.periph[2] >> 4 & 0xf), cid[0], cid[4], cid[8], cid[12]);
}

void pl011_init(struct pl011 *u, uintptr_t base)
{
    u->regs = (volatile struct pl011_regs *)base;
    u->rx_head = u->rx_tail = u->irqs = u->rx_overflow = u->rx_throttled = 0;
    u->throttling = false;
    u->regs->cr |= PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE;
    pl011_identify(u);
}

void pl011_putc(struct pl011 *u, uint8_t c)
{
    while (u->regs->fr & PL011_FR_TXFF)
        ;
    u->regs->dr = c;
}

bool pl011_getc(struct pl011 *u, uint8_t *c)
{
    if (u->regs->fr & PL011_FR_RXFE)
        return false;
    *c = (uint8_t)u->regs->dr;
    return true;
}

static uint32_t ring_used(const struct pl011 *u)
{
    return (u->rx_head - u->rx_tail + sizeof u->rx) % sizeof u->rx;
}

/* Move the RX FIFO into the ring while there is room; when the ring is full,
 * leave the rest in the FIFO (the sender is held off) and mask RX/RT until
 * pl011_rx_pop has drained the ring to half. */
static void rx_drain(struct pl011 *u, unsigned max)
{
    volatile struct pl011_regs *r = u->regs;
    for (; max && ring_used(u) < sizeof u->rx - 1; max--) {
        if (r->fr & PL011_FR_RXFE)
            return;
        u->rx[u->rx_head] = (uint8_t)r->dr;
        u->rx_head = (u->rx_head + 1) % sizeof u->rx;
    }
    if (max && !(r->fr & PL011_FR_RXFE)) {
        if (!u->throttling)
            u->rx_throttled++;
        u->throttling = true;
        r->imsc &= ~RX_INTS;
    }
}

void pl011_enable_rx_irq(struct pl011 *u)
{
    volatile struct pl011_regs *r = u->regs;
    r->imsc = 0;
    r->icr = 0x7ff;
    r->lcr_h |= LCR_H_FEN | LCR_H_WLEN8;
    r->ifls = (2u << 3) | 2u; /* RX and TX at 1/2 */
    rx_drain(u, 64);
    if (!u->throttling)
        r->imsc = RX_INTS;
}

void pl011_irq(struct pl011 *u)
{
    u->irqs++;
    rx_drain(u, 256);
    uint32_t errs = u->regs->mis & PL011_INT_ERR;
    if (errs)
        u->regs->icr = errs;
}

bool pl011_rx_pop(struct pl011 *u, uint8_t *c)
{
    if (u->rx_tail == u->rx_head)
        return false;
    *c = u->rx[u->rx_tail];
    u->rx_tail = (u->rx_tail + 1) % sizeof u->rx;
    if (u->throttling && ring_used(u) < sizeof u->rx / 2) {
        u->throttling = false;
        u->regs->imsc |= RX_INTS;
    }
    return true;
}
