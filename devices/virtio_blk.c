/*
 * virtio-blk (virtio 1.2 §5.2) backed by an image file: read, write, flush
 * and get-id on one request queue. Requests run on the transport's worker
 * thread with plain preadv/pwritev straight into guest memory.
 *
 * Every request is completed with every writable byte written (data, or zeros
 * where none could be produced, then the status byte), so the used length is
 * always the whole writable part and never claims bytes we did not write.
 */
#include "virtio_devices.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iov.h"
#include "virtio_mmio.h"

enum {
    BLK_F_SIZE_MAX = 1, BLK_F_SEG_MAX = 2, BLK_F_RO = 5, BLK_F_FLUSH = 9,
    T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8,
    S_OK = 0, S_IOERR = 1, S_UNSUPP = 2,
    SECTOR = 512, HDR_LEN = 16, ID_BYTES = 20,
    CFG_CAPACITY = 0, CFG_SIZE_MAX = 8, CFG_SEG_MAX = 12, CFG_LEN = 96, /* the whole v1.2 struct */
};

/*
 * Bounds on what one guest notification can cost the host (a chain may alias
 * one buffer up to 4 GiB): each data segment at most BLK_SIZE_MAX bytes and
 * at most BLK_SEG_MAX of them, both advertised. A driver that took either
 * feature promised to stay within their product; one that took neither may
 * send any size (EDK2's VirtioBlkDxe reads a whole file, a 27 MB kernel, in
 * one segment), up to BLK_MAX_DATA_ANY. A request beyond its bound is refused
 * (DEVICE_NEEDS_RESET, one budgeted line). And at most BLK_CHAINS_PER_PASS
 * requests per worker pass before the worker looks at its other events
 * (stop, other queues) again.
 */
#define BLK_SIZE_MAX (64u << 10)
#define BLK_SEG_MAX (VIRTQ_MAX_CHAIN - 2) /* header and status take two */
#define BLK_MAX_DATA ((uint64_t)BLK_SIZE_MAX * BLK_SEG_MAX)
#define BLK_MAX_DATA_ANY (1ull << 30) /* EDK2's own bound (VerifyReadWriteRequest) */
#define BLK_CHAINS_PER_PASS 8

struct blk {
    int fd;
    bool readonly;
    uint64_t sectors;
    char id[ID_BYTES];       /* NUL-padded, not necessarily terminated */
    unsigned log_budget;     /* host I/O errors worth reporting */
    bool sync_failed;        /* an fsync or fdatasync failed: see blk_flush */
    /* worker-only scratch */
    struct virtq_chain chain;
    struct iovec data[VIRTQ_MAX_CHAIN];
};

/* preadv/pwritev until all of iov is done (iov is consumed). 0 or -errno; an
 * early end of file (the image shrank under us) is -EIO. */
static int rw_full(int fd, struct iovec *iov, unsigned n, uint64_t off, bool write)
{
    while (n) {
        ssize_t r = write ? pwritev(fd, iov, (int)n, (off_t)off) : preadv(fd, iov, (int)n, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            return -EIO;
        off += (uint64_t)r;
        size_t k = (size_t)r;
        while (n && k >= iov->iov_len) {
            k -= iov->iov_len;
            iov++;
            n--;
        }
        if (n) {
            iov->iov_base = (uint8_t *)iov->iov_base + k;
            iov->iov_len -= k;
        }
    }
    return 0;
}

static uint8_t io_error(struct blk *b, struct virtio_mmio *vm, const char *what, int e)
{
    if (b->log_budget) {
        b->log_budget--;
        virtio_mmio_log(vm, "%s: %s", what, strerror(e));
    }
    return S_IOERR;
}

/* Move len bytes at byte `off` of (iov, n) to or from sector `sector`. */
static uint8_t blk_rw(struct blk *b, struct virtio_mmio *vm, uint64_t sector,
                      const struct iovec *iov, unsigned n, uint64_t off, uint64_t len, bool write)
{
    if (len % SECTOR)
        return S_IOERR; /* the driver must transfer whole sectors */
    if (sector > b->sectors || len / SECTOR > b->sectors - sector)
        return S_IOERR; /* past the end of the disk */
    unsigned k = iov_slice(iov, n, off, len, b->data, VIRTQ_MAX_CHAIN);
    int r = rw_full(b->fd, b->data, k, sector * SECTOR, write);
    if (r) {
        char what[64];
        snprintf(what, sizeof what, "%s at sector %" PRIu64, write ? "write" : "read", sector);
        return io_error(b, vm, what, -r);
    }
    return S_OK;
}

/* Linux reports a writeback error to one fsync and may mark the pages clean
 * regardless, so a later fsync succeeds with the data never written: once a
 * sync failed, no flush may claim success (QEMU's file-posix does the same). */
static uint8_t sync_error(struct blk *b, struct virtio_mmio *vm, const char *what, int e)
{
    b->sync_failed = true;
    return io_error(b, vm, what, e);
}

static uint8_t blk_flush(struct blk *b, struct virtio_mmio *vm)
{
    if (b->sync_failed)
        return S_IOERR;
    return fsync(b->fd) ? sync_error(b, vm, "fsync", errno) : S_OK;
}

static void blk_request(struct blk *b, struct virtio_mmio *vm, unsigned q, struct virtq_chain *c)
{
    uint8_t hdr[HDR_LEN];
    if (c->rd_len < HDR_LEN || c->wr_len < 1) {
        virtio_mmio_fail(vm, q, c,
                         "request at head %u: %" PRIu64 " readable, %" PRIu64
                         " writable bytes (needs a 16-byte header and a status byte)",
                         c->head, c->rd_len, c->wr_len);
        return;
    }
    bool limited = virtio_mmio_features(vm) & (1ull << BLK_F_SIZE_MAX | 1ull << BLK_F_SEG_MAX);
    uint64_t max = limited ? BLK_MAX_DATA : BLK_MAX_DATA_ANY;
    if (c->rd_len - HDR_LEN > max || c->wr_len - 1 > max) {
        virtio_mmio_fail(vm, q, c,
                         "request at head %u: %" PRIu64 " readable, %" PRIu64
                         " writable bytes (data is limited to %s = %" PRIu64 ")",
                         c->head, c->rd_len, c->wr_len,
                         limited ? "seg_max x size_max" : "1 GiB without SEG_MAX/SIZE_MAX", max);
        return;
    }
    iov_to_buf(c->iov, c->nrd, 0, hdr, HDR_LEN); /* private copy: parsed once */
    uint32_t type;
    uint64_t sector;
    memcpy(&type, hdr, 4);
    memcpy(&sector, hdr + 8, 8);
    type = le32toh(type);
    sector = le64toh(sector);

    const struct iovec *wr = c->iov + c->nrd;
    uint64_t din = c->wr_len - 1; /* writable bytes before the status byte */
    uint64_t written = 0;
    uint8_t status;
    switch (type) {
    case T_IN:
        status = blk_rw(b, vm, sector, wr, c->nwr, 0, din, false);
        if (status == S_OK)
            written = din;
        break;
    case T_OUT:
        if (b->readonly) {
            status = S_IOERR; /* §5.2.6.2: and write nothing */
            break;
        }
        status = blk_rw(b, vm, sector, c->iov, c->nrd, HDR_LEN, c->rd_len - HDR_LEN, true);
        /* Without a negotiated FLUSH the driver expects completed writes to
         * be stable (§5.2.6.2, writeback cache not in use). */
        if (status == S_OK && !(virtio_mmio_features(vm) & (1ull << BLK_F_FLUSH)) &&
            fdatasync(b->fd))
            status = sync_error(b, vm, "fdatasync", errno);
        break;
    case T_FLUSH:
        status = blk_flush(b, vm);
        break;
    case T_GET_ID:
        written = iov_from_buf(wr, c->nwr, 0, b->id, din < ID_BYTES ? (size_t)din : ID_BYTES);
        status = S_OK;
        break;
    default:
        status = S_UNSUPP;
        break;
    }
    iov_memset(wr, c->nwr, written, 0, din - written);
    iov_from_buf(wr, c->nwr, din, &status, 1);
    virtio_mmio_push(vm, q, c, c->wr_len > UINT32_MAX ? UINT32_MAX : (uint32_t)c->wr_len);
}

static void blk_queue_work(struct virtio_mmio *vm, unsigned q)
{
    struct blk *b = virtio_mmio_priv(vm);
    for (unsigned n = 0; virtio_mmio_pop(vm, q, &b->chain); n++) {
        blk_request(b, vm, q, &b->chain);
        if (n + 1 == BLK_CHAINS_PER_PASS) {
            virtio_mmio_requeue(vm, q); /* the rest on a later pass */
            return;
        }
    }
}

static void blk_free(void *priv)
{
    struct blk *b = priv;
    close(b->fd);
    free(b);
}

static const struct virtio_dev_ops blk_ops = {
    .type = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .num_queues = 1,
    .queue_max = VIRTQ_MAX_CHAIN,
    .queue_work = blk_queue_work,
    .free = blk_free,
};

struct device *virtio_blk_create(uint64_t base, int spi, struct device_host *host,
                                 const char *path, bool readonly, char *err, size_t errlen)
{
    struct stat st;
    struct blk *b = calloc(1, sizeof *b);
    if (!b) {
        snprintf(err, errlen, "virtio-blk: out of memory");
        return NULL;
    }
    b->readonly = readonly;
    b->log_budget = 8;
    b->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (b->fd < 0) {
        snprintf(err, errlen, "virtio-blk: %s: %s", path, strerror(errno));
        goto fail;
    }
    if (fstat(b->fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
        snprintf(err, errlen, "virtio-blk: %s: not a regular file or block device", path);
        goto fail;
    }
    /* Two writers on one image corrupt it; a shared lock still lets several
     * read-only users in. */
    if (flock(b->fd, (readonly ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
        snprintf(err, errlen, "virtio-blk: %s: %s", path,
                 errno == EWOULDBLOCK ? "in use by another process" : strerror(errno));
        goto fail;
    }
    off_t size = lseek(b->fd, 0, SEEK_END); /* also right for block devices */
    if (size < 0) {
        snprintf(err, errlen, "virtio-blk: %s: %s", path, strerror(errno));
        goto fail;
    }
    b->sectors = (uint64_t)size / SECTOR;
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    memcpy(b->id, name, strnlen(name, ID_BYTES)); /* rest stays NUL: GET_ID pads */

    uint8_t cfg[CFG_LEN] = {0};
    uint64_t cap = htole64(b->sectors);
    uint32_t seg_max = htole32(BLK_SEG_MAX), size_max = htole32(BLK_SIZE_MAX);
    memcpy(cfg + CFG_CAPACITY, &cap, 8);
    memcpy(cfg + CFG_SIZE_MAX, &size_max, 4);
    memcpy(cfg + CFG_SEG_MAX, &seg_max, 4);
    uint64_t features = 1ull << BLK_F_SIZE_MAX | 1ull << BLK_F_SEG_MAX | 1ull << BLK_F_FLUSH;
    if (readonly)
        features |= 1ull << BLK_F_RO;
    struct virtio_mmio *vm =
        virtio_mmio_create(base, spi, host, &blk_ops, b, features, cfg, CFG_LEN, err, errlen);
    if (!vm)
        goto fail;
    return virtio_mmio_dev(vm);
fail:
    if (b->fd >= 0)
        close(b->fd);
    free(b);
    return NULL;
}
