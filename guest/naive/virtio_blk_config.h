/*
 * Naive twin of guest/drivers/virtio_blk_config.h: the block driver's
 * configuration accessors, reading the configuration the way many drivers
 * do, as a struct copied out of config space (virtio_mmio_read_config, byte
 * by byte). Defined in virtio_blk_config.c, not inline: every naive register
 * access stays in a guest/naive object, which is what `make check-virt`
 * scans.
 */
#ifndef ISV_GUEST_VIRTIO_BLK_CONFIG_H
#define ISV_GUEST_VIRTIO_BLK_CONFIG_H

#include <stdint.h>

#include "virtio_mmio.h"

/* The start of struct virtio_blk_config (§5.2.4): all we use. */
struct virtio_blk_config {
    uint64_t capacity;
    uint32_t size_max;
    uint32_t seg_max;
};

struct virtio_blk_cfg {
    const struct virtio_dev *dev;
    struct virtio_blk_config copy; /* as of the last virtio_blk_cfg_capacity */
};

/* 0, or -1 if d's region is too small for the configuration. */
int virtio_blk_cfg_open(struct virtio_blk_cfg *c, const struct virtio_dev *d);
/* Copy the whole configuration; its capacity in sectors. The caller brackets
 * this with ConfigGeneration (§2.5.1). 0, or -1 if it cannot be read. */
int virtio_blk_cfg_capacity(struct virtio_blk_cfg *c, uint64_t *sectors);
/* From the copy. */
uint32_t virtio_blk_cfg_size_max(const struct virtio_blk_cfg *c);
uint32_t virtio_blk_cfg_seg_max(const struct virtio_blk_cfg *c);

#endif
