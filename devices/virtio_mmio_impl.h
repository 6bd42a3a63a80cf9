/* Internals shared by the virtio-mmio transport (virtio_mmio.c) and its worker
 * thread (virtio_worker.c). Not for device models. */
#ifndef ISV_DEVICES_VIRTIO_MMIO_IMPL_H
#define ISV_DEVICES_VIRTIO_MMIO_IMPL_H

#include "virtio_mmio.h"

struct vm_queue {
    uint32_t num;                  /* QueueNum as written */
    uint64_t desc, driver, device; /* area addresses as written */
    bool ready;                    /* QueueReady; vq is valid while set */
    bool stopping;                 /* a reset/disable is waiting: pop nothing */
    bool disabling;                /* QueueReady=0 waits for inflight to reach 0 */
    unsigned inflight;             /* chains popped and not yet pushed */
    int efd;                       /* notification eventfd */
    struct virtq vq;
};

/* Fields are protected by dev.lock unless noted. */
struct virtio_mmio {
    struct device dev;
    const struct virtio_dev_ops *ops; /* immutable */
    void *priv;                       /* the device model's, immutable pointer */
    uint64_t dev_features, drv_features;
    uint32_t dev_features_sel, drv_features_sel, queue_sel;
    uint32_t status, int_status, config_gen;
    bool irq_level;
    bool resetting;     /* Status=0 written, chains still in flight: Status reads
                           the old value and other writes are ignored until the
                           worker pushes the last one (virtio 1.2 §2.4) */
    unsigned warn_budget;
    unsigned fail_budget; /* needs-reset reports; a reset does not refill it */
    struct vm_queue q[VIRTIO_MMIO_MAX_QUEUES];
    uint8_t config[VIRTIO_MMIO_CONFIG_MAX];
    uint32_t config_len;

    /* Worker: fds immutable while it runs; cond pairs with dev.lock and is
     * broadcast when in-flight chains drain or a sync completes. */
    pthread_t worker;
    bool worker_running, worker_dead;
    int epfd, stop_fd, sync_fd;
    pthread_cond_t cond;
    uint64_t sync_req, sync_done;
};

/* dev.lock held. */
void vm_raise_locked(struct virtio_mmio *vm, uint32_t bits);
void vm_fail_locked(struct virtio_mmio *vm, const char *msg);
void vm_reset_locked(struct virtio_mmio *vm);
/* The worker pushed or dropped the last in-flight chain of a stopping queue:
 * finish the disable or reset that waited for it. */
void vm_queue_idle_locked(struct virtio_mmio *vm, struct vm_queue *q);

/* Start the worker (0, or -1 with err) / stop and join it (idempotent).
 * False when it did not stop in time: nothing it uses may be freed. */
int vm_worker_start(struct virtio_mmio *vm, char *err, size_t errlen);
bool vm_worker_stop(struct virtio_mmio *vm);

#endif
