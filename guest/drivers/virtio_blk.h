/* Guest virtio-blk driver (virtio 1.2 §5.2): one request queue, synchronous
 * requests. */
#ifndef ISV_GUEST_VIRTIO_BLK_H
#define ISV_GUEST_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include <virtq.h> /* the build picks the transport: guest/drivers, or guest/naive */

#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_ID_BYTES 20u

/* Request status byte; transport failures are returned as -1 instead. */
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

/* Feature bits (§5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_FLUSH    9

struct virtio_blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

struct virtio_blk {
    struct virtio_dev *dev;
    struct virtq vq;
    uint64_t capacity;        /* in 512-byte sectors */
    uint32_t seg_bytes;       /* largest data element we send */
    uint32_t max_segs;        /* data elements per request */
    struct virtio_blk_req_hdr hdr; /* RAM the device reads */
    uint8_t status;                /* RAM the device writes */
    uint32_t requests;
};

/* Bring the device up (features: SIZE_MAX, SEG_MAX, RO, FLUSH if offered)
 * and read the capacity. 0 or -1. */
int virtio_blk_init(struct virtio_blk *b, struct virtio_dev *d);
/* The same, accepting only those of these bits that are set in `accept`:
 * without VIRTIO_BLK_F_FLUSH the device must make each write stable before
 * completing it (virtio 1.2 §5.2.6.2; isv.test=durable-noflush tests that). */
int virtio_blk_init_features(struct virtio_blk *b, struct virtio_dev *d, uint64_t accept);
bool virtio_blk_readonly(const struct virtio_blk *b);
bool virtio_blk_has_flush(const struct virtio_blk *b);
/* Whole sectors; buf in RAM. Status byte (VIRTIO_BLK_S_*) or -1. Large
 * transfers are split into several requests. */
int virtio_blk_read(struct virtio_blk *b, uint64_t sector, void *buf, uint32_t sectors);
/* Sent even on a read-only device, which must answer IOERR (§5.2.6.2). */
int virtio_blk_write(struct virtio_blk *b, uint64_t sector, const void *buf, uint32_t sectors);
int virtio_blk_flush(struct virtio_blk *b);
/* The device's ID string, NUL-terminated (at most 20 bytes). */
int virtio_blk_get_id(struct virtio_blk *b, char id[VIRTIO_BLK_ID_BYTES + 1]);
/* Reset the device: it stops using our memory. */
void virtio_blk_stop(struct virtio_blk *b);

#endif
