/*
 * CFI NOR flash (devices/cfi_flash.c) through the bus, command by command:
 * every mode transition, the dual-halves status/ID/query reads, word and
 * buffered programs (AND semantics), erase, buffered-program misuse, unknown
 * commands, every access width, the ROM-mode map/unmap calls (on a host that
 * records them, one whose map_rom fails, and none), reset and the FDT node.
 * The EDK2 tests replay VirtNorFlashDxe's own sequences (edk2-stable202211,
 * what Debian 12 ships).
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <libfdt.h>

#include "../../devices/cfi_flash.h"
#include "../../vmm/board.h"
#include "fdt_node.h"
#include "../../vmm/bus.h"

#define BASE FLASH1_BASE
#define SIZE 0x100000ull /* 4 sectors, like the VMM's volatile store */
#define S CFI_FLASH_SECTOR
#define DUAL(c) ((uint32_t)(c) << 16 | (uint32_t)(c))
#define SR_OK DUAL(CFI_SR_READY)
#define SR_SEQ DUAL(CFI_SR_READY | CFI_SR_SEQ_ERR)

/* A host whose map_rom records what it is asked. */
static struct {
    int maps, unmaps, failed, unlocked;
    bool mapped, fail;
    void *host;
    uint64_t len;
} fk;

static int fake_map_rom(void *ctx, struct device *d, void *host, uint64_t len)
{
    (void)ctx;
    if (pthread_mutex_trylock(&d->lock) == 0) { /* callers must hold it */
        fk.unlocked++;
        pthread_mutex_unlock(&d->lock);
    }
    if (fk.fail) {
        fk.failed++;
        return -1;
    }
    if (host) {
        fk.maps++;
        fk.host = host;
        fk.len = len;
    } else {
        fk.unmaps++;
        cr_assert_eq(len, 0);
    }
    fk.mapped = host != NULL;
    return 0;
}

static struct device_host host = {.map_rom = fake_map_rom};
static struct bus b;
static struct device *dev;
static uint8_t *mem, *orig;

static uint8_t pattern(uint64_t i) { return (uint8_t)(i * 131 + (i >> 9) + 7); }

static void make(struct device_host *h)
{
    char err[128] = "";
    bus_init(&b);
    dev = cfi_flash_create(BASE, mem, SIZE, h, err, sizeof err);
    cr_assert_not_null(dev, "%s", err);
    cr_assert_eq(bus_add(&b, dev), 0);
}

static void setup(void)
{
    memset(&fk, 0, sizeof fk);
    mem = malloc(SIZE);
    orig = malloc(SIZE);
    for (uint64_t i = 0; i < SIZE; i++)
        mem[i] = orig[i] = pattern(i);
    make(&host);
}

static void teardown(void)
{
    bus_free(&b);
    dev->ops->destroy(dev);
    cr_assert_eq(fk.unlocked, 0, "map_rom called without dev->lock");
    free(mem);
    free(orig);
}

static uint64_t rd(uint64_t off, unsigned len)
{
    uint64_t v;
    cr_assert_eq(bus_access(&b, BASE + off, len, false, &v, NULL), BUS_OK);
    return v;
}
static void wr(uint64_t off, unsigned len, uint64_t v)
{
    cr_assert_eq(bus_access(&b, BASE + off, len, true, &v, NULL), BUS_OK);
}
/* What VirtNorFlashDxe's SEND_NOR_COMMAND does: a 32-bit write, both halves. */
static void cmd(uint64_t off, uint8_t c) { wr(off, 4, DUAL(c)); }

static struct cfi_flash_info info(void)
{
    struct cfi_flash_info i;
    cfi_flash_info(dev, &i);
    return i;
}
static enum cfi_flash_mode mode(void) { return info().mode; }

static void reset(void)
{
    pthread_mutex_lock(&dev->lock); /* as the VMM calls it */
    dev->ops->reset(dev);
    pthread_mutex_unlock(&dev->lock);
}

static void expect_unchanged(void)
{
    cr_assert_eq(memcmp(mem, orig, SIZE), 0, "the backing changed");
}

/* Every width at the first and last offsets of the window reads the bytes
 * byte(off) gives. */
static void expect_reads(uint8_t (*byte)(uint64_t off), const char *what)
{
    static const uint64_t starts[] = {0, SIZE - 16, S - 8};
    for (unsigned s = 0; s < 3; s++)
        for (uint64_t off = starts[s]; off < starts[s] + 16; off++)
            for (unsigned len = 1; len <= 8; len *= 2) {
                if (off + len > SIZE)
                    continue;
                uint64_t want = 0;
                for (unsigned i = 0; i < len; i++)
                    want |= (uint64_t)byte(off + i) << (8 * i);
                cr_assert_eq(rd(off, len), want, "%s: %u-byte read at 0x%llx", what, len,
                             (unsigned long long)off);
            }
}

static uint8_t array_byte(uint64_t off) { return mem[off]; }
static uint8_t status_byte(uint64_t off) { return off & 1 ? 0 : CFI_SR_READY; }
static uint8_t id_byte(uint64_t off)
{
    uint64_t w = (off % S) / 4;
    uint16_t v = w == 0 ? 0x0089 : w == 1 ? 0x0018 : 0;
    return (uint8_t)(off & 1 ? v >> 8 : v);
}

TestSuite(cfi_flash, .init = setup, .fini = teardown);

/* ---- creation ---- */

Test(cfi_flash, create_refuses_bad_geometry)
{
    static const uint64_t bad[] = {0, 1, S - 1, S + 1, 3 * S / 2, CFI_FLASH_MAX_SIZE + S};
    char err[128];
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        cr_assert_null(cfi_flash_create(BASE, mem, bad[i], &host, err, sizeof err));
        cr_assert(strstr(err, "cfi-flash: ") == err && strstr(err, "256 KiB"), "%s", err);
        cr_assert_null(strchr(err, '\n'));
    }
    cr_assert_null(cfi_flash_create(BASE, NULL, SIZE, &host, err, sizeof err));
    cr_assert_str_eq(err, "cfi-flash: no backing memory");
    struct device *d = cfi_flash_create(BASE, mem, S, NULL, err, sizeof err);
    cr_assert_not_null(d, "one sector is a bank");
    d->ops->destroy(d);
}

Test(cfi_flash, created_in_read_array_and_mapped)
{
    struct cfi_flash_info i = info();
    cr_assert_eq(i.mode, CFI_MODE_READ_ARRAY);
    cr_assert_eq(i.status, CFI_SR_READY);
    cr_assert(i.mapped && fk.mapped);
    cr_assert_eq(fk.maps, 1);
    cr_assert_eq(fk.host, mem, "the backing itself is mapped");
    cr_assert_eq(fk.len, SIZE);
    cr_assert_str_eq(dev->name, "cfi-flash@4000000");
    cr_assert_eq(dev->size, SIZE);
    cr_assert_eq(dev->spi, -1);
    expect_reads(array_byte, "array");
}

/* ---- the read modes ---- */

Test(cfi_flash, read_status_in_both_halves)
{
    cmd(0, 0x70);
    cr_assert_eq(mode(), CFI_MODE_STATUS);
    cr_assert_not(fk.mapped, "status reads must reach the model");
    cr_assert_eq(rd(0, 4), SR_OK);
    cr_assert_eq(rd(0, 8), 0x0080008000800080ull);
    cr_assert_eq(rd(2, 2), 0x0080, "the high chip");
    cr_assert_eq(rd(1, 1), 0);
    expect_reads(status_byte, "status");
    cmd(0, 0xff);
    cr_assert_eq(mode(), CFI_MODE_READ_ARRAY);
    cr_assert(fk.mapped);
    expect_reads(array_byte, "array again");
    expect_unchanged();
}

Test(cfi_flash, read_id_codes_and_lock_status)
{
    cmd(0, 0x90);
    cr_assert_eq(mode(), CFI_MODE_ID);
    cr_assert_not(fk.mapped);
    cr_assert_eq(rd(0, 4), DUAL(CFI_FLASH_MFR_ID), "Intel, in each half");
    cr_assert_eq(rd(4, 4), DUAL(CFI_FLASH_DEV_ID));
    cr_assert_eq(rd(8, 4), 0, "block lock status: unlocked");
    cr_assert_eq(rd(2 * S + 8, 4), 0, "the lock status of sector 2");
    cr_assert_eq(rd(3 * S + 4, 4), DUAL(CFI_FLASH_DEV_ID), "word offsets count from the sector");
    cr_assert_eq(rd(0x14, 4), 0);
    cr_assert_eq(rd(2, 2), 0x0089);
    expect_reads(id_byte, "ID");
    cmd(0, 0xff);
    expect_unchanged();
}

static struct device *qdev;
static uint32_t q(unsigned n) /* one query byte, checked to be the same in both halves */
{
    uint64_t v = qdev->ops->read(qdev, 4 * n, 4);
    cr_assert_eq(v >> 16, v & 0xffff, "query 0x%x: both halves", n);
    cr_assert_leq(v & 0xffff, 0xff, "query 0x%x: data on DQ7-0", n);
    return (uint32_t)(v & 0xff);
}
static uint32_t q16(unsigned n) { return q(n) | q(n + 1) << 8; }

/* The table of one chip, and the bank a CFI reader (Linux's cfi_probe: 2
 * interleaved x16 chips, sizes times the interleave) makes of it. */
static void check_query(struct device *d, uint64_t size)
{
    qdev = d;
    uint64_t v = 0x00980098;
    d->ops->write(d, 0x55 * 4, 4, v); /* where CFI probes send it */
    cr_assert_eq(q(0x10), 'Q');
    cr_assert_eq(q(0x11), 'R');
    cr_assert_eq(q(0x12), 'Y');
    cr_assert_eq(q16(0x13), 0x0001, "Intel/Sharp command set");
    cr_assert_eq(q16(0x15), 0x31, "extended table address");
    cr_assert_eq(q16(0x17), 0);
    cr_assert_eq(q16(0x19), 0);
    for (unsigned n = 0x1f; n <= 0x21; n++)
        cr_assert_neq(q(n), 0, "typical times given");
    cr_assert_eq(2ull << q(0x27), size, "bank size");
    cr_assert_eq(q16(0x28), 0x0001, "x16 interface");
    cr_assert_eq(2u << q16(0x2a), CFI_FLASH_BUFFER, "bank write buffer");
    cr_assert_eq(q(0x2c), 1, "one erase region");
    cr_assert_eq(q16(0x2d) + 1, size / S, "sectors");
    cr_assert_eq(q16(0x2f) * 256u * 2, S, "sector size");
    cr_assert_eq(q(0x31), 'P');
    cr_assert_eq(q(0x32), 'R');
    cr_assert_eq(q(0x33), 'I');
    cr_assert_eq(q(0x34), '1');
    cr_assert_eq(q(0x35), '0');
    cr_assert_eq(q16(0x36) | q16(0x38) << 16, 0, "no optional features advertised");
    cr_assert_eq(q(0x3f), 1);
    cr_assert_eq(q(0x44), 0, "past the table");
    cr_assert_eq(q(0x1000), 0);
    if (size > S)
        cr_assert_eq(q(S / 4 + 0x10), 'Q', "offsets count from the sector");
    v = 0xff;
    d->ops->write(d, 0, 4, v);
}

Test(cfi_flash, cfi_query_table)
{
    cmd(0x55 * 4, 0x98);
    cr_assert_eq(mode(), CFI_MODE_QUERY);
    cr_assert_not(fk.mapped);
    cr_assert_eq(rd(0x10 * 4, 4), 0x00510051);
    cr_assert_eq(rd(0x10 * 4, 8), 0x0052005200510051ull, "'Q' then 'R'");
    cr_assert_eq(rd(0x12 * 4 + 2, 1), 'Y');
    cr_assert_eq(rd(0x12 * 4 + 3, 1), 0);
    cr_assert_eq(rd(0x27 * 4, 4), DUAL(19), "2^19 per chip: 1 MiB for the pair");
    cmd(0, 0xff);
    pthread_mutex_lock(&dev->lock);
    check_query(dev, SIZE);
    pthread_mutex_unlock(&dev->lock);
    expect_unchanged();
}

Test(cfi_flash, cfi_query_other_sizes)
{
    static const uint64_t sizes[] = {FLASH_BANK_SIZE, 3 * S, S};
    for (unsigned i = 0; i < 3; i++) {
        uint8_t *m = mmap(NULL, sizes[i], PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        cr_assert_neq(m, MAP_FAILED);
        char err[128];
        struct device *d = cfi_flash_create(BASE, m, sizes[i], NULL, err, sizeof err);
        cr_assert_not_null(d, "%s", err);
        uint64_t v = 0x98;
        d->ops->write(d, 0, 4, v);
        if (sizes[i] == 3 * S) { /* not a power of two: the next one up */
            cr_assert_eq(d->ops->read(d, 0x27 * 4, 4), DUAL(19));
            cr_assert_eq(d->ops->read(d, 0x2d * 4, 4), DUAL(2));
        } else {
            check_query(d, sizes[i]);
        }
        if (sizes[i] == FLASH_BANK_SIZE) {
            d->ops->write(d, 0, 4, v);
            cr_assert_eq(d->ops->read(d, 0x27 * 4, 4), DUAL(25), "64 MiB: 2^25 per chip");
            cr_assert_eq(d->ops->read(d, 0x2d * 4, 4), DUAL(255), "256 sectors");
        }
        d->ops->destroy(d);
        munmap(m, sizes[i]);
    }
}

Test(cfi_flash, clear_status_keeps_the_mode)
{
    cmd(0, 0x42); /* unknown: a sequence error */
    cr_assert_eq(rd(0, 4), SR_SEQ);
    cmd(0, 0x50);
    cr_assert_eq(rd(0, 4), SR_OK);
    cr_assert_eq(mode(), CFI_MODE_STATUS);
    cmd(0, 0x90);
    cmd(0, 0x50);
    cr_assert_eq(mode(), CFI_MODE_ID);
    cmd(0, 0xff);
    int maps = fk.maps, unmaps = fk.unmaps;
    cmd(0, 0x50);
    cr_assert_eq(mode(), CFI_MODE_READ_ARRAY);
    cr_assert_eq(fk.maps, maps, "no map change");
    cr_assert_eq(fk.unmaps, unmaps);
    expect_unchanged();
}

/* ---- program ---- */

Test(cfi_flash, word_program_ands_into_the_old_data)
{
    cr_redirect_stderr();
    const uint64_t w = S + 0x100;
    mem[w] = 0xf0, mem[w + 1] = 0xf0, mem[w + 2] = 0xff, mem[w + 3] = 0x00;
    memcpy(orig, mem, SIZE);
    /* NorFlashWriteSingleWord */
    cmd(w, 0x40);
    cr_assert_eq(mode(), CFI_MODE_PROGRAM);
    cr_assert_not(fk.mapped);
    cr_assert_eq(rd(w, 4), SR_OK, "reads during the sequence: status");
    wr(w, 4, 0xff3c0f0f);
    cr_assert_eq(mode(), CFI_MODE_STATUS);
    cmd(0, 0x70);
    cr_assert_eq(rd(0, 4), SR_OK);
    cmd(0, 0x50);
    cmd(0, 0xff);
    cr_assert(fk.mapped);
    cr_assert_eq(rd(w, 4), 0x003c0000, "old & new");
    cr_assert_eq(mem[w], 0x00);
    cr_assert_eq(mem[w + 1], 0x00);
    cr_assert_eq(mem[w + 2], 0x3c);
    cr_assert_eq(mem[w + 3], 0x00, "0 -> 1 is not possible without an erase");
    struct cfi_flash_info i = info();
    cr_assert_eq(i.programs, 1);
    cr_assert_eq(i.and_conflicts, 1);
    orig[w] = orig[w + 1] = 0, orig[w + 2] = 0x3c;
    expect_unchanged();
    cmd(w, 0x40);
    wr(w, 1, 0x01);
    cr_assert_eq(info().and_conflicts, 2);
    fflush(stderr);
    cr_assert_stderr_eq_str("cfi-flash@4000000: a program at offset 0x40100 wanted bits set that "
                            "only an erase sets (NOR flash ANDs: they stay 0); further ones are "
                            "not reported\n", "one line, once");
}

Test(cfi_flash, word_program_widths_and_alternate_setup)
{
    memset(mem, 0xff, 16);
    memcpy(orig, mem, SIZE);
    cmd(0, 0x10);
    wr(3, 1, 0x12);
    cmd(0, 0x40);
    wr(6, 2, 0x3456);
    /* 8 bytes: the low half is the data, the high half the next command */
    cmd(0, 0x40);
    wr(8, 8, (uint64_t)DUAL(0x90) << 32 | 0x89abcdef);
    cr_assert_eq(mode(), CFI_MODE_ID);
    cr_assert_eq(info().programs, 3);
    cr_assert_eq(info().and_conflicts, 0);
    cmd(0, 0xff);
    orig[3] = 0x12, orig[6] = 0x56, orig[7] = 0x34;
    orig[8] = 0xef, orig[9] = 0xcd, orig[10] = 0xab, orig[11] = 0x89;
    expect_unchanged();
    cr_assert_eq(rd(0, 8), 0x3456ffff12ffffffull);
}

Test(cfi_flash, program_data_may_look_like_commands)
{
    cmd(0x40, 0x40);
    wr(0x40, 4, 0xffffffff); /* data, not read array */
    wr(0x44, 4, 0x00000000); /* a command now: unknown */
    cr_assert_eq(rd(0, 4), SR_SEQ);
    cr_assert_eq(info().programs, 1);
    expect_unchanged();
}

/* ---- erase ---- */

Test(cfi_flash, block_erase_sets_one_sector_to_ff)
{
    /* NorFlashEraseSingleBlock */
    cmd(S, 0x20);
    cr_assert_eq(mode(), CFI_MODE_ERASE);
    cr_assert_eq(rd(S, 4), SR_OK);
    expect_unchanged();
    cmd(S, 0xd0);
    cmd(0, 0x70);
    cr_assert_eq(rd(0, 4), SR_OK);
    cmd(0, 0xff);
    memset(orig + S, 0xff, S);
    expect_unchanged();
    cr_assert_eq(info().erases, 1);
    /* The confirm's address picks the sector (both cycles name it). */
    cmd(0x10, 0x20);
    cmd(3 * S + 0x1234, 0xd0);
    memset(orig + 3 * S, 0xff, S);
    expect_unchanged();
    cmd(0, 0xff);
    cr_assert_eq(rd(3 * S, 8), ~0ull);
}

Test(cfi_flash, erase_without_confirm_is_a_sequence_error)
{
    for (unsigned c = 0; c < 256; c++) {
        if (c == 0xd0)
            continue;
        cmd(0, 0x50);
        cmd(S, 0x20);
        cmd(S, (uint8_t)c);
        cr_assert_eq(rd(0, 4), SR_SEQ, "erase setup then 0x%02x", c);
        cr_assert_eq(mode(), CFI_MODE_STATUS, "0x%02x: status mode, even for 0xFF", c);
    }
    cr_assert_eq(info().erases, 0);
    cr_assert_eq(info().seq_errors, 255);
    expect_unchanged();
}

/* ---- buffered program ---- */

/* NorFlashWriteBuffer, as edk2 sends it: setup, poll, count, data, confirm at
 * the bank's base (not the target's sector), then status, clear, read array. */
static void edk2_write_buffer(uint64_t target, const uint32_t *data, unsigned words)
{
    cmd(target, 0xe8);
    cr_assert_eq(rd(target, 4) & SR_OK, SR_OK, "buffer available");
    cmd(target, (uint8_t)(words - 1));
    for (unsigned i = 0; i < words; i++)
        wr(target + 4 * i, 4, data[i]);
    cr_assert_eq(mode(), CFI_MODE_BUF_CONFIRM);
    cr_assert_eq(memcmp(mem, orig, SIZE), 0, "held in the buffer until the confirm");
    cmd(0, 0xd0);
    cmd(0, 0x70);
    cr_assert_eq(rd(0, 4), SR_OK);
    cmd(0, 0x50);
}

Test(cfi_flash, buffered_program_edk2_sequence)
{
    cr_redirect_stderr(); /* the data sets bits: one warning */
    const uint64_t t = 2 * S + 0x80;
    uint32_t data[32];
    for (unsigned i = 0; i < 32; i++)
        data[i] = 0x01020304u * i ^ 0xa5a5a5a5u;
    edk2_write_buffer(t, data, 32);
    cmd(0, 0xff);
    cr_assert(fk.mapped);
    for (unsigned i = 0; i < 128; i++)
        orig[t + i] &= (uint8_t)(data[i / 4] >> (8 * (i % 4)));
    expect_unchanged();
    cr_assert_eq(info().programs, 1);
    /* A short one (the remainder words of NorFlashWriteFullBlock). */
    edk2_write_buffer(S - 12, data, 3);
    cmd(0, 0xff);
    for (unsigned i = 0; i < 12; i++)
        orig[S - 12 + i] &= (uint8_t)(data[i / 4] >> (8 * (i % 4)));
    expect_unchanged();
}

Test(cfi_flash, buffered_program_odd_start_widths_and_8_byte_writes)
{
    const uint64_t t = 0x1002;
    cmd(t, 0xe8);
    cmd(t, 3); /* 4 writes */
    wr(t, 2, 0x0000);                    /* the start */
    wr(t + 126, 2, 0x0000);              /* the buffer's last bytes: t + 127 */
    wr(t + 8, 8, 0);                     /* two words */
    cr_assert_eq(mode(), CFI_MODE_BUF_CONFIRM);
    wr(0x30, 1, 0xd0);
    cr_assert_eq(rd(0, 4), SR_OK);
    orig[t] = orig[t + 1] = orig[t + 126] = orig[t + 127] = 0;
    memset(orig + t + 8, 0, 8);
    expect_unchanged();
    cr_assert_eq(info().programs, 1);
}

/* Each misuse: SR.5+SR.4, status mode, nothing programmed. */
static void expect_seq_error(const char *what)
{
    cr_assert_eq(rd(0, 4), SR_SEQ, "%s", what);
    cr_assert_eq(mode(), CFI_MODE_STATUS, "%s", what);
    cr_assert_eq(info().programs, 0, "%s", what);
    expect_unchanged();
    cmd(0, 0x50);
    cmd(0, 0xff);
}

Test(cfi_flash, buffered_program_misuse)
{
    const uint64_t t = S + 0x200;
    cmd(t, 0xe8);
    cmd(t, 32);
    expect_seq_error("count 32: more than the 32-word buffer");
    cmd(t, 0xe8);
    wr(t, 4, 0x0000ffff);
    expect_seq_error("count 0xffff");
    cmd(t, 0xe8);
    cmd(2 * S, 1);
    expect_seq_error("count written to another sector");
    cmd(t, 0xe8);
    cmd(t, 1);
    wr(t, 4, 0);
    wr(t + 128, 4, 0);
    expect_seq_error("data 128 bytes past the start");
    cmd(t, 0xe8);
    cmd(t, 1);
    wr(t + 8, 4, 0);
    wr(t + 4, 4, 0);
    expect_seq_error("data below the start");
    cmd(t, 0xe8);
    cmd(t, 1);
    wr(t, 4, 0);
    wr(t + 125, 4, 0);
    expect_seq_error("data straddling the buffer's end");
    cmd(S - 4, 0xe8);
    cmd(S - 4, 1);
    wr(S - 4, 4, 0);
    wr(S, 4, 0);
    expect_seq_error("data in the next sector");
    cmd(S - 4, 0xe8);
    cmd(S - 4, 0);
    wr(S - 2, 4, 0);
    expect_seq_error("data crossing into the next sector");
    cmd(t, 0xe8);
    cmd(t, 0);
    wr(2 * S, 4, 0);
    expect_seq_error("data in another sector than the setup's");
    cmd(t, 0xe8);
    cmd(t, 1);
    wr(t, 4, 0);
    wr(t + 4, 4, 0);
    cmd(t, 0xff);
    expect_seq_error("read array instead of the confirm");
    cmd(t, 0xe8);
    cmd(t, 0);
    wr(t, 4, 0);
    cmd(t, 0xe8);
    expect_seq_error("another setup instead of the confirm");
    cr_assert_eq(info().seq_errors, 11);
}

/* ---- lock commands ---- */

Test(cfi_flash, lock_commands_are_accepted_and_ignored)
{
    static const uint8_t ok[] = {0x01, 0xd0, 0x2f, 0x03};
    for (unsigned i = 0; i < 4; i++) {
        cmd(S, 0x60);
        cr_assert_eq(mode(), CFI_MODE_LOCK);
        cmd(S, ok[i]);
        cr_assert_eq(mode(), CFI_MODE_STATUS);
        cr_assert_eq(rd(S, 4), SR_OK, "lock command 0x%02x", ok[i]);
        /* NorFlashBlockIsLocked: 0x90 at word 2, the lock status there */
        cmd(S + 8, 0x90);
        cr_assert_eq(rd(S + 8, 4), 0, "still unlocked after 0x%02x", ok[i]);
        cmd(S, 0xff);
    }
    cmd(S, 0x60);
    cmd(S, 0x42);
    cr_assert_eq(rd(0, 4), SR_SEQ, "an unknown lock command");
    cmd(0, 0x50);
    /* A "locked" sector still programs. */
    cmd(S, 0x60);
    cmd(S, 0x01);
    cmd(S, 0x40);
    wr(S, 4, 0);
    cr_assert_eq(rd(S, 4), SR_OK, "no block-locked error");
    memset(orig + S, 0, 4);
    expect_unchanged();
}

/* ---- every first-cycle command ---- */

Test(cfi_flash, every_command_byte)
{
    for (unsigned c = 0; c < 256; c++) {
        reset();
        uint64_t errors = info().seq_errors;
        cmd(0x100, (uint8_t)c);
        struct cfi_flash_info i = info();
        enum cfi_flash_mode want;
        uint8_t sr = CFI_SR_READY;
        switch (c) {
        case 0xff: case 0xf0: case 0x50: want = CFI_MODE_READ_ARRAY; break;
        case 0x70: case 0xb0: case 0xd0: want = CFI_MODE_STATUS; break;
        case 0x90: want = CFI_MODE_ID; break;
        case 0x98: want = CFI_MODE_QUERY; break;
        case 0x40: case 0x10: want = CFI_MODE_PROGRAM; break;
        case 0x20: want = CFI_MODE_ERASE; break;
        case 0x60: want = CFI_MODE_LOCK; break;
        case 0xe8: want = CFI_MODE_BUF_COUNT; break;
        default: want = CFI_MODE_STATUS, sr |= CFI_SR_SEQ_ERR; break;
        }
        cr_assert_eq(i.mode, want, "command 0x%02x", c);
        cr_assert_eq(i.status, sr, "command 0x%02x", c);
        cr_assert_eq(i.seq_errors - errors, sr != CFI_SR_READY, "command 0x%02x", c);
        cr_assert_eq(i.mapped, want == CFI_MODE_READ_ARRAY, "command 0x%02x", c);
    }
    expect_unchanged();
}

Test(cfi_flash, commands_of_every_width)
{
    wr(1, 1, 0x70); /* the low byte of any write is the command */
    cr_assert_eq(mode(), CFI_MODE_STATUS);
    wr(2, 2, 0x0090);
    cr_assert_eq(mode(), CFI_MODE_ID);
    wr(0x55 * 4, 4, 0x98);
    cr_assert_eq(mode(), CFI_MODE_QUERY);
    wr(7, 1, 0xff);
    cr_assert_eq(mode(), CFI_MODE_READ_ARRAY);
    wr(8, 8, (uint64_t)DUAL(0xff) << 32 | DUAL(0x70)); /* two commands */
    cr_assert_eq(mode(), CFI_MODE_READ_ARRAY);
    cr_assert_eq(fk.unmaps, 2, "0x70 then 0xFF: unmapped and mapped again");
    cr_assert_eq(fk.maps, 3);
    wr(SIZE - 8, 8, (uint64_t)DUAL(0x70) << 32 | DUAL(0xff));
    cr_assert_eq(mode(), CFI_MODE_STATUS);
    wr(SIZE - 1, 1, 0xff);
    cr_assert_eq(mode(), CFI_MODE_READ_ARRAY);
    expect_unchanged();
}

/* ---- ROM mode ---- */

Test(cfi_flash, map_rom_follows_read_array)
{
    cr_assert_eq(fk.maps, 1);
    cmd(0, 0x70);
    cr_assert_eq(fk.unmaps, 1);
    cmd(0, 0x70);
    cmd(0, 0x90);
    cmd(0, 0x98);
    cr_assert_eq(fk.unmaps, 1, "already unmapped");
    cr_assert_eq(fk.maps, 1);
    cmd(0, 0xff);
    cr_assert_eq(fk.maps, 2);
    cmd(0, 0xff);
    cmd(0, 0xf0);
    cr_assert_eq(fk.maps, 2, "already mapped");
    cmd(0, 0x40);
    cr_assert_eq(fk.unmaps, 2, "before the data write");
    wr(0, 4, 0);
    cmd(0, 0xe8);
    cmd(0, 0);
    wr(0, 4, 0);
    cmd(0, 0xd0);
    cr_assert_eq(fk.unmaps, 2);
    cr_assert_eq(fk.maps, 2, "status mode throughout");
    reset();
    cr_assert_eq(fk.maps, 3, "reset maps again");
    struct cfi_flash_info i = info();
    cr_assert_eq(i.maps, 3);
    cr_assert_eq(i.unmaps, 2);
    cr_assert_eq(i.map_failures, 0);
    reset();
    cr_assert_eq(fk.maps, 3, "reset while mapped: no call");
    bus_free(&b);
    dev->ops->destroy(dev);
    cr_assert_eq(fk.unmaps, 3, "destroy unmaps");
    cr_assert_not(fk.mapped);
    make(&host); /* for teardown */
}

Test(cfi_flash, map_rom_failing_the_model_serves_reads)
{
    bus_free(&b);
    dev->ops->destroy(dev);
    memset(&fk, 0, sizeof fk);
    fk.fail = true;
    make(&host);
    cr_assert_eq(fk.failed, 1, "tried at creation");
    struct cfi_flash_info i = info();
    cr_assert_not(i.mapped);
    cr_assert_eq(i.map_failures, 1);
    expect_reads(array_byte, "array, unmapped");
    cmd(0, 0x70);
    cr_assert_eq(fk.failed, 1, "nothing to unmap");
    expect_reads(status_byte, "status");
    cmd(0, 0x40);
    wr(0x10, 4, 0);
    cmd(0, 0xff);
    cr_assert_eq(fk.failed, 2, "read array tries again");
    memset(orig + 0x10, 0, 4);
    expect_reads(array_byte, "array after a program");
    expect_unchanged();
    fk.fail = false;
    cmd(0, 0xff);
    cr_assert(info().mapped, "mapped once the host can");
}

Test(cfi_flash, no_map_rom)
{
    static struct device_host bare = {0};
    bus_free(&b);
    dev->ops->destroy(dev);
    make(&bare);
    cr_assert_not(info().mapped);
    expect_reads(array_byte, "array");
    cmd(0, 0x98);
    cr_assert_eq(rd(0x10 * 4, 4), 0x00510051);
    cmd(0, 0xff);
    expect_reads(array_byte, "array again");
    cr_assert_eq(info().maps + info().unmaps + info().map_failures, 0);
}

/* ---- reset, fdt ---- */

Test(cfi_flash, reset_abandons_a_sequence)
{
    cmd(0, 0x42);
    cmd(0x200, 0xe8);
    cmd(0x200, 3);
    wr(0x200, 4, 0);
    reset();
    struct cfi_flash_info i = info();
    cr_assert_eq(i.mode, CFI_MODE_READ_ARRAY);
    cr_assert_eq(i.status, CFI_SR_READY, "errors cleared");
    cr_assert(i.mapped);
    wr(0x204, 4, 0x00700070); /* a command again, not buffer data */
    cr_assert_eq(mode(), CFI_MODE_STATUS);
    cr_assert_eq(i.seq_errors, 1, "statistics stay");
    cmd(0, 0xd0); /* a lone confirm: nothing held */
    expect_unchanged();
}

Test(cfi_flash, fdt_node)
{
    char buf[1024];
    struct fdt_refs refs = {0};
    fdt_one_node(dev, &refs, buf, sizeof buf);
    int n = fdt_path_offset(buf, "/flash@4000000");
    cr_assert_geq(n, 0);
    cr_assert_str_eq(fdt_getprop(buf, n, "compatible", NULL), "cfi-flash");
    int len;
    const fdt32_t *bw = fdt_getprop(buf, n, "bank-width", &len);
    cr_assert_eq(len, 4);
    cr_assert_eq(fdt32_to_cpu(*bw), 4);
    const fdt32_t *reg = fdt_getprop(buf, n, "reg", &len);
    cr_assert_eq(len, 16);
    cr_assert_eq(fdt32_to_cpu(reg[1]), BASE);
    cr_assert_eq(fdt32_to_cpu(reg[3]), SIZE);
    cr_assert_null(fdt_getprop(buf, n, "interrupts", NULL));
}
