/*
 * Split virtqueue, driver side (virtio 1.2 §2.7): add a descriptor chain,
 * notify, wait for it to be used. Waiting sleeps until the device's
 * interrupt (through the GIC) or the timer event stream wakes the CPU, and
 * gives up after a timeout, so a broken device never hangs the guest.
 * Both guest builds use this file and virtq.c: the rings are RAM, and the
 * only register accesses (queue setup, notification) are the transport's.
 */
#ifndef ISV_GUEST_VIRTQ_H
#define ISV_GUEST_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#include <virtio_mmio.h> /* the build's transport: guest/drivers, or guest/naive */

#define VIRTQ_MAX 64               /* descriptors allocated per queue */
#define VIRTQ_TIMEOUT_MS 10000     /* per request */

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes (§2.7.5)");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem is 8 bytes (§2.7.8)");

struct virtq {
    /* Shared with the device: little-endian, which the guest is. Sized for
     * VIRTQ_MAX, used for `num` entries (no EVENT_IDX, so the trailing
     * used_event/avail_event fields are never read). */
    _Alignas(16) struct virtq_desc desc[VIRTQ_MAX];
    struct {
        uint16_t flags, idx, ring[VIRTQ_MAX], used_event;
    } avail;
    _Alignas(4) struct {
        uint16_t flags, idx;
        struct virtq_used_elem ring[VIRTQ_MAX];
        uint16_t avail_event;
    } used;

    /* Driver-private: never read back from the shared rings. */
    struct virtio_dev *dev;
    unsigned index;
    uint16_t num, free_head, num_free, last_used;
    uint16_t inflight;             /* chains made available and not yet used */
    uint16_t link[VIRTQ_MAX];      /* next descriptor, in a chain or the free list */
    uint16_t chain[VIRTQ_MAX];     /* per head: descriptors in flight, 0 if none */
    uint32_t writable[VIRTQ_MAX];  /* per head: device-writable bytes offered */
    bool done[VIRTQ_MAX];          /* per head: used, not yet collected */
    uint32_t done_len[VIRTQ_MAX];
};

/* One element of a request: device-readable elements come first. */
struct virtq_buf {
    const void *addr;
    uint32_t len;
    bool device_writes;
};

/* Register queue `index` of d with the largest power-of-two size <=
 * min(QueueNumMax, VIRTQ_MAX). Between virtio_mmio_start and _driver_ok. */
int virtq_setup(struct virtq *vq, struct virtio_dev *d, unsigned index);
/* Make a chain of n buffers available; its head, or -1. No notification. */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned n);
/* Notify the device unless it asked not to be. */
void virtq_kick(struct virtq *vq);
/* Wait until the chain at `head` is used; *len = bytes the device wrote.
 * 0, or -1 on timeout, DEVICE_NEEDS_RESET or a malformed used ring (the
 * device is then reset and marked FAILED). */
int virtq_wait(struct virtq *vq, int head, uint32_t *len);
/* add + kick + wait. */
int virtq_run(struct virtq *vq, const struct virtq_buf *bufs, unsigned n, uint32_t *len);

#endif
