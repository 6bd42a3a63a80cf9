/*
 * PL011 with a real chardev on pipes: the reader thread's back-pressure and
 * receive timeout, the writer thread's ring and TX-space wake-up, and the
 * flush/reset/destroy exit paths. Every wait has a deadline.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../../devices/chardev.h"
#include "../../devices/pl011.h"
#include "../../devices/pl011_regs.h"
#include "serial_test_util.h"

#define ENABLED (PL011_CR_UARTEN | PL011_CR_TXE | PL011_CR_RXE)
#define FIFO8 (PL011_LCRH_FEN | PL011_LCRH_WLEN_8)

static atomic_bool line;
static void fake_set_irq(void *ctx, uint32_t spi, bool level)
{
    (void)ctx;
    (void)spi;
    atomic_store(&line, level);
}
static struct device_host host = {.set_irq = fake_set_irq};

static struct device *dev;
static struct chardev *cd; /* owned by dev; kept to read its counters */
static int in_w = -1, out_r = -1;

static uint32_t rd(uint32_t off)
{
    pthread_mutex_lock(&dev->lock);
    uint32_t v = (uint32_t)dev->ops->read(dev, off, 4);
    pthread_mutex_unlock(&dev->lock);
    return v;
}

static void wr(uint32_t off, uint32_t v)
{
    pthread_mutex_lock(&dev->lock);
    dev->ops->write(dev, off, 4, v);
    pthread_mutex_unlock(&dev->lock);
}

static void setup(void)
{
    cr_redirect_stderr();
    int a[2], b[2];
    cr_assert_eq(pipe2(a, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(b, O_CLOEXEC), 0);
    char err[256];
    cd = chardev_from_fds(a[0], b[1], true, err, sizeof err);
    cr_assert_not_null(cd, "%s", err);
    in_w = a[1];
    out_r = b[0];
    atomic_store(&line, false);
    dev = pl011_create(0x9000000, 1, &host, cd);
    cr_assert_not_null(dev);
}

static void teardown(void)
{
    if (dev)
        dev->ops->destroy(dev);
    dev = NULL;
    close(in_w);
    close(out_r);
}

static bool wait_line(bool level, int ms)
{
    uint64_t end = test_now_ms() + (uint64_t)ms;
    while (atomic_load(&line) != level)
        if (test_now_ms() >= end)
            return false;
        else
            test_sleep_ms(1);
    return true;
}

/* Guest-side polled read of one character, as a console driver does. */
static int guest_getc(int ms)
{
    uint64_t end = test_now_ms() + (uint64_t)ms;
    while (rd(PL011_FR) & PL011_FR_RXFE)
        if (test_now_ms() >= end)
            return -1;
    return (int)rd(PL011_DR);
}

/* Guest-side polled write, as earlycon does: wait while TXFF. */
static bool guest_putc(uint8_t c, int ms)
{
    uint64_t end = test_now_ms() + (uint64_t)ms;
    while (rd(PL011_FR) & PL011_FR_TXFF)
        if (test_now_ms() >= end)
            return false;
    wr(PL011_DR, c);
    return true;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + i / 251);
}

TestSuite(pl011_io, .init = setup, .fini = teardown, .timeout = 30);

Test(pl011_io, tx_reaches_backend_in_order)
{
    enum { N = 3000 };
    static uint8_t got[N];
    for (size_t i = 0; i < N; i++)
        cr_assert(guest_putc(pattern(i), 2000));
    cr_expect_eq(read_for(out_r, got, N, 5000), N);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(got[i], pattern(i), "byte %zu", i);
    cr_expect(quiet_for(out_r, 20), "nothing extra");
}

struct drain {
    uint8_t *buf;
    size_t want, got;
};

static void *drain_main(void *arg)
{
    struct drain *d = arg;
    d->got = read_for(out_r, d->buf, d->want, 20000);
    return NULL;
}

/* A stalled output fills the ring, then the FIFO (TXFF); when the host reads
 * again the writer's TX-space call drains the FIFO and raises TX. Nothing is
 * lost or reordered. */
Test(pl011_io, tx_stall_backpressure_and_tx_interrupt)
{
    enum { N = 150000 };
    cr_assert_geq(fcntl(out_r, F_SETPIPE_SZ, 4096), 4096);
    uint8_t *got = calloc(1, N);
    size_t sent = 0;
    while (sent < N && !(rd(PL011_FR) & PL011_FR_TXFF))
        wr(PL011_DR, pattern(sent++));
    cr_assert_lt(sent, N, "TXFF never appeared");
    cr_expect_geq(sent, CHARDEV_RING + PL011_FIFO_DEPTH, "ring and FIFO were filled first");
    cr_expect_lt(sent, CHARDEV_RING + PL011_FIFO_DEPTH + 70000);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_BUSY, 0);
    wr(PL011_ICR, PL011_INT_TX);
    wr(PL011_IMSC, PL011_INT_TX);
    test_sleep_ms(20);
    cr_expect_not(atomic_load(&line), "still stalled: no TX interrupt");

    struct drain d = {got, N, 0};
    pthread_t t;
    pthread_create(&t, NULL, drain_main, &d);
    cr_expect(wait_line(true, 5000), "TX interrupt once the FIFO drained");
    cr_expect_neq(rd(PL011_RIS) & PL011_INT_TX, 0);
    while (sent < N)
        cr_assert(guest_putc(pattern(sent++), 5000), "stuck at %zu", sent);
    cr_expect(pl011_flush(dev, 5000));
    pthread_join(t, NULL);
    cr_assert_eq(d.got, N);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(got[i], pattern(i), "byte %zu", i);
    struct pl011_stats st;
    pl011_get_stats(dev, &st);
    cr_expect_eq(st.tx_bytes, N);
    cr_expect_eq(st.tx_dropped, 0);
    free(got);
}

struct feed {
    const uint8_t *buf;
    size_t n;
    bool ok;
};

static void *feed_main(void *arg)
{
    struct feed *f = arg;
    f->ok = write_all(in_w, f->buf, f->n);
    return NULL;
}

/* More input than the FIFO holds: the backend stops reading while the FIFO is
 * full, and every byte arrives, in order, without an error bit. */
Test(pl011_io, rx_backpressure_keeps_every_byte)
{
    enum { N = 20000 };
    uint8_t *src = malloc(N);
    for (size_t i = 0; i < N; i++)
        src[i] = pattern(i);
    struct feed f = {src, N, false};
    pthread_t t;
    pthread_create(&t, NULL, feed_main, &f);

    uint64_t end = test_now_ms() + 5000;
    while (!(rd(PL011_FR) & PL011_FR_RXFF) && test_now_ms() < end)
        test_sleep_ms(1);
    cr_assert_neq(rd(PL011_FR) & PL011_FR_RXFF, 0, "FIFO never filled");
    test_sleep_ms(50);
    struct chardev_stats cs;
    chardev_get_stats(cd, &cs);
    cr_expect_leq(cs.in_bytes, PL011_FIFO_DEPTH + 64, "reader kept reading: %llu bytes",
                  (unsigned long long)cs.in_bytes);

    for (size_t i = 0; i < N; i++) {
        int c = guest_getc(5000);
        cr_assert_eq(c, src[i], "byte %zu: got 0x%x", i, c);
    }
    pthread_join(t, NULL);
    cr_expect(f.ok);
    struct pl011_stats st;
    pl011_get_stats(dev, &st);
    cr_expect_eq(st.rx_bytes, N);
    cr_expect_eq(st.rx_overruns, 0);
    cr_expect_eq(rd(PL011_RSR), 0);
    free(src);
}

Test(pl011_io, rx_timeout_from_backend_idle)
{
    wr(PL011_IMSC, PL011_INT_RT | PL011_INT_RX);
    cr_assert(write_all(in_w, "abc", 3));
    cr_expect(wait_line(true, 2000), "no receive timeout");
    cr_expect_eq(rd(PL011_RIS) & (PL011_INT_RT | PL011_INT_RX), PL011_INT_RT);
    cr_expect_eq(guest_getc(10), 'a');
    cr_expect_eq(guest_getc(10), 'b');
    cr_expect_eq(guest_getc(10), 'c');
    cr_expect(wait_line(false, 10));
}

/* 32 bit periods at the latched rate: IBRD 30000 is 50 baud, 640 ms. */
Test(pl011_io, rx_timeout_follows_the_baud_rate)
{
    wr(PL011_IBRD, 30000);
    wr(PL011_FBRD, 0);
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_IMSC, PL011_INT_RT);
    uint64_t t0 = test_now_ms();
    cr_assert(write_all(in_w, "s", 1));
    cr_expect(wait_line(true, 3000));
    uint64_t took = test_now_ms() - t0;
    cr_expect_geq(took, 600, "RT after %llu ms", (unsigned long long)took);
    cr_expect_eq(guest_getc(10), 's');
}

Test(pl011_io, rx_timeout_in_loopback)
{
    wr(PL011_CR, ENABLED | PL011_CR_LBE);
    wr(PL011_IMSC, PL011_INT_RT);
    wr(PL011_DR, 'L');
    cr_expect(wait_line(true, 2000), "loopback characters time out too");
    cr_expect_eq(rd(PL011_DR), 'L');
    cr_expect_eq(read_for(out_r, (char[1]){0}, 1, 1000), 1, "and still went out");
}

Test(pl011_io, enabling_the_receiver_resumes_input)
{
    pl011_set_boot(dev, PL011_BOOT_RESET);
    cr_assert(write_all(in_w, "hi", 2));
    test_sleep_ms(50);
    cr_expect_neq(rd(PL011_FR) & PL011_FR_RXFE, 0, "disabled receiver took input");
    wr(PL011_LCR_H, FIFO8);
    wr(PL011_CR, ENABLED);
    cr_expect_eq(guest_getc(2000), 'h');
    cr_expect_eq(guest_getc(2000), 'i');
}

Test(pl011_io, fifo_enable_resumes_input)
{
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
    cr_assert(write_all(in_w, "0123456789", 10));
    uint64_t end = test_now_ms() + 2000;
    while (!(rd(PL011_FR) & PL011_FR_RXFF) && test_now_ms() < end)
        test_sleep_ms(1);
    test_sleep_ms(20);
    wr(PL011_LCR_H, FIFO8);
    end = test_now_ms() + 2000;
    struct pl011_stats st;
    do
        pl011_get_stats(dev, &st);
    while (st.rx_bytes < 10 && test_now_ms() < end);
    cr_expect_eq(st.rx_bytes, 10, "the wider FIFO took the rest without reads");
    for (int i = 0; i < 10; i++)
        cr_expect_eq(guest_getc(100), '0' + i);
}

Test(pl011_io, flush_reset_and_destroy_deliver_held_bytes)
{
    char got[8] = {0};
    pl011_set_boot(dev, PL011_BOOT_RESET); /* transmitter disabled */
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);   /* the reset word length is 5 bits */
    wr(PL011_DR, 'a');
    cr_expect(quiet_for(out_r, 20));
    cr_expect(pl011_flush(dev, 1000));
    cr_expect_eq(read_for(out_r, got, 1, 1000), 1);
    cr_expect_eq(got[0], 'a');
    cr_expect_neq(rd(PL011_FR) & PL011_FR_TXFE, 0);

    wr(PL011_DR, 'b');
    dev->ops->reset(dev); /* back to BOOT_RESET: set 8 bits again */
    wr(PL011_LCR_H, PL011_LCRH_WLEN_8);
    cr_expect_eq(read_for(out_r, got, 1, 1000), 1);
    cr_expect_eq(got[0], 'b');

    wr(PL011_DR, 'c');
    dev->ops->destroy(dev);
    dev = NULL;
    cr_expect_eq(read_for(out_r, got, 2, 1000), 1);
    cr_expect_eq(got[0], 'c');
}

/* The output vanishes: one message, the guest keeps running (TXFF never
 * sticks), the loss is counted. */
Test(pl011_io, output_failure_does_not_stall_the_guest)
{
    close(out_r);
    out_r = -1;
    for (size_t i = 0; i < 3 * CHARDEV_RING; i++)
        cr_assert(guest_putc('x', 2000), "stuck at %zu", i);
    cr_expect_not(pl011_flush(dev, 1000));
    struct chardev_stats cs;
    chardev_get_stats(cd, &cs);
    cr_expect(cs.out_failed);
    cr_expect_eq(cs.out_bytes + cs.out_lost, 3 * CHARDEV_RING);
    fflush(stderr);
    char line[512] = {0};
    FILE *f = cr_get_redirected_stderr();
    cr_assert(fgets(line, sizeof line, f));
    cr_expect(strstr(line, "output failed"), "%s", line);
}
