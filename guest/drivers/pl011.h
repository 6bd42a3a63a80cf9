/* Guest PL011 driver: polled transmit, interrupt-driven receive. */
#ifndef ISV_GUEST_PL011_H
#define ISV_GUEST_PL011_H

#include <stdbool.h>
#include <stdint.h>

#include "pl011_regs.h"

struct pl011 {
    struct pl011_regs MMIO_PTR *regs;
    /* Receive ring, filled by pl011_irq(), drained by pl011_rx_pop(). */
    uint8_t rx[4096];
    volatile uint32_t rx_head, rx_tail;
    volatile uint32_t irqs, rx_overflow, rx_throttled;
    volatile bool throttling; /* ring full: RX/RT masked until it drains */
};

/* Claim the UART at `base` and enable it (UARTEN, TXE, RXE). */
void pl011_init(struct pl011 *u, uintptr_t base);
void pl011_putc(struct pl011 *u, uint8_t c);
/* Polled receive: true and *c if a byte was waiting. */
bool pl011_getc(struct pl011 *u, uint8_t *c);
/* Switch receive to interrupts: FIFOs on, RX at 1/2 full plus receive timeout. */
void pl011_enable_rx_irq(struct pl011 *u);
/* The interrupt handler: drain the RX FIFO into the ring. */
void pl011_irq(struct pl011 *u);
/* Next byte from the ring (call with IRQs masked or from one consumer). */
bool pl011_rx_pop(struct pl011 *u, uint8_t *c);

#endif
