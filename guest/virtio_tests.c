/*
 * Self-tests of the virtio drivers: isv.test=virtio-blk, virtio-blk-ro,
 * virtio-rng, virtio-console and virtio (every device found, in turn).
 * Each prints "isv guest: ..." lines a host-side script checks; the block
 * pattern is documented here and reproduced by
 * tests/integration/blk-pattern.py.
 */
#include <string.h>

#include "virtio_blk.h" /* guest/drivers or guest/naive: see guest.mk */
#include "virtio_console.h" /* guest/drivers or guest/naive: see guest.mk */
#include "virtio_rng.h" /* guest/drivers or guest/naive: see guest.mk */
#include "guest.h"

unsigned long strtoul(const char *s, char **end, int base);

#define CHUNK_SECTORS 128u /* 64 KiB per transfer call */

static uint8_t blk_buf[CHUNK_SECTORS * VIRTIO_BLK_SECTOR] __attribute__((aligned(4096)));
static struct virtio_blk blk;
static struct virtio_rng rng;
static struct virtio_console con;
static uint32_t seed;

/* ---- the disk pattern ----
 * 32-bit little-endian word i (0..127) of sector s holds
 *   mix((u32)s * 0x9e3779b1 ^ seed * 0x85ebca77 ^ i * 0xc2b2ae3d)
 * where mix is the lowbias32 integer hash (all arithmetic mod 2^32). */
static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

uint32_t blk_pattern_word(uint32_t pattern_seed, uint64_t sector, uint32_t i)
{
    return mix((uint32_t)sector * 0x9e3779b1u ^ pattern_seed * 0x85ebca77u ^ i * 0xc2b2ae3du);
}

static uint32_t pattern_word(uint64_t sector, uint32_t i)
{
    return blk_pattern_word(seed, sector, i);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* CRC-32 (guest.h), table built on first use. */
static uint32_t crc_table[256];

uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    if (!crc_table[1])
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- helpers ---- */

static struct virtio_dev *find(const void *dtb, uint32_t id, const char *test)
{
    virtio_mmio_probe(dtb);
    struct virtio_dev *d = virtio_mmio_find(id, 0);
    if (!d)
        kprintf("isv guest: %s: no usable virtio %s device\n", test, virtio_id_name(id));
    return d;
}

static void read_seed(const void *dtb)
{
    char buf[24];
    seed = dt_bootarg(dtb, "isv.seed", buf, sizeof buf) ? (uint32_t)strtoul(buf, NULL, 0) : 1;
}

static const char *status_name(int st)
{
    switch (st) {
    case VIRTIO_BLK_S_OK: return "OK";
    case VIRTIO_BLK_S_IOERR: return "IOERR";
    case VIRTIO_BLK_S_UNSUPP: return "UNSUPP";
    case -1: return "transport failure";
    default: return "invalid status byte";
    }
}

/* Capacity, flags and ID; shared by both block tests. */
static int blk_open(struct virtio_dev *d, const char *test)
{
    if (virtio_blk_init(&blk, d) != 0) {
        kprintf("isv guest: %s: device initialisation failed\n", test);
        return -1;
    }
    kprintf("isv guest: %s: capacity %lu sectors (%lu bytes), read-only %s, flush %s\n", test,
            (unsigned long)blk.capacity, (unsigned long)blk.capacity * VIRTIO_BLK_SECTOR,
            virtio_blk_readonly(&blk) ? "yes" : "no", virtio_blk_has_flush(&blk) ? "yes" : "no");
    char id[VIRTIO_BLK_ID_BYTES + 1];
    int st = virtio_blk_get_id(&blk, id);
    for (char *c = id; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            *c = '?';
    if (st == VIRTIO_BLK_S_OK)
        kprintf("isv guest: %s: id '%s'\n", test, id);
    else
        kprintf("isv guest: %s: get-id: %s\n", test, status_name(st));
    return st < 0 ? -1 : 0; /* a device may not support GET_ID (UNSUPP) */
}

/* ---- isv.test=virtio-blk: pattern over the whole disk ---- */

static int blk_rw_test(struct virtio_dev *d)
{
    const char *t = "virtio-blk";
    uint32_t irqs0 = d->irqs;
    for (uint64_t s = 0; s < blk.capacity; s += CHUNK_SECTORS) {
        uint32_t n = blk.capacity - s < CHUNK_SECTORS ? (uint32_t)(blk.capacity - s) : CHUNK_SECTORS;
        for (uint32_t k = 0; k < n; k++)
            for (uint32_t i = 0; i < VIRTIO_BLK_SECTOR / 4; i++)
                put_le32(blk_buf + k * VIRTIO_BLK_SECTOR + 4 * i, pattern_word(s + k, i));
        int st = virtio_blk_write(&blk, s, blk_buf, n);
        if (st != VIRTIO_BLK_S_OK) {
            kprintf("isv guest: %s: write of sectors %lu..%lu: %s\n", t, (unsigned long)s,
                    (unsigned long)(s + n - 1), status_name(st));
            return 1;
        }
    }
    int st = virtio_blk_flush(&blk);
    if (st == VIRTIO_BLK_S_UNSUPP && !virtio_blk_has_flush(&blk))
        kprintf("isv guest: %s: flush not offered (write-through)\n", t);
    else if (st != VIRTIO_BLK_S_OK) {
        kprintf("isv guest: %s: flush: %s\n", t, status_name(st));
        return 1;
    } else
        kprintf("isv guest: %s: flush ok\n", t);

    uint32_t crc = 0;
    uint64_t bad = 0, first_bad = 0;
    for (uint64_t s = 0; s < blk.capacity; s += CHUNK_SECTORS) {
        uint32_t n = blk.capacity - s < CHUNK_SECTORS ? (uint32_t)(blk.capacity - s) : CHUNK_SECTORS;
        memset(blk_buf, 0, sizeof blk_buf); /* stale data must not pass for a read */
        st = virtio_blk_read(&blk, s, blk_buf, n);
        if (st != VIRTIO_BLK_S_OK) {
            kprintf("isv guest: %s: read of sectors %lu..%lu: %s\n", t, (unsigned long)s,
                    (unsigned long)(s + n - 1), status_name(st));
            return 1;
        }
        crc = crc32_update(crc, blk_buf, n * VIRTIO_BLK_SECTOR);
        for (uint32_t k = 0; k < n; k++)
            for (uint32_t i = 0; i < VIRTIO_BLK_SECTOR / 4; i++)
                if (get_le32(blk_buf + k * VIRTIO_BLK_SECTOR + 4 * i) != pattern_word(s + k, i)) {
                    if (!bad++)
                        first_bad = s + k;
                    break;
                }
    }
    if (bad)
        kprintf("isv guest: %s: %lu sectors differ from what was written, first %lu\n", t,
                (unsigned long)bad, (unsigned long)first_bad);
    kprintf("isv guest: %s: %s %lu sectors, seed %u, crc32 0x%08x, %u requests, %u interrupts\n", t,
            bad ? "FAILED" : "wrote and verified", (unsigned long)blk.capacity, seed, crc,
            blk.requests, d->irqs - irqs0);
    virtio_blk_stop(&blk);
    return bad != 0;
}

/* ---- isv.test=virtio-blk-ro: reads work, a write fails with IOERR ---- */

static int blk_ro_test(void)
{
    const char *t = "virtio-blk-ro";
    uint32_t crc = 0;
    for (uint64_t s = 0; s < blk.capacity; s += CHUNK_SECTORS) {
        uint32_t n = blk.capacity - s < CHUNK_SECTORS ? (uint32_t)(blk.capacity - s) : CHUNK_SECTORS;
        int st = virtio_blk_read(&blk, s, blk_buf, n);
        if (st != VIRTIO_BLK_S_OK) {
            kprintf("isv guest: %s: read of sectors %lu..%lu: %s\n", t, (unsigned long)s,
                    (unsigned long)(s + n - 1), status_name(st));
            return 1;
        }
        crc = crc32_update(crc, blk_buf, n * VIRTIO_BLK_SECTOR);
    }
    kprintf("isv guest: %s: read %lu sectors, crc32 0x%08x\n", t, (unsigned long)blk.capacity, crc);
    if (blk.capacity == 0)
        return 1;

    /* Sector 0 before, a write of its complement, sector 0 after. */
    static uint8_t before[VIRTIO_BLK_SECTOR];
    if (virtio_blk_read(&blk, 0, before, 1) != VIRTIO_BLK_S_OK)
        return 1;
    for (unsigned i = 0; i < VIRTIO_BLK_SECTOR; i++)
        blk_buf[i] = (uint8_t)~before[i];
    int wst = virtio_blk_write(&blk, 0, blk_buf, 1);
    kprintf("isv guest: %s: write to sector 0: %s\n", t, status_name(wst));
    memset(blk_buf, 0, VIRTIO_BLK_SECTOR);
    int rst = virtio_blk_read(&blk, 0, blk_buf, 1);
    bool same = rst == VIRTIO_BLK_S_OK && memcmp(before, blk_buf, VIRTIO_BLK_SECTOR) == 0;
    kprintf("isv guest: %s: sector 0 %s after the write\n", t,
            rst != VIRTIO_BLK_S_OK ? "unreadable" : same ? "unchanged" : "CHANGED");
    virtio_blk_stop(&blk);
    return !(wst == VIRTIO_BLK_S_IOERR && same);
}

/* ---- isv.test=virtio-rng ---- */

static int rng_test(struct virtio_dev *d)
{
    static uint8_t bytes[64];
    static const char hexdig[] = "0123456789abcdef";
    char hex[2 * sizeof bytes + 1];
    if (virtio_rng_init(&rng, d) != 0 || virtio_rng_read(&rng, bytes, sizeof bytes) != 0) {
        kprintf("isv guest: virtio-rng: reading entropy failed\n");
        return 1;
    }
    uint8_t any = 0;
    for (size_t i = 0; i < sizeof bytes; i++) {
        hex[2 * i] = hexdig[bytes[i] >> 4];
        hex[2 * i + 1] = hexdig[bytes[i] & 15];
        any |= bytes[i];
    }
    hex[sizeof hex - 1] = '\0';
    kprintf("isv guest: virtio-rng: %u bytes: %s\n", (unsigned)sizeof bytes, hex);
    virtio_rng_stop(&rng);
    if (!any)
        kprintf("isv guest: virtio-rng: all %u bytes are zero\n", (unsigned)sizeof bytes);
    return !any;
}

/* ---- isv.test=virtio-console ---- */

static int console_test(struct virtio_dev *d)
{
    static const char line[] = "isv guest: hello through virtio-console\n";
    if (virtio_console_init(&con, d) != 0 || virtio_console_write(&con, line, sizeof line - 1) != 0) {
        kprintf("isv guest: virtio-console: write failed\n");
        return 1;
    }
    kprintf("isv guest: virtio-console: wrote %u bytes to port 0\n", (unsigned)(sizeof line - 1));
    virtio_console_stop(&con);
    return 0;
}

/* ---- entry points (registered in tests.c) ---- */

/* Open the first disk and run the test for the kind asked for (-1: either,
 * by whether the device offers VIRTIO_BLK_F_RO). */
static int blk_test(struct virtio_dev *d, int want_ro)
{
    const char *t = want_ro == 1 ? "virtio-blk-ro" : "virtio-blk";
    if (blk_open(d, t) != 0)
        return 1;
    bool ro = virtio_blk_readonly(&blk);
    if (want_ro >= 0 && ro != (want_ro == 1)) {
        kprintf("isv guest: %s: the device is %s\n", t,
                ro ? "read-only (isv.test=virtio-blk-ro tests that)"
                   : "writable: VIRTIO_BLK_F_RO not offered");
        virtio_blk_stop(&blk);
        return 1;
    }
    return ro ? blk_ro_test() : blk_rw_test(d);
}

int test_virtio_blk(const void *dtb)
{
    read_seed(dtb);
    struct virtio_dev *d = find(dtb, VIRTIO_ID_BLOCK, "virtio-blk");
    return d ? blk_test(d, 0) : 1;
}

int test_virtio_blk_ro(const void *dtb)
{
    struct virtio_dev *d = find(dtb, VIRTIO_ID_BLOCK, "virtio-blk-ro");
    return d ? blk_test(d, 1) : 1;
}

int test_virtio_rng(const void *dtb)
{
    struct virtio_dev *d = find(dtb, VIRTIO_ID_RNG, "virtio-rng");
    return d ? rng_test(d) : 1;
}

int test_virtio_console(const void *dtb)
{
    struct virtio_dev *d = find(dtb, VIRTIO_ID_CONSOLE, "virtio-console");
    return d ? console_test(d) : 1;
}

/* Every device found, in DT order; a read-only disk gets the read-only test. */
int test_virtio_all(const void *dtb)
{
    read_seed(dtb);
    int n = virtio_mmio_probe(dtb), tested = 0, failed = 0;
    for (int i = 0; i < n; i++) {
        struct virtio_dev *d = virtio_mmio_dev(i);
        int rc;
        switch (d->device_id) {
        case VIRTIO_ID_BLOCK: rc = blk_test(d, -1); break;
        case VIRTIO_ID_RNG: rc = rng_test(d); break;
        case VIRTIO_ID_CONSOLE: rc = console_test(d); break;
        default:
            kprintf("isv guest: virtio: no test for the %s device at 0x%lx\n",
                    virtio_id_name(d->device_id), (unsigned long)d->base);
            continue;
        }
        tested++;
        failed += rc != 0;
    }
    kprintf("isv guest: virtio: %d devices tested, %d failed\n", tested, failed);
    return tested == 0 || failed != 0;
}
