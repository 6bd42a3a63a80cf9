/*
 * Split virtqueue (virtio 1.2 §2.7), device side, written for a hostile driver.
 *
 * The rings live in guest RAM and may change under us at any moment, so every
 * index read from them is checked before use, every descriptor is copied once
 * into private memory and only the copy is used, chains are bounded (no loop
 * can hang the caller) and every buffer is resolved to host memory through
 * guest_mem_ptr() (range and overflow checked). A popped chain is handed out as
 * host iovecs: device-readable segments first, then device-writable ones.
 *
 * No locking here: the transport serialises access to a queue.
 */
#ifndef ISV_DEVICES_VIRTQ_H
#define ISV_DEVICES_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "guest_mem.h"

/* Most descriptors one chain may use, direct and indirect entries together.
 * Also the largest queue size our devices offer (QueueNumMax), so a chain the
 * spec allows ("no longer than the queue size") always fits. */
#define VIRTQ_MAX_CHAIN 256
/* The spec's limit on the bytes one chain describes. */
#define VIRTQ_MAX_CHAIN_BYTES (1ull << 32)

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq {
    uint16_t num;                /* queue size, a power of two */
    bool indirect_ok;            /* VIRTIO_F_INDIRECT_DESC negotiated */
    uint8_t *desc, *avail, *used; /* host views of the three areas */
    uint16_t last_avail;         /* free-running index of the next avail entry */
    uint16_t used_idx;           /* free-running index of the next used entry */
};

struct virtq_chain {
    uint16_t head;               /* descriptor index to return in the used ring */
    unsigned nrd, nwr;           /* iov[0, nrd) readable, iov[nrd, nrd+nwr) writable */
    uint64_t rd_len, wr_len;     /* byte totals of each part */
    struct iovec iov[VIRTQ_MAX_CHAIN];
};

/* Bytes each area needs for a queue of `num` entries (event fields included). */
uint64_t virtq_desc_size(uint16_t num);
uint64_t virtq_avail_size(uint16_t num);
uint64_t virtq_used_size(uint16_t num);

/* Check a driver's queue configuration and, when valid, map it into *vq with
 * both indices at 0. num must be a nonzero power of two, the areas aligned
 * (16/2/4) and wholly inside guest RAM. 0, or -1 with a reason in err. */
int virtq_setup(struct virtq *vq, const struct guest_mem *m, uint32_t num, uint64_t desc,
                uint64_t avail, uint64_t used, char *err, size_t errlen);

/* Take the next available chain. 1: *c filled; 0: ring empty; -1: the driver
 * broke the rules (reason in err), nothing consumed. */
int virtq_pop(struct virtq *vq, const struct guest_mem *m, struct virtq_chain *c, char *err,
              size_t errlen);

/* Return chain `head` with `len` bytes written. True when the driver wants a
 * used-buffer notification (VIRTQ_AVAIL_F_NO_INTERRUPT clear). */
bool virtq_push(struct virtq *vq, uint16_t head, uint32_t len);

#endif
