/*
 * virtio-blk configuration space (virtio 1.2 §5.2.4): the register accessors
 * of virtio_blk.c, the one part of the block driver that each build supplies.
 * The driver includes <virtio_blk_config.h>, so the include path picks this
 * file (safe build) or guest/naive/virtio_blk_config.h (naive build). These
 * are static inline so the safe driver compiles to what it would be with the
 * accesses written in place: no call, no indirection.
 */
#ifndef ISV_GUEST_VIRTIO_BLK_CONFIG_H
#define ISV_GUEST_VIRTIO_BLK_CONFIG_H

#include <stdint.h>

#include <virtio_mmio.h>

/* The start of struct virtio_blk_config: all we read. Every field is 32-bit
 * aligned, read 32 bits wide; the 64-bit capacity as two halves (§4.2.2.2). */
struct virtio_blk_config_regs {
    MMIO_REG(rp, 32, capacity_lo);
    MMIO_REG(rp, 32, capacity_hi);
    MMIO_REG(rp, 32, size_max);
    MMIO_REG(rp, 32, seg_max);
};
MMIO_OFFSET(struct virtio_blk_config_regs, capacity_lo, 0x0);
MMIO_OFFSET(struct virtio_blk_config_regs, capacity_hi, 0x4);
MMIO_OFFSET(struct virtio_blk_config_regs, size_max, 0x8);
MMIO_OFFSET(struct virtio_blk_config_regs, seg_max, 0xc);
MMIO_SIZE(struct virtio_blk_config_regs, 0x10);

struct virtio_blk_cfg {
    /* Only pure reads of the config: a shared pointer is enough. */
    const struct virtio_blk_config_regs MMIO_PTR *regs;
};

/* Claim the configuration of d. 0, or -1 if its region is too small. */
static inline int virtio_blk_cfg_open(struct virtio_blk_cfg *c, const struct virtio_dev *d)
{
    uintptr_t ca = virtio_mmio_config_addr(d, sizeof(struct virtio_blk_config_regs));
    if (!ca)
        return -1;
    c->regs = mmio_claim(struct virtio_blk_config_regs, ca);
    return 0;
}

/* The capacity in sectors: two 32-bit reads, so the caller brackets this with
 * ConfigGeneration (§2.5.1). 0, or -1 if the configuration cannot be read. */
static inline int virtio_blk_cfg_capacity(const struct virtio_blk_cfg *c, uint64_t *sectors)
{
    uint32_t lo = mmio_read(&c->regs->capacity_lo);
    uint32_t hi = mmio_read(&c->regs->capacity_hi);
    *sectors = (uint64_t)hi << 32 | lo;
    return 0;
}

static inline uint32_t virtio_blk_cfg_size_max(const struct virtio_blk_cfg *c)
{
    return mmio_read(&c->regs->size_max);
}

static inline uint32_t virtio_blk_cfg_seg_max(const struct virtio_blk_cfg *c)
{
    return mmio_read(&c->regs->seg_max);
}

#endif
