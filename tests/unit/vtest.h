/*
 * Test helpers for the virtio models: fake guest RAM, a tiny driver that lays
 * out split rings and chains in it, and register access the way the bus does
 * it (with dev->lock held).
 */
#ifndef ISV_TESTS_VTEST_H
#define ISV_TESTS_VTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../devices/device.h"
#include "../../devices/guest_mem.h"

#define VT_RAM_BASE 0x40000000ull

/* Fake RAM (zeroed, lazily backed) and a host that records the IRQ line. */
struct vt_host {
    struct guest_mem mem;
    struct device_host host;
    int irq_level;   /* last level set, -1 before any call (atomic) */
    int irq_changes; /* number of set_irq calls (atomic) */
};
void vt_host_init(struct vt_host *h, uint64_t ram_size);
void vt_host_fini(struct vt_host *h);
int vt_irq(struct vt_host *h);

void *vt_ptr(struct vt_host *h, uint64_t gpa); /* asserts gpa is in RAM */

uint64_t vt_rd(struct device *dev, uint64_t off, unsigned len);
void vt_wr(struct device *dev, uint64_t off, unsigned len, uint64_t val);
static inline uint32_t vt_rd32(struct device *dev, uint64_t off) { return (uint32_t)vt_rd(dev, off, 4); }
static inline void vt_wr32(struct device *dev, uint64_t off, uint32_t v) { vt_wr(dev, off, 4, v); }

/* One split queue laid out in fake RAM. */
struct vt_queue {
    struct vt_host *h;
    uint16_t num;
    uint64_t desc, avail, used;
    uint16_t avail_idx; /* driver's next avail index */
    uint16_t used_seen; /* used entries consumed by vt_used_next */
};
/* Rings for queue slot `slot` at fixed places in the first 1 MiB. */
void vt_queue_layout(struct vt_queue *q, struct vt_host *h, unsigned slot, uint16_t num);
void vt_desc(struct vt_queue *q, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
             uint16_t flags, uint16_t next);
/* Put head in the avail ring and publish it. */
void vt_avail(struct vt_queue *q, uint16_t head);
uint16_t vt_used_idx(struct vt_queue *q);
/* Next used element, or false when the device has not published one. */
bool vt_used_next(struct vt_queue *q, uint32_t *id, uint32_t *len);

/* Driver side of the transport. vt_negotiate resets, then ACK, DRIVER,
 * accepts `features` and sets FEATURES_OK; returns the status read back. */
uint32_t vt_negotiate(struct device *dev, uint64_t features);
void vt_queue_enable(struct device *dev, unsigned qi, struct vt_queue *q);
/* Full bring-up: negotiate (offered & ~drop), enable queues, DRIVER_OK. */
void vt_bring_up(struct device *dev, struct vt_queue *qs, unsigned nq, uint64_t drop);
/* Trapped QueueNotify + wait for the worker. */
void vt_notify(struct device *dev, unsigned qi);

/* Capture what the code under test writes to stderr (fd 2) into a buffer. */
void vt_stderr_begin(void);
const char *vt_stderr_end(void); /* NUL-terminated; valid until the next begin */
unsigned vt_count_lines(const char *s);

/* Scratch data area for buffers: 1 MiB in. */
#define VT_DATA (VT_RAM_BASE + 0x100000)

#endif
