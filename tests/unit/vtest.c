/* Test helpers for the virtio models (see vtest.h). */
#include "vtest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../devices/virtio_mmio.h"

static void record_irq(void *ctx, uint32_t spi, bool level)
{
    struct vt_host *h = ctx;
    (void)spi;
    __atomic_store_n(&h->irq_level, level, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&h->irq_changes, 1, __ATOMIC_SEQ_CST);
}

void vt_host_init(struct vt_host *h, uint64_t ram_size)
{
    memset(h, 0, sizeof *h);
    void *p = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    cr_assert(p != MAP_FAILED);
    h->mem = (struct guest_mem){.host = p, .base = VT_RAM_BASE, .size = ram_size};
    h->host = (struct device_host){.set_irq = record_irq, .ctx = h, .mem = &h->mem};
    h->irq_level = -1;
}

void vt_host_fini(struct vt_host *h)
{
    munmap(h->mem.host, h->mem.size);
}

int vt_irq(struct vt_host *h)
{
    return __atomic_load_n(&h->irq_level, __ATOMIC_SEQ_CST);
}

void *vt_ptr(struct vt_host *h, uint64_t gpa)
{
    void *p = guest_mem_ptr(&h->mem, gpa, 1);
    cr_assert(p, "gpa 0x%llx not in fake RAM", (unsigned long long)gpa);
    return p;
}

uint64_t vt_rd(struct device *dev, uint64_t off, unsigned len)
{
    pthread_mutex_lock(&dev->lock);
    uint64_t v = dev->ops->read(dev, off, len);
    pthread_mutex_unlock(&dev->lock);
    return v;
}

void vt_wr(struct device *dev, uint64_t off, unsigned len, uint64_t val)
{
    pthread_mutex_lock(&dev->lock);
    dev->ops->write(dev, off, len, val);
    pthread_mutex_unlock(&dev->lock);
}

static void put16(void *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(void *p, uint64_t v) { memcpy(p, &v, 8); }

void vt_queue_layout(struct vt_queue *q, struct vt_host *h, unsigned slot, uint16_t num)
{
    memset(q, 0, sizeof *q);
    q->h = h;
    q->num = num;
    q->desc = VT_RAM_BASE + slot * 0x10000ull;
    q->avail = q->desc + 0x8000;
    q->used = q->desc + 0xa000;
    memset(vt_ptr(h, q->desc), 0, 0x10000);
}

void vt_desc(struct vt_queue *q, uint64_t table, uint16_t i, uint64_t addr, uint32_t len,
             uint16_t flags, uint16_t next)
{
    uint8_t *d = vt_ptr(q->h, table + 16ull * i);
    put64(d, addr);
    put32(d + 8, len);
    put16(d + 12, flags);
    put16(d + 14, next);
}

void vt_avail(struct vt_queue *q, uint16_t head)
{
    uint8_t *a = vt_ptr(q->h, q->avail);
    put16(a + 4 + 2 * (q->avail_idx % q->num), head);
    q->avail_idx++;
    __atomic_store_n((uint16_t *)(a + 2), q->avail_idx, __ATOMIC_RELEASE);
}

uint16_t vt_used_idx(struct vt_queue *q)
{
    return __atomic_load_n((uint16_t *)((uint8_t *)vt_ptr(q->h, q->used) + 2), __ATOMIC_ACQUIRE);
}

bool vt_used_next(struct vt_queue *q, uint32_t *id, uint32_t *len)
{
    if (vt_used_idx(q) == q->used_seen)
        return false;
    uint8_t *e = (uint8_t *)vt_ptr(q->h, q->used) + 4 + 8 * (q->used_seen % q->num);
    memcpy(id, e, 4);
    memcpy(len, e + 4, 4);
    q->used_seen++;
    return true;
}

uint32_t vt_negotiate(struct device *dev, uint64_t features)
{
    vt_wr32(dev, 0x70, 0);
    vt_wr32(dev, 0x70, VIRTIO_STATUS_ACKNOWLEDGE);
    vt_wr32(dev, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    vt_wr32(dev, 0x24, 0);
    vt_wr32(dev, 0x20, (uint32_t)features);
    vt_wr32(dev, 0x24, 1);
    vt_wr32(dev, 0x20, (uint32_t)(features >> 32));
    vt_wr32(dev, 0x70, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
                           VIRTIO_STATUS_FEATURES_OK);
    return vt_rd32(dev, 0x70);
}

void vt_queue_enable(struct device *dev, unsigned qi, struct vt_queue *q)
{
    vt_wr32(dev, 0x30, qi);
    vt_wr32(dev, 0x38, q->num);
    vt_wr32(dev, 0x80, (uint32_t)q->desc);
    vt_wr32(dev, 0x84, (uint32_t)(q->desc >> 32));
    vt_wr32(dev, 0x90, (uint32_t)q->avail);
    vt_wr32(dev, 0x94, (uint32_t)(q->avail >> 32));
    vt_wr32(dev, 0xa0, (uint32_t)q->used);
    vt_wr32(dev, 0xa4, (uint32_t)(q->used >> 32));
    vt_wr32(dev, 0x44, 1);
}

static uint64_t offered(struct device *dev)
{
    vt_wr32(dev, 0x14, 1);
    uint64_t hi = vt_rd32(dev, 0x10);
    vt_wr32(dev, 0x14, 0);
    return hi << 32 | vt_rd32(dev, 0x10);
}

void vt_bring_up(struct device *dev, struct vt_queue *qs, unsigned nq, uint64_t drop)
{
    uint32_t st = vt_negotiate(dev, offered(dev) & ~drop);
    cr_assert(st & VIRTIO_STATUS_FEATURES_OK, "FEATURES_OK refused (status 0x%x)", st);
    for (unsigned i = 0; i < nq; i++) {
        vt_queue_enable(dev, i, &qs[i]);
        cr_assert_eq(vt_rd32(dev, 0x44), 1, "queue %u not ready", i);
    }
    vt_wr32(dev, 0x70, st | VIRTIO_STATUS_DRIVER_OK);
    cr_assert_eq(vt_rd32(dev, 0x70), st | VIRTIO_STATUS_DRIVER_OK);
    virtio_mmio_sync(dev);
}

void vt_notify(struct device *dev, unsigned qi)
{
    vt_wr32(dev, VIRTIO_MMIO_QUEUE_NOTIFY, qi);
    virtio_mmio_sync(dev);
}

static int saved_stderr = -1;
static FILE *capture;
static char captured[16384];

void vt_stderr_begin(void)
{
    fflush(stderr);
    capture = tmpfile();
    cr_assert(capture);
    saved_stderr = dup(2);
    cr_assert(saved_stderr >= 0);
    dup2(fileno(capture), 2);
}

const char *vt_stderr_end(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    rewind(capture);
    size_t n = fread(captured, 1, sizeof captured - 1, capture);
    captured[n] = '\0';
    fclose(capture);
    return captured;
}

unsigned vt_count_lines(const char *s)
{
    unsigned n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}
