/* Naive twin of guest/drivers/virtio_console.c, unchanged: this driver touches no
 * register itself (the transport does), it only has to be built against the
 * naive transport. */
/* Guest virtio-console driver (virtio 1.2 §5.3), port 0 only. */
#include "virtio_console.h"

#include <string.h>

#include "../guest.h"

#define RX_QUEUE 0
#define TX_QUEUE 1
#define TX_CHUNK 4096u

int virtio_console_init(struct virtio_console *c, struct virtio_dev *d)
{
    memset(c, 0, sizeof *c);
    c->dev = d;
    /* No SIZE, MULTIPORT or EMERG_WRITE: without MULTIPORT the device has
     * just port 0 on queues 0 and 1. */
    if (virtio_mmio_start(d, 0) != 0)
        return -1;
    if (virtq_setup(&c->rx, d, RX_QUEUE) != 0 || virtq_setup(&c->tx, d, TX_QUEUE) != 0) {
        virtio_mmio_fail(d, "port 0 queues missing");
        return -1;
    }
    /* §5.3.6: the receiveq is populated before the device is live. */
    struct virtq_buf rx = {c->rx_buf, sizeof c->rx_buf, true};
    if (virtq_add(&c->rx, &rx, 1) < 0) {
        virtio_mmio_fail(d, "could not post a receive buffer");
        return -1;
    }
    virtio_mmio_driver_ok(d);
    virtq_kick(&c->rx);
    return 0;
}

int virtio_console_write(struct virtio_console *c, const char *s, size_t n)
{
    while (n) {
        uint32_t len = n > TX_CHUNK ? TX_CHUNK : (uint32_t)n, written;
        struct virtq_buf b = {s, len, false};
        if (virtq_run(&c->tx, &b, 1, &written) != 0)
            return -1;
        s += len;
        n -= len;
    }
    return 0;
}

void virtio_console_stop(struct virtio_console *c)
{
    virtio_mmio_reset(c->dev);
}
