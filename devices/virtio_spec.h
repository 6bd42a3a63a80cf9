/*
 * Command-line virtio device specs:
 *
 *   virtio-blk,file=PATH[,readonly]   disk image (PATH may not contain a comma)
 *   virtio-rng                        entropy from the host
 *   virtio-console[,file=PATH]        one port on stdin/stdout, or output to PATH
 *                                     (created or truncated; no input then)
 */
#ifndef ISV_DEVICES_VIRTIO_SPEC_H
#define ISV_DEVICES_VIRTIO_SPEC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"

enum virtio_kind { VIRTIO_KIND_BLK, VIRTIO_KIND_RNG, VIRTIO_KIND_CONSOLE };

struct virtio_spec {
    enum virtio_kind kind;
    char path[PATH_MAX]; /* "" when no file= was given */
    bool readonly;
};

/* Parse one spec. 0, or -1 with a one-line error naming the bad part. */
int virtio_spec_parse(const char *text, struct virtio_spec *out, char *err, size_t errlen);

/* Create the device a parsed spec describes; console output without file=
 * goes to stdout and input comes from stdin. NULL with a reason on failure. */
struct device *virtio_spec_create(const struct virtio_spec *spec, uint64_t base, int spi,
                                  struct device_host *host, char *err, size_t errlen);

#endif
