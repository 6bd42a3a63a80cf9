/*
 * virtio fuzz driver (virtio_harness.h). Input: one flags byte for the
 * device, then opcodes until the input ends. Each opcode byte is
 * kind = low 4 bits, arg = high 4 bits (q = arg & 7, X = arg & 8):
 *
 *   0 WRITE   off:u16 val:width   register write, width = 1 << (arg & 3)
 *   1 READ    off:u16             register read (InterruptStatus is checked
 *                                 against the interrupt line)
 *   2 RAM     off:u16 n:u8 bytes  n+1 bytes into guest RAM at off
 *   3 NOTIFY                      QueueNotify(arg), then sync
 *   4 INIT    drop:u32            reset, ACK, DRIVER, accept the offered
 *                                 features less drop (low word), FEATURES_OK
 *   5 QUEUE   num:u16 desc:u16 avail:u16 used:u16
 *                                 set up queue q at those RAM offsets, ready;
 *                                 X: then DRIVER_OK and sync
 *   6 DESC    i:u8 addr:u32 len:u32 flags:u16 next:u16
 *                                 descriptor i of q's table (X: of the table
 *                                 at RAM offset t:u16 read first, for indirect
 *                                 tables); addr < 64 KiB is RAM-relative
 *   7 AVAIL   head:u16            publish head on q; unless X, notify + sync
 *   8 EXTRA                       the device's own opcode
 *   9 SYNC
 * Other kinds wrap around. Everything goes through the real bus as a vCPU's
 * access would, with the real worker thread.
 */
#include "virtio_harness.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../../devices/guest_mem.h"
#include "../../devices/virtio_mmio.h"
#include "../../vmm/board.h"
#include "../../vmm/bus.h"

enum { R_DEV_FEATURES = 0x10, R_DEV_FEATURES_SEL = 0x14, R_DRV_FEATURES = 0x20,
       R_DRV_FEATURES_SEL = 0x24, R_QUEUE_SEL = 0x30, R_QUEUE_NUM = 0x38, R_QUEUE_READY = 0x44,
       R_INT_STATUS = 0x60, R_STATUS = 0x70, R_DESC = 0x80, R_DRIVER = 0x90, R_DEVICE = 0xa0 };

struct layout {
    uint64_t desc, avail;
    uint16_t num, avail_idx;
};

static uint8_t *ram;
static struct guest_mem mem;
static struct device *dev; /* lives across inputs (virtio_harness.h) */
static struct bus bus;
static uint8_t dev_flags;
static bool dev_dirty;
static atomic_int irq_level; /* last level the device drove, -1: never */

static void set_irq(void *ctx, uint32_t spi, bool level)
{
    (void)ctx;
    if (spi != VIRTIO_MMIO_SPI_BASE)
        abort();
    /* The transport signals changes only: the same level twice is a bug. */
    if (atomic_exchange(&irq_level, level) == (int)level)
        abort();
}

static struct device_host host = {.set_irq = set_irq, .mem = &mem};

static uint64_t rd(uint64_t off, unsigned len)
{
    uint64_t v = 0;
    bus_access(&bus, VIRTIO_MMIO_BASE + off, len, false, &v, NULL);
    return v;
}

static void wr(uint64_t off, unsigned len, uint64_t v)
{
    bus_access(&bus, VIRTIO_MMIO_BASE + off, len, true, &v, NULL);
}

static void wr64(uint64_t off, uint64_t v)
{
    wr(off, 4, (uint32_t)v);
    wr(off + 4, 4, v >> 32);
}

/* A guest write into RAM, bounded by RAM's end. */
static void ram_put(uint64_t off, const void *p, size_t n)
{
    if (off < VFZ_RAM_SIZE)
        memcpy(ram + off, p, n < VFZ_RAM_SIZE - off ? n : VFZ_RAM_SIZE - off);
}

static void init_device(uint32_t drop)
{
    wr(R_STATUS, 4, 0);
    wr(R_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE);
    wr(R_STATUS, 4, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    uint64_t offered = 0;
    for (unsigned sel = 0; sel < 2; sel++) {
        wr(R_DEV_FEATURES_SEL, 4, sel);
        offered |= rd(R_DEV_FEATURES, 4) << (32 * sel);
    }
    uint64_t accept = offered & ~(uint64_t)drop;
    for (unsigned sel = 0; sel < 2; sel++) {
        wr(R_DRV_FEATURES_SEL, 4, sel);
        wr(R_DRV_FEATURES, 4, (uint32_t)(accept >> (32 * sel)));
    }
    wr(R_STATUS, 4, rd(R_STATUS, 4) | VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(struct layout *l, unsigned q, struct fz *f)
{
    uint16_t num = fz_u16(f);
    uint64_t desc = VFZ_RAM_BASE + fz_u16(f), avail = VFZ_RAM_BASE + fz_u16(f);
    uint64_t used = VFZ_RAM_BASE + fz_u16(f);
    wr(R_QUEUE_SEL, 4, q);
    wr(R_QUEUE_NUM, 4, num);
    wr64(R_DESC, desc);
    wr64(R_DRIVER, avail);
    wr64(R_DEVICE, used);
    wr(R_QUEUE_READY, 4, 1);
    l[q] = (struct layout){.desc = desc, .avail = avail, .num = num};
}

static void put_desc(const struct layout *l, bool other_table, struct fz *f)
{
    uint64_t table = other_table ? VFZ_RAM_BASE + fz_u16(f) : l->desc;
    uint8_t i = fz_u8(f);
    uint64_t addr = fz_u32(f);
    if (addr < VFZ_RAM_SIZE)
        addr += VFZ_RAM_BASE;
    uint8_t d[16];
    memcpy(d, &addr, 8);
    uint32_t len = fz_u32(f);
    uint16_t flags = fz_u16(f), next = fz_u16(f);
    memcpy(d + 8, &len, 4);
    memcpy(d + 12, &flags, 2);
    memcpy(d + 14, &next, 2);
    ram_put(table - VFZ_RAM_BASE + 16ull * i, d, sizeof d);
}

static void put_avail(struct layout *l, uint16_t head)
{
    uint64_t a = l->avail - VFZ_RAM_BASE;
    uint16_t idx = l->avail_idx;
    ram_put(a + 4 + 2ull * (l->num ? idx % l->num : 0), &head, 2);
    l->avail_idx = ++idx;
    ram_put(a + 2, &idx, 2);
}

static void check_irq(uint64_t int_status)
{
    int level = atomic_load(&irq_level);
    if ((level == 1) != (int_status != 0))
        abort(); /* a level-triggered line must follow InterruptStatus */
}

/* The worker and this thread hand over at every sync: on one CPU that is a
 * direct switch (about 5 us), across two an IPI and a wakeup (about 30 us). */
static void pin_to_one_cpu(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    sched_setaffinity(0, sizeof set, &set);
}

static void drop_device(const struct vfz_device *d)
{
    dev->ops->destroy(dev);
    bus_free(&bus);
    dev = NULL;
    if (d->cleanup)
        d->cleanup();
}

static void get_device(const struct vfz_device *d, uint8_t flags)
{
    if (dev && (dev_dirty || (flags & 0xc0) == 0xc0 ||
                (flags & d->option_flags) != (dev_flags & d->option_flags)))
        drop_device(d);
    if (dev) {
        wr(R_STATUS, 4, 0); /* the guest's reset */
        return;
    }
    atomic_store(&irq_level, -1);
    dev = d->create(VIRTIO_MMIO_BASE, VIRTIO_MMIO_SPI_BASE, &host, flags);
    if (!dev)
        abort();
    bus_init(&bus);
    if (bus_add(&bus, dev))
        abort();
    dev_flags = flags;
    dev_dirty = false;
}

int vfz_run(const struct vfz_device *d, const uint8_t *data, size_t size)
{
    if (!ram) {
        pin_to_one_cpu();
        ram = mmap(NULL, VFZ_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (ram == MAP_FAILED)
            abort();
        mem = (struct guest_mem){.host = ram, .base = VFZ_RAM_BASE, .size = VFZ_RAM_SIZE};
    }
    memset(ram, 0, VFZ_RAM_SIZE);

    struct fz f = {data, size};
    get_device(d, fz_u8(&f));
    struct layout l[8] = {{0}};

    while (!fz_done(&f)) {
        uint8_t op = fz_u8(&f);
        unsigned arg = op >> 4, q = arg & 7;
        bool x = arg & 8;
        switch ((op & 15) % 10) {
        case 0: {
            uint64_t off = fz_u16(&f) % VIRTIO_MMIO_SIZE;
            unsigned len = fz_width(arg);
            wr(off, len, fz_uint(&f, len));
            if ((off & ~3ull) == VIRTIO_MMIO_QUEUE_NOTIFY || (off & ~3ull) == R_STATUS)
                virtio_mmio_sync(dev);
            break;
        }
        case 1: {
            uint64_t off = fz_u16(&f) % VIRTIO_MMIO_SIZE;
            unsigned len = fz_width(arg);
            uint64_t v = rd(off, len);
            if (off == R_INT_STATUS && len == 4)
                check_irq(v);
            break;
        }
        case 2: {
            uint16_t off = fz_u16(&f);
            const uint8_t *p;
            size_t n = fz_bytes(&f, (size_t)fz_u8(&f) + 1, &p);
            ram_put(off, p, n);
            break;
        }
        case 3:
            wr(VIRTIO_MMIO_QUEUE_NOTIFY, 4, arg);
            virtio_mmio_sync(dev);
            break;
        case 4:
            init_device(fz_u32(&f));
            break;
        case 5:
            setup_queue(l, q, &f);
            if (x) {
                wr(R_STATUS, 4, rd(R_STATUS, 4) | VIRTIO_STATUS_DRIVER_OK);
                virtio_mmio_sync(dev);
            }
            break;
        case 6:
            put_desc(&l[q], x, &f);
            break;
        case 7:
            put_avail(&l[q], fz_u16(&f));
            if (!x) {
                wr(VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
                virtio_mmio_sync(dev);
            }
            break;
        case 8:
            if (d->extra)
                dev_dirty |= d->extra(dev, &f);
            break;
        case 9:
            virtio_mmio_sync(dev);
            break;
        }
    }
    virtio_mmio_sync(dev);
    check_irq(rd(R_INT_STATUS, 4));
    return 0;
}
