/* PL031 real-time clock: see pl031.h for the register map. */
#include "pl031.h"
#include "thread.h"

#include <stdlib.h>
#include <time.h>

#include <libfdt.h>

#define NS 1000000000ull

struct pl031 {
    struct device dev;
    pl031_clock_fn clock;
    void *clock_ctx;
    int64_t offset;   /* counter = host seconds + offset (mod 2^32) */
    uint32_t mr, lr, cr, imsc, ris;
    bool armed;       /* a match is pending at `deadline_ns` */
    uint64_t deadline_ns;
    /* The match thread (only with the host clock); waits on `cond` under dev.lock. */
    pthread_t thread;
    pthread_cond_t cond;
    bool has_thread, stop;
};

static const uint8_t pl031_ids[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static uint64_t host_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint32_t counter(const struct pl031 *r, uint64_t now_ns)
{
    return (uint32_t)((int64_t)(now_ns / NS) + r->offset);
}

static void update_irq(struct pl031 *r)
{
    device_set_irq(&r->dev, (r->ris & r->imsc & 1) != 0);
}

/* Arm the match for the next time the counter equals MR: at the start of the
 * host second in which it does (now, if it already does). */
static void arm(struct pl031 *r)
{
    uint64_t now = r->clock(r->clock_ctx);
    uint32_t delta = r->mr - counter(r, now);
    r->deadline_ns = (now / NS + delta) * NS;
    r->armed = true;
    if (r->has_thread)
        pthread_cond_signal(&r->cond);
}

/* With the lock held. */
static void poll_locked(struct pl031 *r)
{
    if (r->armed && r->clock(r->clock_ctx) >= r->deadline_ns) {
        r->armed = false;
        r->ris = 1;
        update_irq(r);
    }
}

void pl031_poll(struct device *dev)
{
    pthread_mutex_lock(&dev->lock);
    poll_locked((struct pl031 *)dev);
    pthread_mutex_unlock(&dev->lock);
}

static void *match_thread(void *arg)
{
    struct pl031 *r = arg;
    pthread_mutex_lock(&r->dev.lock);
    while (!r->stop) {
        if (!r->armed) {
            pthread_cond_wait(&r->cond, &r->dev.lock);
            continue;
        }
        poll_locked(r);
        if (!r->armed || r->stop)
            continue;
        struct timespec ts = {.tv_sec = (time_t)(r->deadline_ns / NS),
                              .tv_nsec = (long)(r->deadline_ns % NS)};
        pthread_cond_timedwait(&r->cond, &r->dev.lock, &ts); /* cond uses CLOCK_REALTIME */
    }
    pthread_mutex_unlock(&r->dev.lock);
    return NULL;
}

static uint32_t reg_read(struct pl031 *r, uint64_t off)
{
    switch (off) {
    case PL031_DR: return counter(r, r->clock(r->clock_ctx));
    case PL031_MR: return r->mr;
    case PL031_LR: return r->lr;
    case PL031_CR: return r->cr;
    case PL031_IMSC: return r->imsc;
    case PL031_RIS: return r->ris;
    case PL031_MIS: return r->ris & r->imsc;
    default:
        if (off >= PL031_ID && off < PL031_ID + 32)
            return pl031_ids[(off - PL031_ID) / 4];
        return 0;
    }
}

static void reg_write(struct pl031 *r, uint64_t off, uint32_t v)
{
    switch (off) {
    case PL031_MR:
        r->mr = v;
        arm(r);
        break;
    case PL031_LR: {
        uint64_t now = r->clock(r->clock_ctx);
        r->lr = v;
        r->offset = (int64_t)v - (int64_t)(now / NS);
        arm(r); /* the counter jumped: the match moves with it */
        break;
    }
    case PL031_CR:
        r->cr |= v & 1;
        break;
    case PL031_IMSC:
        r->imsc = v & 1;
        update_irq(r);
        break;
    case PL031_ICR:
        r->ris &= ~(v & 1);
        update_irq(r);
        break;
    default: /* DR, RIS, MIS, IDs are read-only */
        break;
    }
}

static uint64_t pl031_read(struct device *dev, uint64_t off, unsigned len)
{
    struct pl031 *r = (struct pl031 *)dev;
    if (len == 8)
        return reg_read(r, off & ~3ull) | (uint64_t)reg_read(r, (off & ~3ull) + 4) << 32;
    uint32_t v = reg_read(r, off & ~3ull) >> (8 * (off & 3));
    return len == 4 ? v : v & ((1u << (8 * len)) - 1);
}

static void pl031_write(struct device *dev, uint64_t off, unsigned len, uint64_t v)
{
    struct pl031 *r = (struct pl031 *)dev;
    if ((off & 3) != 0 || len < 4)
        return;
    reg_write(r, off, (uint32_t)v);
    if (len == 8)
        reg_write(r, off + 4, (uint32_t)(v >> 32));
}

/* With dev->lock held, as for read and write; the thread sees `armed` cleared. */
static void pl031_reset(struct device *dev)
{
    struct pl031 *r = (struct pl031 *)dev;
    r->offset = 0;
    r->mr = r->lr = r->cr = r->imsc = r->ris = 0;
    r->armed = false;
    update_irq(r);
}

static int pl031_fdt(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    int err = device_fdt_begin(dev, fdt, "pl031");
    err |= fdt_property(fdt, "compatible", "arm,pl031\0arm,primecell", sizeof "arm,pl031\0arm,primecell");
    err |= fdt_property_u32(fdt, "clocks", refs->apb_pclk);
    err |= fdt_property_string(fdt, "clock-names", "apb_pclk");
    return err | fdt_end_node(fdt);
}

static void pl031_destroy(struct device *dev)
{
    struct pl031 *r = (struct pl031 *)dev;
    if (r->has_thread) {
        pthread_mutex_lock(&dev->lock);
        r->stop = true;
        pthread_cond_signal(&r->cond);
        pthread_mutex_unlock(&dev->lock);
        pthread_join(r->thread, NULL);
    }
    pthread_cond_destroy(&r->cond);
    device_fini(dev);
    free(r);
}

static const struct device_ops pl031_ops = {
    .type = "pl031",
    .read = pl031_read,
    .write = pl031_write,
    .reset = pl031_reset,
    .fdt = pl031_fdt,
    .destroy = pl031_destroy,
};

struct device *pl031_create(uint64_t base, int spi, struct device_host *host,
                            pl031_clock_fn clock, void *clock_ctx)
{
    struct pl031 *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    device_init(&r->dev, &pl031_ops, base, PL031_SIZE, spi, host);
    r->clock = clock ? clock : host_clock;
    r->clock_ctx = clock_ctx;
    pthread_cond_init(&r->cond, NULL); /* CLOCK_REALTIME, the clock of the deadline */
    if (!clock) {
        if (thread_start(&r->thread, match_thread, r, "pl031") != 0) {
            pthread_cond_destroy(&r->cond);
            device_fini(&r->dev);
            free(r);
            return NULL;
        }
        r->has_thread = true;
    }
    return &r->dev;
}
