/* virtio-console with pipes for its input and output. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "../../vmm/board.h"
#include "../../devices/virtio_devices.h"
#include "../../devices/virtio_mmio.h"
#include "vtest.h"

#define F_N VIRTQ_DESC_F_NEXT
#define F_W VIRTQ_DESC_F_WRITE
#define RXQ 0
#define TXQ 1

static struct vt_host h;
static struct vt_queue qs[2];
static struct device *dev;
static int in[2], out[2]; /* the device reads in[0] and writes out[1] */

static void setup(void)
{
    char err[200];
    vt_host_init(&h, 8 << 20);
    vt_queue_layout(&qs[RXQ], &h, 0, 8);
    vt_queue_layout(&qs[TXQ], &h, 1, 8);
    cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
    dev = virtio_console_create(VIRTIO_MMIO_BASE, VIRTIO_MMIO_SPI_BASE, &h.host, in[0], out[1],
                                err, sizeof err);
    cr_assert(dev, "%s", err);
    /* the device has its own copies */
    close(in[0]);
    close(out[1]);
}

static void teardown(void)
{
    dev->ops->destroy(dev);
    close(in[1]);
    close(out[0]);
    vt_host_fini(&h);
}

TestSuite(virtio_console, .init = setup, .fini = teardown);

/* What the device has written so far (the read end is nonblocking). */
static const char *output(void)
{
    static char buf[256];
    ssize_t n = read(out[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void rx_buffer(uint16_t head, uint32_t len)
{
    vt_desc(&qs[RXQ], qs[RXQ].desc, head, VT_DATA + 0x1000ull * head, len, F_W, 0);
    vt_avail(&qs[RXQ], head);
}

Test(virtio_console, identity)
{
    cr_assert_eq(vt_rd32(dev, 0x08), VIRTIO_ID_CONSOLE);
    vt_wr32(dev, 0x14, 0);
    cr_assert(vt_rd32(dev, 0x10) & (1u << 2), "VIRTIO_CONSOLE_F_EMERG_WRITE");
    cr_assert_eq(vt_rd32(dev, 0x10) & 3, 0, "no SIZE, no MULTIPORT");
    cr_assert_eq(virtio_mmio_num_queues(dev), 2);
}

Test(virtio_console, transmit)
{
    vt_bring_up(dev, qs, 2, 0);
    memcpy(vt_ptr(&h, VT_DATA), "hello ", 6);
    memcpy(vt_ptr(&h, VT_DATA + 0x100), "world", 5);
    vt_desc(&qs[TXQ], qs[TXQ].desc, 0, VT_DATA, 6, F_N, 1);
    vt_desc(&qs[TXQ], qs[TXQ].desc, 1, VT_DATA + 0x100, 5, 0, 0);
    vt_avail(&qs[TXQ], 0);
    vt_notify(dev, TXQ);
    cr_assert_str_eq(output(), "hello world");
    uint32_t id, len;
    cr_assert(vt_used_next(&qs[TXQ], &id, &len));
    cr_assert_eq(len, 0);
}

Test(virtio_console, receive)
{
    vt_bring_up(dev, qs, 2, 0);
    rx_buffer(0, 64);
    vt_notify(dev, RXQ);
    cr_assert_eq(vt_used_idx(&qs[RXQ]), 0, "nothing typed yet");
    cr_assert_eq(write(in[1], "abc", 3), 3);
    virtio_mmio_sync(dev);
    uint32_t id, len;
    cr_assert(vt_used_next(&qs[RXQ], &id, &len));
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(vt_ptr(&h, VT_DATA), "abc", 3), 0);
}

Test(virtio_console, input_waits_for_buffers)
{
    vt_bring_up(dev, qs, 2, 0);
    cr_assert_eq(write(in[1], "0123456789", 10), 10);
    vt_notify(dev, RXQ); /* no buffers yet: the input is held */
    rx_buffer(0, 4);
    rx_buffer(1, 4);
    rx_buffer(2, 4);
    vt_notify(dev, RXQ);
    uint32_t id, len;
    char got[16] = {0};
    for (unsigned i = 0, off = 0; i < 3; i++) {
        cr_assert(vt_used_next(&qs[RXQ], &id, &len), "buffer %u", i);
        cr_assert_eq(id, i);
        memcpy(got + off, vt_ptr(&h, VT_DATA + 0x1000ull * id), len);
        off += len;
    }
    cr_assert_str_eq(got, "0123456789");
}

Test(virtio_console, emergency_write_before_setup)
{
    vt_wr(dev, 0x100 + 8, 4, 'E');
    vt_wr(dev, 0x100 + 8, 4, 0x100 | 'x'); /* only the low byte */
    cr_assert_str_eq(output(), "Ex");
    vt_wr(dev, 0x100 + 8, 1, 'y'); /* a 32-bit field: byte writes are not emergency writes */
    vt_wr(dev, 0x100 + 4, 4, 'z');
    cr_assert_str_eq(output(), "");
}

Test(virtio_console, receive_buffer_must_be_writable)
{
    vt_bring_up(dev, qs, 2, 0);
    /* Capture from here: pending input lets the worker take the buffer as soon
     * as it is made available, before the notify. */
    vt_stderr_begin();
    cr_assert_eq(write(in[1], "q", 1), 1);
    vt_desc(&qs[RXQ], qs[RXQ].desc, 0, VT_DATA, 16, 0, 0);
    vt_avail(&qs[RXQ], 0);
    vt_notify(dev, RXQ);
    const char *log = vt_stderr_end();
    cr_assert(vt_rd32(dev, 0x70) & VIRTIO_STATUS_NEEDS_RESET);
    cr_assert(strstr(log, "no writable part"), "log: %s", log);
}

Test(virtio_console, input_end_of_file)
{
    vt_bring_up(dev, qs, 2, 0);
    cr_assert_eq(write(in[1], "z", 1), 1);
    close(in[1]);
    in[1] = open("/dev/null", O_WRONLY);
    rx_buffer(0, 8);
    rx_buffer(1, 8);
    vt_notify(dev, RXQ);
    vt_notify(dev, RXQ);
    cr_assert_eq(vt_used_idx(&qs[RXQ]), 1, "the last byte, then nothing");
    cr_assert_eq(*(char *)vt_ptr(&h, VT_DATA), 'z');
}

Test(virtio_console, broken_output_is_dropped_not_fatal)
{
    vt_bring_up(dev, qs, 2, 0);
    close(out[0]); /* nobody reads the output any more */
    out[0] = open("/dev/null", O_RDONLY);
    memcpy(vt_ptr(&h, VT_DATA), "lost", 4);
    vt_desc(&qs[TXQ], qs[TXQ].desc, 0, VT_DATA, 4, 0, 0);
    vt_stderr_begin();
    vt_avail(&qs[TXQ], 0);
    vt_notify(dev, TXQ);
    vt_avail(&qs[TXQ], 0);
    vt_notify(dev, TXQ);
    const char *log = vt_stderr_end();
    cr_assert_eq(vt_used_idx(&qs[TXQ]), 2, "buffers still returned");
    cr_assert_eq(vt_count_lines(log), 1, "log: %s", log);
    cr_assert(strstr(log, "Broken pipe"), "log: %s", log);
}

/* Emergency writes come from the vCPU thread with the device lock held: a host
 * side that stopped reading (a full, blocking pipe) must not stall the vCPU.
 * The byte is dropped and counted; once the pipe drains, writes arrive again. */
Test(virtio_console, emergency_write_never_blocks, .timeout = 10)
{
    int p[2];
    char err[200];
    cr_assert_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    char fill[4096] = {0};
    while (write(p[1], fill, sizeof fill) > 0)
        ;
    while (write(p[1], fill, 1) > 0)
        ;
    cr_assert_eq(errno, EAGAIN);
    cr_assert_eq(fcntl(p[1], F_SETFL, 0), 0, "the writer blocks from here on");
    struct device *c = virtio_console_create(VIRTIO_MMIO_BASE + 0x200, VIRTIO_MMIO_SPI_BASE + 1,
                                             &h.host, -1, p[1], err, sizeof err);
    cr_assert(c, "%s", err);
    close(p[1]);
    vt_stderr_begin();
    for (int i = 0; i < 100; i++)
        vt_wr(c, 0x100 + 8, 4, 'Q'); /* returns: the test's timeout is the failure */
    const char *log = vt_stderr_end();
    cr_assert(strstr(log, "emergency write dropped"), "log: %s", log);
    cr_assert_leq(vt_count_lines(log), 1, "once, not per byte: %s", log);
    /* Drain it; the next emergency byte gets through. */
    cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    while (read(p[0], fill, sizeof fill) > 0)
        ;
    vt_wr(c, 0x100 + 8, 4, 'R');
    char got = 0;
    cr_assert_eq(read(p[0], &got, 1), 1);
    cr_assert_eq(got, 'R');
    c->ops->destroy(c);
    close(p[0]);
}

/* A reader that never reads, on a blocking pipe: the transmit chain waits for
 * room, and destroying the device (the VMM's exit) still returns promptly,
 * with one line saying what was not written. */
Test(virtio_console, stalled_blocking_output_does_not_hang_exit, .timeout = 10)
{
    int p[2];
    char err[200];
    static char fill[4096];
    cr_assert_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
    while (write(p[1], fill, sizeof fill) > 0)
        ;
    while (write(p[1], fill, 1) > 0)
        ;
    cr_assert_eq(fcntl(p[1], F_SETFL, 0), 0, "the writer blocks from here on");
    struct vt_queue cq[2];
    vt_queue_layout(&cq[RXQ], &h, 2, 8);
    vt_queue_layout(&cq[TXQ], &h, 3, 8);
    struct device *c = virtio_console_create(VIRTIO_MMIO_BASE + 0x200, VIRTIO_MMIO_SPI_BASE + 1,
                                             &h.host, -1, p[1], err, sizeof err);
    cr_assert(c, "%s", err);
    close(p[1]);
    vt_bring_up(c, cq, 2, 0);
    vt_desc(&cq[TXQ], cq[TXQ].desc, 0, VT_DATA, 64 * 1024, 0, 0);
    vt_avail(&cq[TXQ], 0);
    vt_wr32(c, 0x50, TXQ); /* QueueNotify; the worker blocks on the full pipe */
    nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
    vt_stderr_begin();
    c->ops->destroy(c); /* returns: the test's timeout is the failure */
    const char *log = vt_stderr_end();
    cr_assert(strstr(log, "65536 bytes not written (the VMM is stopping"), "log: %s", log);
    close(p[0]);
}
