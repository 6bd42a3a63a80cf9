/*
 * libFuzzer harness: the CFI flash (devices/cfi_flash.c) through the real
 * MMIO bus, over a two-sector backing (one erased, one holding data), with a
 * host whose map_rom records its calls and can be made to fail.
 *
 * Input: flags (bit 0: the host has map_rom; bit 1: mapping fails at first),
 * then opcodes, kind = low 3 bits, width = 1 << (bits 3-4), arg = bits 5-7:
 *   0 WRITE  off:u24 val:width     any offset (the bus refuses what leaves
 *                                  the window)
 *   1 READ   off:u24
 *   2 CMD    off:u24 c:u8          c in both 16-bit halves, as EDK2 sends it
 *   3 BURST  off:u24 n:u8 v:u32    n 32-bit writes of v + i at off + 4i (the
 *                                  data phase of a buffered program)
 *   4 RESET
 *   5 FAIL                         map_rom fails from now (arg bit 0 set) or not
 * Checked: map_rom gets the backing and its size with dev->lock held, the
 * model's "mapped" is the host's, and only read-array is mapped; a read
 * returns the backing's bytes in read-array and the status in both halves in
 * status modes, and changes nothing; after every write, the backing changed
 * only as the model's counters say: a program only clears bits, within one
 * write buffer; an erase turns one whole sector to 0xFF; nothing else changes
 * (compared byte for byte at the end and after every counted event). ASan
 * catches any access outside the backing (malloc'd to its exact size).
 */
#include <stdlib.h>
#include <string.h>

#include "../../devices/cfi_flash.h"
#include "../../vmm/board.h"
#include "../../vmm/bus.h"
#include "fuzz_input.h"

#define SIZE (2ull * CFI_FLASH_SECTOR)

static uint8_t *mem, *shadow, *image;
static struct device *dev;
static struct bus bus;

static struct {
    bool fail, mapped;
} fk;

static int fake_map_rom(void *ctx, struct device *d, void *host, uint64_t len)
{
    (void)ctx;
    if (pthread_mutex_trylock(&d->lock) == 0)
        abort(); /* callers hold dev->lock */
    if (host && (host != mem || len != SIZE))
        abort();
    if (!host && len)
        abort();
    if (host && fk.fail)
        return -1;
    fk.mapped = host != NULL;
    return 0;
}

static struct device_host with_map = {.map_rom = fake_map_rom};
static struct device_host without_map;

static struct cfi_flash_info info(void)
{
    struct cfi_flash_info i;
    cfi_flash_info(dev, &i);
    return i;
}

static void check_mapping(void)
{
    struct cfi_flash_info i = info();
    if (i.mapped != fk.mapped || (i.mapped && i.mode != CFI_MODE_READ_ARRAY))
        abort();
}

/* Bytes [dirty_lo, dirty_hi) of mem and shadow may differ from image: the
 * next input restores only those (two 512 KiB copies per input were most of
 * the harness's time). */
static uint64_t dirty_lo = SIZE, dirty_hi;

/* The backing against the shadow, given what the model says happened since
 * the last check (at most one program or one erase: every bus cycle is
 * checked). */
static void check_backing(uint64_t programs, uint64_t erases)
{
    enum { PAGE = 4096 };
    uint64_t lo = SIZE, hi = 0;
    for (uint64_t p = 0; p < SIZE; p += PAGE) {
        if (!memcmp(mem + p, shadow + p, PAGE)) /* libc speed: most pages match */
            continue;
        if (lo == SIZE)
            lo = p;
        hi = p + PAGE;
        if (!erases)
            for (uint64_t i = p; i < p + PAGE; i++)
                if (mem[i] & ~shadow[i])
                    abort(); /* a bit set without an erase */
    }
    if (programs + erases > 1 || (!programs && !erases && lo != SIZE))
        abort();
    if (lo == SIZE)
        return;
    uint64_t first = lo, last = hi - 1;
    while (mem[first] == shadow[first])
        first++;
    while (mem[last] == shadow[last])
        last--;
    if (programs && last - first >= CFI_FLASH_BUFFER)
        abort(); /* one program touches at most one write buffer */
    if (erases) {
        uint64_t s = first / CFI_FLASH_SECTOR * CFI_FLASH_SECTOR;
        if (last >= s + CFI_FLASH_SECTOR || memcmp(mem + s, image, CFI_FLASH_SECTOR))
            abort(); /* image's first sector is the erased one */
    }
    memcpy(shadow + first, mem + first, last - first + 1);
    if (first < dirty_lo)
        dirty_lo = first;
    if (last + 1 > dirty_hi)
        dirty_hi = last + 1;
}

static uint64_t seen_programs, seen_erases;

static void after_write(void)
{
    struct cfi_flash_info i = info();
    if (i.programs != seen_programs || i.erases != seen_erases) {
        check_backing(i.programs - seen_programs, i.erases - seen_erases);
        seen_programs = i.programs;
        seen_erases = i.erases;
    }
    check_mapping();
}

static void do_write(uint64_t off, unsigned len, uint64_t v)
{
    bus_access(&bus, FLASH1_BASE + off, len, true, &v, NULL);
    after_write();
}

static void do_read(uint64_t off, unsigned len)
{
    struct cfi_flash_info before = info();
    uint64_t v = 0;
    if (bus_access(&bus, FLASH1_BASE + off, len, false, &v, NULL) != BUS_OK)
        return;
    struct cfi_flash_info after = info();
    if (memcmp(&before, &after, sizeof before))
        abort();
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = (uint8_t)(v >> (8 * i)), want;
        switch (before.mode) {
        case CFI_MODE_READ_ARRAY: want = mem[off + i]; break;
        case CFI_MODE_ID: case CFI_MODE_QUERY: continue; /* tables: the unit tests */
        default: want = (off + i) & 1 ? 0 : before.status; break;
        }
        if (b != want || (before.mode != CFI_MODE_READ_ARRAY && !(before.status & CFI_SR_READY)))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!mem) {
        mem = malloc(SIZE);
        shadow = malloc(SIZE);
        image = malloc(SIZE);
        if (!mem || !shadow || !image)
            abort();
        memset(image, 0xff, CFI_FLASH_SECTOR);
        for (uint64_t i = CFI_FLASH_SECTOR; i < SIZE; i++)
            image[i] = (uint8_t)(i * 131 + (i >> 9));
        memcpy(mem, image, SIZE);
        memcpy(shadow, image, SIZE);
    } else if (dirty_lo < dirty_hi) {
        memcpy(mem + dirty_lo, image + dirty_lo, dirty_hi - dirty_lo);
        memcpy(shadow + dirty_lo, image + dirty_lo, dirty_hi - dirty_lo);
    }
    dirty_lo = SIZE;
    dirty_hi = 0;

    struct fz f = {data, size};
    uint8_t flags = fz_u8(&f);
    fk.fail = flags & 2;
    fk.mapped = false;
    char err[128];
    dev = cfi_flash_create(FLASH1_BASE, mem, SIZE, flags & 1 ? &with_map : &without_map,
                           err, sizeof err);
    if (!dev)
        abort();
    bus_init(&bus);
    if (bus_add(&bus, dev))
        abort();
    seen_programs = seen_erases = 0;
    check_mapping();

    while (!fz_done(&f)) {
        uint8_t op = fz_u8(&f);
        unsigned len = fz_width(op >> 3);
        switch (op & 7) {
        case 0: {
            uint64_t off = fz_uint(&f, 3);
            do_write(off, len, fz_uint(&f, len));
            break;
        }
        case 1:
            do_read(fz_uint(&f, 3), len);
            break;
        case 2: {
            uint64_t off = fz_uint(&f, 3);
            uint8_t c = fz_u8(&f);
            do_write(off, 4, (uint32_t)c << 16 | c);
            break;
        }
        case 3: {
            uint64_t off = fz_uint(&f, 3);
            unsigned n = fz_u8(&f) % 40;
            uint32_t v = fz_u32(&f);
            for (unsigned i = 0; i < n; i++)
                do_write(off + 4 * i, 4, v + i);
            break;
        }
        case 4:
            pthread_mutex_lock(&dev->lock);
            dev->ops->reset(dev);
            pthread_mutex_unlock(&dev->lock);
            if (info().mode != CFI_MODE_READ_ARRAY || info().status != CFI_SR_READY)
                abort();
            check_mapping();
            break;
        case 5:
            fk.fail = (op >> 5) & 1;
            break;
        default:
            break;
        }
    }
    after_write();
    if (memcmp(mem, shadow, SIZE))
        abort(); /* a change no counter explains */
    bus_free(&bus);
    dev->ops->destroy(dev);
    if (fk.mapped)
        abort(); /* destroy unmaps */
    dev = NULL;
    return 0;
}
