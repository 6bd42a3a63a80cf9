/*
 * isv.test=virtio-hostile: act as a malicious driver toward the virtio-rng
 * device. Each case posts one chain that breaks a split-ring rule (virtio 1.2
 * §2.7) and expects the device to refuse it by setting DEVICE_NEEDS_RESET,
 * without writing anywhere it should not and without hanging. The device is
 * reset between cases; afterwards it must serve a normal request again, and
 * any other virtio device must be unaffected.
 */
#include "drivers/timer.h"
#include "virtio_rng.h" /* guest/drivers or guest/naive: see guest.mk */
#include "virtq.h" /* guest/drivers or guest/naive: see guest.mk */
#include "guest.h"

#define VIRTQ_DESC_F_INDIRECT 4

static struct virtq q;
static uint8_t buf[256] __attribute__((aligned(64)));
static struct virtq_desc table[4] __attribute__((aligned(16)));
static uint8_t canary[64];

/* Post `head` on the avail ring, `bump` entries at once. */
static void post(uint16_t head, uint16_t bump)
{
    q.avail.ring[q.avail.idx % q.num] = head;
    __asm__ volatile("dmb ishst" ::: "memory");
    q.avail.idx = (uint16_t)(q.avail.idx + bump);
    __asm__ volatile("dmb ish" ::: "memory");
}

static void d(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
    q.desc[i] = (struct virtq_desc){.addr = addr, .len = len, .flags = flags, .next = next};
}

#define W VIRTQ_DESC_F_WRITE
#define N VIRTQ_DESC_F_NEXT
#define ADDR(p) ((uint64_t)(uintptr_t)(p))

static void loop(void)        { d(0, ADDR(buf), 16, W | N, 1); d(1, ADDR(buf + 16), 16, W | N, 0); post(0, 1); }
static void self_loop(void)   { d(0, ADDR(buf), 16, W | N, 0); post(0, 1); }
static void next_range(void)  { d(0, ADDR(buf), 16, W | N, (uint16_t)(q.num + 7)); post(0, 1); }
static void head_range(void)  { d(0, ADDR(buf), 16, W, 0); post((uint16_t)(q.num + 3), 1); }
static void outside_ram(void) { d(0, 0x0b000000, 16, W, 0); post(0, 1); } /* the test device's MMIO */
static void below_ram(void)   { d(0, 0x3ffffff0, 64, W, 0); post(0, 1); } /* straddles the RAM start */
static void overflow(void)    { d(0, 0xfffffffffffff000ull, 0x2000, W, 0); post(0, 1); }
static void huge_len(void)    { d(0, ADDR(buf), 0xffffffffu, W, 0); post(0, 1); }
static void idx_jump(void)    { d(0, ADDR(buf), 16, W, 0); post(0, (uint16_t)(q.num + 1)); }
static void ind_len(void)     { table[0] = (struct virtq_desc){ADDR(buf), 16, W, 0};
                                d(0, ADDR(table), 24, VIRTQ_DESC_F_INDIRECT, 0); post(0, 1); }
static void ind_nested(void)  { table[0] = (struct virtq_desc){ADDR(table), 16, VIRTQ_DESC_F_INDIRECT, 0};
                                d(0, ADDR(table), 16, VIRTQ_DESC_F_INDIRECT, 0); post(0, 1); }
static void ind_next(void)    { table[0] = (struct virtq_desc){ADDR(buf), 16, W, 0};
                                d(0, ADDR(table), 16, VIRTQ_DESC_F_INDIRECT | N, 1);
                                d(1, ADDR(buf), 16, W, 0); post(0, 1); }
static void ind_loop(void)    { table[0] = (struct virtq_desc){ADDR(buf), 16, W | N, 1};
                                table[1] = (struct virtq_desc){ADDR(buf), 16, W | N, 0};
                                d(0, ADDR(table), 32, VIRTQ_DESC_F_INDIRECT, 0); post(0, 1); }
static void ind_outside(void) { d(0, 0x0b000000, 32, VIRTQ_DESC_F_INDIRECT, 0); post(0, 1); }

static const struct {
    const char *name;
    void (*post)(void);
} cases[] = {
    {"descriptor loop", loop},       {"descriptor self-loop", self_loop},
    {"next out of range", next_range}, {"head out of range", head_range},
    {"buffer outside RAM (MMIO)", outside_ram}, {"buffer straddling RAM start", below_ram},
    {"address overflow", overflow},  {"length past RAM end", huge_len},
    {"avail index jump", idx_jump},  {"indirect length not 16n", ind_len},
    {"nested indirect", ind_nested}, {"indirect with NEXT", ind_next},
    {"loop inside indirect table", ind_loop}, {"indirect table outside RAM", ind_outside},
};

static int start(struct virtio_dev *dev)
{
    if (virtio_mmio_start(dev, 1ull << VIRTIO_F_INDIRECT_DESC) != 0 || virtq_setup(&q, dev, 0) != 0)
        return -1;
    virtio_mmio_driver_ok(dev);
    return 0;
}

int test_virtio_hostile(const void *dtb)
{
    virtio_mmio_probe(dtb);
    struct virtio_dev *dev = virtio_mmio_find(VIRTIO_ID_RNG, 0);
    if (!dev) {
        kprintf("isv guest: hostile: needs a virtio-rng device\n");
        return 1;
    }
    unsigned refused = 0, total = sizeof cases / sizeof cases[0];
    for (unsigned i = 0; i < total; i++) {
        if (start(dev) != 0) {
            kprintf("isv guest: hostile: could not set the device up for '%s'\n", cases[i].name);
            return 1;
        }
        for (unsigned k = 0; k < sizeof canary; k++)
            canary[k] = 0x5a;
        cases[i].post();
        virtio_mmio_notify(dev, 0);
        uint64_t until = timer_deadline(2000);
        uint32_t st;
        while (!((st = virtio_mmio_status(dev)) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) &&
               timer_now() < until)
            ;
        bool ok = st & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
        for (unsigned k = 0; k < sizeof canary; k++)
            ok &= canary[k] == 0x5a;
        refused += ok;
        kprintf("isv guest: hostile: %-28s status 0x%02x: %s\n", cases[i].name, st,
                ok ? "refused (DEVICE_NEEDS_RESET)" : "NOT REFUSED");
    }
    /* A notify for a queue the device does not have: ignored, nothing breaks. */
    start(dev);
    virtio_mmio_notify(dev, 7);

    /* After a reset the device works again. */
    struct virtio_rng rng;
    uint8_t bytes[16];
    int rc = virtio_rng_init(&rng, dev) == 0 ? virtio_rng_read(&rng, bytes, sizeof bytes) : -1;
    kprintf("isv guest: hostile: %u of %u refused; rng after reset: %s\n", refused, total,
            rc == 0 ? "works" : "BROKEN");
    virtio_rng_stop(&rng);
    return !(refused == total && rc == 0);
}
