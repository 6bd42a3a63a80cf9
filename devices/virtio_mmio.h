/*
 * virtio-mmio transport, version 2 (virtio 1.2 §4.2), shared by every virtio
 * device model.
 *
 * Threading: the vCPU side (bus read/write, with dev->lock held) only updates
 * transport state and signals queue eventfds; each device has one worker
 * thread that waits on those eventfds with epoll and does the device work
 * (disk I/O, entropy, console output) without holding dev->lock. The worker
 * takes dev->lock only briefly, to pop a chain and to push it back. A reset or
 * QueueReady=0 waits for chains in flight on the affected queues to be pushed,
 * so the device never touches guest memory after Status reads 0.
 *
 * Fast path for the VMM: register each queue's eventfd with KVM_IOEVENTFD at
 * base + VIRTIO_MMIO_QUEUE_NOTIFY, 4 bytes, datamatch = queue index. A trapped
 * QueueNotify write (no ioeventfd) reaches the same eventfd.
 */
#ifndef ISV_DEVICES_VIRTIO_MMIO_H
#define ISV_DEVICES_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"
#include "virtq.h"

/* A transport's register window. Where slots sit and which SPI each has is
 * the board's business (vmm/board.h). */
#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x50 /* offset of the QueueNotify register */

#define VIRTIO_MMIO_MAX_QUEUES 8
#define VIRTIO_MMIO_CONFIG_MAX 0x100 /* config space is 0x100..0x1ff */

/* Feature bits the transport itself offers or requires. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_VERSION_1 32

/* Device status bits (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* InterruptStatus bits. */
#define VIRTIO_INT_VRING 1
#define VIRTIO_INT_CONFIG 2

/* ---- used by the VMM ---- */

/* Is this device a virtio-mmio transport? */
bool virtio_mmio_is(const struct device *dev);
/* Number of queues, and the eventfd for queue q (-1 when q is out of range).
 * The transport owns the eventfds; they stay valid until destroy. */
unsigned virtio_mmio_num_queues(const struct device *dev);
int virtio_mmio_queue_eventfd(const struct device *dev, unsigned q);
/* Wait until the worker has handled every notification signalled before the
 * call (tests and orderly shutdown). Call without dev->lock held. */
void virtio_mmio_sync(struct device *dev);

/* ---- used by device models ---- */

struct virtio_mmio;

/* What a device type plugs into the transport. Callbacks marked (worker) run
 * on the device's worker thread without dev->lock; (locked) ones run with
 * dev->lock held on a vCPU thread. */
struct virtio_dev_ops {
    const char *type;      /* "virtio-blk": names the device in logs */
    uint32_t device_id;    /* virtio device type (§5) */
    unsigned num_queues;   /* <= VIRTIO_MMIO_MAX_QUEUES */
    uint16_t queue_max;    /* QueueNumMax of every queue, <= VIRTQ_MAX_CHAIN */
    /* (worker) The driver made buffers available on queue q, or the device
     * just went live: pop and push chains until virtio_mmio_pop says stop. */
    void (*queue_work)(struct virtio_mmio *vm, unsigned q);
    /* (worker) A file descriptor registered with virtio_mmio_watch_fd is ready,
     * or a sync was requested. Optional. */
    void (*fd_ready)(struct virtio_mmio *vm);
    /* (locked) The driver wrote `len` bytes at config offset `off` (width and
     * bounds already checked). Optional: config is read-only without it. */
    void (*config_write)(struct virtio_mmio *vm, uint32_t off, unsigned len, uint64_t val);
    /* Free the device's state; the worker has stopped. Optional. */
    void (*free)(void *priv);
};

/* Create a transport for a device of type ops with private state priv, offering
 * `features` (device-specific bits; the transport adds VERSION_1 and
 * INDIRECT_DESC) and the initial config space. The worker starts at once.
 * NULL with a one-line reason in err on failure (priv is then not freed). */
struct virtio_mmio *virtio_mmio_create(uint64_t base, int spi, struct device_host *host,
                                       const struct virtio_dev_ops *ops, void *priv,
                                       uint64_t features, const void *config,
                                       uint32_t config_len, char *err, size_t errlen);
struct device *virtio_mmio_dev(struct virtio_mmio *vm);
void *virtio_mmio_priv(struct virtio_mmio *vm);
/* Features the driver accepted (valid once FEATURES_OK was set). */
uint64_t virtio_mmio_features(struct virtio_mmio *vm);

/* (worker) Take the next available chain of queue q into c. False when there
 * is none, or the queue or device is not live (then just return; a later
 * notification or DRIVER_OK calls queue_work again). On a ring violation the
 * device is marked DEVICE_NEEDS_RESET and false is returned. Every chain
 * popped must be given back with virtio_mmio_push or virtio_mmio_fail. */
bool virtio_mmio_pop(struct virtio_mmio *vm, unsigned q, struct virtq_chain *c);
/* (worker) Return c with `len` bytes written to its writable part, and raise
 * the used-buffer interrupt unless the driver suppressed it. */
void virtio_mmio_push(struct virtio_mmio *vm, unsigned q, const struct virtq_chain *c,
                      uint32_t len);
/* (worker) The driver broke the device's protocol: log one line, set
 * DEVICE_NEEDS_RESET (+ config interrupt if DRIVER_OK) and stop using the
 * device until reset. c (may be NULL) is a popped chain being abandoned. */
void virtio_mmio_fail(struct virtio_mmio *vm, unsigned q, const struct virtq_chain *c,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* (worker) Start or stop waking the worker (fd_ready) when fd is readable.
 * 0, or -errno (e.g. -EPERM for a regular file, which is always readable). */
int virtio_mmio_watch_fd(struct virtio_mmio *vm, int fd, bool on);
/* Replace config bytes [off, off+len) and signal a configuration change
 * (ConfigGeneration bumps; config interrupt once DRIVER_OK). Takes dev->lock
 * unless `locked`. */
void virtio_mmio_set_config(struct virtio_mmio *vm, uint32_t off, const void *buf, uint32_t len,
                            bool locked);
/* (worker) Look at queue q again on a later pass (bounds one pass's work). */
void virtio_mmio_requeue(struct virtio_mmio *vm, unsigned q);
/* (worker) Wait until fd can take a write without blocking. 1: it can;
 * 0: the worker is being stopped (give the write up); -1: poll failed. */
int virtio_mmio_wait_writable(struct virtio_mmio *vm, int fd);
/* Log one line "<device name>: <message>" to stderr. */
void virtio_mmio_log(struct virtio_mmio *vm, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
