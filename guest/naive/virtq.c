/*
 * Naive twin of guest/drivers/virtq.c: the same split virtqueue (virtio 1.2
 * §2.7), the shared rings declared volatile and ordered with
 * __sync_synchronize(). No register access here: the transport does those.
 */
#include "virtq.h"

#include <string.h>

#include "../guest.h"
#include "timer.h"

#define STATUS_CHECK_MS 10 /* how often a waiter looks for DEVICE_NEEDS_RESET */

#define mb() __sync_synchronize()

static inline uint64_t phys(const volatile void *p)
{
    return (uint64_t)(uintptr_t)p; /* identity map: VA == PA */
}

int virtq_setup(struct virtq *vq, struct virtio_dev *d, unsigned index)
{
    uint32_t max = virtio_mmio_queue_max(d, index);
    if (max == 0) {
        kprintf("isv guest: virtio-mmio at 0x%lx: queue %u is not available\n",
                (unsigned long)d->base, index);
        return -1;
    }
    uint16_t num = VIRTQ_MAX;
    while (num > max)
        num >>= 1; /* split rings are a power of two (§2.7) */
    memset(vq, 0, sizeof *vq);
    vq->dev = d;
    vq->index = index;
    vq->num = num;
    vq->num_free = num;
    for (uint16_t i = 0; i < num; i++)
        vq->link[i] = (uint16_t)(i + 1);
    timer_event_stream_on(); /* this CPU's waits */
    virtio_mmio_queue_enable(d, index, num, phys(vq->desc), phys(&vq->avail), phys(&vq->used));
    return 0;
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, unsigned n)
{
    if (vq->dev->broken)
        return -1;
    if (n == 0 || n > vq->num_free) {
        kprintf("isv guest: virtq %u: chain of %u descriptors, %u free\n", vq->index, n,
                vq->num_free);
        return -1;
    }
    uint32_t writable = 0;
    for (unsigned k = 0; k < n; k++) {
        /* §2.7.4.2: readable before writable. Zero-length elements are
         * legal but refused by QEMU, so never send one. */
        if (bufs[k].len == 0 || (k > 0 && bufs[k - 1].device_writes && !bufs[k].device_writes)) {
            kprintf("isv guest: virtq %u: element %u is empty or out of order\n", vq->index, k);
            return -1;
        }
        if (bufs[k].device_writes)
            writable += bufs[k].len;
    }
    uint16_t head = vq->free_head, i = head, last = head;
    for (unsigned k = 0; k < n; k++) {
        volatile struct virtq_desc *d = &vq->desc[i];
        d->addr = phys(bufs[k].addr);
        d->len = bufs[k].len;
        d->flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
                              (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        d->next = k + 1 < n ? vq->link[i] : 0;
        last = i;
        i = vq->link[i];
    }
    vq->free_head = vq->link[last];
    vq->num_free = (uint16_t)(vq->num_free - n);
    vq->chain[head] = (uint16_t)n;
    vq->writable[head] = writable;
    vq->done[head] = false;
    vq->inflight++;

    uint16_t idx = vq->avail.idx;
    vq->avail.ring[idx % vq->num] = head;
    mb(); /* descriptors and ring entry before the index that exposes them */
    vq->avail.idx = (uint16_t)(idx + 1);
    return head;
}

void virtq_kick(struct virtq *vq)
{
    mb(); /* publish avail.idx before reading the suppression flag (§2.7.13.4) */
    if (!(vq->used.flags & VIRTQ_USED_F_NO_NOTIFY))
        virtio_mmio_notify(vq->dev, vq->index);
}

static void free_chain(struct virtq *vq, uint16_t head)
{
    uint16_t last = head;
    for (unsigned k = 1; k < vq->chain[head]; k++)
        last = vq->link[last];
    vq->link[last] = vq->free_head;
    vq->free_head = head;
    vq->num_free = (uint16_t)(vq->num_free + vq->chain[head]);
    vq->chain[head] = 0;
    vq->done[head] = false;
}

static int broken_ring(struct virtq *vq, const char *what, unsigned a, unsigned b)
{
    kprintf("isv guest: virtio-mmio at 0x%lx queue %u: %s (%u, %u)\n",
            (unsigned long)vq->dev->base, vq->index, what, a, b);
    virtio_mmio_fail(vq->dev, "malformed used ring");
    return -1;
}

/* Take every new used element, checking it against what we made available. */
static int collect(struct virtq *vq)
{
    uint16_t used_idx = vq->used.idx;
    uint16_t fresh = (uint16_t)(used_idx - vq->last_used);
    if (fresh == 0)
        return 0;
    if (fresh > vq->inflight)
        return broken_ring(vq, "used idx ran ahead of what was in flight (last, now)",
                           vq->last_used, used_idx);
    mb(); /* the index before the elements and the data they describe */
    while (vq->last_used != used_idx) {
        const volatile struct virtq_used_elem *e = &vq->used.ring[vq->last_used % vq->num];
        uint32_t id = e->id, len = e->len;
        if (id >= vq->num || vq->chain[id] == 0 || vq->done[id])
            return broken_ring(vq, "used id is not a chain in flight (id, used idx)", id,
                               vq->last_used);
        if (len > vq->writable[id])
            return broken_ring(vq, "used len exceeds the writable bytes offered (len, offered)",
                               len, vq->writable[id]);
        vq->done[id] = true;
        vq->done_len[id] = len;
        vq->last_used++;
        vq->inflight--;
    }
    return 1;
}

/* Sleep until an event: with the interrupt routed, IRQs are unmasked just
 * for the WFE. An interrupt that arrived since the caller looked at the ring
 * is taken at once, and the exception return sets the event register, so
 * the WFE cannot sleep through it; the event stream bounds the rest. */
static void wait_event(const struct virtio_dev *d)
{
    if (d->spi < 0) {
        __asm__ volatile("wfe" ::: "memory");
        return;
    }
    uint64_t daif;
    __asm__ volatile("mrs %0, daif" : "=r"(daif));
    __asm__ volatile("msr daifclr, #2\n wfe" ::: "memory");
    __asm__ volatile("msr daif, %0" : : "r"(daif) : "memory");
}

int virtq_wait(struct virtq *vq, int head, uint32_t *len)
{
    struct virtio_dev *d = vq->dev;
    if (head < 0 || head >= vq->num || vq->chain[head] == 0)
        return -1;
    uint64_t start = timer_now(), last_check = start;
    uint64_t check_every = timer_freq() / 1000 * STATUS_CHECK_MS;
    for (;;) {
        if (collect(vq) < 0)
            return -1;
        if (vq->done[head]) {
            *len = vq->done_len[head];
            free_chain(vq, (uint16_t)head);
            return 0;
        }
        if (d->broken)
            return -1;
        uint64_t now = timer_now();
        /* A device in trouble sets DEVICE_NEEDS_RESET and raises a
         * configuration interrupt (§2.1.2); look on that, and now and then. */
        if ((d->int_seen & VIRTIO_INT_CONFIG) || now - last_check >= check_every) {
            last_check = now;
            d->int_seen &= ~VIRTIO_INT_CONFIG; /* IRQs are masked here */
            if (virtio_mmio_status(d) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
                virtio_mmio_fail(d, "device set DEVICE_NEEDS_RESET");
                return -1;
            }
        }
        if (timer_ms_since(start) >= VIRTQ_TIMEOUT_MS) {
            kprintf("isv guest: virtio-mmio at 0x%lx queue %u: head %d not used after %u ms "
                    "(avail idx %u, used idx %u, %u interrupts, status 0x%x)\n",
                    (unsigned long)d->base, vq->index, head, VIRTQ_TIMEOUT_MS, vq->avail.idx,
                    vq->used.idx, d->irqs, virtio_mmio_status(d));
            virtio_mmio_fail(d, "request timed out");
            return -1;
        }
        wait_event(d);
    }
}

int virtq_run(struct virtq *vq, const struct virtq_buf *bufs, unsigned n, uint32_t *len)
{
    int head = virtq_add(vq, bufs, n);
    if (head < 0)
        return -1;
    virtq_kick(vq);
    return virtq_wait(vq, head, len);
}
