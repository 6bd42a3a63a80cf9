/*
 * Naive twin of guest/drivers/virtio_mmio.c: the same transport (virtio 1.2
 * §4.2, version 2 only) with the registers accessed as members of a volatile
 * struct, barriers as __sync_synchronize(), and the configuration space read
 * the way many drivers read it: byte by byte, walking a pointer.
 */
#include "virtio_mmio.h"

#include <libfdt.h>

#include "../guest.h"
#include "gic.h"
#include "timer.h"

#define MAX_DEVS 32          /* QEMU virt has 32 slots */
#define DEVICE_MAP_END (1ull << 30) /* mmu.c maps the first GiB as Device memory */
#define RESET_TIMEOUT_MS 1000

/* Feature bits a device driver may ask for: 0-23 and 50-63 are
 * device-specific (§2.2); 24-49 belong to the transport, and of those we
 * only take VIRTIO_F_VERSION_1. */
#define DEVICE_FEATURES_MASK (0xffffffull | ~((1ull << 50) - 1))

#define mb() __sync_synchronize()

static struct virtio_dev devs[MAX_DEVS];
static int ndevs = -1;
static const void *probe_dtb;
static int gic_state; /* 0 not tried, 1 up, -1 absent */

const char *virtio_id_name(uint32_t id)
{
    switch (id) {
    case 1: return "network";
    case VIRTIO_ID_BLOCK: return "block";
    case VIRTIO_ID_CONSOLE: return "console";
    case VIRTIO_ID_RNG: return "entropy";
    case 5: return "balloon";
    case 9: return "9p";
    case 16: return "gpu";
    case 18: return "input";
    case 19: return "vsock";
    default: return "unknown";
    }
}

/* The interrupt from the node's first "interrupts" entry (GIC 3-cell form:
 * type, number, flags). Level-high and rising-edge are what a GIC SPI can
 * be; anything else, or no entry, leaves the device polled. */
static void dt_interrupt(const void *dtb, int node, struct virtio_dev *d)
{
    int len;
    const fdt32_t *irq = fdt_getprop(dtb, node, "interrupts", &len);
    int spi = gic_dt_spi(dtb, node);
    d->spi = -1;
    if (spi < 0 || !irq || len < 12)
        return;
    uint32_t flags = fdt32_to_cpu(irq[2]) & 0xf;
    if (flags == 1 || flags == 4) { /* IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH */
        d->spi = spi;
        d->edge = flags == 1;
    } else {
        kprintf("isv guest: virtio-mmio at 0x%lx: interrupt flags 0x%x unusable on a GIC SPI: polling\n",
                (unsigned long)d->base, flags);
    }
}

/* Check one virtio,mmio node; true if it holds a device we keep. */
static bool probe_node(const void *dtb, int node, struct virtio_dev *d)
{
    uint64_t base, size;
    if (dt_reg(dtb, node, &base, &size) != 0 || size < sizeof(struct virtio_mmio_regs)) {
        kprintf("isv guest: virtio-mmio node %s: unusable \"reg\"\n", fdt_get_name(dtb, node, NULL));
        return false;
    }
    if (base >= DEVICE_MAP_END || size > DEVICE_MAP_END - base) {
        kprintf("isv guest: virtio-mmio at 0x%lx: outside the device memory map\n", (unsigned long)base);
        return false;
    }
    volatile struct virtio_mmio_regs *r = (volatile struct virtio_mmio_regs *)(uintptr_t)base;
    uint32_t magic = r->magic, version = r->version;
    uint32_t id = r->device_id;
    if (magic != VIRTIO_MMIO_MAGIC) {
        kprintf("isv guest: virtio-mmio at 0x%lx: bad magic 0x%x\n", (unsigned long)base, magic);
        return false;
    }
    if (id == 0)
        return false; /* an empty slot, of either version: not an error (§4.2.3.1.1) */
    if (version == 1) {
        kprintf("isv guest: virtio-mmio at 0x%lx: %s device on a legacy transport (version 1): "
                "refused, only version 2 is supported (QEMU: -global virtio-mmio.force-legacy=false)\n",
                (unsigned long)base, virtio_id_name(id));
        return false;
    }
    if (version != 2) {
        kprintf("isv guest: virtio-mmio at 0x%lx: unknown version %u\n", (unsigned long)base, version);
        return false;
    }
    if (!fdt_getprop(dtb, node, "dma-coherent", NULL)) {
        /* The rings are in cacheable RAM and we do no cache maintenance. */
        kprintf("isv guest: virtio-mmio at 0x%lx: not dma-coherent, refused\n", (unsigned long)base);
        return false;
    }
    *d = (struct virtio_dev){
        .regs = r, .base = base, .size = size, .device_id = id,
        .vendor_id = r->vendor_id,
    };
    dt_interrupt(dtb, node, d);
    kprintf("isv guest: virtio-mmio at 0x%lx: %s device (ID %u), vendor 0x%x, ",
            (unsigned long)base, virtio_id_name(id), id, d->vendor_id);
    if (d->spi >= 0)
        kprintf("SPI %d %s-triggered\n", d->spi, d->edge ? "edge" : "level");
    else
        kprintf("no interrupt (polled)\n");
    return true;
}

int virtio_mmio_probe(const void *dtb)
{
    if (ndevs >= 0)
        return ndevs;
    probe_dtb = dtb;
    ndevs = 0;
    for (int node = fdt_node_offset_by_compatible(dtb, -1, "virtio,mmio"); node >= 0;
         node = fdt_node_offset_by_compatible(dtb, node, "virtio,mmio")) {
        if (ndevs == MAX_DEVS) {
            kprintf("isv guest: virtio-mmio: more than %d devices, ignoring the rest\n", MAX_DEVS);
            break;
        }
        if (probe_node(dtb, node, &devs[ndevs]))
            ndevs++;
    }
    return ndevs;
}

struct virtio_dev *virtio_mmio_dev(int nth)
{
    return nth >= 0 && nth < ndevs ? &devs[nth] : NULL;
}

struct virtio_dev *virtio_mmio_find(uint32_t device_id, int nth)
{
    for (int i = 0; i < ndevs; i++)
        if (devs[i].device_id == device_id && nth-- == 0)
            return &devs[i];
    return NULL;
}

bool virtio_mmio_has(const struct virtio_dev *d, unsigned feature)
{
    return feature < 64 && (d->features >> feature & 1);
}

uint32_t virtio_mmio_status(const struct virtio_dev *d)
{
    return d->regs->status;
}

uint32_t virtio_mmio_config_generation(const struct virtio_dev *d)
{
    uint32_t gen = d->regs->config_generation;
    mb(); /* the config reads that follow must not be done before it */
    return gen;
}

uintptr_t virtio_mmio_config_addr(const struct virtio_dev *d, uint64_t len)
{
    return d->size >= VIRTIO_MMIO_CONFIG + len ? (uintptr_t)(d->base + VIRTIO_MMIO_CONFIG) : 0;
}

int virtio_mmio_read_config(const struct virtio_dev *d, unsigned offset, void *buf, unsigned len)
{
    if (!virtio_mmio_config_addr(d, (uint64_t)offset + len))
        return -1;
    const volatile uint8_t *p = d->regs->config + offset;
    uint8_t *b = buf;
    while (len--)
        *b++ = *p++;
    return 0;
}

static void set_status(struct virtio_dev *d, uint32_t bit)
{
    /* The driver only ever adds bits (§2.1.1): write back what is set plus bit. */
    d->regs->status |= bit;
}

void virtio_mmio_fail(struct virtio_dev *d, const char *why)
{
    kprintf("isv guest: virtio-mmio at 0x%lx (%s): %s; giving up on the device\n",
            (unsigned long)d->base, virtio_id_name(d->device_id), why);
    /* Reset first: after it the device no longer touches our rings or
     * buffers, whatever it was doing. */
    virtio_mmio_reset(d);
    set_status(d, VIRTIO_STATUS_FAILED);
    d->broken = true;
}

int virtio_mmio_reset(struct virtio_dev *d)
{
    d->regs->status = 0;
    /* The reset is done once Status reads 0 (§2.4.2); a device that never
     * gets there must not hang us. */
    uint64_t until = timer_deadline(RESET_TIMEOUT_MS);
    while (d->regs->status != 0) {
        if (timer_now() > until) {
            kprintf("isv guest: virtio-mmio at 0x%lx: Status still 0x%x %u ms after reset\n",
                    (unsigned long)d->base, d->regs->status, RESET_TIMEOUT_MS);
            d->broken = true;
            return -1;
        }
    }
    return 0;
}

static uint64_t read_features(struct virtio_dev *d)
{
    uint64_t f = 0;
    for (uint32_t sel = 0; sel < 2; sel++) {
        d->regs->device_features_sel = sel;
        f |= (uint64_t)d->regs->device_features << (32 * sel);
    }
    return f;
}

int virtio_mmio_start(struct virtio_dev *d, uint64_t wanted)
{
    if (virtio_mmio_reset(d) != 0)
        return -1;
    d->broken = false;
    d->features = 0;
    set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(d, VIRTIO_STATUS_DRIVER);

    uint64_t offered = read_features(d);
    if (!(offered >> VIRTIO_F_VERSION_1 & 1)) {
        virtio_mmio_fail(d, "version 2 transport without VIRTIO_F_VERSION_1");
        return -1;
    }
    /* Transport bits other than VERSION_1 only when asked for: INDIRECT_DESC
     * is requested by the hostile-driver test alone (virtq.c never uses it). */
    uint64_t accept = (offered & wanted & (DEVICE_FEATURES_MASK | 1ull << VIRTIO_F_INDIRECT_DESC)) |
                      1ull << VIRTIO_F_VERSION_1;
    for (uint32_t sel = 0; sel < 2; sel++) {
        d->regs->driver_features_sel = sel;
        d->regs->driver_features = (uint32_t)(accept >> (32 * sel));
    }
    set_status(d, VIRTIO_STATUS_FEATURES_OK);
    /* The device may refuse the subset: it then leaves FEATURES_OK clear (§3.1.1). */
    if (!(d->regs->status & VIRTIO_STATUS_FEATURES_OK)) {
        virtio_mmio_fail(d, "device did not accept our features (FEATURES_OK not set)");
        return -1;
    }
    d->features = accept;
    kprintf("isv guest: virtio-mmio at 0x%lx: features offered 0x%lx, accepted 0x%lx\n",
            (unsigned long)d->base, (unsigned long)offered, (unsigned long)accept);
    return 0;
}

/* Runs from the GIC handler: latch and acknowledge the cause. Ordered read:
 * the used ring is read after it, never before. */
static void virtio_irq(void *ctx)
{
    struct virtio_dev *d = ctx;
    uint32_t st = d->regs->interrupt_status & (VIRTIO_INT_USED | VIRTIO_INT_CONFIG);
    mb();
    if (st)
        d->regs->interrupt_ack = st; /* drops a level-triggered line */
    d->int_seen |= st;
    d->irqs++;
}

static bool gic_ready(void)
{
    if (gic_state == 0) {
        gic_state = gic_init(probe_dtb) == 0 ? 1 : -1;
        if (gic_state < 0)
            kprintf("isv guest: virtio: no GICv3 in the device tree, completions are polled\n");
    }
    return gic_state > 0;
}

void virtio_mmio_driver_ok(struct virtio_dev *d)
{
    /* Route the interrupt before DRIVER_OK so no notification is missed.
     * The CPU takes it only while a virtq waits (PSTATE.I clear there). */
    if (d->spi >= 0 && gic_ready())
        gic_enable_spi((uint32_t)d->spi, d->edge, virtio_irq, d);
    else
        d->spi = -1;
    set_status(d, VIRTIO_STATUS_DRIVER_OK);
}

uint32_t virtio_mmio_queue_max(struct virtio_dev *d, unsigned index)
{
    d->regs->queue_sel = index;
    if (d->regs->queue_ready != 0) {
        kprintf("isv guest: virtio-mmio at 0x%lx: queue %u already live after reset\n",
                (unsigned long)d->base, index);
        return 0;
    }
    return d->regs->queue_num_max;
}

void virtio_mmio_queue_enable(struct virtio_dev *d, unsigned index, uint32_t num,
                              uint64_t desc, uint64_t driver, uint64_t device)
{
    volatile struct virtio_mmio_regs *r = d->regs;
    r->queue_sel = index;
    r->queue_num = num;
    r->queue_desc_low = (uint32_t)desc;
    r->queue_desc_high = (uint32_t)(desc >> 32);
    r->queue_driver_low = (uint32_t)driver;
    r->queue_driver_high = (uint32_t)(driver >> 32);
    r->queue_device_low = (uint32_t)device;
    r->queue_device_high = (uint32_t)(device >> 32);
    mb(); /* the zeroed rings are visible before the device may use them */
    r->queue_ready = 1;
}

void virtio_mmio_notify(struct virtio_dev *d, unsigned index)
{
    mb(); /* the ring updates before the notification */
    d->regs->queue_notify = index;
}
