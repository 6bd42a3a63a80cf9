/*
 * virtio-mmio version 2 transport: registers, device-status state machine,
 * feature negotiation, queue setup, interrupts and reset (virtio 1.2 §4.2,
 * §2.1-§3.1). The worker thread lives in virtio_worker.c.
 */
#include "virtio_mmio.h"
#include "virtio_mmio_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libfdt.h>

enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR_ID = 0x00c,
    R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014,
    R_DRV_FEATURES = 0x020, R_DRV_FEATURES_SEL = 0x024,
    R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034, R_QUEUE_NUM = 0x038,
    R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050,
    R_INT_STATUS = 0x060, R_INT_ACK = 0x064, R_STATUS = 0x070,
    R_QUEUE_DESC_LO = 0x080, R_QUEUE_DESC_HI = 0x084,
    R_QUEUE_DRIVER_LO = 0x090, R_QUEUE_DRIVER_HI = 0x094,
    R_QUEUE_DEVICE_LO = 0x0a0, R_QUEUE_DEVICE_HI = 0x0a4,
    R_SHM_LEN_LO = 0x0b0, R_SHM_LEN_HI = 0x0b4, R_SHM_BASE_LO = 0x0b8, R_SHM_BASE_HI = 0x0bc,
    R_CONFIG_GEN = 0x0fc, R_CONFIG = 0x100,
};

#define MAGIC 0x74726976u  /* "virt" */
#define VENDOR 0x20565349u /* "ISV " */

static const struct device_ops virtio_mmio_device_ops;

static struct virtio_mmio *to_vm(const struct device *dev)
{
    return (struct virtio_mmio *)dev;
}

/* ---- logging ---- */

void virtio_mmio_log(struct virtio_mmio *vm, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s\n", vm->dev.name, msg);
}

/* Register misuse by the driver: worth a line, but a guest must not be able to
 * flood the log, so each device gets a small budget. */
static void __attribute__((format(printf, 2, 3))) warn(struct virtio_mmio *vm, const char *fmt,
                                                       ...)
{
    char msg[200];
    va_list ap;
    if (vm->warn_budget == 0)
        return;
    vm->warn_budget--;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    virtio_mmio_log(vm, "%s%s", msg, vm->warn_budget ? "" : " (further warnings suppressed)");
}

/* ---- interrupts and errors (dev->lock held) ---- */

static void update_irq(struct virtio_mmio *vm)
{
    bool level = vm->int_status != 0;
    if (level != vm->irq_level) {
        vm->irq_level = level;
        device_set_irq(&vm->dev, level);
    }
}

void vm_raise_locked(struct virtio_mmio *vm, uint32_t bits)
{
    vm->int_status |= bits;
    update_irq(vm);
}

void vm_fail_locked(struct virtio_mmio *vm, const char *msg)
{
    if (vm->status & VIRTIO_STATUS_NEEDS_RESET)
        return; /* already reported; the driver has to reset */
    vm->status |= VIRTIO_STATUS_NEEDS_RESET;
    /* A reset clears the state, not the budget: a driver looping "bad chain,
     * reset" gets a bounded number of lines. */
    if (vm->fail_budget) {
        vm->fail_budget--;
        virtio_mmio_log(vm, "%s; device needs reset%s", msg,
                        vm->fail_budget ? "" : " (further reports suppressed)");
    }
    if (vm->status & VIRTIO_STATUS_DRIVER_OK)
        vm_raise_locked(vm, VIRTIO_INT_CONFIG);
}

static void __attribute__((format(printf, 2, 3))) fail(struct virtio_mmio *vm, const char *fmt,
                                                       ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vm_fail_locked(vm, msg);
}

/* ---- queues ---- */

/* Stop the worker from starting new chains on the queues in `mask`. True
 * when some are still in flight: the vCPU never waits for them (a stalled
 * disk or pipe must not stall it); release() finishes the job. */
static bool stop_queues(struct virtio_mmio *vm, unsigned mask)
{
    bool busy = false;
    for (unsigned i = 0; i < vm->ops->num_queues; i++)
        if (mask & (1u << i)) {
            vm->q[i].stopping = true;
            busy |= vm->q[i].inflight > 0;
        }
    return busy;
}

static void queue_clear(struct virtio_mmio *vm, struct vm_queue *q)
{
    q->ready = false;
    q->num = vm->ops->queue_max; /* lenient default for a driver that skips QueueNum */
    q->desc = q->driver = q->device = 0;
    memset(&q->vq, 0, sizeof q->vq);
}

static void kick(struct vm_queue *q)
{
    eventfd_write(q->efd, 1); /* only fails if the counter would overflow */
}

static struct vm_queue *sel_queue(struct virtio_mmio *vm)
{
    return vm->queue_sel < vm->ops->num_queues ? &vm->q[vm->queue_sel] : NULL;
}

static void queue_enable(struct virtio_mmio *vm, struct vm_queue *q, uint32_t val)
{
    unsigned qi = (unsigned)(q - vm->q);
    char err[160];

    if (val == 0) {
        /* QueueReady reads 1 until the in-flight chains are pushed. */
        if (q->disabling || (q->ready && stop_queues(vm, 1u << qi))) {
            q->disabling = true;
            return;
        }
        q->stopping = false;
        queue_clear(vm, q);
        return;
    }
    if (val != 1) {
        warn(vm, "QueueReady write of %" PRIu32 " (only 0 or 1); ignored", val);
        return;
    }
    if (q->ready)
        return;
    if (q->num > vm->ops->queue_max) {
        fail(vm, "queue %u: size %" PRIu32 " exceeds QueueNumMax %u", qi, q->num,
             vm->ops->queue_max);
        return;
    }
    if (virtq_setup(&q->vq, vm->dev.host->mem, q->num, q->desc, q->driver, q->device, err,
                    sizeof err)) {
        fail(vm, "queue %u: %s", qi, err);
        return;
    }
    q->ready = true;
}

/* QueueNum and the area addresses may only change while the queue is off. */
static struct vm_queue *queue_writable(struct virtio_mmio *vm, uint64_t off)
{
    struct vm_queue *q = sel_queue(vm);
    if (!q || q->ready) {
        warn(vm, "queue register 0x%" PRIx64 " written %s; ignored", off,
             q ? "while the queue is ready" : "for a queue that does not exist");
        return NULL;
    }
    return q;
}

static void set_half(uint64_t *p, uint64_t off, uint32_t val)
{
    if (off & 4)
        *p = (*p & 0xffffffffull) | (uint64_t)val << 32;
    else
        *p = (*p & ~0xffffffffull) | val;
}

/* ---- status and reset ---- */

static void finish_reset(struct virtio_mmio *vm)
{
    vm->resetting = false;
    vm->status = 0;
    vm->drv_features = 0;
    vm->dev_features_sel = vm->drv_features_sel = vm->queue_sel = 0;
    for (unsigned i = 0; i < vm->ops->num_queues; i++) {
        vm->q[i].stopping = vm->q[i].disabling = false;
        queue_clear(vm, &vm->q[i]);
    }
    vm->int_status = 0;
    update_irq(vm);
}

/* A reset the driver asked for: immediate when the queues are idle, else
 * completed by the worker (Status reads non-zero until then, and a 1.2
 * driver waits for 0). */
void vm_reset_locked(struct virtio_mmio *vm)
{
    if (stop_queues(vm, (1u << vm->ops->num_queues) - 1))
        vm->resetting = true;
    else
        finish_reset(vm);
}

void vm_queue_idle_locked(struct virtio_mmio *vm, struct vm_queue *q)
{
    if (q->disabling) {
        q->disabling = q->stopping = false;
        queue_clear(vm, q);
    }
    if (!vm->resetting)
        return;
    for (unsigned i = 0; i < vm->ops->num_queues; i++)
        if (vm->q[i].inflight)
            return;
    finish_reset(vm);
}

static bool features_ok(struct virtio_mmio *vm)
{
    uint64_t extra = vm->drv_features & ~vm->dev_features;
    if (extra) {
        warn(vm, "driver accepted features 0x%" PRIx64 " that were not offered; FEATURES_OK refused",
             extra);
        return false;
    }
    if (!(vm->drv_features & (1ull << VIRTIO_F_VERSION_1))) {
        warn(vm, "driver did not accept VIRTIO_F_VERSION_1; FEATURES_OK refused");
        return false;
    }
    return true;
}

/* The driver only ever adds bits (§2.1.2); 0 resets. Each new bit needs the
 * previous step of the initialisation sequence (§3.1.1). DEVICE_NEEDS_RESET is
 * the device's bit: a write echoing it back neither sets nor clears it. */
static void write_status(struct virtio_mmio *vm, uint32_t val)
{
    const uint32_t order[] = {VIRTIO_STATUS_ACKNOWLEDGE, VIRTIO_STATUS_DRIVER,
                              VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_DRIVER_OK};
    const uint32_t known = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                           VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK |
                           VIRTIO_STATUS_FAILED;
    uint32_t cur = vm->status & known, req = val & known;

    if (val == 0) {
        vm_reset_locked(vm);
        return;
    }
    if ((req & cur) != cur) {
        warn(vm, "status write 0x%" PRIx32 " clears bits of 0x%" PRIx32 "; ignored", val,
             vm->status);
        return;
    }
    if (cur & VIRTIO_STATUS_FAILED)
        return;
    if (req & VIRTIO_STATUS_FAILED) {
        vm->status |= VIRTIO_STATUS_FAILED; /* the driver gave up: stop, keep state */
        return;
    }
    for (unsigned i = 0; i < 4; i++) {
        uint32_t bit = order[i];
        if (!(req & bit) || (cur & bit))
            continue;
        if (i > 0 && !(vm->status & order[i - 1])) {
            warn(vm, "status bit 0x%" PRIx32 " set before 0x%" PRIx32 "; ignored", bit,
                 order[i - 1]);
            return;
        }
        if (bit == VIRTIO_STATUS_FEATURES_OK && !features_ok(vm))
            return; /* the driver sees FEATURES_OK missing and gives up */
        vm->status |= bit;
        if (bit == VIRTIO_STATUS_DRIVER_OK)
            /* Notifications sent before DRIVER_OK were not acted on: look at
             * every queue now. */
            for (unsigned q = 0; q < vm->ops->num_queues; q++)
                kick(&vm->q[q]);
    }
}

/* ---- config space ---- */

/* §4.2.2: 8-bit fields by byte, 16-bit ones by aligned halfword, 32- and
 * 64-bit ones by aligned words. Anything else is refused. */
static bool config_access_ok(struct virtio_mmio *vm, uint32_t rel, unsigned len, bool write)
{
    if ((len != 1 && len != 2 && len != 4) || rel % len) {
        warn(vm, "%u-byte config %s at 0x%" PRIx32 " (must be 1, 2 or 4 bytes, aligned); %s", len,
             write ? "write" : "read", rel, write ? "ignored" : "reads 0");
        return false;
    }
    if (rel + len > vm->config_len) {
        warn(vm, "config %s at 0x%" PRIx32 " beyond the %" PRIu32 "-byte config space; %s",
             write ? "write" : "read", rel, vm->config_len, write ? "ignored" : "reads 0");
        return false;
    }
    return true;
}

static uint64_t config_read(struct virtio_mmio *vm, uint32_t rel, unsigned len)
{
    uint64_t v = 0;
    if (!config_access_ok(vm, rel, len, false))
        return 0;
    for (unsigned i = 0; i < len; i++)
        v |= (uint64_t)vm->config[rel + i] << (8 * i);
    return v;
}

void virtio_mmio_set_config(struct virtio_mmio *vm, uint32_t off, const void *buf, uint32_t len,
                            bool locked)
{
    if (!locked)
        pthread_mutex_lock(&vm->dev.lock);
    if (off <= vm->config_len && len <= vm->config_len - off) {
        memcpy(vm->config + off, buf, len);
        vm->config_gen++;
        if (vm->status & VIRTIO_STATUS_DRIVER_OK)
            vm_raise_locked(vm, VIRTIO_INT_CONFIG);
    }
    if (!locked)
        pthread_mutex_unlock(&vm->dev.lock);
}

/* ---- register access (dev->lock held by the bus) ---- */

static uint64_t vm_read(struct device *dev, uint64_t off, unsigned len)
{
    struct virtio_mmio *vm = to_vm(dev);
    struct vm_queue *q;

    if (off >= R_CONFIG)
        return config_read(vm, (uint32_t)(off - R_CONFIG), len);
    if (len != 4 || (off & 3)) {
        warn(vm, "%u-byte read at 0x%" PRIx64 " (registers below 0x100 are 32-bit only); reads 0",
             len, off);
        return 0;
    }
    switch (off) {
    case R_MAGIC: return MAGIC;
    case R_VERSION: return 2;
    case R_DEVICE_ID: return vm->ops->device_id;
    case R_VENDOR_ID: return VENDOR;
    case R_DEV_FEATURES:
        return vm->dev_features_sel < 2 ? (uint32_t)(vm->dev_features >> (32 * vm->dev_features_sel))
                                         : 0;
    case R_QUEUE_NUM_MAX: return sel_queue(vm) ? vm->ops->queue_max : 0;
    case R_QUEUE_READY: return (q = sel_queue(vm)) ? q->ready : 0;
    case R_INT_STATUS: return vm->int_status;
    case R_STATUS: return vm->status;
    case R_SHM_LEN_LO: case R_SHM_LEN_HI: case R_SHM_BASE_LO: case R_SHM_BASE_HI:
        return 0xffffffffu; /* no shared memory regions */
    case R_CONFIG_GEN: return vm->config_gen;
    default: return 0; /* write-only and undefined registers */
    }
}

static void vm_write(struct device *dev, uint64_t off, unsigned len, uint64_t val64)
{
    struct virtio_mmio *vm = to_vm(dev);
    uint32_t val = (uint32_t)val64;
    struct vm_queue *q;

    if (vm->resetting && !(off == R_STATUS && val == 0)) {
        warn(vm, "register 0x%" PRIx64 " written while a reset waits for in-flight requests "
                 "(Status reads non-zero until it completes); ignored", off);
        return;
    }
    if (off >= R_CONFIG) {
        uint32_t rel = (uint32_t)(off - R_CONFIG);
        if (config_access_ok(vm, rel, len, true) && vm->ops->config_write)
            vm->ops->config_write(vm, rel, len, val64);
        return;
    }
    if (len != 4 || (off & 3)) {
        warn(vm, "%u-byte write at 0x%" PRIx64 " (registers below 0x100 are 32-bit only); ignored",
             len, off);
        return;
    }
    switch (off) {
    case R_DEV_FEATURES_SEL: vm->dev_features_sel = val; break;
    case R_DRV_FEATURES_SEL: vm->drv_features_sel = val; break;
    case R_DRV_FEATURES:
        if (vm->status & VIRTIO_STATUS_FEATURES_OK)
            warn(vm, "DriverFeatures written after FEATURES_OK; ignored");
        else if (vm->drv_features_sel < 2)
            set_half(&vm->drv_features, vm->drv_features_sel * 4, val);
        break;
    case R_QUEUE_SEL: vm->queue_sel = val; break;
    case R_QUEUE_NUM:
        if ((q = queue_writable(vm, off)))
            q->num = val;
        break;
    case R_QUEUE_DESC_LO: case R_QUEUE_DESC_HI:
        if ((q = queue_writable(vm, off)))
            set_half(&q->desc, off, val);
        break;
    case R_QUEUE_DRIVER_LO: case R_QUEUE_DRIVER_HI:
        if ((q = queue_writable(vm, off)))
            set_half(&q->driver, off, val);
        break;
    case R_QUEUE_DEVICE_LO: case R_QUEUE_DEVICE_HI:
        if ((q = queue_writable(vm, off)))
            set_half(&q->device, off, val);
        break;
    case R_QUEUE_READY:
        if (sel_queue(vm))
            queue_enable(vm, sel_queue(vm), val);
        break;
    case R_QUEUE_NOTIFY:
        /* Acted on by the worker, which checks the queue is live. */
        if (val < vm->ops->num_queues)
            kick(&vm->q[val]);
        else
            warn(vm, "QueueNotify for queue %" PRIu32 ", which does not exist; ignored", val);
        break;
    case R_INT_ACK:
        vm->int_status &= ~(val & (VIRTIO_INT_VRING | VIRTIO_INT_CONFIG));
        update_irq(vm);
        break;
    case R_STATUS: write_status(vm, val); break;
    default: break; /* read-only and undefined registers */
    }
}

/* ---- device_ops glue ---- */

/* The host's reset (not a guest register write) may wait for the worker;
 * if the worker is gone the chains will never be pushed, so reset anyway. */
static void vm_reset(struct device *dev)
{
    struct virtio_mmio *vm = to_vm(dev);
    pthread_mutex_lock(&dev->lock);
    vm_reset_locked(vm);
    while (vm->resetting && !vm->worker_dead && vm->worker_running)
        pthread_cond_wait(&vm->cond, &dev->lock);
    if (vm->resetting)
        finish_reset(vm);
    pthread_mutex_unlock(&dev->lock);
}

static int vm_fdt(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    (void)refs; /* the root's interrupt-parent is the GIC */
    /* Level-high: the line follows InterruptStatus != 0. */
    int err = device_fdt_begin(dev, fdt, "virtio_mmio");
    err |= fdt_property_string(fdt, "compatible", "virtio,mmio");
    err |= fdt_property(fdt, "dma-coherent", "", 0);
    err |= fdt_end_node(fdt);
    return err;
}

static void vm_free(struct virtio_mmio *vm, bool free_priv)
{
    if (!vm_worker_stop(vm))
        return; /* a stuck worker still uses it all: leak it to the exit */
    if (free_priv && vm->ops->free)
        vm->ops->free(vm->priv);
    for (unsigned i = 0; i < vm->ops->num_queues; i++)
        if (vm->q[i].efd >= 0)
            close(vm->q[i].efd);
    pthread_cond_destroy(&vm->cond);
    device_fini(&vm->dev);
    free(vm);
}

static void vm_destroy(struct device *dev)
{
    vm_free(to_vm(dev), true);
}

static const struct device_ops virtio_mmio_device_ops = {
    .type = "virtio-mmio",
    .read = vm_read,
    .write = vm_write,
    .reset = vm_reset,
    .fdt = vm_fdt,
    .destroy = vm_destroy,
};

/* ---- construction and accessors ---- */

struct virtio_mmio *virtio_mmio_create(uint64_t base, int spi, struct device_host *host,
                                       const struct virtio_dev_ops *ops, void *priv,
                                       uint64_t features, const void *config,
                                       uint32_t config_len, char *err, size_t errlen)
{
    if (!host || !host->mem) {
        snprintf(err, errlen, "%s: no guest RAM to work on", ops->type);
        return NULL;
    }
    if (ops->num_queues == 0 || ops->num_queues > VIRTIO_MMIO_MAX_QUEUES ||
        ops->queue_max == 0 || ops->queue_max > VIRTQ_MAX_CHAIN ||
        config_len > VIRTIO_MMIO_CONFIG_MAX) {
        snprintf(err, errlen, "%s: bad device description", ops->type);
        return NULL;
    }
    struct virtio_mmio *vm = calloc(1, sizeof *vm);
    if (!vm) {
        snprintf(err, errlen, "%s: out of memory", ops->type);
        return NULL;
    }
    device_init(&vm->dev, &virtio_mmio_device_ops, base, VIRTIO_MMIO_SIZE, spi, host);
    snprintf(vm->dev.name, sizeof vm->dev.name, "%s@%llx", ops->type, (unsigned long long)base);
    pthread_cond_init(&vm->cond, NULL);
    vm->ops = ops;
    vm->priv = priv;
    vm->dev_features = features | 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_INDIRECT_DESC;
    if (config_len)
        memcpy(vm->config, config, config_len);
    vm->config_len = config_len;
    vm->warn_budget = 8;
    vm->fail_budget = 16;
    vm->epfd = vm->stop_fd = vm->sync_fd = -1;
    for (unsigned i = 0; i < ops->num_queues; i++)
        vm->q[i].efd = -1;
    for (unsigned i = 0; i < ops->num_queues; i++) {
        vm->q[i].efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (vm->q[i].efd < 0) {
            snprintf(err, errlen, "%s: eventfd: %s", ops->type, strerror(errno));
            goto fail;
        }
        queue_clear(vm, &vm->q[i]);
    }
    if (vm_worker_start(vm, err, errlen))
        goto fail;
    return vm;
fail:
    vm_free(vm, false); /* the caller still owns priv */
    return NULL;
}

bool virtio_mmio_is(const struct device *dev)
{
    return dev && dev->ops == &virtio_mmio_device_ops;
}

unsigned virtio_mmio_num_queues(const struct device *dev)
{
    return virtio_mmio_is(dev) ? to_vm(dev)->ops->num_queues : 0;
}

int virtio_mmio_queue_eventfd(const struct device *dev, unsigned q)
{
    if (!virtio_mmio_is(dev) || q >= to_vm(dev)->ops->num_queues)
        return -1;
    return to_vm(dev)->q[q].efd;
}

struct device *virtio_mmio_dev(struct virtio_mmio *vm) { return &vm->dev; }
void *virtio_mmio_priv(struct virtio_mmio *vm) { return vm->priv; }

uint64_t virtio_mmio_features(struct virtio_mmio *vm)
{
    pthread_mutex_lock(&vm->dev.lock);
    uint64_t f = vm->drv_features;
    pthread_mutex_unlock(&vm->dev.lock);
    return f;
}
