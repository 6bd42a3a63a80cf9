/*
 * Hostile suite: virtio-mmio under attack while it works. Descriptors, the
 * indirect table, the available ring and a block request header rewritten by
 * CPU 1 while the device processes them (TOCTOU); reset and queue disable in
 * the middle of I/O; notification storms; the status and feature state
 * machine driven out of order. The second virtio-rng is the victim unless
 * the attack needs the disk. Every attack leaves its device reset, so the
 * health check brings the normal driver back.
 */
#include <string.h>

#include "drivers/timer.h"
#include "virtio_blk.h" /* guest/drivers or guest/naive: see guest.mk */
#include "hostile.h"

#define CANARY 0xa5
#define TOCTOU_ROUNDS 40

static uint64_t rng1(void)
{
    return H.rng[1] ? H.rng[1]->base : 0;
}

/* A 64-byte writable buffer between canaries. */
static uint8_t varea[512] __attribute__((aligned(64)));
#define VBUF (varea + 128)

static bool varea_ok(void)
{
    return canary_ok(varea, 128, CANARY) && canary_ok(VBUF + 64, sizeof varea - 192, CANARY);
}

/* ---- TOCTOU: CPU 1 rewrites what the device reads ---- */

struct toctou {
    struct hq q;
    volatile struct hdesc *table; /* indirect table, if any */
    volatile uint32_t flips;
};
static struct toctou tt;
static struct hdesc itable[2] __attribute__((aligned(16)));

static void spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        ;
}

/* Every field ever written is one of two values, so any torn mix the device
 * may read is either the valid descriptor or one it must refuse (the buffer
 * length 0xffffffff runs past the end of the suite's RAM). */
static void flip_desc(void *arg)
{
    struct toctou *t = arg;
    volatile struct hdesc *d = &t->q.desc[0];
    for (unsigned k = 0; !hostile_helper_stopping(); k++) {
        switch (k % 4) {
        case 0: d->addr = 0x0b000000; break;                    /* MMIO */
        case 1: d->len = 0xffffffffu; break;                    /* past RAM */
        case 2: d->flags = HQ_W | HQ_N; break;                  /* next = 0: itself */
        case 3: d->flags = 0; break;                            /* device-readable */
        }
        spin(40);
        d->addr = HADDR(VBUF);
        d->len = 64;
        d->flags = HQ_W;
        d->next = 0;
        spin(200);
        t->flips++;
    }
}

static void flip_table(void *arg)
{
    struct toctou *t = arg;
    volatile struct hdesc *e = t->table;
    for (unsigned k = 0; !hostile_helper_stopping(); k++) {
        switch (k % 4) {
        case 0: e[1].addr = 0x0b000000; break;            /* MMIO */
        case 1: e[1].flags = HQ_W | HQ_N; break;          /* next 0: a loop */
        case 2: e[0].next = 9; break;                     /* out of the table */
        case 3: e[1].flags = HQ_I; break;                 /* nested indirect */
        }
        spin(40);
        e[0].next = 1;
        e[1].addr = HADDR(VBUF + 32);
        e[1].flags = HQ_W;
        spin(200);
        t->flips++;
    }
}

static void flip_avail(void *arg)
{
    struct toctou *t = arg;
    /* Taken once: CPU 0's re-initialisation of t->q between rounds rewrites
     * the struct (the pointer is briefly 0), never the ring's address. */
    volatile uint16_t *avail = t->q.avail;
    for (unsigned k = 0; !hostile_helper_stopping(); k++) {
        avail[2 + k % 4] = 9; /* names no descriptor of a 4-entry table */
        spin(40);
        avail[2 + k % 4] = 0;
        spin(200);
        t->flips++;
    }
}

/* CPU 0's side: post the chain at head 0 again and again; each must be used
 * within the buffer or refused, and a refusal is followed by a reset. */
static bool toctou_rounds(uint64_t base, uint64_t want, void (*setup)(void), char *got,
                          size_t len)
{
    unsigned used = 0, refused = 0, lost = 0, bad = 0;
    uint32_t maxlen = 0;
    canary_fill(varea, sizeof varea, CANARY);
    bool open = false;
    for (unsigned i = 0; i < TOCTOU_ROUNDS; i++) {
        if (!open) {
            hq_init_scratch(&tt.q, base, 0, 4);
            setup();
            if (hq_open(&tt.q, want) != 0)
                return hostile_say(got, len, "queue refused at round %u", i);
            open = true;
        }
        uint16_t at = hq_used_idx(&tt.q);
        int r = hq_run(&tt.q, 0, 2000);
        if (r == 1) {
            /* A chain the rewrite turns into a loop midway is walked as the
             * device reads it: up to 256 descriptors, a buffer counted each
             * time it is visited. The writes stay inside the buffer. */
            uint32_t l = hq_used_len(&tt.q, at);
            used++;
            maxlen = l > maxlen ? l : maxlen;
            bad += hq_used_id(&tt.q, at) != 0 || l % 32 || l > 256 * 32;
        } else {
            refused += r == 0;
            lost += r < 0;
            open = false;
        }
    }
    hostile_helper_stop();
    hv_reset(base);
    bool clean = varea_ok();
    hostile_say(got, len, "%u used (longest %u bytes), %u refused, %u lost, %u bad used elements, "
                "%u rewrites; canaries %s", used, maxlen, refused, lost, bad, tt.flips,
                clean ? "intact" : "BROKEN");
    return lost == 0 && bad == 0 && clean && used + refused == TOCTOU_ROUNDS;
}

static void setup_desc(void)
{
    hq_desc(&tt.q, 0, HADDR(VBUF), 64, HQ_W, 0);
}

static void setup_table(void)
{
    itable[0] = (struct hdesc){HADDR(VBUF), 32, HQ_W | HQ_N, 1};
    itable[1] = (struct hdesc){HADDR(VBUF + 32), 32, HQ_W, 0};
    tt.table = itable;
    hq_desc(&tt.q, 0, HADDR(itable), sizeof itable, HQ_I, 0);
}

static bool toctou(void (*flipper)(void *), void (*setup)(void), uint64_t want, char *got,
                   size_t len)
{
    if (!rng1())
        return hostile_say(got, len, "needs two virtio-rng devices");
    tt.flips = 0;
    hq_init_scratch(&tt.q, rng1(), 0, 4);
    setup();
    if (!hostile_helper_run(flipper, &tt))
        return hostile_say(got, len, "needs a second CPU");
    return toctou_rounds(rng1(), want, setup, got, len);
}

static bool toctou_desc(char *got, size_t len)
{
    return toctou(flip_desc, setup_desc, 0, got, len);
}

static bool toctou_indirect(char *got, size_t len)
{
    return toctou(flip_table, setup_table, 1ull << VIRTIO_F_INDIRECT_DESC, got, len);
}

static bool toctou_avail(char *got, size_t len)
{
    return toctou(flip_avail, setup_desc, 0, got, len);
}

/* The block request header: type and sector flip while the disk works. */
static struct virtio_blk_req_hdr bhdr __attribute__((aligned(16)));
static uint8_t bdata[512 + 128] __attribute__((aligned(64)));
static uint8_t bstatus[64] __attribute__((aligned(64)));

static void flip_header(void *arg)
{
    volatile struct virtio_blk_req_hdr *h = arg;
    for (unsigned k = 0; !hostile_helper_stopping(); k++) {
        switch (k % 3) {
        case 0: h->type = 1; break;                  /* OUT, with a writable buffer */
        case 1: h->type = 0xdeadbeef; break;         /* unknown */
        case 2: h->sector = 0xffffffffffffull; break; /* past the end */
        }
        spin(40);
        h->type = 0;
        h->sector = 0;
        spin(200);
    }
}

static bool toctou_blk(char *got, size_t len)
{
    if (!H.blk)
        return hostile_say(got, len, "needs a virtio-blk device");
    uint64_t base = H.blk->base;
    struct hq q;
    bhdr = (struct virtio_blk_req_hdr){0, 0, 0};
    canary_fill(bdata, sizeof bdata, CANARY);
    canary_fill(bstatus, sizeof bstatus, CANARY);
    if (!hostile_helper_run(flip_header, &bhdr))
        return hostile_say(got, len, "needs a second CPU");
    unsigned st[4] = {0}, refused = 0, lost = 0;
    bool open = false;
    for (unsigned i = 0; i < TOCTOU_ROUNDS; i++) {
        if (!open) {
            hq_init_scratch(&q, base, 0, 4);
            if (hq_open(&q, 0) != 0)
                break;
            open = true;
        }
        bstatus[0] = 0xff;
        hq_desc(&q, 0, HADDR(&bhdr), sizeof bhdr, HQ_N, 1);
        hq_desc(&q, 1, HADDR(bdata + 64), 512, HQ_W | HQ_N, 2);
        hq_desc(&q, 2, HADDR(bstatus), 1, HQ_W, 0);
        int r = hq_run(&q, 0, 5000);
        if (r == 1)
            st[bstatus[0] < 3 ? bstatus[0] : 3]++;
        else {
            refused += r == 0;
            lost += r < 0;
            open = false;
        }
    }
    hostile_helper_stop();
    hv_reset(base);
    bool clean = canary_ok(bdata, 64, CANARY) && canary_ok(bdata + 576, 64, CANARY) &&
                 canary_ok(bstatus + 1, sizeof bstatus - 1, CANARY);
    hostile_say(got, len, "status OK %u, IOERR %u, UNSUPP %u, other %u; %u refused, %u lost; "
                "canaries %s", st[0], st[1], st[2], st[3], refused, lost,
                clean ? "intact" : "BROKEN");
    return st[3] == 0 && lost == 0 && clean && st[0] + st[1] + st[2] + refused == TOCTOU_ROUNDS;
}

/* ---- reset and queue disable in the middle of I/O ---- */

#define IO_CHAINS 6
#define IO_PAGES 8
static uint8_t io_data[IO_CHAINS][IO_PAGES][4096] __attribute__((aligned(4096)));
static struct virtio_blk_req_hdr io_hdr[IO_CHAINS] __attribute__((aligned(16)));
static uint8_t io_status[IO_CHAINS] __attribute__((aligned(8)));

/* Six 32 KiB reads in flight on the disk, then `stop` (which says when the
 * device is done with the queue); afterwards nothing may be written. */
static bool mid_io(bool reset, char *got, size_t len)
{
    if (!H.blk)
        return hostile_say(got, len, "needs a virtio-blk device");
    uint64_t base = H.blk->base;
    struct hq q;
    hq_init_scratch(&q, base, 0, 64);
    if (hq_open(&q, 0) != 0)
        return hostile_say(got, len, "queue refused");
    for (unsigned c = 0; c < IO_CHAINS; c++) {
        unsigned d = c * (IO_PAGES + 2);
        io_hdr[c] = (struct virtio_blk_req_hdr){0, 0, c * IO_PAGES * 8u};
        hq_desc(&q, d, HADDR(&io_hdr[c]), sizeof io_hdr[c], HQ_N, (uint16_t)(d + 1));
        for (unsigned p = 0; p < IO_PAGES; p++)
            hq_desc(&q, d + 1 + p, HADDR(io_data[c][p]), 4096, HQ_W | HQ_N, (uint16_t)(d + 2 + p));
        hq_desc(&q, d + 1 + IO_PAGES, HADDR(&io_status[c]), 1, HQ_W, 0);
        hq_post(&q, (uint16_t)d);
    }
    hq_notify(&q);
    uint64_t t0 = timer_now();
    uint32_t reg = reset ? VM_STATUS : VM_QREADY;
    w32(base + reg, 0);
    uint64_t until = timer_deadline(5000);
    while (r32(base + reg) != 0)
        if (timer_now() > until)
            return hostile_say(got, len, "%s still nonzero after 5 s", reset ? "Status" : "QueueReady");
    uint32_t ms = timer_ms_since(t0);
    uint16_t used = hq_used_idx(&q);
    /* From here on the device must not touch the buffers or the used ring. */
    canary_fill(io_data, sizeof io_data, CANARY);
    canary_fill(io_status, sizeof io_status, CANARY);
    canary_fill((void *)(uintptr_t)q.used_pa, 6 + 8 * 64, CANARY);
    hostile_delay(200);
    bool clean = canary_ok(io_data, sizeof io_data, CANARY) &&
                 canary_ok(io_status, sizeof io_status, CANARY) &&
                 canary_ok((const void *)(uintptr_t)q.used_pa, 6 + 8 * 64, CANARY);
    hv_reset(base);
    hostile_say(got, len, "%s read 0 after %u ms with %u of %u chains used; nothing written "
                "after it: %s", reset ? "Status" : "QueueReady", ms, used, IO_CHAINS,
                clean ? "yes" : "NO");
    return clean && used <= IO_CHAINS;
}

static bool reset_mid_io(char *got, size_t len)
{
    return mid_io(true, got, len);
}

static bool disable_mid_io(char *got, size_t len)
{
    return mid_io(false, got, len);
}

/* ---- notification storms ---- */

static uint64_t rng0(void)
{
    return H.rng[0] ? H.rng[0]->base : 0;
}

static bool notify_storm(char *got, size_t len)
{
    struct hq q;
    hq_init_scratch(&q, rng0(), 0, 4);
    if (!rng0() || hq_open(&q, 0) != 0)
        return hostile_say(got, len, "no queue");
    hq_desc(&q, 0, HADDR(VBUF), 64, HQ_W, 0);
    hq_post(&q, 0);
    for (unsigned i = 0; i < 5000; i++)
        hq_notify(&q);
    int r1 = hq_wait(&q, 1, 2000);
    for (unsigned i = 0; i < 5000; i++)
        hq_notify(&q);
    hostile_delay(50);
    uint16_t after = hq_used_idx(&q);
    hq_post(&q, 0);
    for (unsigned i = 0; i < 2000; i++)
        hq_notify(&q);
    int r2 = hq_wait(&q, 2, 2000);
    hv_reset(rng0());
    hostile_say(got, len, "12000 notifications for 2 chains: used index %u after the idle storm, "
                "%u at the end", after, hq_used_idx(&q));
    return r1 == 1 && after == 1 && r2 == 1;
}

static bool notify_bad_queue(char *got, size_t len)
{
    struct hq q;
    hq_init_scratch(&q, rng0(), 0, 4);
    if (!rng0() || hq_open(&q, 0) != 0)
        return hostile_say(got, len, "no queue");
    for (unsigned i = 0; i < 800; i++)
        w32(rng0() + VM_NOTIFY, 1 + i % 3 * 0x7fffffffu); /* queues 1, 2^31, 2^32-1 */
    for (unsigned i = 0; i < 300; i++)
        hwr(rng0() + VM_NOTIFY, 2, 0); /* 16-bit: not a register access */
    hq_desc(&q, 0, HADDR(VBUF), 64, HQ_W, 0);
    int r = hq_run(&q, 0, 2000);
    hv_reset(rng0());
    hostile_say(got, len, "1100 notifications of queues that do not exist; queue 0 %s",
                r == 1 ? "still works" : "BROKEN");
    return r == 1;
}

static void storm_blk(void *arg)
{
    uint64_t base = *(const uint64_t *)arg;
    while (!hostile_helper_stopping())
        w32(base + VM_NOTIFY, 0);
}

static struct virtio_blk sb;
static uint8_t sbuf[2][4096] __attribute__((aligned(4096)));

static bool notify_storm_2cpus(char *got, size_t len)
{
    static uint64_t base;
    if (!H.blk || virtio_blk_init(&sb, H.blk) != 0)
        return hostile_say(got, len, "no disk");
    base = H.blk->base;
    if (!hostile_helper_run(storm_blk, &base))
        return hostile_say(got, len, "needs a second CPU");
    unsigned good = 0;
    for (unsigned k = 0; k < 8; k++) {
        for (unsigned i = 0; i < sizeof sbuf[0]; i++)
            sbuf[0][i] = (uint8_t)(k * 13 + i);
        memset(sbuf[1], 0, sizeof sbuf[1]);
        uint64_t s = 64 + 8 * k;
        good += virtio_blk_write(&sb, s, sbuf[0], 8) == 0 && virtio_blk_read(&sb, s, sbuf[1], 8) == 0 &&
                memcmp(sbuf[0], sbuf[1], sizeof sbuf[0]) == 0;
    }
    hostile_helper_stop();
    virtio_blk_stop(&sb);
    hostile_say(got, len, "%u of 8 write+read round trips correct while CPU 1 hammered QueueNotify",
                good);
    return good == 8;
}

/* ---- the state machine out of order ---- */

static bool notify_before_ok(char *got, size_t len)
{
    uint64_t b = rng1();
    struct hq q;
    hq_init_scratch(&q, b, 0, 4);
    if (!b || hv_start(b, 0) || hv_queue(&q) != 1)
        return hostile_say(got, len, "no queue");
    hq_desc(&q, 0, HADDR(VBUF), 64, HQ_W, 0);
    hq_post(&q, 0);
    hq_notify(&q);
    hostile_delay(100);
    uint16_t before = hq_used_idx(&q);
    hv_driver_ok(b);
    int r = hq_wait(&q, 1, 2000);
    hv_reset(b);
    hostile_say(got, len, "used index %u before DRIVER_OK, chain %s after it", before,
                r == 1 ? "used" : "NOT used");
    return before == 0 && r == 1;
}

static bool status_abuse(char *got, size_t len)
{
    uint64_t b = rng1();
    if (!b)
        return hostile_say(got, len, "no rng");
    static const struct { uint32_t write, expect; bool reset; } steps[] = {
        {4, 0, true},       /* DRIVER_OK first: ignored */
        {0xf, 3, false},    /* everything at once: FEATURES_OK refused (no VERSION_1) */
        {1, 3, false},      /* clearing DRIVER: ignored */
        {0x83, 0x83, false}, /* FAILED */
        {0x8f, 0x83, false}, /* nothing after FAILED */
        {0x41, 1, true},    /* DEVICE_NEEDS_RESET is the device's bit */
    };
    bool ok = true;
    for (unsigned i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (steps[i].reset)
            hv_reset(b);
        w32(b + VM_STATUS, steps[i].write);
        uint32_t s = r32(b + VM_STATUS);
        hostile_say(got, len, "%s0x%x->0x%x", i ? ", " : "", steps[i].write, s);
        ok &= s == steps[i].expect;
    }
    hv_reset(b);
    return ok;
}

static bool features_abuse(char *got, size_t len)
{
    uint64_t b = rng1();
    if (!b || hv_reset(b))
        return hostile_say(got, len, "no rng");
    bool ok = true;
    /* Everything accepted, offered or not: FEATURES_OK refused. */
    w32(b + VM_STATUS, 1);
    w32(b + VM_STATUS, 3);
    for (uint32_t sel = 0; sel < 2; sel++) {
        w32(b + VM_DRV_FEAT_SEL, sel);
        w32(b + VM_DRV_FEAT, 0xffffffffu);
    }
    w32(b + VM_STATUS, 0xb);
    uint32_t s1 = r32(b + VM_STATUS);
    ok &= s1 == 3;
    /* A word past the second: ignored, so VERSION_1 alone is accepted. */
    hv_reset(b);
    w32(b + VM_STATUS, 1);
    w32(b + VM_STATUS, 3);
    w32(b + VM_DRV_FEAT_SEL, 5);
    w32(b + VM_DRV_FEAT, 0xffffffffu);
    w32(b + VM_DRV_FEAT_SEL, 0);
    w32(b + VM_DRV_FEAT, 0);
    w32(b + VM_DRV_FEAT_SEL, 1);
    w32(b + VM_DRV_FEAT, 1); /* VIRTIO_F_VERSION_1 */
    w32(b + VM_STATUS, 0xb);
    uint32_t s2 = r32(b + VM_STATUS);
    ok &= s2 == 0xb;
    /* Features written after FEATURES_OK: ignored, the device still works. */
    w32(b + VM_DRV_FEAT_SEL, 0);
    w32(b + VM_DRV_FEAT, 0xffffffffu);
    struct hq q;
    hq_init_scratch(&q, b, 0, 4);
    int r = -2;
    if (hv_queue(&q) == 1) {
        hv_driver_ok(b);
        hq_desc(&q, 0, HADDR(VBUF), 64, HQ_W, 0);
        r = hq_run(&q, 0, 2000);
    }
    ok &= r == 1;
    /* Feature words past the second read 0. */
    static const uint32_t sels[] = {2, 0x100, 0xffffffffu};
    uint32_t hi = 0;
    for (unsigned i = 0; i < 3; i++) {
        w32(b + VM_DEV_FEAT_SEL, sels[i]);
        hi |= r32(b + VM_DEV_FEAT);
    }
    ok &= hi == 0;
    hv_reset(b);
    hostile_say(got, len, "all-ones features: status 0x%x; sel 5 ignored: 0x%x; late write then "
                "request: %s; features beyond word 1 read 0x%x", s1, s2,
                r == 1 ? "used" : "FAILED", hi);
    return ok;
}

static bool queue_regs_while_ready(char *got, size_t len)
{
    uint64_t b = rng1();
    struct hq q;
    hq_init_scratch(&q, b, 0, 4);
    if (!b || hq_open(&q, 0) != 0)
        return hostile_say(got, len, "no queue");
    w32(b + VM_QNUM, 2);
    w32(b + VM_QDESC, 0xdead0000u);
    w32(b + VM_QDESC + 4, 0xffffffffu);
    w32(b + VM_QUSED, (uint32_t)H.pl011);
    w32(b + VM_QUSED + 4, 0);
    uint32_t ready = r32(b + VM_QREADY);
    hq_desc(&q, 0, HADDR(VBUF), 64, HQ_W, 0);
    int r = hq_run(&q, 0, 2000);
    hv_reset(b);
    hostile_say(got, len, "QueueReady %u after the writes; request %s", ready,
                r == 1 ? "used through the original rings" : "FAILED");
    return ready == 1 && r == 1;
}

static bool queue_sel_range(char *got, size_t len)
{
    uint64_t b = rng1();
    if (!b || hv_start(b, 0))
        return hostile_say(got, len, "no rng");
    static const uint32_t sels[] = {1, 0x10000, 0xffffffffu};
    bool ok = true;
    for (unsigned i = 0; i < 3; i++) {
        w32(b + VM_QSEL, sels[i]);
        w32(b + VM_QNUM, 4);
        w32(b + VM_QREADY, 1);
        uint32_t max = r32(b + VM_QNUM_MAX), ready = r32(b + VM_QREADY);
        ok &= max == 0 && ready == 0;
        hostile_say(got, len, "sel 0x%x: max %u ready %u; ", sels[i], max, ready);
    }
    w32(b + VM_QSEL, 0);
    uint32_t max0 = r32(b + VM_QNUM_MAX), st = r32(b + VM_STATUS);
    ok &= max0 != 0 && !(st & VM_NEEDS_RESET);
    hv_reset(b);
    hostile_say(got, len, "queue 0 max %u, status 0x%x", max0, st);
    return ok;
}

static bool int_ack_garbage(char *got, size_t len)
{
    uint64_t b = rng1();
    struct hq q;
    hq_init_scratch(&q, b, 0, 4);
    if (!b || hq_open(&q, 0) != 0)
        return hostile_say(got, len, "no queue");
    hq_desc(&q, 0, HADDR(VBUF), 64, HQ_W, 0);
    int r = hq_run(&q, 0, 2000);
    uint32_t s0 = r32(b + VM_INT_STATUS);
    w32(b + VM_INT_ACK, 0xfffffffcu); /* no defined bit */
    uint32_t s1 = r32(b + VM_INT_STATUS);
    w32(b + VM_INT_ACK, 0xffffffffu);
    uint32_t s2 = r32(b + VM_INT_STATUS);
    hv_reset(b);
    hostile_say(got, len, "InterruptStatus 0x%x, after ACK of undefined bits 0x%x, after ACK of "
                "all 0x%x", s0, s1, s2);
    return r == 1 && (s0 & 1) && s1 == s0 && s2 == 0;
}

const struct hostile_attack hostile_virtio_attacks[] = {
    {"toctou-desc", "a descriptor rewritten under the device: each chain used (writes only in the "
     "buffer) or refused", toctou_desc},
    {"toctou-indirect", "an indirect table rewritten under the device: used or refused",
     toctou_indirect},
    {"toctou-avail", "available-ring entries rewritten under the device: used or refused",
     toctou_avail},
    {"toctou-blk-header", "a block request header rewritten under the device: OK/IOERR/UNSUPP "
     "or refused", toctou_blk},
    {"reset-mid-io", "Status=0 with 192 KiB of reads in flight: reads 0, then no DMA",
     reset_mid_io},
    {"queue-disable-mid-io", "QueueReady=0 with reads in flight: reads 0, then no DMA",
     disable_mid_io},
    {"notify-storm", "12000 QueueNotify writes: each chain used exactly once", notify_storm},
    {"notify-storm-bad-queue", "notifications of queues that do not exist ignored, log bounded",
     notify_bad_queue},
    {"notify-storm-2cpus", "CPU 1 hammers QueueNotify while CPU 0 does disk I/O: all correct",
     notify_storm_2cpus},
    {"notify-before-driver-ok", "a chain notified before DRIVER_OK waits for DRIVER_OK",
     notify_before_ok},
    {"status-abuse", "out-of-order, clearing and device-owned status bits ignored; FAILED sticks",
     status_abuse},
    {"features-abuse", "unoffered features refuse FEATURES_OK; stray words and late writes "
     "ignored", features_abuse},
    {"queue-regs-while-ready", "QueueNum and area writes while ready ignored", queue_regs_while_ready},
    {"queue-sel-out-of-range", "queues that do not exist: QueueNumMax 0, QueueReady stays 0",
     queue_sel_range},
    {"int-ack-garbage", "InterruptACK clears only the bits it names", int_ack_garbage},
    HOSTILE_END,
};
