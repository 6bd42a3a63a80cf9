/*
 * The virtio device models, each behind its own virtio-mmio transport (see
 * virtio_mmio.h for the eventfds the VMM wires to KVM). All return the device
 * ready to put on the bus, or NULL with a one-line reason in err. destroy()
 * stops the device's worker thread and closes its files.
 */
#ifndef ISV_DEVICES_VIRTIO_DEVICES_H
#define ISV_DEVICES_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

/* Block device on the image file (or block device) at path; capacity is its
 * size in 512-byte sectors, rounded down. readonly opens it read-only and
 * offers VIRTIO_BLK_F_RO. */
struct device *virtio_blk_create(uint64_t base, int spi, struct device_host *host,
                                 const char *path, bool readonly, char *err, size_t errlen);

/* Entropy source fed by the host's getrandom(). */
struct device *virtio_rng_create(uint64_t base, int spi, struct device_host *host, char *err,
                                 size_t errlen);

/* Console with one port: guest output goes to out_fd, input comes from in_fd
 * (-1: none). Both are duplicated, so the caller keeps its own. */
struct device *virtio_console_create(uint64_t base, int spi, struct device_host *host, int in_fd,
                                     int out_fd, char *err, size_t errlen);

#endif
