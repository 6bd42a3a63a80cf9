/*
 * Naive twin of guest/drivers/pl011.h: the same API, but the registers are a
 * plain volatile struct, the way most bare-metal PL011 code declares them.
 * See guest/naive/README.md for why this exists.
 */
#ifndef ISV_GUEST_PL011_H
#define ISV_GUEST_PL011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Identification registers (TRM 3.3.14-17): one byte in each word. */
struct pl011_id {
    uint32_t periph[4]; /* 0x11 0x10 0x?4 0x00: part 0x011, designer 'A' (Arm) */
    uint32_t cell[4];   /* 0x0d 0xf0 0x05 0xb1: the PrimeCell component ID */
};

struct pl011_regs {
    uint32_t dr;           /* 0x000 data; a read pops the RX FIFO */
    uint32_t rsr_ecr;      /* 0x004 */
    uint32_t reserved0[4];
    uint32_t fr;           /* 0x018 flags */
    uint32_t reserved1;
    uint32_t ilpr;         /* 0x020 */
    uint32_t ibrd;         /* 0x024 */
    uint32_t fbrd;         /* 0x028 */
    uint32_t lcr_h;        /* 0x02c */
    uint32_t cr;           /* 0x030 */
    uint32_t ifls;         /* 0x034 */
    uint32_t imsc;         /* 0x038 */
    uint32_t ris;          /* 0x03c */
    uint32_t mis;          /* 0x040 */
    uint32_t icr;          /* 0x044 */
    uint32_t dmacr;        /* 0x048 */
    uint32_t reserved2[(0xfe0 - 0x4c) / 4];
    struct pl011_id id;    /* 0xfe0 */
};
_Static_assert(offsetof(struct pl011_regs, fr) == 0x18, "PL011 FR");
_Static_assert(offsetof(struct pl011_regs, icr) == 0x44, "PL011 ICR");
_Static_assert(offsetof(struct pl011_regs, id) == 0xfe0, "PL011 ID registers");

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

struct pl011 {
    volatile struct pl011_regs *regs;
    struct pl011_id id; /* snapshot taken by pl011_init */
    /* Receive ring, filled by pl011_irq(), drained by pl011_rx_pop(). */
    uint8_t rx[4096];
    volatile uint32_t rx_head, rx_tail;
    volatile uint32_t irqs, rx_overflow, rx_throttled;
    volatile bool throttling; /* ring full: RX/RT masked until it drains */
};

/* Take the UART at `base` and enable it (UARTEN, TXE, RXE). */
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
