/*
 * The per-device worker thread of the virtio-mmio transport, and the queue
 * helpers device models call from it. The worker sleeps in epoll_wait on the
 * queue eventfds (signalled by KVM ioeventfds or trapped QueueNotify writes),
 * a stop eventfd, a sync eventfd and any fd the device watches, so a vCPU never
 * waits for device I/O.
 */
#include "virtio_mmio_impl.h"
#include "thread.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

enum { TAG_STOP = 0x100, TAG_SYNC, TAG_FD };

static void drain(int fd)
{
    eventfd_t v;
    eventfd_read(fd, &v); /* nonblocking; EAGAIN just means already drained */
}

static bool live(struct virtio_mmio *vm, unsigned q)
{
    const uint32_t dead = VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED;
    return q < vm->ops->num_queues && (vm->status & VIRTIO_STATUS_DRIVER_OK) &&
           !(vm->status & dead) && vm->q[q].ready && !vm->q[q].stopping;
}

bool virtio_mmio_pop(struct virtio_mmio *vm, unsigned q, struct virtq_chain *c)
{
    char err[200];
    int r = 0;
    pthread_mutex_lock(&vm->dev.lock);
    if (live(vm, q)) {
        struct vm_queue *vq = &vm->q[q];
        vq->vq.indirect_ok = vm->drv_features & (1ull << VIRTIO_F_INDIRECT_DESC);
        r = virtq_pop(&vq->vq, vm->dev.host->mem, c, err, sizeof err);
        if (r > 0) {
            vq->inflight++;
        } else if (r < 0) {
            char msg[240];
            snprintf(msg, sizeof msg, "queue %u: %s", q, err);
            vm_fail_locked(vm, msg);
        }
    }
    pthread_mutex_unlock(&vm->dev.lock);
    return r > 0;
}

/* Forget a popped chain; the last one of a stopping queue completes the
 * reset or disable the guest asked for (and wakes a host-side waiter). */
static void release(struct virtio_mmio *vm, unsigned q)
{
    vm->q[q].inflight--;
    if (vm->q[q].stopping && vm->q[q].inflight == 0) {
        vm_queue_idle_locked(vm, &vm->q[q]);
        pthread_cond_broadcast(&vm->cond);
    }
}

void virtio_mmio_push(struct virtio_mmio *vm, unsigned q, const struct virtq_chain *c,
                      uint32_t len)
{
    pthread_mutex_lock(&vm->dev.lock);
    /* The queue is still set up: reset and QueueReady=0 complete only in
     * release(), after the last in-flight chain is pushed. */
    if (virtq_push(&vm->q[q].vq, c->head, len))
        vm_raise_locked(vm, VIRTIO_INT_VRING);
    release(vm, q);
    pthread_mutex_unlock(&vm->dev.lock);
}

void virtio_mmio_fail(struct virtio_mmio *vm, unsigned q, const struct virtq_chain *c,
                      const char *fmt, ...)
{
    char msg[240];
    int n = snprintf(msg, sizeof msg, "queue %u: ", q);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&vm->dev.lock);
    /* Fail first: a reset waiting for this chain then clears NEEDS_RESET. */
    vm_fail_locked(vm, msg);
    if (c)
        release(vm, q);
    pthread_mutex_unlock(&vm->dev.lock);
}

void virtio_mmio_requeue(struct virtio_mmio *vm, unsigned q)
{
    eventfd_write(vm->q[q].efd, 1);
}

int virtio_mmio_wait_writable(struct virtio_mmio *vm, int fd)
{
    /* The stop eventfd is left readable: the worker loop still sees TAG_STOP. */
    struct pollfd p[2] = {{.fd = fd, .events = POLLOUT}, {.fd = vm->stop_fd, .events = POLLIN}};
    for (;;) {
        int n = poll(p, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (p[1].revents)
            return 0;
        if (p[0].revents)
            return 1; /* POLLOUT, or an error the next write() reports */
    }
}

int virtio_mmio_watch_fd(struct virtio_mmio *vm, int fd, bool on)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_FD};
    if (epoll_ctl(vm->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev) == 0)
        return 0;
    if ((on && errno == EEXIST) || (!on && errno == ENOENT))
        return 0;
    return -errno;
}

void virtio_mmio_sync(struct device *dev)
{
    if (!virtio_mmio_is(dev))
        return;
    struct virtio_mmio *vm = (struct virtio_mmio *)dev;
    pthread_mutex_lock(&dev->lock);
    uint64_t ticket = ++vm->sync_req;
    eventfd_write(vm->sync_fd, 1);
    while (vm->sync_done < ticket && !vm->worker_dead)
        pthread_cond_wait(&vm->cond, &dev->lock);
    pthread_mutex_unlock(&dev->lock);
}

static void *worker(void *arg)
{
    struct virtio_mmio *vm = arg;
    struct epoll_event ev[VIRTIO_MMIO_MAX_QUEUES + 3];
    const unsigned nq = vm->ops->num_queues;

    for (;;) {
        int n = epoll_wait(vm->epfd, ev, (int)(sizeof ev / sizeof ev[0]), -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            virtio_mmio_log(vm, "worker: epoll_wait: %s; device stopped", strerror(errno));
            goto out;
        }
        unsigned pending = 0;
        bool sync = false, fd = false;
        for (int i = 0; i < n; i++) {
            uint64_t tag = ev[i].data.u64;
            if (tag == TAG_STOP)
                goto out;
            if (tag == TAG_SYNC) {
                drain(vm->sync_fd);
                sync = true;
            } else if (tag == TAG_FD) {
                fd = true;
            } else if (tag < nq) {
                drain(vm->q[tag].efd);
                pending |= 1u << tag;
            }
        }
        uint64_t ticket = 0;
        if (sync) {
            /* Everything notified before the sync request is covered by
             * looking at every queue after reading its ticket. */
            pthread_mutex_lock(&vm->dev.lock);
            ticket = vm->sync_req;
            pthread_mutex_unlock(&vm->dev.lock);
            pending = (1u << nq) - 1;
            fd = true;
        }
        if (fd && vm->ops->fd_ready)
            vm->ops->fd_ready(vm);
        for (unsigned q = 0; q < nq; q++)
            if (pending & (1u << q))
                vm->ops->queue_work(vm, q);
        if (sync) {
            pthread_mutex_lock(&vm->dev.lock);
            vm->sync_done = ticket;
            pthread_cond_broadcast(&vm->cond);
            pthread_mutex_unlock(&vm->dev.lock);
        }
    }
out:
    pthread_mutex_lock(&vm->dev.lock);
    vm->worker_dead = true;
    pthread_cond_broadcast(&vm->cond);
    pthread_mutex_unlock(&vm->dev.lock);
    return NULL;
}

static int watch(struct virtio_mmio *vm, int fd, uint64_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(vm->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int vm_worker_start(struct virtio_mmio *vm, char *err, size_t errlen)
{
    const char *what = "epoll_create1";
    vm->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (vm->epfd < 0)
        goto fail;
    what = "eventfd";
    vm->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    vm->sync_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (vm->stop_fd < 0 || vm->sync_fd < 0)
        goto fail;
    what = "epoll_ctl";
    if (watch(vm, vm->stop_fd, TAG_STOP) || watch(vm, vm->sync_fd, TAG_SYNC))
        goto fail;
    for (unsigned q = 0; q < vm->ops->num_queues; q++)
        if (watch(vm, vm->q[q].efd, q))
            goto fail;

    int e = thread_start(&vm->worker, worker, vm, vm->ops->type);
    if (e) {
        errno = e;
        what = "pthread_create";
        goto fail;
    }
    vm->worker_running = true;
    return 0;
fail:
    snprintf(err, errlen, "%s: %s: %s", vm->ops->type, what, strerror(errno));
    return -1;
}

/* Long enough for any bounded request (see virtio_blk.c); a worker stuck
 * longer is in a host syscall that will not return (a dead NFS server). */
#define WORKER_JOIN_SECONDS 5

bool vm_worker_stop(struct virtio_mmio *vm)
{
    if (vm->worker_running) {
        eventfd_write(vm->stop_fd, 1);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += WORKER_JOIN_SECONDS;
        if (pthread_timedjoin_np(vm->worker, NULL, &until) != 0) {
            /* Leave it, and everything it may touch, to the process exit. */
            virtio_mmio_log(vm, "worker did not stop within %d s (blocked in host I/O); "
                                "leaving it", WORKER_JOIN_SECONDS);
            return false;
        }
        vm->worker_running = false;
    }
    int *fds[] = {&vm->epfd, &vm->stop_fd, &vm->sync_fd};
    for (unsigned i = 0; i < 3; i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
    return true;
}
