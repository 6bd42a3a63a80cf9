/* CFI NOR flash, Intel/Sharp command set (see cfi_flash.h). */
#include "cfi_flash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "errmsg.h"
#include "le.h"

#define BANK_WIDTH   4u
#define MAX_COUNT    (CFI_FLASH_BUFFER / BANK_WIDTH - 1) /* word count field: N-1 */
#define QUERY_LEN    0x44u
#define NO_START     UINT64_MAX

struct cfi_flash {
    struct device dev;
    uint8_t *mem;
    uint64_t size;
    enum cfi_flash_mode mode;
    uint8_t status;
    bool mapped;
    /* Buffered program: the 0xE8's sector, words still to come, the first
     * data write's address (NO_START before it), the end of the furthest
     * one, and the bytes held. */
    uint64_t buf_sector;
    unsigned buf_left;
    uint64_t buf_start, buf_end;
    uint8_t buf[CFI_FLASH_BUFFER];
    uint8_t query[QUERY_LEN];
    struct cfi_flash_info st; /* counters only; mode/status/mapped live above */
};

/* ---- ROM mode ---- */

static void map(struct cfi_flash *f, bool on)
{
    struct device_host *h = f->dev.host;
    if (on == f->mapped || !h || !h->map_rom)
        return;
    int rc = h->map_rom(h->ctx, &f->dev, on ? f->mem : NULL, on ? f->size : 0);
    if (rc != 0) {
        f->st.map_failures++;
        /* A failed unmap may leave the mapping in place; the next map
         * replaces it, so only "not known to be mapped" is kept. */
        f->mapped = false;
        return;
    }
    f->mapped = on;
    if (on)
        f->st.maps++;
    else
        f->st.unmaps++;
}

/* Every mode change goes through here: only read-array is mapped. */
static void set_mode(struct cfi_flash *f, enum cfi_flash_mode m)
{
    f->mode = m;
    map(f, m == CFI_MODE_READ_ARRAY);
}

static void seq_error(struct cfi_flash *f)
{
    f->status |= CFI_SR_SEQ_ERR;
    f->st.seq_errors++;
    set_mode(f, CFI_MODE_STATUS);
}

/* ---- the CFI query table (one x16 chip of the pair) ---- */

static unsigned log2_ceil(uint64_t v)
{
    unsigned n = 0;
    while (((uint64_t)1 << n) < v)
        n++;
    return n;
}

static void build_query(struct cfi_flash *f)
{
    uint8_t *q = f->query;
    uint64_t blocks = f->size / CFI_FLASH_SECTOR;
    uint32_t chip_block = CFI_FLASH_SECTOR / 2;
    memset(q, 0, QUERY_LEN);
    q[0x10] = 'Q', q[0x11] = 'R', q[0x12] = 'Y';
    q[0x13] = 0x01;                 /* primary command set: Intel/Sharp extended */
    q[0x15] = 0x31;                 /* its extended table ("PRI") at 0x31 */
    q[0x1b] = 0x17, q[0x1c] = 0x20; /* Vcc 1.7-2.0 V; 0x1d/0x1e 0: no Vpp pin */
    /* Typical and maximum times, 2^n us/ms: everything finishes at once, so
     * the shortest nonzero ones (0 would mean "not supported"). */
    q[0x1f] = 1, q[0x20] = 1, q[0x21] = 1;       /* word, buffer, block erase */
    q[0x23] = 1, q[0x24] = 1, q[0x25] = 1;       /* 0x22/0x26: no chip erase */
    q[0x27] = (uint8_t)log2_ceil(f->size / 2);   /* one chip: half the bank */
    q[0x28] = 0x01;                              /* x16 asynchronous interface */
    q[0x2a] = (uint8_t)log2_ceil(CFI_FLASH_BUFFER / 2);
    q[0x2c] = 1;                                 /* one uniform erase region */
    q[0x2d] = (uint8_t)(blocks - 1), q[0x2e] = (uint8_t)((blocks - 1) >> 8);
    q[0x2f] = (uint8_t)(chip_block >> 8), q[0x30] = (uint8_t)(chip_block >> 16);
    /* Primary extended query, version 1.0: no optional features (no chip
     * erase, suspend or lock commands advertised), the block lock status
     * bit implemented (it reads 0), Vcc 1.8 V, one protection field. */
    q[0x31] = 'P', q[0x32] = 'R', q[0x33] = 'I', q[0x34] = '1', q[0x35] = '0';
    q[0x3b] = 0x01;
    q[0x3d] = 0x18;
    q[0x3f] = 0x01;
}

/* ---- reads ---- */

/* Byte `off` of what the bus reads in a non-array mode: each 16-bit half is
 * one chip's 16-bit answer for word off >> 2. */
static uint8_t mode_byte(const struct cfi_flash *f, uint64_t off)
{
    uint64_t word = (off % CFI_FLASH_SECTOR) / BANK_WIDTH;
    uint16_t v;
    switch (f->mode) {
    case CFI_MODE_ID:
        v = word == 0 ? CFI_FLASH_MFR_ID : word == 1 ? CFI_FLASH_DEV_ID : 0; /* 2: unlocked */
        break;
    case CFI_MODE_QUERY:
        v = word < QUERY_LEN ? f->query[word] : 0;
        break;
    default: /* status, and every mode inside a program/erase/lock sequence */
        v = f->status;
        break;
    }
    return (uint8_t)(off & 1 ? v >> 8 : v);
}

static uint64_t flash_read(struct device *dev, uint64_t off, unsigned len)
{
    struct cfi_flash *f = (struct cfi_flash *)dev;
    if (len > 8 || off > f->size || len > f->size - off)
        return 0; /* the bus never sends these */
    if (f->mode == CFI_MODE_READ_ARRAY)
        return le_bytes_to_u64(f->mem + off, len);
    uint64_t v = 0;
    for (unsigned i = 0; i < len; i++)
        v |= (uint64_t)mode_byte(f, off + i) << (8 * i);
    return v;
}

/* ---- program and erase ---- */

/* NOR programming can only clear bits: the new byte is old & data. A 0xFF
 * byte is how software leaves a byte as it is (padding, the buffer's gaps),
 * so only other bytes that want a 0 bit set count as a conflict. */
static void program_bytes(struct cfi_flash *f, uint64_t off, const uint8_t *data, unsigned len)
{
    bool conflict = false;
    for (unsigned i = 0; i < len; i++) {
        conflict |= data[i] != 0xff && (data[i] & ~f->mem[off + i]) != 0;
        f->mem[off + i] &= data[i];
    }
    f->st.programs++;
    if (conflict && f->st.and_conflicts++ == 0)
        fprintf(stderr, "%s: a program at offset 0x%llx wanted bits set that only an erase "
                "sets (NOR flash ANDs: they stay 0); further ones are not reported\n",
                f->dev.name, (unsigned long long)off);
}

static void erase_sector(struct cfi_flash *f, uint64_t off)
{
    memset(f->mem + off / CFI_FLASH_SECTOR * CFI_FLASH_SECTOR, 0xff, CFI_FLASH_SECTOR);
    f->st.erases++;
}

/* One data write of a buffered program: it must lie within CFI_FLASH_BUFFER
 * bytes from the first one and in the 0xE8's sector. */
static void buffer_data(struct cfi_flash *f, uint64_t off, unsigned len, const uint8_t *b)
{
    if (f->buf_start == NO_START) {
        f->buf_start = f->buf_end = off;
        memset(f->buf, 0xff, sizeof f->buf); /* 0xFF programs nothing */
    }
    if (off < f->buf_start || off + len - f->buf_start > CFI_FLASH_BUFFER ||
        off / CFI_FLASH_SECTOR != f->buf_sector ||
        (off + len - 1) / CFI_FLASH_SECTOR != f->buf_sector) {
        seq_error(f);
        return;
    }
    memcpy(f->buf + (off - f->buf_start), b, len);
    if (off + len > f->buf_end)
        f->buf_end = off + len;
    if (--f->buf_left == 0)
        f->mode = CFI_MODE_BUF_CONFIRM; /* reads stay status: no map change */
}

/* ---- writes ---- */

/* A command in one of the read modes (the first bus cycle of a sequence). */
static void command(struct cfi_flash *f, uint64_t off, uint8_t cmd)
{
    switch (cmd) {
    case 0xff: case 0xf0: set_mode(f, CFI_MODE_READ_ARRAY); break;
    case 0x70: set_mode(f, CFI_MODE_STATUS); break;
    case 0x90: set_mode(f, CFI_MODE_ID); break;
    case 0x98: set_mode(f, CFI_MODE_QUERY); break;
    case 0x50: f->status = CFI_SR_READY; break;
    case 0x40: case 0x10: set_mode(f, CFI_MODE_PROGRAM); break;
    case 0x20: set_mode(f, CFI_MODE_ERASE); break;
    case 0x60: set_mode(f, CFI_MODE_LOCK); break;
    case 0xe8:
        f->buf_sector = off / CFI_FLASH_SECTOR;
        set_mode(f, CFI_MODE_BUF_COUNT); /* reads: status, bit 7 = buffer free */
        break;
    case 0xb0: case 0xd0: set_mode(f, CFI_MODE_STATUS); break; /* nothing to suspend/resume */
    default: seq_error(f); break;
    }
}

/* One bus cycle of 1, 2 or 4 bytes. */
static void write_cycle(struct cfi_flash *f, uint64_t off, unsigned len, uint32_t v)
{
    uint8_t b[4], cmd = (uint8_t)v;
    u64_to_le_bytes(v, b, len);
    switch (f->mode) {
    case CFI_MODE_PROGRAM:
        program_bytes(f, off, b, len);
        set_mode(f, CFI_MODE_STATUS);
        break;
    case CFI_MODE_ERASE:
        if (cmd != 0xd0) {
            seq_error(f);
            break;
        }
        erase_sector(f, off);
        set_mode(f, CFI_MODE_STATUS);
        break;
    case CFI_MODE_LOCK:
        if (cmd != 0x01 && cmd != 0xd0 && cmd != 0x2f && cmd != 0x03) {
            seq_error(f);
            break;
        }
        set_mode(f, CFI_MODE_STATUS); /* locks are not modelled: all stay unlocked */
        break;
    case CFI_MODE_BUF_COUNT: {
        uint32_t count = v & 0xffff; /* the low chip's word */
        if (count > MAX_COUNT || off / CFI_FLASH_SECTOR != f->buf_sector) {
            seq_error(f);
            break;
        }
        f->buf_left = count + 1;
        f->buf_start = NO_START;
        f->mode = CFI_MODE_BUF_DATA;
        break;
    }
    case CFI_MODE_BUF_DATA:
        buffer_data(f, off, len, b);
        break;
    case CFI_MODE_BUF_CONFIRM:
        if (cmd != 0xd0) {
            seq_error(f); /* the buffer is dropped: nothing programmed */
            break;
        }
        program_bytes(f, f->buf_start, f->buf, (unsigned)(f->buf_end - f->buf_start));
        set_mode(f, CFI_MODE_STATUS);
        break;
    default:
        command(f, off, cmd);
        break;
    }
}

static void flash_write(struct device *dev, uint64_t off, unsigned len, uint64_t v)
{
    struct cfi_flash *f = (struct cfi_flash *)dev;
    if (!(len == 1 || len == 2 || len == 4 || len == 8) || off > f->size || len > f->size - off)
        return; /* the bus never sends these */
    if (len == 8) { /* two bus cycles, as a 32-bit bus would see them */
        write_cycle(f, off, 4, (uint32_t)v);
        write_cycle(f, off + 4, 4, (uint32_t)(v >> 32));
        return;
    }
    write_cycle(f, off, len, (uint32_t)(v & (len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1)));
}

/* ---- device ops ---- */

static void flash_reset(struct device *dev)
{
    struct cfi_flash *f = (struct cfi_flash *)dev;
    f->status = CFI_SR_READY;
    f->buf_left = 0;
    f->buf_start = NO_START;
    set_mode(f, CFI_MODE_READ_ARRAY);
}

static int flash_fdt(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    (void)refs;
    int err = device_fdt_begin(dev, fdt, "flash");
    err |= fdt_property_string(fdt, "compatible", "cfi-flash");
    err |= fdt_property_u32(fdt, "bank-width", BANK_WIDTH);
    return err | fdt_end_node(fdt);
}

static void flash_destroy(struct device *dev)
{
    struct cfi_flash *f = (struct cfi_flash *)dev;
    pthread_mutex_lock(&dev->lock);
    map(f, false);
    pthread_mutex_unlock(&dev->lock);
    device_fini(dev);
    free(f);
}

static const struct device_ops cfi_flash_ops = {
    .type = "cfi-flash",
    .read = flash_read,
    .write = flash_write,
    .reset = flash_reset,
    .fdt = flash_fdt,
    .destroy = flash_destroy,
};

struct device *cfi_flash_create(uint64_t base, uint8_t *backing, uint64_t size,
                                struct device_host *host, char *err, size_t errlen)
{
    if (!backing) {
        errmsg(err, errlen, "cfi-flash: no backing memory");
        return NULL;
    }
    if (size == 0 || size % CFI_FLASH_SECTOR || size > CFI_FLASH_MAX_SIZE) {
        errmsg(err, errlen, "cfi-flash: %llu bytes is not a nonzero multiple of the %u KiB "
               "sector (at most %llu MiB)", (unsigned long long)size, CFI_FLASH_SECTOR >> 10,
               (unsigned long long)(CFI_FLASH_MAX_SIZE >> 20));
        return NULL;
    }
    struct cfi_flash *f = calloc(1, sizeof *f);
    if (!f) {
        errmsg(err, errlen, "cfi-flash: out of memory");
        return NULL;
    }
    f->mem = backing;
    f->size = size;
    build_query(f);
    device_init(&f->dev, &cfi_flash_ops, base, size, -1, host);
    pthread_mutex_lock(&f->dev.lock); /* map_rom's callers hold it */
    flash_reset(&f->dev);
    pthread_mutex_unlock(&f->dev.lock);
    return &f->dev;
}

void cfi_flash_info(struct device *dev, struct cfi_flash_info *out)
{
    const struct cfi_flash *f = (const struct cfi_flash *)dev;
    pthread_mutex_lock(&dev->lock);
    *out = f->st;
    out->mode = f->mode;
    out->status = f->status;
    out->mapped = f->mapped;
    pthread_mutex_unlock(&dev->lock);
}
