/* --trace-mmio: the line formatter, the writer and the ioeventfd relay (trace.h). */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../devices/thread.h"
#include "../devices/virtio_mmio.h"

#define TRACE_BUF (64 * 1024)
#define DEV_NAME_MAX 80 /* longer names are cut, so a line always fits TRACE_LINE_MAX */

/* ---- the formatter: by hand, it runs once per traced exit ---- */

struct cur {
    char *p, *end;
};

static void put_ch(struct cur *c, char ch)
{
    if (c->p < c->end)
        *c->p++ = ch;
}

static void put_str(struct cur *c, const char *s, size_t max)
{
    for (size_t i = 0; s[i] && i < max; i++)
        put_ch(c, s[i]);
}

static void put_dec(struct cur *c, uint64_t v)
{
    char t[20];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        put_ch(c, t[--n]);
}

/* 0x and at least `digits` hex digits. */
static void put_hex(struct cur *c, uint64_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    int n = 1;
    while (n < 16 && (v >> (4 * n)))
        n++;
    if (n < digits)
        n = digits;
    put_ch(c, '0');
    put_ch(c, 'x');
    while (n--)
        put_ch(c, hex[(v >> (4 * n)) & 0xf]);
}

size_t trace_format(uint64_t ns, const struct trace_rec *r, char *buf, size_t size)
{
    static const char *const via[] = {"mmio", "nisv", "ioeventfd"};
    char line[TRACE_LINE_MAX];
    /* Room for the '\n' and a '\0': a TRACE_LINE_MAX buffer always holds a line. */
    struct cur c = {line, line + sizeof line - 2};
    if (size == 0)
        return 0;

    put_dec(&c, ns);
    put_ch(&c, ' ');
    if (r->vcpu < 0) {
        put_ch(&c, '-');
    } else {
        put_str(&c, "cpu", 3);
        put_dec(&c, (uint64_t)r->vcpu);
    }
    put_ch(&c, ' ');
    put_str(&c, (unsigned)r->via < 3 ? via[r->via] : "?", 16);
    put_ch(&c, ' ');
    put_ch(&c, r->is_write ? 'W' : 'R');
    put_ch(&c, ' ');
    put_dec(&c, r->len);
    put_ch(&c, ' ');
    put_hex(&c, r->ipa, 1);
    put_ch(&c, ' ');
    if (r->status == BUS_OK) {
        put_str(&c, r->dev ? r->dev : "?", DEV_NAME_MAX);
        put_ch(&c, '+');
        put_hex(&c, r->offset, 1);
    } else {
        put_str(&c, r->status == BUS_UNMAPPED ? "unmapped" : "bad-width", 16);
    }
    put_ch(&c, ' ');
    /* A read nothing answered has no value; a write's is what the guest stored. */
    if (!r->is_write && r->status != BUS_OK) {
        put_ch(&c, '-');
    } else {
        unsigned w = r->len >= 1 && r->len <= 8 ? r->len : 8;
        uint64_t v = w == 8 ? r->value : r->value & ((1ull << (8 * w)) - 1);
        put_hex(&c, v, (int)(2 * w));
    }
    put_ch(&c, ' ');
    if (r->have_pc)
        put_hex(&c, r->pc, 1);
    else
        put_ch(&c, '-');
    if (r->via == TRACE_IOEVENTFD && r->count > 1) {
        put_str(&c, " x", 2);
        put_dec(&c, r->count);
    }
    *c.p++ = '\n';

    size_t n = (size_t)(c.p - line);
    if (n > size - 1) { /* cut, but still a line */
        n = size - 1;
        if (n)
            line[n - 1] = '\n';
    }
    memcpy(buf, line, n);
    buf[n] = '\0';
    return n;
}

/* ---- the writer ---- */

struct relay {
    int fd;     /* what KVM signals (ours) */
    int target; /* the device's eventfd (the device's) */
    char dev[DEV_NAME_MAX + 1];
    uint64_t ipa;
    unsigned queue;
};

struct trace {
    pthread_mutex_t lock; /* held only to append or write a line */
    int fd;
    bool to_stderr;       /* "-": a write() per line, never closed */
    bool is_pipe;         /* a FIFO or socket: a vanished reader raises SIGPIPE */
    bool is_reg;          /* a regular file: a failed write is cut back to whole lines */
    bool failed, reported;
    uint64_t (*now)(void);
    uint64_t start;
    uint64_t written;     /* bytes in the file */
    trace_report_fn *report;
    void *ctx;
    char msg[512];        /* why it stopped, once it has */
    char *path;
    struct relay *relays;
    size_t nrelays;
    int epfd, stopfd;
    pthread_t thread;
    bool running;
    size_t len;
    char buf[TRACE_BUF];
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static ssize_t write_nopipe(struct trace *t, const char *p, size_t n)
{
    if (!t->is_pipe)
        return write(t->fd, p, n);
    /* Block SIGPIPE for this write and take back the one an EPIPE raised
     * (unless one was already pending): the trace fails, the VMM lives. */
    sigset_t pipe_set, old, pend;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigpending(&pend);
    bool was_pending = sigismember(&pend, SIGPIPE);
    ssize_t w = write(t->fd, p, n);
    int e = errno;
    if (w < 0 && e == EPIPE && !was_pending) {
        const struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return w;
}

/* Write n bytes of whole lines (lock held). On the first failure, record why,
 * cut a regular file back to its last whole line, and stop. */
static void put(struct trace *t, const char *p, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t w = write_nopipe(t, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : ENOSPC;
            size_t keep = done;
            while (keep && p[keep - 1] != '\n')
                keep--;
            if (t->is_reg && keep != done && ftruncate(t->fd, (off_t)(t->written + keep)) == 0)
                done = keep;
            t->written += done;
            t->failed = true;
            snprintf(t->msg, sizeof t->msg,
                     "isv: --trace-mmio %s: writing failed (%s): tracing stopped, %llu bytes written\n",
                     t->to_stderr ? "-" : t->path, strerror(e), (unsigned long long)t->written);
            return;
        }
        done += (size_t)w;
    }
    t->written += n;
}

static void flush_locked(struct trace *t)
{
    if (t->len && !t->failed)
        put(t, t->buf, t->len);
    t->len = 0;
}

/* After the lock is dropped: say once why tracing stopped. */
static void report_failure(struct trace *t, bool due)
{
    if (due && t->report)
        t->report(t->ctx, t->msg);
}

static bool take_report(struct trace *t)
{
    bool due = t->failed && !t->reported;
    if (due)
        t->reported = true;
    return due;
}

struct trace *trace_open(const char *path, trace_report_fn *report, void *ctx, char *err,
                         size_t errlen)
{
    struct trace *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        snprintf(err, errlen, "--trace-mmio: out of memory");
        return NULL;
    }
    t->to_stderr = strcmp(path, "-") == 0;
    t->fd = t->to_stderr ? STDERR_FILENO : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (t->fd < 0) {
        snprintf(err, errlen, "--trace-mmio '%s': cannot open it: %s", path, strerror(errno));
        free(t->path);
        free(t);
        return NULL;
    }
    struct stat st;
    if (fstat(t->fd, &st) == 0) {
        t->is_pipe = S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
        t->is_reg = S_ISREG(st.st_mode);
    }
    pthread_mutex_init(&t->lock, NULL);
    t->report = report;
    t->ctx = ctx;
    t->now = mono_ns;
    t->start = mono_ns();
    t->epfd = t->stopfd = -1;
    if (t->to_stderr) {
        put(t, TRACE_HEADER, sizeof TRACE_HEADER - 1);
    } else {
        memcpy(t->buf, TRACE_HEADER, sizeof TRACE_HEADER - 1);
        t->len = sizeof TRACE_HEADER - 1;
    }
    return t;
}

void trace_set_clock(struct trace *t, uint64_t (*now_ns)(void))
{
    t->now = now_ns;
    t->start = now_ns();
}

void trace_log(struct trace *t, const struct trace_rec *r)
{
    char line[TRACE_LINE_MAX];
    pthread_mutex_lock(&t->lock);
    if (t->failed) {
        pthread_mutex_unlock(&t->lock);
        return;
    }
    /* The time is taken under the lock, so lines are in TIME order. */
    uint64_t now = t->now();
    uint64_t ns = now > t->start ? now - t->start : 0;
    if (t->to_stderr) {
        put(t, line, trace_format(ns, r, line, sizeof line));
    } else {
        if (sizeof t->buf - t->len < TRACE_LINE_MAX)
            flush_locked(t);
        t->len += trace_format(ns, r, t->buf + t->len, TRACE_LINE_MAX);
    }
    bool due = take_report(t);
    pthread_mutex_unlock(&t->lock);
    report_failure(t, due);
}

/* ---- the ioeventfd relay ---- */

int trace_relay(struct trace *t, int target, const char *dev, uint64_t ipa, unsigned queue,
                char *err, size_t errlen)
{
    struct relay *v = realloc(t->relays, (t->nrelays + 1) * sizeof *v);
    if (!v) {
        snprintf(err, errlen, "--trace-mmio: out of memory");
        return -1;
    }
    t->relays = v;
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "--trace-mmio: eventfd for %s queue %u: %s", dev, queue,
                 strerror(errno));
        return -1;
    }
    struct relay *r = &t->relays[t->nrelays++];
    *r = (struct relay){.fd = fd, .target = target, .ipa = ipa, .queue = queue};
    snprintf(r->dev, sizeof r->dev, "%s", dev);
    return fd;
}

/* Whatever the relay's eventfd counted: one line, then the same count to the
 * device (logged first, so the line's TIME precedes anything it causes). */
static void relay_pass(struct trace *t, const struct relay *r)
{
    uint64_t n;
    while (read(r->fd, &n, sizeof n) == (ssize_t)sizeof n) {
        struct trace_rec rec = {.via = TRACE_IOEVENTFD, .vcpu = -1, .is_write = true, .len = 4,
                                .ipa = r->ipa, .status = BUS_OK, .dev = r->dev,
                                .offset = VIRTIO_MMIO_QUEUE_NOTIFY, .value = r->queue,
                                .count = n};
        trace_log(t, &rec);
        while (write(r->target, &n, sizeof n) < 0 && errno == EINTR)
            ;
    }
}

static void *relay_main(void *arg)
{
    struct trace *t = arg;
    for (;;) {
        struct epoll_event ev[16];
        int n = epoll_wait(t->epfd, ev, 16, -1);
        if (n < 0 && errno != EINTR)
            break;
        bool stop = false;
        for (int i = 0; i < n; i++) {
            if (ev[i].data.u64 == t->nrelays)
                stop = true;
            else
                relay_pass(t, &t->relays[ev[i].data.u64]);
        }
        if (stop)
            break;
    }
    /* Forward what is still counted: a device must not lose a doorbell. */
    for (size_t i = 0; i < t->nrelays; i++)
        relay_pass(t, &t->relays[i]);
    return NULL;
}

int trace_start(struct trace *t, char *err, size_t errlen)
{
    pthread_mutex_lock(&t->lock);
    t->start = t->now();
    pthread_mutex_unlock(&t->lock);
    if (!t->nrelays)
        return 0;
    t->epfd = epoll_create1(EPOLL_CLOEXEC);
    t->stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (t->epfd < 0 || t->stopfd < 0) {
        snprintf(err, errlen, "--trace-mmio: the ioeventfd relay: %s", strerror(errno));
        return -1;
    }
    for (size_t i = 0; i <= t->nrelays; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
        if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, i < t->nrelays ? t->relays[i].fd : t->stopfd,
                      &ev)) {
            snprintf(err, errlen, "--trace-mmio: the ioeventfd relay: %s", strerror(errno));
            return -1;
        }
    }
    int e = thread_start(&t->thread, relay_main, t, "trace-relay");
    if (e) {
        snprintf(err, errlen, "--trace-mmio: cannot start the ioeventfd relay: %s", strerror(e));
        return -1;
    }
    t->running = true;
    return 0;
}

void trace_close(struct trace *t)
{
    if (!t)
        return;
    if (t->running) {
        uint64_t one = 1;
        while (write(t->stopfd, &one, sizeof one) < 0 && errno == EINTR)
            ;
        pthread_join(t->thread, NULL);
    }
    for (size_t i = 0; i < t->nrelays; i++)
        close(t->relays[i].fd);
    if (t->epfd >= 0)
        close(t->epfd);
    if (t->stopfd >= 0)
        close(t->stopfd);
    pthread_mutex_lock(&t->lock);
    flush_locked(t);
    bool due = take_report(t);
    pthread_mutex_unlock(&t->lock);
    report_failure(t, due);
    if (!t->to_stderr)
        close(t->fd);
    pthread_mutex_destroy(&t->lock);
    free(t->relays);
    free(t->path);
    free(t);
}

void trace_emergency(struct trace *t)
{
    if (!t || pthread_mutex_trylock(&t->lock))
        return;
    flush_locked(t);
    pthread_mutex_unlock(&t->lock);
}
