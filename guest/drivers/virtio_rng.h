/* Guest virtio-rng driver (virtio 1.2 §5.4): one request queue of
 * device-writable buffers the device fills with entropy. */
#ifndef ISV_GUEST_VIRTIO_RNG_H
#define ISV_GUEST_VIRTIO_RNG_H

#include <stddef.h>

#include <virtq.h> /* the build picks the transport: guest/drivers, or guest/naive */

struct virtio_rng {
    struct virtio_dev *dev;
    struct virtq vq;
};

int virtio_rng_init(struct virtio_rng *r, struct virtio_dev *d);
/* Fill buf (in RAM) with n bytes, in as many requests as the device needs.
 * 0, or -1 if the transport failed or the device keeps returning nothing. */
int virtio_rng_read(struct virtio_rng *r, void *buf, size_t n);
void virtio_rng_stop(struct virtio_rng *r);

#endif
