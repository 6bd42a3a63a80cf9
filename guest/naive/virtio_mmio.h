/*
 * Naive twin of guest/drivers/virtio_mmio.h: the same API, the registers as a
 * plain volatile struct. Guest virtio-mmio transport, version 2 only (virtio
 * 1.2 §4.2): discovery from the device tree, the status/feature handshake
 * (§2.1, §2.2, §3.1), queue registration and notification. Rings live in
 * virtq.{h,c}; the device drivers are virtio_blk.c, virtio_rng.c and
 * virtio_console.c.
 */
#ifndef ISV_GUEST_VIRTIO_MMIO_H
#define ISV_GUEST_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The register block, as a plain struct the driver accesses by member
 * (virtio 1.2 §4.2.2): control registers, then the device-specific
 * configuration from 0x100 on. */
struct virtio_mmio_regs {
    uint32_t magic;                /* 0x000 "virt" */
    uint32_t version;              /* 0x004 2; 1 = legacy */
    uint32_t device_id;            /* 0x008 0 = empty slot */
    uint32_t vendor_id;            /* 0x00c */
    uint32_t device_features;      /* 0x010 */
    uint32_t device_features_sel;  /* 0x014 */
    uint32_t reserved0[2];
    uint32_t driver_features;      /* 0x020 */
    uint32_t driver_features_sel;  /* 0x024 */
    uint32_t reserved1[2];
    uint32_t queue_sel;            /* 0x030 */
    uint32_t queue_num_max;        /* 0x034 */
    uint32_t queue_num;            /* 0x038 */
    uint32_t reserved2[2];
    uint32_t queue_ready;          /* 0x044 */
    uint32_t reserved3[2];
    uint32_t queue_notify;         /* 0x050 */
    uint32_t reserved4[3];
    uint32_t interrupt_status;     /* 0x060 */
    uint32_t interrupt_ack;        /* 0x064 */
    uint32_t reserved5[2];
    uint32_t status;               /* 0x070 */
    uint32_t reserved6[3];
    uint32_t queue_desc_low;       /* 0x080 */
    uint32_t queue_desc_high;
    uint32_t reserved7[2];
    uint32_t queue_driver_low;     /* 0x090 */
    uint32_t queue_driver_high;
    uint32_t reserved8[2];
    uint32_t queue_device_low;     /* 0x0a0 */
    uint32_t queue_device_high;
    uint32_t reserved9[21];
    uint32_t config_generation;    /* 0x0fc */
    uint8_t config[];              /* 0x100 device-specific */
};
_Static_assert(offsetof(struct virtio_mmio_regs, queue_ready) == 0x44, "QueueReady");
_Static_assert(offsetof(struct virtio_mmio_regs, status) == 0x70, "Status");
_Static_assert(offsetof(struct virtio_mmio_regs, queue_device_high) == 0xa4, "QueueDeviceHigh");
_Static_assert(offsetof(struct virtio_mmio_regs, config) == 0x100, "config space");

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
    volatile struct virtio_mmio_regs *regs;
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
/* Copy `len` bytes of the device-specific configuration from `offset` into
 * buf, a byte at a time. 0, or -1 if the region is too small. */
int virtio_mmio_read_config(const struct virtio_dev *d, unsigned offset, void *buf, unsigned len);

/* Queue registration (used by virtq_setup). QueueNumMax of queue `index`,
 * 0 if it does not exist or is already live. */
uint32_t virtio_mmio_queue_max(struct virtio_dev *d, unsigned index);
void virtio_mmio_queue_enable(struct virtio_dev *d, unsigned index, uint32_t num,
                              uint64_t desc, uint64_t driver, uint64_t device);
/* Available-buffer notification; orders earlier ring writes before it. */
void virtio_mmio_notify(struct virtio_dev *d, unsigned index);

#endif
