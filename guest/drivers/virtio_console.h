/* Guest virtio-console driver (virtio 1.2 §5.3): port 0 only (no
 * MULTIPORT), output through its transmitq. */
#ifndef ISV_GUEST_VIRTIO_CONSOLE_H
#define ISV_GUEST_VIRTIO_CONSOLE_H

#include <stddef.h>

#include <virtq.h> /* the build picks the transport: guest/drivers, or guest/naive */

struct virtio_console {
    struct virtio_dev *dev;
    struct virtq rx, tx;        /* port 0: receiveq (queue 0), transmitq (queue 1) */
    char rx_buf[64];            /* the one receive buffer we post; input is ignored */
};

int virtio_console_init(struct virtio_console *c, struct virtio_dev *d);
/* Send n bytes (in RAM) to port 0. 0 or -1. */
int virtio_console_write(struct virtio_console *c, const char *s, size_t n);
void virtio_console_stop(struct virtio_console *c);

#endif
