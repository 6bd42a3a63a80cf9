/*
 * The device-model interface: the one extension point for emulated devices.
 *
 * A model embeds `struct device` as its first member, fills in `ops`, its MMIO
 * window and its interrupt, and the VMM puts it on the MMIO bus. Models are pure
 * C (no KVM headers): the platform they run on -- the VMM or a unit test --
 * reaches them only through `struct device_host`.
 *
 * Concurrency: the bus calls read/write with `dev->lock` held, from any vCPU
 * thread (several at once with --cpus N); a model's own threads (input
 * backends, virtio workers, timers) take the same lock before touching model
 * state. set_irq may be called with the lock held.
 * Lock order (outer first): the VMM's report lock -> dev->lock -> either a
 * backend's chardev lock (chardev.h) or the VMM's irq lock (set_irq); those
 * two are leaves. No code holds two device locks at once.
 */
#ifndef ISV_DEVICES_DEVICE_H
#define ISV_DEVICES_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;
struct guest_mem;

/* What the platform provides to every device. */
struct device_host {
    /* Drive SPI `spi` (device-tree numbering: INTID = 32 + spi) to `level`. */
    void (*set_irq)(void *ctx, uint32_t spi, bool level);
    void *ctx;
    /* Guest RAM, for models that do DMA (virtio); NULL when there is none. */
    struct guest_mem *mem;
    /* ROM mode (QEMU's "romd"), for memory-like devices such as flash in read
     * mode: map `len` bytes of `host` read-only over the start of the device's
     * window, so the guest's reads run at memory speed and only its writes
     * still come to dev->ops->write; host == NULL unmaps it, and reads come to
     * the device again. The guest never sees a half-done switch: the caller
     * holds dev->lock and the call returns once KVM has it. 0, or -1 if the
     * platform cannot (the device then keeps serving reads itself). NULL when
     * the platform has no such thing (unit tests). */
    int (*map_rom)(void *ctx, struct device *dev, void *host, uint64_t len);
};

/* Phandles a device's device-tree node may refer to. */
struct fdt_refs {
    uint32_t gic;      /* interrupt controller (also the root's interrupt-parent) */
    uint32_t apb_pclk; /* the 24 MHz fixed clock PrimeCells use */
};

struct device_ops {
    const char *type; /* model name, e.g. "pl011" */
    /* Accesses are 1, 2, 4 or 8 bytes wide and lie inside the window (the bus
     * checks). Reads return the value zero-extended to 64 bits. */
    uint64_t (*read)(struct device *dev, uint64_t offset, unsigned len);
    void (*write)(struct device *dev, uint64_t offset, unsigned len, uint64_t value);
    /* Back to the power-on state. Optional. */
    void (*reset)(struct device *dev);
    /* Append this device's node(s) at the current level using libfdt's
     * sequential-write API (fdt_begin_node ... fdt_end_node); 0 or a libfdt error. */
    int (*fdt)(struct device *dev, void *fdt, const struct fdt_refs *refs);
    /* Free the model (and stop its threads). Optional. */
    void (*destroy)(struct device *dev);
};

struct device {
    const struct device_ops *ops;
    char name[40];          /* instance name for reports, e.g. "pl011@9000000" */
    uint64_t base, size;    /* MMIO window */
    int spi;                /* interrupt (device-tree SPI number), or -1 */
    struct device_host *host;
    pthread_mutex_t lock;
    /* Statistics, updated by the bus under `lock`. */
    uint64_t reads, writes;
};

/* Fill in the common part; the name is "<type>@<base in hex>". */
void device_init(struct device *dev, const struct device_ops *ops, uint64_t base,
                 uint64_t size, int spi, struct device_host *host);
/* Drive the device's own interrupt line (no-op without an SPI or a host). */
void device_set_irq(struct device *dev, bool level);
/* Open the device's node "<name>@<base hex>" in a sequential-write tree with
 * its "reg" (two address and two size cells) and, if it has an SPI, its
 * level-high "interrupts". The model adds its own properties and then calls
 * fdt_end_node(). 0 or a libfdt error. */
int device_fdt_begin(const struct device *dev, void *fdt, const char *name);
/* Destroy hook helper: releases the common part (the lock). */
void device_fini(struct device *dev);

#endif
