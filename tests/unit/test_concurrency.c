/*
 * Several host threads drive one device through bus_access() at the same
 * time, as vCPU threads do, while the model's own threads (chardev reader and
 * writer, virtio worker) run: the test device's counter and scratch, a PL011
 * written from four threads with its status read and its interrupts toggled
 * from another, and a virtio-rng notified from one thread while another
 * reads its status and acknowledges its interrupts. Results are checked
 * exactly; `make tsan` runs this file under ThreadSanitizer as well.
 *
 * The threads call no Criterion function (its assertions are not
 * thread-safe): each records its first failure, and the test thread asserts
 * after joining them.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../devices/chardev.h"
#include "../../devices/pl011.h"
#include "../../devices/pl011_regs.h"
#include "../../devices/testdev.h"
#include "../../devices/virtio_devices.h"
#include "../../devices/virtio_mmio.h"
#include "../../vmm/bus.h"
#include "serial_test_util.h"
#include "vtest.h"

/* Any bases do: the models do not know the board's map. */
#define TD_BASE 0x0b000000ull
#define UART_BASE 0x09000000ull
#define RNG_BASE 0x0a000000ull

/* ---- what every thread has ---- */

struct worker {
    pthread_t t;
    unsigned id;
    unsigned errors;
    char why[200]; /* the first error */
};

static void __attribute__((format(printf, 2, 3))) bad(struct worker *w, const char *fmt, ...)
{
    if (w->errors++)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->why, sizeof w->why, fmt, ap);
    va_end(ap);
}

static uint64_t brd(struct worker *w, struct bus *b, uint64_t addr, unsigned len)
{
    uint64_t v = 0;
    if (bus_access(b, addr, len, false, &v, NULL) != BUS_OK)
        bad(w, "read of 0x%llx failed", (unsigned long long)addr);
    return v;
}

static void bwr(struct worker *w, struct bus *b, uint64_t addr, unsigned len, uint64_t v)
{
    if (bus_access(b, addr, len, true, &v, NULL) != BUS_OK)
        bad(w, "write of 0x%llx failed", (unsigned long long)addr);
}

static void expect_clean(const struct worker *w, const char *what)
{
    cr_expect_eq(w->errors, 0, "%s %u: %u errors, first: %s", what, w->id, w->errors, w->why);
}

/* ---- (a) the test device: counter and scratch ---- */

enum { TD_THREADS = 4, TD_ITERS = 20000, TD_ID_EVERY = 16 };

struct td_worker {
    struct worker w;
    struct bus *bus;
    pthread_barrier_t *go;
    uint64_t seen[TD_ITERS]; /* COUNTER values, in the order read */
};

static uint64_t td_pattern(unsigned id, unsigned i)
{
    return (id + 1) * 0x0101010101010101ull ^ (uint64_t)i * 0x9e3779b97f4a7c15ull;
}

static uint64_t width_mask(unsigned len)
{
    return len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
}

static void *td_main(void *arg)
{
    struct td_worker *t = arg;
    struct worker *w = &t->w;
    uint64_t slot = TD_BASE + TESTDEV_SCRATCH + 8 * w->id; /* this thread's own 8 bytes */
    pthread_barrier_wait(t->go);
    for (unsigned i = 0; i < TD_ITERS; i++) {
        t->seen[i] = brd(w, t->bus, TD_BASE + TESTDEV_REG_COUNTER, 8);
        unsigned len = 1u << (i & 3);
        uint64_t v = td_pattern(w->id, i) & width_mask(len);
        bwr(w, t->bus, slot, len, v);
        uint64_t got = brd(w, t->bus, slot, len);
        if (got != v)
            bad(w, "iteration %u: scratch slot read 0x%llx after writing 0x%llx (%u bytes)", i,
                (unsigned long long)got, (unsigned long long)v, len);
        if (i % TD_ID_EVERY == 0 && brd(w, t->bus, TD_BASE + TESTDEV_REG_ID, 4) != TESTDEV_ID)
            bad(w, "iteration %u: ID register changed", i);
    }
    return NULL;
}

Test(concurrency, testdev_counter_and_scratch_from_four_threads)
{
    struct bus b;
    bus_init(&b);
    struct device *d = testdev_create(TD_BASE, NULL);
    cr_assert_not_null(d);
    cr_assert_eq(bus_add(&b, d), 0);
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, TD_THREADS);
    struct td_worker *ts = calloc(TD_THREADS, sizeof *ts);
    cr_assert_not_null(ts);
    for (unsigned i = 0; i < TD_THREADS; i++) {
        ts[i].w.id = i;
        ts[i].bus = &b;
        ts[i].go = &go;
        cr_assert_eq(pthread_create(&ts[i].w.t, NULL, td_main, &ts[i]), 0);
    }
    for (unsigned i = 0; i < TD_THREADS; i++)
        pthread_join(ts[i].w.t, NULL);
    for (unsigned i = 0; i < TD_THREADS; i++)
        expect_clean(&ts[i].w, "thread");

    /* COUNTER returns the number of earlier reads: this one sees them all. */
    const uint64_t total = (uint64_t)TD_THREADS * TD_ITERS;
    uint64_t v;
    cr_assert_eq(bus_access(&b, TD_BASE + TESTDEV_REG_COUNTER, 8, false, &v, NULL), BUS_OK);
    cr_expect_eq(v, total, "counter %llu after %llu reads", (unsigned long long)v,
                 (unsigned long long)total);
    /* Every value 0..total-1 was handed out exactly once, increasing per thread. */
    uint8_t *hit = calloc(total, 1);
    cr_assert_not_null(hit);
    unsigned dups = 0, out_of_range = 0, not_increasing = 0;
    for (unsigned i = 0; i < TD_THREADS; i++)
        for (unsigned k = 0; k < TD_ITERS; k++) {
            uint64_t c = ts[i].seen[k];
            if (c >= total)
                out_of_range++;
            else if (hit[c]++)
                dups++;
            if (k && c <= ts[i].seen[k - 1])
                not_increasing++;
        }
    cr_expect_eq(out_of_range, 0, "values beyond the number of reads");
    cr_expect_eq(dups, 0, "%u counter values were returned twice", dups);
    cr_expect_eq(not_increasing, 0, "a thread saw the counter go back");
    /* Each slot holds its thread's last write (the last iteration is 8 bytes). */
    for (unsigned i = 0; i < TD_THREADS; i++) {
        cr_assert_eq(bus_access(&b, TD_BASE + TESTDEV_SCRATCH + 8 * i, 8, false, &v, NULL), BUS_OK);
        cr_expect_eq(v, td_pattern(i, TD_ITERS - 1), "slot %u", i);
    }
    /* The bus's statistics, kept under the device lock, add up exactly. */
    const uint64_t id_reads = (TD_ITERS + TD_ID_EVERY - 1) / TD_ID_EVERY;
    cr_expect_eq(d->reads, TD_THREADS * (2ull * TD_ITERS + id_reads) + 1 + TD_THREADS);
    cr_expect_eq(d->writes, total);
    free(hit);
    free(ts);
    pthread_barrier_destroy(&go);
    bus_free(&b);
    d->ops->destroy(d);
}

/* ---- (b) a PL011 written from four threads ---- */

enum { TX_THREADS = 4, RX_BYTES = 4000, DEADLINE_MS = 30000 };

/* Byte i of writer t: the writer in the top two bits, i mod 64 below. */
static uint8_t tx_byte(unsigned t, unsigned i)
{
    return (uint8_t)(t << 6 | (i & 63));
}

static uint8_t rx_byte(unsigned i)
{
    return (uint8_t)(i * 7 + i / 251);
}

struct uart_case {
    bool guest_lock;     /* writers hold a console lock around "wait !TXFF, write DR" */
    unsigned per_thread; /* bytes each writer sends */
    int pipe_size;       /* the output pipe's capacity (0: default) */
};

ParameterizedTestParameters(concurrency, pl011_four_writers)
{
    /* Unlocked: fewer bytes than the backend ring holds, so the FIFO always
     * drains inside the access that filled it and no DR write can meet a full
     * FIFO, however the writers interleave. Locked (as Linux's console lock
     * serialises CPUs): more than the ring and a small pipe whose reader
     * starts late, so TXFF, the writers' wait and the writer thread's TX-space
     * wake-up are all exercised. */
    static struct uart_case cases[] = {
        {false, 12000, 0},
        {true, 25000, 4096},
    };
    return cr_make_param_array(struct uart_case, cases, sizeof cases / sizeof cases[0]);
}

static atomic_int uart_line = -1;
static atomic_uint uart_line_calls;

static void uart_set_irq(void *ctx, uint32_t spi, bool level)
{
    (void)ctx;
    (void)spi;
    atomic_store(&uart_line, level); /* called under dev->lock: in level order */
    atomic_fetch_add(&uart_line_calls, 1);
}

struct uart {
    struct bus bus;
    struct device *dev;
    const struct uart_case *c;
    int in_w, out_r;
    pthread_barrier_t go;      /* writers, status thread, RX reader */
    pthread_mutex_t guest_lock;
    atomic_bool tx_done;       /* every writer finished */
    atomic_bool saw_full;      /* a writer found TXFF set */
    atomic_uint writers_left;
    uint8_t *out;              /* what reached the output pipe */
    size_t out_got;
    uint8_t rx[RX_BYTES];      /* what the guest-side reader got */
    size_t rx_got;
    uint64_t wide_reads;       /* 64-bit accesses by the status thread */
};

struct uart_worker {
    struct worker w;
    struct uart *u;
};

static uint32_t urd(struct uart_worker *x, uint32_t off)
{
    return (uint32_t)brd(&x->w, &x->u->bus, UART_BASE + off, 4);
}

static void *uart_writer(void *arg)
{
    struct uart_worker *x = arg;
    struct uart *u = x->u;
    pthread_barrier_wait(&u->go);
    uint64_t end = test_now_ms() + DEADLINE_MS;
    for (unsigned i = 0; i < u->c->per_thread && !x->w.errors; i++) {
        if (u->c->guest_lock)
            pthread_mutex_lock(&u->guest_lock);
        while (urd(x, PL011_FR) & PL011_FR_TXFF) { /* as a polled console driver does */
            atomic_store(&u->saw_full, true);
            if (test_now_ms() >= end) {
                bad(&x->w, "TXFF stuck at byte %u", i);
                break;
            }
            sched_yield();
        }
        bwr(&x->w, &u->bus, UART_BASE + PL011_DR, 4, tx_byte(x->w.id, i));
        if (u->c->guest_lock)
            pthread_mutex_unlock(&u->guest_lock);
    }
    if (atomic_fetch_sub(&u->writers_left, 1) == 1)
        atomic_store(&u->tx_done, true);
    return NULL;
}

/* Another CPU's interrupt handler and status polls: FR, RIS/MIS in one 64-bit
 * access (split by the model under one lock hold), IMSC changes, ICR. It is
 * the only IMSC writer, so it knows what MIS must be. */
static void *uart_status(void *arg)
{
    static const uint32_t masks[] = {0, PL011_INT_TX, PL011_INT_RX | PL011_INT_RT,
                                     PL011_INT_TX | PL011_INT_RX | PL011_INT_RT};
    struct uart_worker *x = arg;
    struct uart *u = x->u;
    uint32_t imsc = 0;
    pthread_barrier_wait(&u->go);
    for (unsigned n = 0; !atomic_load(&u->tx_done) && !x->w.errors; n++) {
        uint32_t fr = urd(x, PL011_FR);
        if (!(fr & PL011_FR_BUSY) == !(fr & PL011_FR_TXFE))
            bad(&x->w, "FR 0x%x: BUSY and TXFE must differ", fr);
        if ((fr & PL011_FR_TXFE) && (fr & PL011_FR_TXFF))
            bad(&x->w, "FR 0x%x: TX FIFO empty and full", fr);
        if ((fr & PL011_FR_RXFE) && (fr & PL011_FR_RXFF))
            bad(&x->w, "FR 0x%x: RX FIFO empty and full", fr);
        uint64_t both = brd(&x->w, &u->bus, UART_BASE + PL011_RIS, 8);
        u->wide_reads++;
        uint32_t ris = (uint32_t)both, mis = (uint32_t)(both >> 32);
        if (mis != (ris & imsc))
            bad(&x->w, "MIS 0x%x with RIS 0x%x and IMSC 0x%x", mis, ris, imsc);
        if (n % 8 == 0) {
            imsc = masks[(n / 8) % 4];
            bwr(&x->w, &u->bus, UART_BASE + PL011_IMSC, 4, imsc);
            if (urd(x, PL011_IMSC) != imsc)
                bad(&x->w, "IMSC did not read back 0x%x", imsc);
        }
        if (n % 64 == 32)
            bwr(&x->w, &u->bus, UART_BASE + PL011_ICR, 4, PL011_INT_TX | PL011_INT_RT);
        sched_yield();
    }
    return NULL;
}

/* The guest side of input, on yet another thread, while the backend's reader
 * thread feeds the RX FIFO. */
static void *uart_reader(void *arg)
{
    struct uart_worker *x = arg;
    struct uart *u = x->u;
    pthread_barrier_wait(&u->go);
    uint64_t end = test_now_ms() + DEADLINE_MS;
    while (u->rx_got < RX_BYTES && test_now_ms() < end && !x->w.errors) {
        if (urd(x, PL011_FR) & PL011_FR_RXFE) {
            sched_yield();
            continue;
        }
        uint32_t dr = urd(x, PL011_DR);
        if (dr > 0xff)
            bad(&x->w, "DR 0x%x: error bits on byte %zu", dr, u->rx_got);
        u->rx[u->rx_got++] = (uint8_t)dr;
    }
    return NULL;
}

struct feeder {
    struct worker w;
    struct uart *u;
    uint8_t buf[RX_BYTES];
};

static void *uart_feeder(void *arg)
{
    struct feeder *f = arg;
    if (!write_all(f->u->in_w, f->buf, RX_BYTES))
        bad(&f->w, "writing the input pipe failed");
    return NULL;
}

static void *uart_drainer(void *arg)
{
    struct worker *w = arg;
    struct uart *u = ((struct uart_worker *)arg)->u;
    size_t want = (size_t)TX_THREADS * u->c->per_thread;
    uint64_t end = test_now_ms() + 5000;
    if (u->c->guest_lock) /* let the output back up first */
        while (!atomic_load(&u->saw_full) && !atomic_load(&u->tx_done) && test_now_ms() < end)
            test_sleep_ms(1);
    u->out_got = read_for(u->out_r, u->out, want, DEADLINE_MS);
    if (u->out_got != want)
        bad(w, "output: %zu of %zu bytes", u->out_got, want);
    return NULL;
}

ParameterizedTest(struct uart_case *c, concurrency, pl011_four_writers, .timeout = 60)
{
    cr_redirect_stderr(); /* the model traces the first 64-bit accesses */
    static struct uart u;
    memset(&u, 0, sizeof u);
    u.c = c;
    atomic_store(&uart_line, -1);
    atomic_store(&uart_line_calls, 0);
    int a[2], b[2];
    cr_assert_eq(pipe2(a, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(b, O_CLOEXEC), 0);
    if (c->pipe_size)
        cr_assert_geq(fcntl(b[0], F_SETPIPE_SZ, c->pipe_size), c->pipe_size);
    char err[256];
    struct chardev *cd = chardev_from_fds(a[0], b[1], true, err, sizeof err);
    cr_assert_not_null(cd, "%s", err);
    u.in_w = a[1];
    u.out_r = b[0];
    static struct device_host host = {.set_irq = uart_set_irq};
    u.dev = pl011_create(UART_BASE, 1, &host, cd); /* console boot state: 8N1, FIFOs, enabled */
    cr_assert_not_null(u.dev);
    bus_init(&u.bus);
    cr_assert_eq(bus_add(&u.bus, u.dev), 0);
    size_t want = (size_t)TX_THREADS * c->per_thread;
    u.out = malloc(want);
    cr_assert_not_null(u.out);
    pthread_mutex_init(&u.guest_lock, NULL);
    atomic_store(&u.writers_left, TX_THREADS);
    pthread_barrier_init(&u.go, NULL, TX_THREADS + 2);

    static struct uart_worker ws[TX_THREADS + 3];
    static struct feeder f;
    memset(ws, 0, sizeof ws);
    memset(&f, 0, sizeof f);
    for (unsigned i = 0; i < TX_THREADS + 3; i++) {
        ws[i].w.id = i;
        ws[i].u = &u;
    }
    f.u = &u;
    for (unsigned i = 0; i < RX_BYTES; i++)
        f.buf[i] = rx_byte(i);
    struct uart_worker *status = &ws[TX_THREADS], *reader = &ws[TX_THREADS + 1],
                       *drainer = &ws[TX_THREADS + 2];
    cr_assert_eq(pthread_create(&drainer->w.t, NULL, uart_drainer, drainer), 0);
    cr_assert_eq(pthread_create(&f.w.t, NULL, uart_feeder, &f), 0);
    cr_assert_eq(pthread_create(&status->w.t, NULL, uart_status, status), 0);
    cr_assert_eq(pthread_create(&reader->w.t, NULL, uart_reader, reader), 0);
    for (unsigned i = 0; i < TX_THREADS; i++)
        cr_assert_eq(pthread_create(&ws[i].w.t, NULL, uart_writer, &ws[i]), 0);
    for (unsigned i = 0; i < TX_THREADS + 3; i++)
        pthread_join(ws[i].w.t, NULL);
    pthread_join(f.w.t, NULL);
    for (unsigned i = 0; i < TX_THREADS; i++)
        expect_clean(&ws[i].w, "writer");
    expect_clean(&status->w, "status thread");
    expect_clean(&reader->w, "input reader");
    expect_clean(&drainer->w, "output drainer");
    expect_clean(&f.w, "input feeder");

    /* Output: each writer's bytes exactly once and in its order. */
    cr_assert_eq(u.out_got, want);
    unsigned next[TX_THREADS] = {0};
    for (size_t k = 0; k < want; k++) {
        unsigned t = u.out[k] >> 6;
        cr_assert_eq(u.out[k] & 63, next[t] & 63,
                     "output byte %zu: writer %u's byte %u is 0x%02x (lost or repeated bytes)", k,
                     t, next[t], u.out[k]);
        next[t]++;
    }
    for (unsigned t = 0; t < TX_THREADS; t++)
        cr_expect_eq(next[t], c->per_thread, "writer %u: %u bytes arrived", t, next[t]);
    cr_expect(quiet_for(u.out_r, 20), "nothing extra");
    if (c->guest_lock)
        cr_expect(atomic_load(&u.saw_full), "the output never backed up to TXFF");

    /* Input: all of it, in order. */
    cr_assert_eq(u.rx_got, RX_BYTES);
    for (unsigned i = 0; i < RX_BYTES; i++)
        cr_assert_eq(u.rx[i], rx_byte(i), "input byte %u", i);

    struct pl011_stats st;
    pl011_get_stats(u.dev, &st);
    cr_expect_eq(st.tx_bytes, want);
    cr_expect_eq(st.tx_dropped, 0);
    cr_expect_eq(st.rx_bytes, RX_BYTES);
    cr_expect_eq(st.rx_overruns, 0);
    cr_expect_eq(st.odd_accesses, u.wide_reads);
    /* The host saw the level the model holds, and it follows RIS & IMSC. */
    uint64_t ris, imsc;
    cr_assert_eq(bus_access(&u.bus, UART_BASE + PL011_RIS, 4, false, &ris, NULL), BUS_OK);
    cr_assert_eq(bus_access(&u.bus, UART_BASE + PL011_IMSC, 4, false, &imsc, NULL), BUS_OK);
    cr_expect_eq(st.irq, (ris & imsc) != 0);
    if (atomic_load(&uart_line_calls))
        cr_expect_eq(atomic_load(&uart_line), st.irq);
    else
        cr_expect_not(st.irq);

    bus_free(&u.bus);
    u.dev->ops->destroy(u.dev);
    pthread_barrier_destroy(&u.go);
    pthread_mutex_destroy(&u.guest_lock);
    close(u.in_w);
    close(u.out_r);
    free(u.out);
}

/* ---- (c) virtio-rng: notified from one thread, status and interrupts on another ---- */

enum { RNG_BATCHES = 500, RNG_BATCH = 4, RNG_LEN = 64 };
enum { R_MAGIC = 0x00, R_DEVICE_ID = 0x08, R_QUEUE_READY = 0x44, R_INT_STATUS = 0x60,
       R_INT_ACK = 0x64, R_STATUS = 0x70, R_CONFIG_GEN = 0xfc };
#define LIVE (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK | \
              VIRTIO_STATUS_DRIVER_OK)

struct rng {
    struct bus bus;
    struct vt_host h;
    struct vt_queue q;
    struct device *dev;
    uint8_t *desc, *avail, *used; /* the rings in fake RAM */
    pthread_barrier_t go;
    atomic_bool done;
    unsigned acks;
};

struct rng_worker {
    struct worker w;
    struct rng *r;
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The driver: batches of write-only buffers, a trapped QueueNotify, then a
 * poll of the used ring (no interrupt handling: the other thread acks). */
static void *rng_driver(void *arg)
{
    struct rng_worker *x = arg;
    struct rng *r = x->r;
    uint16_t avail_idx = 0, used_seen = 0;
    pthread_barrier_wait(&r->go);
    for (unsigned n = 0; n < RNG_BATCHES && !x->w.errors; n++) {
        for (uint16_t j = 0; j < RNG_BATCH; j++) {
            uint8_t *d = r->desc + 16 * j;
            put64(d, VT_DATA + 0x1000ull * j);
            put32(d + 8, RNG_LEN);
            put16(d + 12, VIRTQ_DESC_F_WRITE);
            put16(d + 14, 0);
            put16(r->avail + 4 + 2 * (avail_idx % r->q.num), j);
            avail_idx++;
        }
        __atomic_store_n((uint16_t *)(r->avail + 2), avail_idx, __ATOMIC_RELEASE);
        bwr(&x->w, &r->bus, RNG_BASE + VIRTIO_MMIO_QUEUE_NOTIFY, 4, 0);
        uint64_t end = test_now_ms() + DEADLINE_MS;
        while (__atomic_load_n((uint16_t *)(r->used + 2), __ATOMIC_ACQUIRE) != avail_idx) {
            if (test_now_ms() >= end) {
                bad(&x->w, "batch %u not completed", n);
                break;
            }
            sched_yield();
        }
        unsigned heads = 0;
        for (; used_seen != avail_idx; used_seen++) {
            uint32_t id, len;
            const uint8_t *e = r->used + 4 + 8 * (used_seen % r->q.num);
            memcpy(&id, e, 4);
            memcpy(&len, e + 4, 4);
            if (id >= RNG_BATCH || (heads & (1u << id)) || len != RNG_LEN)
                bad(&x->w, "batch %u: used element id %u len %u", n, id, len);
            heads |= 1u << (id & 31);
        }
    }
    atomic_store(&r->done, true);
    return NULL;
}

static void *rng_irq(void *arg)
{
    struct rng_worker *x = arg;
    struct rng *r = x->r;
    struct bus *b = &r->bus;
    pthread_barrier_wait(&r->go);
    while (!atomic_load(&r->done) && !x->w.errors) {
        uint64_t v;
        if ((v = brd(&x->w, b, RNG_BASE + R_MAGIC, 4)) != 0x74726976)
            bad(&x->w, "MagicValue 0x%llx", (unsigned long long)v);
        if ((v = brd(&x->w, b, RNG_BASE + R_DEVICE_ID, 4)) != VIRTIO_ID_RNG)
            bad(&x->w, "DeviceID %llu", (unsigned long long)v);
        if ((v = brd(&x->w, b, RNG_BASE + R_STATUS, 4)) != LIVE)
            bad(&x->w, "Status 0x%llx while running", (unsigned long long)v);
        if ((v = brd(&x->w, b, RNG_BASE + R_QUEUE_READY, 4)) != 1)
            bad(&x->w, "QueueReady %llu", (unsigned long long)v);
        if ((v = brd(&x->w, b, RNG_BASE + R_CONFIG_GEN, 4)) != 0)
            bad(&x->w, "ConfigGeneration %llu", (unsigned long long)v);
        uint64_t isr = brd(&x->w, b, RNG_BASE + R_INT_STATUS, 4);
        if (isr & ~(uint64_t)VIRTIO_INT_VRING)
            bad(&x->w, "InterruptStatus 0x%llx", (unsigned long long)isr);
        if (isr) {
            bwr(&x->w, b, RNG_BASE + R_INT_ACK, 4, isr);
            r->acks++;
        }
        sched_yield();
    }
    return NULL;
}

Test(concurrency, virtio_rng_notify_while_another_thread_reads_and_acks, .timeout = 60)
{
    static struct rng r;
    memset(&r, 0, sizeof r);
    char err[200];
    vt_host_init(&r.h, 8 << 20);
    vt_queue_layout(&r.q, &r.h, 0, 8);
    r.dev = virtio_rng_create(RNG_BASE, 16, &r.h.host, err, sizeof err);
    cr_assert_not_null(r.dev, "%s", err);
    bus_init(&r.bus);
    cr_assert_eq(bus_add(&r.bus, r.dev), 0);
    vt_bring_up(r.dev, &r.q, 1, 0);
    r.desc = vt_ptr(&r.h, r.q.desc);
    r.avail = vt_ptr(&r.h, r.q.avail);
    r.used = vt_ptr(&r.h, r.q.used);
    pthread_barrier_init(&r.go, NULL, 2);
    struct rng_worker ws[2] = {{.w.id = 0, .r = &r}, {.w.id = 1, .r = &r}};
    cr_assert_eq(pthread_create(&ws[0].w.t, NULL, rng_driver, &ws[0]), 0);
    cr_assert_eq(pthread_create(&ws[1].w.t, NULL, rng_irq, &ws[1]), 0);
    pthread_join(ws[0].w.t, NULL);
    pthread_join(ws[1].w.t, NULL);
    expect_clean(&ws[0].w, "driver");
    expect_clean(&ws[1].w, "interrupt thread");

    virtio_mmio_sync(r.dev);
    cr_expect_eq(__atomic_load_n((uint16_t *)(r.used + 2), __ATOMIC_ACQUIRE),
                 (uint16_t)(RNG_BATCHES * RNG_BATCH));
    cr_expect_eq(vt_rd32(r.dev, R_STATUS), LIVE, "no DEVICE_NEEDS_RESET");
    /* Ack what is left: the line must go low and stay there. */
    uint32_t isr = vt_rd32(r.dev, R_INT_STATUS);
    cr_expect_eq(isr & ~(uint32_t)VIRTIO_INT_VRING, 0);
    vt_wr32(r.dev, R_INT_ACK, isr);
    cr_expect_eq(vt_rd32(r.dev, R_INT_STATUS), 0);
    cr_expect_eq(vt_irq(&r.h), 0, "interrupt line low after the last ack");
    cr_expect(r.acks > 0 || isr, "the used-buffer interrupt was never raised");

    pthread_barrier_destroy(&r.go);
    bus_free(&r.bus);
    r.dev->ops->destroy(r.dev);
    vt_host_fini(&r.h);
}
