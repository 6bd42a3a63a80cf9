/*
 * virtio-console (virtio 1.2 §5.3) with a single port and no multiport
 * control queues: transmitq bytes go to an output fd, bytes from an input fd
 * fill receiveq buffers. VIRTIO_CONSOLE_F_EMERG_WRITE is offered, so a guest
 * can print through config space before (or without) setting up queues.
 */
#include "virtio_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iov.h"
#include "virtio_mmio.h"

enum {
    RXQ = 0, TXQ = 1,
    CONSOLE_F_EMERG_WRITE = 2,
    CFG_EMERG_WR = 8, CFG_LEN = 12,
};

struct console {
    int in_fd, out_fd;
    uint64_t emerg_dropped; /* under dev.lock: emergency bytes the output had no room for */
    /* worker-only */
    bool in_eof, watching, out_broken;
    uint8_t in[4096]; /* input read but not yet delivered: bounded back-pressure */
    size_t in_len, in_off;
    struct virtq_chain chain;
};

/* Write in pieces a pipe or terminal reporting POLLOUT takes without
 * blocking, and wait for room in poll() beside the worker's stop eventfd: a
 * stalled reader (blocking fd or not) delays the guest's output, never the
 * VMM's exit. */
#define OUT_CHUNK 4096 /* PIPE_BUF on Linux: a pipe with room takes it whole */

static void write_out(struct console *con, struct virtio_mmio *vm, const uint8_t *p, size_t len)
{
    while (len && !con->out_broken) {
        int w = virtio_mmio_wait_writable(vm, con->out_fd);
        if (w <= 0) {
            virtio_mmio_log(vm, "output: %zu bytes not written (%s)", len,
                            w == 0 ? "the VMM is stopping and the reader is stalled"
                                   : strerror(errno));
            con->out_broken = true;
            return;
        }
        ssize_t n = write(con->out_fd, p, len < OUT_CHUNK ? len : OUT_CHUNK);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            virtio_mmio_log(vm, "output: %s; console output dropped from now on",
                            n < 0 ? strerror(errno) : "nothing written");
            con->out_broken = true;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void console_tx(struct console *con, struct virtio_mmio *vm)
{
    struct virtq_chain *c = &con->chain;
    while (virtio_mmio_pop(vm, TXQ, c)) {
        for (unsigned i = 0; i < c->nrd; i++)
            write_out(con, vm, c->iov[i].iov_base, c->iov[i].iov_len);
        virtio_mmio_push(vm, TXQ, c, 0);
    }
}

static void set_watch(struct console *con, struct virtio_mmio *vm, bool on)
{
    /* Regular files refuse epoll (EPERM) but are always readable, so the
     * receive path never needs to wait on them. */
    if (on != con->watching && virtio_mmio_watch_fd(vm, con->in_fd, on) == 0)
        con->watching = on;
}

static bool input_ready(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) > 0;
}

/* Move input into receive buffers. Waits on the input fd only while our own
 * buffer is empty, and on the driver (a receiveq notification) while it holds
 * data, so neither side can make the worker spin. */
static void console_rx(struct console *con, struct virtio_mmio *vm)
{
    struct virtq_chain *c = &con->chain;
    if (con->in_fd < 0)
        return;
    for (;;) {
        if (con->in_off == con->in_len) {
            con->in_off = con->in_len = 0;
            if (con->in_eof)
                break;
            if (!input_ready(con->in_fd)) {
                set_watch(con, vm, true);
                return;
            }
            ssize_t n = read(con->in_fd, con->in, sizeof con->in);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN) {
                set_watch(con, vm, true);
                return;
            }
            if (n <= 0) {
                if (n < 0)
                    virtio_mmio_log(vm, "input: %s; no more console input", strerror(errno));
                con->in_eof = true;
                break;
            }
            con->in_len = (size_t)n;
        }
        if (!virtio_mmio_pop(vm, RXQ, c))
            break;
        if (c->nwr == 0) {
            virtio_mmio_fail(vm, RXQ, c, "receive buffer at head %u has no writable part",
                             c->head);
            break;
        }
        size_t k = iov_from_buf(c->iov + c->nrd, c->nwr, 0, con->in + con->in_off,
                                con->in_len - con->in_off);
        con->in_off += k;
        virtio_mmio_push(vm, RXQ, c, (uint32_t)k);
    }
    set_watch(con, vm, false);
}

static void console_queue_work(struct virtio_mmio *vm, unsigned q)
{
    struct console *con = virtio_mmio_priv(vm);
    if (q == TXQ)
        console_tx(con, vm);
    else
        console_rx(con, vm);
}

static void console_fd_ready(struct virtio_mmio *vm)
{
    console_rx(virtio_mmio_priv(vm), vm);
}

/* Emergency write (vCPU thread): the low byte of a 32-bit write to emerg_wr,
 * accepted at any time, even on an unconfigured device (§5.3.5.1). It runs on
 * the vCPU thread with the device lock held, so it never waits for the host
 * side: a byte the output cannot take now is dropped (counted, said once). */
static void console_config_write(struct virtio_mmio *vm, uint32_t off, unsigned len, uint64_t val)
{
    struct console *con = virtio_mmio_priv(vm);
    uint8_t ch = (uint8_t)val;
    if (off != CFG_EMERG_WR || len != 4)
        return;
    struct pollfd pfd = {.fd = con->out_fd, .events = POLLOUT};
    ssize_t n = -1;
    if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT)) /* room: a 1-byte write won't block */
        while ((n = write(con->out_fd, &ch, 1)) < 0 && errno == EINTR)
            ;
    if (n == 1)
        return;
    if (con->emerg_dropped++ == 0)
        virtio_mmio_log(vm, "emergency write dropped: the console output is not taking bytes "
                        "(said once; later drops are counted only)");
}

static void console_free(void *priv)
{
    struct console *con = priv;
    if (con->in_fd >= 0)
        close(con->in_fd);
    if (con->out_fd >= 0)
        close(con->out_fd);
    free(con);
}

static const struct virtio_dev_ops console_ops = {
    .type = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .num_queues = 2,
    .queue_max = VIRTQ_MAX_CHAIN,
    .queue_work = console_queue_work,
    .fd_ready = console_fd_ready,
    .config_write = console_config_write,
    .free = console_free,
};

struct device *virtio_console_create(uint64_t base, int spi, struct device_host *host, int in_fd,
                                     int out_fd, char *err, size_t errlen)
{
    struct console *con = calloc(1, sizeof *con);
    if (!con) {
        snprintf(err, errlen, "virtio-console: out of memory");
        return NULL;
    }
    con->in_fd = con->out_fd = -1;
    if (out_fd < 0 || (con->out_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        snprintf(err, errlen, "virtio-console: output fd %d: %s", out_fd,
                 out_fd < 0 ? "none given" : strerror(errno));
        goto fail;
    }
    if (in_fd >= 0 && (con->in_fd = fcntl(in_fd, F_DUPFD_CLOEXEC, 0)) < 0) {
        snprintf(err, errlen, "virtio-console: input fd %d: %s", in_fd, strerror(errno));
        goto fail;
    }
    uint8_t cfg[CFG_LEN] = {0}; /* no size, no multiport; emerg_wr reads 0 */
    struct virtio_mmio *vm = virtio_mmio_create(base, spi, host, &console_ops, con,
                                                1ull << CONSOLE_F_EMERG_WRITE, cfg, CFG_LEN, err,
                                                errlen);
    if (!vm)
        goto fail;
    return virtio_mmio_dev(vm);
fail:
    console_free(con);
    return NULL;
}
