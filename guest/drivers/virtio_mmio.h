/*
 * Guest virtio-mmio transport, version 2 only (virtio 1.2 §4.2): discovery
 * from the device tree, the status/feature handshake (§2.1, §2.2, §3.1),
 * queue registration and notification. Rings live in virtq.{h,c}; the device
 * drivers are virtio_blk.c, virtio_rng.c and virtio_console.c.
 */
#ifndef ISV_GUEST_VIRTIO_MMIO_H
#define ISV_GUEST_VIRTIO_MMIO_H

#include <mmio.h>
#include <stdbool.h>
#include <stdint.h>

/* The control registers, [0, 0x100). Only 32-bit accesses are allowed here
 * (§4.2.2), hence the 64-bit queue addresses as low/high pairs. The
 * device-specific configuration from 0x100 on is claimed separately by each
 * device driver with a block of its own layout (8/16/32-bit fields). */
struct virtio_mmio_regs {
    MMIO_REG(rp, 32, magic);               /* "virt" */
    MMIO_REG(rp, 32, version);             /* 2; 1 = legacy */
    MMIO_REG(rp, 32, device_id);           /* 0 = empty slot */
    MMIO_REG(rp, 32, vendor_id);
    MMIO_REG(rp, 32, device_features);     /* the word DeviceFeaturesSel selects */
    MMIO_REG(wo, 32, device_features_sel);
    MMIO_RESERVED(0x018, 0x020);
    MMIO_REG(wo, 32, driver_features);     /* the word DriverFeaturesSel selects */
    MMIO_REG(wo, 32, driver_features_sel);
    MMIO_RESERVED(0x028, 0x030);
    MMIO_REG(wo, 32, queue_sel);
    MMIO_REG(rp, 32, queue_num_max);       /* 0 = no such queue */
    MMIO_REG(wo, 32, queue_num);
    MMIO_RESERVED(0x03c, 0x044);           /* legacy QueueAlign/QueuePFN: never touched */
    MMIO_REG(rpw, 32, queue_ready);
    MMIO_RESERVED(0x048, 0x050);
    MMIO_REG(wo, 32, queue_notify);
    MMIO_RESERVED(0x054, 0x060);
    MMIO_REG(rp, 32, interrupt_status);    /* reading is pure; InterruptACK clears */
    MMIO_REG(wo, 32, interrupt_ack);
    MMIO_RESERVED(0x068, 0x070);
    MMIO_REG(rpw, 32, status);             /* writing 0 resets the device */
    MMIO_RESERVED(0x074, 0x080);
    MMIO_REG(wo, 32, queue_desc_low);
    MMIO_REG(wo, 32, queue_desc_high);
    MMIO_RESERVED(0x088, 0x090);
    MMIO_REG(wo, 32, queue_driver_low);
    MMIO_REG(wo, 32, queue_driver_high);
    MMIO_RESERVED(0x098, 0x0a0);
    MMIO_REG(wo, 32, queue_device_low);
    MMIO_REG(wo, 32, queue_device_high);
    MMIO_RESERVED(0x0a8, 0x0fc);           /* SHM regions, QueueReset: unused */
    MMIO_REG(rp, 32, config_generation);
};
MMIO_OFFSET(struct virtio_mmio_regs, magic, 0x000);
MMIO_OFFSET(struct virtio_mmio_regs, version, 0x004);
MMIO_OFFSET(struct virtio_mmio_regs, device_id, 0x008);
MMIO_OFFSET(struct virtio_mmio_regs, vendor_id, 0x00c);
MMIO_OFFSET(struct virtio_mmio_regs, device_features, 0x010);
MMIO_OFFSET(struct virtio_mmio_regs, device_features_sel, 0x014);
MMIO_OFFSET(struct virtio_mmio_regs, driver_features, 0x020);
MMIO_OFFSET(struct virtio_mmio_regs, driver_features_sel, 0x024);
MMIO_OFFSET(struct virtio_mmio_regs, queue_sel, 0x030);
MMIO_OFFSET(struct virtio_mmio_regs, queue_num_max, 0x034);
MMIO_OFFSET(struct virtio_mmio_regs, queue_num, 0x038);
MMIO_OFFSET(struct virtio_mmio_regs, queue_ready, 0x044);
MMIO_OFFSET(struct virtio_mmio_regs, queue_notify, 0x050);
MMIO_OFFSET(struct virtio_mmio_regs, interrupt_status, 0x060);
MMIO_OFFSET(struct virtio_mmio_regs, interrupt_ack, 0x064);
MMIO_OFFSET(struct virtio_mmio_regs, status, 0x070);
MMIO_OFFSET(struct virtio_mmio_regs, queue_desc_low, 0x080);
MMIO_OFFSET(struct virtio_mmio_regs, queue_desc_high, 0x084);
MMIO_OFFSET(struct virtio_mmio_regs, queue_driver_low, 0x090);
MMIO_OFFSET(struct virtio_mmio_regs, queue_driver_high, 0x094);
MMIO_OFFSET(struct virtio_mmio_regs, queue_device_low, 0x0a0);
MMIO_OFFSET(struct virtio_mmio_regs, queue_device_high, 0x0a4);
MMIO_OFFSET(struct virtio_mmio_regs, config_generation, 0x0fc);
MMIO_SIZE(struct virtio_mmio_regs, 0x100);

#define VIRTIO_MMIO_MAGIC  0x74726976u /* "virt" read as a little-endian word */
#define VIRTIO_MMIO_CONFIG 0x100u      /* device-specific configuration */

/* Device status bits (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE        1u
#define VIRTIO_STATUS_DRIVER             2u
#define VIRTIO_STATUS_DRIVER_OK          4u
#define VIRTIO_STATUS_FEATURES_OK        8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED             128u

/* InterruptStatus / InterruptACK bits. */
#define VIRTIO_INT_USED   1u
#define VIRTIO_INT_CONFIG 2u

#define VIRTIO_F_VERSION_1 32 /* the transport feature every driver needs */
#define VIRTIO_F_INDIRECT_DESC 28

/* Device IDs (§5). */
#define VIRTIO_ID_BLOCK   2u
#define VIRTIO_ID_CONSOLE 3u
#define VIRTIO_ID_RNG     4u

struct virtio_dev {
    struct virtio_mmio_regs MMIO_PTR *regs; /* the one claim of this transport */
    uint64_t base, size;                    /* from the DT "reg" */
    uint32_t device_id, vendor_id;
    int spi;                                /* -1: no usable interrupt, we poll */
    bool edge;                              /* DT trigger type */
    uint64_t features;                      /* negotiated */
    bool broken;                            /* set FAILED or timed out: no more requests */
    /* Written by the interrupt handler. */
    volatile uint32_t irqs;                 /* interrupts taken */
    volatile uint32_t int_seen;             /* InterruptStatus bits acknowledged so far */
};

/* Find every virtio,mmio node in the device tree (once; later calls return
 * the same table). Empty slots are skipped silently, legacy (version 1)
 * transports are refused with a message. Returns the number of devices. */
int virtio_mmio_probe(const void *dtb);
/* The nth (0-based) probed device with this device ID, or NULL. */
struct virtio_dev *virtio_mmio_find(uint32_t device_id, int nth);
/* The nth probed device of any kind, or NULL. */
struct virtio_dev *virtio_mmio_dev(int nth);
/* A short name for a device ID ("block", "entropy", ...). */
const char *virtio_id_name(uint32_t device_id);

/* Reset, ACKNOWLEDGE, DRIVER, negotiate: accept VIRTIO_F_VERSION_1 plus the
 * device-specific bits in `wanted` that the device offers, FEATURES_OK and
 * confirm it. 0, or -1 with a message (FAILED is then set). */
int virtio_mmio_start(struct virtio_dev *d, uint64_t wanted);
/* Device-specific setup done: route the interrupt and set DRIVER_OK. */
void virtio_mmio_driver_ok(struct virtio_dev *d);
/* Write 0 to Status and wait until it reads 0: the device stops using the
 * rings. 0, or -1 if it never reads back 0. */
int virtio_mmio_reset(struct virtio_dev *d);
/* Give up on the device: report, set FAILED, mark it broken. */
void virtio_mmio_fail(struct virtio_dev *d, const char *why);

bool virtio_mmio_has(const struct virtio_dev *d, unsigned feature);
uint32_t virtio_mmio_status(const struct virtio_dev *d);
uint32_t virtio_mmio_config_generation(const struct virtio_dev *d);
/* Address of the device-specific configuration, for the driver's own claim;
 * 0 if the DT region is smaller than 0x100 + `len`. */
uintptr_t virtio_mmio_config_addr(const struct virtio_dev *d, uint64_t len);

/* Queue registration (used by virtq_setup). QueueNumMax of queue `index`,
 * 0 if it does not exist or is already live. */
uint32_t virtio_mmio_queue_max(struct virtio_dev *d, unsigned index);
void virtio_mmio_queue_enable(struct virtio_dev *d, unsigned index, uint32_t num,
                              uint64_t desc, uint64_t driver, uint64_t device);
/* Available-buffer notification; orders earlier ring writes before it. */
void virtio_mmio_notify(struct virtio_dev *d, unsigned index);

#endif
