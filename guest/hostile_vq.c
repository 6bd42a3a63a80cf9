/*
 * A split virtqueue the hostile suite lays out itself, at whatever address
 * an attack wants (RAM end, the kernel image, the device tree, MMIO), driven
 * by raw register writes: the normal drivers cannot be told to misbehave.
 */
#include <string.h>

#include "drivers/timer.h"
#include "hostile.h"

static uint8_t scratch[64 * 1024] __attribute__((aligned(4096)));

static void status_or(uint64_t base, uint32_t bit)
{
    w32(base + VM_STATUS, r32(base + VM_STATUS) | bit);
}

int hv_reset(uint64_t base)
{
    w32(base + VM_STATUS, 0);
    uint64_t until = timer_deadline(1000);
    while (r32(base + VM_STATUS) != 0)
        if (timer_now() > until)
            return -1;
    return 0;
}

int hv_start(uint64_t base, uint64_t want)
{
    if (hv_reset(base))
        return -1;
    status_or(base, 1);
    status_or(base, 2);
    uint64_t offered = 0;
    for (uint32_t sel = 0; sel < 2; sel++) {
        w32(base + VM_DEV_FEAT_SEL, sel);
        offered |= (uint64_t)r32(base + VM_DEV_FEAT) << (32 * sel);
    }
    uint64_t accept = (offered & want) | 1ull << VIRTIO_F_VERSION_1;
    for (uint32_t sel = 0; sel < 2; sel++) {
        w32(base + VM_DRV_FEAT_SEL, sel);
        w32(base + VM_DRV_FEAT, (uint32_t)(accept >> (32 * sel)));
    }
    status_or(base, 8);
    return r32(base + VM_STATUS) & 8 ? 0 : -1;
}

uint32_t hv_queue(const struct hq *q)
{
    uint64_t b = q->base;
    w32(b + VM_QSEL, q->index);
    w32(b + VM_QNUM, q->num);
    const uint64_t area[3] = {q->desc_pa, q->avail_pa, q->used_pa};
    const uint32_t reg[3] = {VM_QDESC, VM_QAVAIL, VM_QUSED};
    for (unsigned i = 0; i < 3; i++) {
        w32(b + reg[i], (uint32_t)area[i]);
        w32(b + reg[i] + 4, (uint32_t)(area[i] >> 32));
    }
    __asm__ volatile("dmb oshst" ::: "memory"); /* zeroed rings before QueueReady */
    w32(b + VM_QREADY, 1);
    return r32(b + VM_QREADY);
}

void hv_driver_ok(uint64_t base)
{
    status_or(base, 4);
}

uint8_t *hq_scratch(void)
{
    return scratch;
}

void hq_place(struct hq *q, uint64_t base, unsigned index, uint32_t num, uint64_t desc,
              uint64_t avail, uint64_t used)
{
    *q = (struct hq){.base = base, .index = index, .num = num, .desc_pa = desc,
                     .avail_pa = avail, .used_pa = used};
    q->desc = (volatile struct hdesc *)(uintptr_t)desc;
    q->avail = (volatile uint16_t *)(uintptr_t)avail;
    q->used = (volatile uint16_t *)(uintptr_t)used;
}

void hq_init(struct hq *q, uint64_t base, unsigned index, uint32_t num, uint64_t desc,
             uint64_t avail, uint64_t used)
{
    hq_place(q, base, index, num, desc, avail, used);
    for (uint32_t i = 0; i < num; i++)
        hq_desc(q, i, 0, 0, 0, 0);
    for (uint32_t i = 0; i < 3 + num; i++)
        q->avail[i] = 0;
    for (uint32_t i = 0; i < 3 + 4 * num; i++)
        q->used[i] = 0;
}

void hq_init_scratch(struct hq *q, uint64_t base, unsigned index, uint32_t num)
{
    uint64_t d = HADDR(scratch), a = d + 16ull * num, u = (a + 6 + 2ull * num + 63) & ~63ull;
    hq_init(q, base, index, num, d, a, u);
}

int hq_open(struct hq *q, uint64_t want)
{
    if (hv_start(q->base, want))
        return -1;
    if (hv_queue(q) != 1)
        return 1;
    hv_driver_ok(q->base);
    return 0;
}

void hq_desc(struct hq *q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    q->desc[i].addr = addr;
    q->desc[i].len = len;
    q->desc[i].flags = flags;
    q->desc[i].next = next;
}

void hq_post(struct hq *q, uint16_t head)
{
    q->avail[2 + q->avail_idx % q->num] = head;
    __asm__ volatile("dmb ishst" ::: "memory"); /* the entry before the index */
    q->avail_idx++;
    q->avail[1] = q->avail_idx;
    __asm__ volatile("dmb ish" ::: "memory");
}

void hq_notify(const struct hq *q)
{
    __asm__ volatile("dmb oshst" ::: "memory");
    w32(q->base + VM_NOTIFY, q->index);
}

uint16_t hq_used_idx(const struct hq *q)
{
    return q->used[1];
}

static volatile uint32_t *used_elem(const struct hq *q, uint16_t i)
{
    return (volatile uint32_t *)(uintptr_t)(q->used_pa + 4 + 8ull * (i % q->num));
}

uint32_t hq_used_id(const struct hq *q, uint16_t i)
{
    return used_elem(q, i)[0];
}

uint32_t hq_used_len(const struct hq *q, uint16_t i)
{
    return used_elem(q, i)[1];
}

int hq_wait(const struct hq *q, uint16_t idx, unsigned ms)
{
    uint64_t until = timer_deadline(ms);
    for (;;) {
        if (hq_used_idx(q) == idx) {
            __asm__ volatile("dmb ishld" ::: "memory"); /* the index before the element */
            return 1;
        }
        if (r32(q->base + VM_STATUS) & VM_NEEDS_RESET)
            return hq_used_idx(q) == idx ? 1 : 0;
        if (timer_now() > until)
            return -1;
    }
}

int hq_run(struct hq *q, uint16_t head, unsigned ms)
{
    uint16_t want = (uint16_t)(hq_used_idx(q) + 1);
    hq_post(q, head);
    hq_notify(q);
    return hq_wait(q, want, ms);
}

bool hq_refused(struct hq *q)
{
    if (hv_start(q->base, 0))
        return false;
    uint32_t ready = hv_queue(q);
    return ready == 0 && (r32(q->base + VM_STATUS) & VM_NEEDS_RESET);
}

void canary_fill(void *p, size_t n, uint8_t v)
{
    memset(p, v, n);
}

bool canary_ok(const void *p, size_t n, uint8_t v)
{
    const volatile uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return false;
    return true;
}
