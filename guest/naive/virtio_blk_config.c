/* Naive virtio-blk configuration accessors: see virtio_blk_config.h. */
#include "virtio_blk_config.h"

int virtio_blk_cfg_open(struct virtio_blk_cfg *c, const struct virtio_dev *d)
{
    c->dev = d;
    return virtio_mmio_config_addr(d, sizeof c->copy) ? 0 : -1;
}

int virtio_blk_cfg_capacity(struct virtio_blk_cfg *c, uint64_t *sectors)
{
    if (virtio_mmio_read_config(c->dev, 0, &c->copy, sizeof c->copy) != 0)
        return -1;
    *sectors = c->copy.capacity;
    return 0;
}

uint32_t virtio_blk_cfg_size_max(const struct virtio_blk_cfg *c)
{
    return c->copy.size_max;
}

uint32_t virtio_blk_cfg_seg_max(const struct virtio_blk_cfg *c)
{
    return c->copy.seg_max;
}
