/* Guest GICv3 driver: distributor, this CPU's redistributor, the system-register
 * CPU interface, and per-INTID handlers. */
#ifndef ISV_GUEST_GIC_H
#define ISV_GUEST_GIC_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*gic_handler_fn)(void *ctx);

/* Find the GICv3 in the device tree and bring it up. 0 or -1. */
int gic_init(const void *dtb);
/* Route SPI `spi` (DT numbering) to this CPU, group 1, and enable it. */
void gic_enable_spi(uint32_t spi, bool edge, gic_handler_fn fn, void *ctx);
/* The SPI number in a device node's first "interrupts" entry, or -1. */
int gic_dt_spi(const void *dtb, int node);
/* Unmask / mask IRQs at the CPU (PSTATE.I). */
void irq_enable(void);
void irq_disable(void);
/* Count of interrupts taken with no handler (spurious or unexpected). */
uint32_t gic_unhandled(void);

#endif
