/* Naive twin of guest/drivers/virtio_rng.c, unchanged: this driver touches no
 * register itself (the transport does), it only has to be built against the
 * naive transport. */
/* Guest virtio-rng driver (virtio 1.2 §5.4). */
#include "virtio_rng.h"

#include <string.h>

#include "../guest.h"

#define EMPTY_LIMIT 8 /* consecutive empty answers before we give up */

int virtio_rng_init(struct virtio_rng *r, struct virtio_dev *d)
{
    memset(r, 0, sizeof *r);
    r->dev = d;
    if (virtio_mmio_start(d, 0) != 0) /* no device-specific features exist */
        return -1;
    if (virtq_setup(&r->vq, d, 0) != 0) {
        virtio_mmio_fail(d, "no request queue");
        return -1;
    }
    virtio_mmio_driver_ok(d);
    return 0;
}

int virtio_rng_read(struct virtio_rng *r, void *buf, size_t n)
{
    uint8_t *p = buf;
    unsigned empty = 0;
    while (n) {
        uint32_t want = n > 0x10000 ? 0x10000 : (uint32_t)n, got;
        struct virtq_buf b = {p, want, true};
        if (virtq_run(&r->vq, &b, 1, &got) != 0)
            return -1;
        /* The device may return fewer bytes than asked, even none (§5.4.6);
         * only the first `got` bytes are entropy. */
        if (got == 0 && ++empty >= EMPTY_LIMIT) {
            kprintf("isv guest: virtio-rng at 0x%lx: %u empty answers in a row\n",
                    (unsigned long)r->dev->base, empty);
            return -1;
        }
        if (got)
            empty = 0;
        p += got;
        n -= got;
    }
    return 0;
}

void virtio_rng_stop(struct virtio_rng *r)
{
    virtio_mmio_reset(r->dev);
}
