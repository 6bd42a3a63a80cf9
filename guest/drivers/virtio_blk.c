/*
 * Guest virtio-blk driver (virtio 1.2 §5.2). A request is a chain: the
 * 16-byte header (device-readable), the data split into page-sized elements
 * as an OS with scattered pages would send it, then the status byte
 * (device-writable). Both guest builds compile this file: it touches no
 * register itself, the configuration is read through <virtio_blk_config.h>
 * and everything else through the transport (<virtio_mmio.h>).
 */
#include "virtio_blk.h"

#include <string.h>

#include "../guest.h"
#include <virtio_blk_config.h> /* this build's register accessors: see that file */

#define T_IN     0
#define T_OUT    1
#define T_FLUSH  4
#define T_GET_ID 8

#define PAGE 4096u
#define CONFIG_RETRIES 16

static void blk_error(const struct virtio_blk *b, const char *what)
{
    kprintf("isv guest: virtio-blk at 0x%lx: %s\n", (unsigned long)b->dev->base, what);
}

int virtio_blk_init(struct virtio_blk *b, struct virtio_dev *d)
{
    return virtio_blk_init_features(b, d, ~0ull);
}

int virtio_blk_init_features(struct virtio_blk *b, struct virtio_dev *d, uint64_t accept)
{
    memset(b, 0, sizeof *b);
    b->dev = d;
    uint64_t want = 1ull << VIRTIO_BLK_F_SIZE_MAX | 1ull << VIRTIO_BLK_F_SEG_MAX |
                    1ull << VIRTIO_BLK_F_RO | 1ull << VIRTIO_BLK_F_FLUSH;
    if (virtio_mmio_start(d, want & accept) != 0)
        return -1;
    struct virtio_blk_cfg cfg;
    if (virtio_blk_cfg_open(&cfg, d) != 0) {
        virtio_mmio_fail(d, "region too small for the block configuration");
        return -1;
    }

    /* The capacity is more than one read: retry until ConfigGeneration says
     * no update came in between (§2.5.1). */
    int tries = 0;
    uint32_t gen;
    uint64_t capacity;
    do {
        if (++tries > CONFIG_RETRIES) {
            virtio_mmio_fail(d, "configuration never stable");
            return -1;
        }
        gen = virtio_mmio_config_generation(d);
        if (virtio_blk_cfg_capacity(&cfg, &capacity) != 0) {
            virtio_mmio_fail(d, "region too small for the block configuration");
            return -1;
        }
    } while (gen != virtio_mmio_config_generation(d));
    b->capacity = capacity;

    b->seg_bytes = PAGE;
    if (virtio_mmio_has(d, VIRTIO_BLK_F_SIZE_MAX)) {
        uint32_t sm = virtio_blk_cfg_size_max(&cfg) & ~(VIRTIO_BLK_SECTOR - 1);
        if (sm && sm < b->seg_bytes)
            b->seg_bytes = sm; /* keep elements whole sectors */
    }
    if (virtq_setup(&b->vq, d, 0) != 0 || b->vq.num < 3) {
        virtio_mmio_fail(d, "no request queue of 3 or more descriptors");
        return -1;
    }
    b->max_segs = b->vq.num - 2u; /* the header and status take two descriptors */
    if (virtio_mmio_has(d, VIRTIO_BLK_F_SEG_MAX)) {
        uint32_t sm = virtio_blk_cfg_seg_max(&cfg);
        if (sm && sm < b->max_segs)
            b->max_segs = sm;
    }
    virtio_mmio_driver_ok(d);
    return 0;
}

bool virtio_blk_readonly(const struct virtio_blk *b)
{
    return virtio_mmio_has(b->dev, VIRTIO_BLK_F_RO);
}

bool virtio_blk_has_flush(const struct virtio_blk *b)
{
    return virtio_mmio_has(b->dev, VIRTIO_BLK_F_FLUSH);
}

/* One request: header, `len` bytes of data (device-written or -read), status.
 * The status byte, or -1 if the transport failed or the device did not say
 * it wrote the whole writable part (so the status byte may be stale). */
static int request(struct virtio_blk *b, uint32_t type, uint64_t sector, const void *data,
                   uint32_t len, bool device_writes)
{
    struct virtq_buf bufs[VIRTQ_MAX];
    unsigned n = 0;
    b->hdr = (struct virtio_blk_req_hdr){.type = type, .sector = sector};
    bufs[n++] = (struct virtq_buf){&b->hdr, sizeof b->hdr, false};
    for (uint32_t off = 0; off < len; off += b->seg_bytes) {
        uint32_t l = len - off < b->seg_bytes ? len - off : b->seg_bytes;
        bufs[n++] = (struct virtq_buf){(const uint8_t *)data + off, l, device_writes};
    }
    b->status = 0xff; /* not a valid status: shows if the device never wrote it */
    bufs[n++] = (struct virtq_buf){&b->status, 1, true};
    uint32_t used = 0, expect = (device_writes ? len : 0) + 1;
    b->requests++;
    if (virtq_run(&b->vq, bufs, n, &used) != 0)
        return -1;
    if (used < expect) {
        kprintf("isv guest: virtio-blk at 0x%lx: request type %u: device wrote %u of %u bytes\n",
                (unsigned long)b->dev->base, type, used, expect);
        return -1;
    }
    return b->status;
}

static int transfer(struct virtio_blk *b, uint32_t type, uint64_t sector, const void *buf,
                    uint32_t sectors)
{
    if (sector > b->capacity || sectors > b->capacity - sector) {
        blk_error(b, "transfer beyond the end of the disk");
        return -1;
    }
    uint32_t per_req = b->max_segs * b->seg_bytes / VIRTIO_BLK_SECTOR;
    const uint8_t *p = buf;
    while (sectors) {
        uint32_t n = sectors < per_req ? sectors : per_req;
        int st = request(b, type, sector, p, n * VIRTIO_BLK_SECTOR, type == T_IN);
        if (st != VIRTIO_BLK_S_OK)
            return st;
        sector += n;
        p += n * VIRTIO_BLK_SECTOR;
        sectors -= n;
    }
    return VIRTIO_BLK_S_OK;
}

int virtio_blk_read(struct virtio_blk *b, uint64_t sector, void *buf, uint32_t sectors)
{
    return transfer(b, T_IN, sector, buf, sectors);
}

int virtio_blk_write(struct virtio_blk *b, uint64_t sector, const void *buf, uint32_t sectors)
{
    return transfer(b, T_OUT, sector, buf, sectors);
}

int virtio_blk_flush(struct virtio_blk *b)
{
    if (!virtio_blk_has_flush(b))
        return VIRTIO_BLK_S_UNSUPP; /* not negotiated: the driver must not send it */
    return request(b, T_FLUSH, 0, NULL, 0, false);
}

int virtio_blk_get_id(struct virtio_blk *b, char id[VIRTIO_BLK_ID_BYTES + 1])
{
    memset(id, 0, VIRTIO_BLK_ID_BYTES + 1);
    /* The ID is NUL-padded, but not terminated when it is 20 bytes long. */
    return request(b, T_GET_ID, 0, id, VIRTIO_BLK_ID_BYTES, true);
}

void virtio_blk_stop(struct virtio_blk *b)
{
    virtio_mmio_reset(b->dev);
}
