/*
 * Character backend core: the output ring and its writer thread, the input
 * reader thread with back-pressure and idle detection (see chardev.h).
 */
#include "chardev_int.h"
#include "thread.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Input bytes held back at most while the sink is full: small, so that
 * back-pressure reaches the input (and its sender) quickly. */
#define READ_CHUNK 64
#define IDLE_MIN_NS 20000ull
#define IDLE_MAX_NS 1000000000ull

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct timespec ns_to_ts(uint64_t ns)
{
    return (struct timespec){.tv_sec = (time_t)(ns / 1000000000ull),
                             .tv_nsec = (long)(ns % 1000000000ull)};
}

static void close_fds(int in_fd, int out_fd, bool own_in, bool own_out)
{
    if (own_in && in_fd >= 0)
        close(in_fd);
    if (own_out && out_fd >= 0 && !(own_in && out_fd == in_fd))
        close(out_fd);
}

struct chardev *chardev_new(int in_fd, int out_fd, bool own_in, bool own_out, char *err,
                            size_t errlen)
{
    struct stat st;
    if ((in_fd >= 0 && fstat(in_fd, &st) < 0) || (out_fd >= 0 && fstat(out_fd, &st) < 0)) {
        errmsg(err, errlen, "serial backend: bad descriptor: %s", strerror(errno));
        close_fds(in_fd, out_fd, own_in, own_out);
        return NULL;
    }
    struct chardev *cd = calloc(1, sizeof *cd);
    uint8_t *ring = out_fd >= 0 ? malloc(CHARDEV_RING) : NULL;
    if (!cd || (out_fd >= 0 && !ring) || pipe2(cd->ctl, O_CLOEXEC | O_NONBLOCK) < 0) {
        errmsg(err, errlen, "serial backend: %s", strerror(errno ? errno : ENOMEM));
        free(ring);
        free(cd);
        close_fds(in_fd, out_fd, own_in, own_out);
        return NULL;
    }
    cd->in_fd = in_fd;
    cd->out_fd = out_fd;
    cd->own_in = own_in;
    cd->own_out = own_out;
    cd->out_is_sock = out_fd >= 0 && S_ISSOCK(st.st_mode);
    cd->ring = ring;
    atomic_init(&cd->raw, false);
    atomic_init(&cd->head, 0);
    atomic_init(&cd->tail, 0);
    atomic_init(&cd->stop_reader, false);
    atomic_init(&cd->abort_writer, false);
    atomic_init(&cd->idle_ns, CHARDEV_IDLE_NS_DEFAULT);
    atomic_init(&cd->in_bytes, 0);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&cd->lock, NULL);
    pthread_cond_init(&cd->wake_writer, &ca);
    pthread_cond_init(&cd->progress, &ca);
    pthread_condattr_destroy(&ca);
    return cd;
}

struct chardev *chardev_from_fds(int in_fd, int out_fd, bool own_fds, char *err,
                                 size_t errlen)
{
    return chardev_new(in_fd, out_fd, own_fds, own_fds, err, errlen);
}

/* ---- output ---- */

/* Write some of p[0..n). Waits for the output in 100 ms polls, so that an
 * abort request is seen, and writes at most PIPE_BUF bytes to non-sockets: a
 * pipe that polls writable takes that much without blocking. Retries EINTR
 * and EAGAIN (a descriptor someone made non-blocking). Bytes written, 0 when
 * aborted, or -errno when the output is gone. */
static ssize_t out_write(struct chardev *cd, const uint8_t *p, size_t n)
{
    for (;;) {
        if (atomic_load(&cd->abort_writer))
            return 0;
        struct pollfd pfd = {.fd = cd->out_fd, .events = POLLOUT};
        int pr = poll(&pfd, 1, 100);
        if (pr < 0 && errno != EINTR)
            return -errno;
        if (pr <= 0)
            continue;
        if (pfd.revents & POLLNVAL)
            return -EBADF;
        ssize_t r = cd->out_is_sock
                        ? send(cd->out_fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL)
                        : write(cd->out_fd, p, n < PIPE_BUF ? n : PIPE_BUF);
        if (r > 0)
            return r;
        if (r < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
    }
}

static void *writer_main(void *arg)
{
    struct chardev *cd = arg;
    /* Cancellation (chardev_close's last resort for a terminal that stopped
     * taking output mid-write) may only strike inside out_write, where no lock
     * is held. */
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
    pthread_mutex_lock(&cd->lock);
    for (;;) {
        size_t head = atomic_load(&cd->head), tail = atomic_load(&cd->tail);
        if (head == tail) {
            if (cd->stop_writer)
                break;
            pthread_cond_wait(&cd->wake_writer, &cd->lock);
            continue;
        }
        size_t off = head % CHARDEV_RING;
        size_t n = tail - head < CHARDEV_RING - off ? tail - head : CHARDEV_RING - off;
        pthread_mutex_unlock(&cd->lock);
        pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
        ssize_t r = out_write(cd, cd->ring + off, n);
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
        pthread_mutex_lock(&cd->lock);
        if (r == 0) /* aborted by chardev_close */
            break;
        if (r > 0) {
            atomic_store(&cd->head, head + (size_t)r);
            cd->out_bytes += (uint64_t)r;
        } else {
            tail = atomic_load(&cd->tail);
            fprintf(stderr, "serial backend: output failed (%s); %zu pending and all later "
                    "output bytes are discarded\n", strerror((int)-r), tail - head);
            cd->out_failed = true;
            cd->out_lost += tail - head;
            atomic_store(&cd->head, tail);
        }
        bool notify = cd->tx_blocked;
        cd->tx_blocked = false;
        pthread_cond_broadcast(&cd->progress);
        if (notify && cd->sink.tx_space) {
            pthread_mutex_unlock(&cd->lock);
            cd->sink.tx_space(cd->sink.ctx);
            pthread_mutex_lock(&cd->lock);
        }
    }
    pthread_cond_broadcast(&cd->progress);
    pthread_mutex_unlock(&cd->lock);
    return NULL;
}

size_t chardev_write(struct chardev *cd, const uint8_t *buf, size_t n)
{
    if (!cd || cd->out_fd < 0 || n == 0)
        return n;
    pthread_mutex_lock(&cd->lock);
    if (cd->out_failed) {
        cd->out_lost += n;
        pthread_mutex_unlock(&cd->lock);
        return n;
    }
    size_t head = atomic_load(&cd->head), tail = atomic_load(&cd->tail);
    size_t room = CHARDEV_RING - (tail - head);
    size_t k = n < room ? n : room;
    size_t off = tail % CHARDEV_RING;
    size_t first = k < CHARDEV_RING - off ? k : CHARDEV_RING - off;
    memcpy(cd->ring + off, buf, first);
    memcpy(cd->ring, buf + first, k - first);
    atomic_store(&cd->tail, tail + k);
    if (k < n)
        cd->tx_blocked = true;
    if (k)
        pthread_cond_signal(&cd->wake_writer);
    pthread_mutex_unlock(&cd->lock);
    return k;
}

bool chardev_flush(struct chardev *cd, int timeout_ms)
{
    if (!cd || cd->out_fd < 0)
        return true;
    struct timespec until = ns_to_ts(now_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000000ull);
    pthread_mutex_lock(&cd->lock);
    while (atomic_load(&cd->head) != atomic_load(&cd->tail) && cd->writer_running)
        if (pthread_cond_timedwait(&cd->progress, &cd->lock, &until) == ETIMEDOUT)
            break;
    bool ok = atomic_load(&cd->head) == atomic_load(&cd->tail) && !cd->out_failed;
    pthread_mutex_unlock(&cd->lock);
    return ok;
}

/* ---- input ---- */

/* Requests to the reader, one byte each on the ctl pipe. */
enum { CTL_WAKE = 1, CTL_RESTART_IDLE = 2 };

static void ctl_send(struct chardev *cd, char c)
{
    /* EAGAIN: the pipe is full of requests; the reader will see them and, as
     * it drains everything, a lost CTL_RESTART_IDLE only shifts RT a little. */
    if (write(cd->ctl[1], &c, 1) < 0) {
    }
}

void chardev_rx_wake(struct chardev *cd)
{
    if (cd)
        ctl_send(cd, CTL_WAKE);
}

void chardev_restart_idle(struct chardev *cd)
{
    if (cd)
        ctl_send(cd, CTL_RESTART_IDLE);
}

void chardev_set_idle_ns(struct chardev *cd, uint64_t ns)
{
    if (!cd)
        return;
    if (ns < IDLE_MIN_NS)
        ns = IDLE_MIN_NS;
    if (ns > IDLE_MAX_NS)
        ns = IDLE_MAX_NS;
    atomic_store(&cd->idle_ns, ns);
}

/* Consume pending requests; true when one asked to restart the idle period. */
static bool drain_ctl(struct chardev *cd)
{
    char buf[64];
    ssize_t n;
    bool restart = false;
    while ((n = read(cd->ctl[0], buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            restart |= buf[i] == CTL_RESTART_IDLE;
    return restart;
}

static void *reader_main(void *arg)
{
    struct chardev *cd = arg;
    uint8_t buf[READ_CHUNK];
    size_t off = 0, len = 0;
    bool eof = cd->in_fd < 0, blocked = false;
    uint64_t deadline = 0; /* when to report idle; 0 = nothing to report */

    while (!atomic_load(&cd->stop_reader)) {
        if (len && !blocked) {
            size_t n = cd->sink.rx(cd->sink.ctx, buf + off, len);
            if (n > len)
                n = len;
            if (n) {
                off += n;
                len -= n;
                deadline = now_ns() + atomic_load(&cd->idle_ns);
            }
            blocked = len != 0; /* full: hold the rest, stop reading */
            continue;
        }
        struct pollfd pfd[2] = {{.fd = cd->ctl[0], .events = POLLIN},
                                {.fd = cd->in_fd, .events = POLLIN}};
        nfds_t nfds = !len && !eof ? 2 : 1;
        struct timespec ts, *tsp = NULL;
        if (deadline) {
            uint64_t now = now_ns();
            if (now >= deadline) {
                deadline = 0;
                if (cd->sink.rx_idle)
                    cd->sink.rx_idle(cd->sink.ctx);
                continue;
            }
            ts = ns_to_ts(deadline - now);
            tsp = &ts;
        }
        int r = ppoll(pfd, nfds, tsp, NULL);
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "serial backend: input poll failed (%s); input stops\n",
                    strerror(errno));
            break;
        }
        if (r <= 0)
            continue;
        if (pfd[0].revents) {
            if (drain_ctl(cd))
                deadline = now_ns() + atomic_load(&cd->idle_ns);
            blocked = false;
        }
        if (nfds == 2 && pfd[1].revents) {
            ssize_t k = read(cd->in_fd, buf, sizeof buf);
            if (k > 0) {
                off = 0;
                len = (size_t)k;
                atomic_fetch_add(&cd->in_bytes, (uint64_t)k);
            } else if (k == 0 || (errno != EINTR && errno != EAGAIN)) {
                eof = true; /* end of input (EOF, hang-up, reset): keep idling */
            }
        }
    }
    return NULL;
}

/* ---- lifecycle ---- */

int chardev_attach(struct chardev *cd, const struct chardev_sink *sink)
{
    if (!cd || !sink || !sink->rx)
        return -EINVAL;
    if (cd->attached)
        return -EBUSY;
    cd->sink = *sink;
    cd->attached = true;
    chardev_install_exit_hooks();
    chardev_register(cd);
    chardev_raw_enter(cd);
    int e = 0;
    if (cd->out_fd >= 0) {
        e = -thread_start(&cd->writer, writer_main, cd, "serial-out");
        cd->writer_running = e == 0;
    }
    if (!e) {
        e = -thread_start(&cd->reader, reader_main, cd, "serial-in");
        cd->reader_running = e == 0;
    }
    return e;
}

void chardev_get_stats(struct chardev *cd, struct chardev_stats *st)
{
    memset(st, 0, sizeof *st);
    if (!cd)
        return;
    pthread_mutex_lock(&cd->lock);
    st->out_bytes = cd->out_bytes;
    st->out_lost = cd->out_lost;
    st->out_failed = cd->out_failed;
    pthread_mutex_unlock(&cd->lock);
    st->in_bytes = atomic_load(&cd->in_bytes);
    st->raw_tty = atomic_load(&cd->raw);
}

void chardev_close(struct chardev *cd)
{
    if (!cd)
        return;
    if (cd->reader_running) {
        atomic_store(&cd->stop_reader, true);
        chardev_rx_wake(cd);
        pthread_join(cd->reader, NULL);
        cd->reader_running = false;
    }
    chardev_raw_leave(cd);
    if (cd->writer_running) {
        bool ok = chardev_flush(cd, CHARDEV_EXIT_FLUSH_MS);
        pthread_mutex_lock(&cd->lock);
        cd->stop_writer = true;
        pthread_cond_signal(&cd->wake_writer);
        size_t pending = atomic_load(&cd->tail) - atomic_load(&cd->head);
        bool failed = cd->out_failed;
        pthread_mutex_unlock(&cd->lock);
        if (!ok && !failed) {
            /* The output is stuck (nobody reads it): give up instead of hanging. */
            fprintf(stderr, "serial backend: output blocked; %zu bytes not delivered\n",
                    pending);
            atomic_store(&cd->abort_writer, true);
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        if (pthread_timedjoin_np(cd->writer, NULL, &until) != 0) {
            pthread_cancel(cd->writer); /* stuck inside one write to a terminal */
            pthread_join(cd->writer, NULL);
        }
        pthread_mutex_lock(&cd->lock);
        cd->writer_running = false;
        pthread_mutex_unlock(&cd->lock);
    }
    chardev_unregister(cd);
    close_fds(cd->in_fd, cd->out_fd, cd->own_in, cd->own_out);
    close(cd->ctl[0]);
    close(cd->ctl[1]);
    pthread_cond_destroy(&cd->wake_writer);
    pthread_cond_destroy(&cd->progress);
    pthread_mutex_destroy(&cd->lock);
    free(cd->ring);
    free(cd);
}
