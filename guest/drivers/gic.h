/* Guest GICv3 driver: distributor, each CPU's redistributor, the system-register
 * CPU interface, per-INTID handlers, and SGIs between CPUs. */
#ifndef ISV_GUEST_GIC_H
#define ISV_GUEST_GIC_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*gic_handler_fn)(void *ctx);

/* Find the GICv3 in the device tree and bring up the distributor and the
 * calling CPU's redistributor and interface. Once: later calls return 0.
 * 0 or -1. */
int gic_init(const void *dtb);
/* On every other CPU, after gic_init: its redistributor (the frame whose
 * affinity is its MPIDR's) and CPU interface, SGIs enabled. 0 or -1. */
int gic_init_cpu(void);
/* Handler of SGI `intid` (0..15), on whichever CPU takes it; set it before
 * any is sent. */
void gic_set_sgi_handler(uint32_t intid, gic_handler_fn fn, void *ctx);
/* Send SGI `intid` to the CPU with affinity `mpidr` (group 1). */
void gic_send_sgi(uint32_t intid, uint64_t mpidr);
/* Route SPI `spi` to the CPU with affinity `mpidr` instead of CPU 0. */
void gic_set_spi_target(uint32_t spi, uint64_t mpidr);
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
