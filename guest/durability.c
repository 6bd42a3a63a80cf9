/*
 * isv.test=durable and durable-noflush: a stream of writes to the first disk
 * until the VMM is killed, for tests/integration/suite-durability.sh.
 *
 * durable negotiates VIRTIO_BLK_F_FLUSH and sends a flush after every
 * FLUSH_EVERY completions; durable-noflush refuses the feature, so by virtio
 * 1.2 §5.2.6.2 every completed write must already be stable. Up to DEPTH
 * requests are kept in flight (isv.durable.depth=1..4, default 4), so a kill
 * lands with some submitted and not completed. isv.durable.gap=MS waits that
 * long after each completion is printed before sending more: the device is
 * then idle with its last completion on record, so a device that completes
 * a write before making it stick is caught with that write logged.
 *
 * Output, each line written to the PL011 as soon as the event is seen:
 *   isv guest: durable: mode M, seed S, capacity C sectors, W sectors per
 *     write, N slots, depth D, flush every F (0: never), gap G ms
 *                                      (what the checker needs)
 *   @w SEQ     write SEQ completed with status OK (in SEQ order, from 0)
 *   @f SEQ     a flush sent after write SEQ completed has completed OK
 * Write SEQ goes to slot SEQ mod N (sectors slot*W ..), so the disk is
 * reused as a ring. Each of its sectors holds 32-bit little-endian words:
 *   0 DURABLE_MAGIC, 1 SEQ, 2 sector, 3 seed,
 *   4..126 blk_pattern_word(SEQ, sector, i), 127 CRC-32 of bytes 0..507
 * tests/integration/durable-check.py checks an image against the log.
 * isv.durable.writes=N stops after N completed writes (0, the default:
 * until killed).
 */
#include <string.h>

#include "virtio_blk.h" /* guest/drivers or guest/naive: see guest.mk */
#include "drivers/timer.h"
#include "guest.h"

unsigned long strtoul(const char *s, char **end, int base);

#define W_SECTORS 16u  /* 8 KiB per write: two page-sized data elements */
#define DEPTH 4u       /* requests in flight, at most */
#define FLUSH_EVERY 8u /* completions between flushes (durable) */
#define DURABLE_MAGIC 0x42525544u /* "DURB" */
#define WORDS (VIRTIO_BLK_SECTOR / 4u)

#define T_OUT 1u
#define T_FLUSH 4u

/* One request in flight: its own header, status byte and data, which must
 * stay untouched until the device has used the chain. */
struct op {
    struct virtio_blk_req_hdr hdr;
    uint8_t status;
    bool flush;
    uint64_t seq; /* write: its sequence number; flush: the last write it covers */
    int head;
};

static struct virtio_blk blk;
static struct op ops[DEPTH];
static uint8_t bufs[DEPTH][W_SECTORS * VIRTIO_BLK_SECTOR] __attribute__((aligned(4096)));

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static void fill(uint8_t *buf, uint64_t seq, uint64_t first, uint32_t seed)
{
    for (uint32_t k = 0; k < W_SECTORS; k++) {
        uint8_t *s = buf + k * VIRTIO_BLK_SECTOR;
        uint64_t sector = first + k;
        put_le32(s, DURABLE_MAGIC);
        put_le32(s + 4, (uint32_t)seq);
        put_le32(s + 8, (uint32_t)sector);
        put_le32(s + 12, seed);
        for (uint32_t i = 4; i < WORDS - 1; i++)
            put_le32(s + 4 * i, blk_pattern_word((uint32_t)seq, sector, i));
        put_le32(s + 4 * (WORDS - 1), crc32_update(0, s, VIRTIO_BLK_SECTOR - 4));
    }
}

/* Make op o available: a write of seq to its slot, or a flush. */
static int submit(struct op *o, uint8_t *buf, uint64_t slots, uint32_t seed)
{
    struct virtq_buf b[2 + W_SECTORS];
    unsigned n = 0;
    o->status = 0xff; /* not a valid status: shows if the device never wrote it */
    if (o->flush) {
        o->hdr = (struct virtio_blk_req_hdr){.type = T_FLUSH, .sector = 0};
        b[n++] = (struct virtq_buf){&o->hdr, sizeof o->hdr, false};
    } else {
        uint64_t first = o->seq % slots * W_SECTORS;
        fill(buf, o->seq, first, seed);
        o->hdr = (struct virtio_blk_req_hdr){.type = T_OUT, .sector = first};
        b[n++] = (struct virtq_buf){&o->hdr, sizeof o->hdr, false};
        for (uint32_t off = 0; off < sizeof bufs[0]; off += blk.seg_bytes)
            b[n++] = (struct virtq_buf){buf + off, blk.seg_bytes, false};
    }
    b[n++] = (struct virtq_buf){&o->status, 1, true};
    o->head = virtq_add(&blk.vq, b, n);
    return o->head < 0 ? -1 : 0;
}

static int durable(const void *dtb, bool flush)
{
    const char *t = flush ? "durable" : "durable-noflush";
    char arg[24];
    uint32_t seed = 1, gap = 0;
    uint64_t limit = 0;
    unsigned depth = DEPTH;
    if (dt_bootarg(dtb, "isv.seed", arg, sizeof arg))
        seed = (uint32_t)strtoul(arg, NULL, 0);
    if (dt_bootarg(dtb, "isv.durable.writes", arg, sizeof arg))
        limit = strtoul(arg, NULL, 0);
    if (dt_bootarg(dtb, "isv.durable.depth", arg, sizeof arg))
        depth = (unsigned)strtoul(arg, NULL, 0);
    if (dt_bootarg(dtb, "isv.durable.gap", arg, sizeof arg))
        gap = (uint32_t)strtoul(arg, NULL, 0);
    if (depth < 1 || depth > DEPTH) {
        kprintf("isv guest: %s: FAILED: isv.durable.depth=%u is not 1..%u\n", t, depth, DEPTH);
        return 1;
    }
    virtio_mmio_probe(dtb);
    struct virtio_dev *d = virtio_mmio_find(VIRTIO_ID_BLOCK, 0);
    uint64_t accept = flush ? ~0ull : ~(1ull << VIRTIO_BLK_F_FLUSH);
    if (!d || virtio_blk_init_features(&blk, d, accept) != 0) {
        kprintf("isv guest: %s: FAILED: no usable virtio-blk device\n", t);
        return 1;
    }
    uint64_t slots = blk.capacity / W_SECTORS;
    /* Element size must divide a write, and more slots than requests in
     * flight keeps two of them off one slot (the device may reorder). */
    if (virtio_blk_readonly(&blk) || virtio_blk_has_flush(&blk) != flush || slots <= DEPTH ||
        sizeof bufs[0] % blk.seg_bytes || sizeof bufs[0] / blk.seg_bytes > blk.max_segs) {
        kprintf("isv guest: %s: FAILED: unusable disk (read-only %d, flush %d, %lu slots, "
                "%u-byte elements, at most %u)\n", t, virtio_blk_readonly(&blk),
                virtio_blk_has_flush(&blk), (unsigned long)slots, blk.seg_bytes, blk.max_segs);
        return 1;
    }
    kprintf("isv guest: durable: mode %s, seed %u, capacity %lu sectors, %u sectors per write, "
            "%lu slots, depth %u, flush every %u, gap %u ms\n", flush ? "flush" : "noflush", seed,
            (unsigned long)blk.capacity, W_SECTORS, (unsigned long)slots, depth,
            flush ? FLUSH_EVERY : 0, gap);

    /* ops[] is a ring in submission order: completions are reported in that
     * order, so "@w N" also means every write before N completed. */
    uint64_t next_seq = 0, done = 0, since_flush = 0;
    unsigned oldest = 0, inflight = 0;
    for (;;) {
        while (inflight < depth && (limit == 0 || next_seq < limit)) {
            struct op *o = &ops[(oldest + inflight) % DEPTH];
            /* A flush covers the writes seen completed before it is sent
             * (§5.2.6.2 case 3), so it covers up to done - 1. */
            o->flush = flush && since_flush >= FLUSH_EVERY;
            if (o->flush) {
                o->seq = done - 1;
                since_flush = 0;
            } else
                o->seq = next_seq++;
            if (submit(o, bufs[(oldest + inflight) % DEPTH], slots, seed) != 0) {
                kprintf("isv guest: %s: FAILED: could not queue a request\n", t);
                return 1;
            }
            inflight++;
        }
        if (inflight == 0)
            break;
        virtq_kick(&blk.vq);
        struct op *o = &ops[oldest];
        uint32_t used = 0;
        if (virtq_wait(&blk.vq, o->head, &used) != 0 || used < 1 || o->status != VIRTIO_BLK_S_OK) {
            kprintf("isv guest: %s: FAILED: %s %lu: used length %u, status %u\n", t,
                    o->flush ? "flush after write" : "write", (unsigned long)o->seq, used,
                    o->status);
            return 1;
        }
        oldest = (oldest + 1) % DEPTH;
        inflight--;
        if (o->flush)
            kprintf("@f %lu\n", (unsigned long)o->seq);
        else {
            kprintf("@w %lu\n", (unsigned long)o->seq);
            done++;
            since_flush++;
        }
        for (uint64_t end = timer_deadline(gap); gap && timer_now() < end;)
            __asm__ volatile("wfe"); /* the event stream wakes it */
    }
    if (flush) { /* a clean end (isv.durable.writes): everything flushed */
        int st = virtio_blk_flush(&blk);
        if (st != VIRTIO_BLK_S_OK) {
            kprintf("isv guest: %s: FAILED: final flush: status %d\n", t, st);
            return 1;
        }
        kprintf("@f %lu\n", (unsigned long)(done - 1));
    }
    kprintf("isv guest: durable: %lu writes completed\n", (unsigned long)done);
    virtio_blk_stop(&blk);
    return 0;
}

int test_durable(const void *dtb)
{
    return durable(dtb, true);
}

int test_durable_noflush(const void *dtb)
{
    return durable(dtb, false);
}
