/*
 * MMIO library, recording backend: every accessor at every width against fake
 * register memory, checking both the memory and the exact access log
 * (direction, address, width, value, barriers, order).
 */
#define MMIO_BACKEND_RECORD 1

#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "mmio_test_regs.h"

static struct mmio_recorder rec;
static unsigned char *mem;
static struct t_regs MMIO_PTR *u;
static const struct t_regs MMIO_PTR *s;

static void setup(void)
{
    mem = t_fake_alloc();
    cr_assert_not_null(mem);
    u = mmio_claim(struct t_regs, (uintptr_t)mem);
    s = u;
    memset(&rec, 0, sizeof(rec));
    mmio_record_start(&rec);
}

static void teardown(void)
{
    mmio_record_stop();
    free(mem);
}

TestSuite(mmio_record, .init = setup, .fini = teardown);

static void expect_access(size_t i, enum mmio_event_kind kind, unsigned width, uintptr_t off,
                          uint64_t value)
{
    cr_assert_lt(i, rec.count, "event %zu missing: only %zu recorded", i, rec.count);
    const struct mmio_event *e = &rec.ev[i];
    cr_expect_eq(e->kind, kind, "event %zu: kind %d, expected %d", i, e->kind, kind);
    cr_expect_eq(e->width, width, "event %zu: width %u, expected %u", i, e->width, width);
    cr_expect_eq(e->addr, (uintptr_t)mem + off, "event %zu: offset %#lx, expected %#lx", i,
                 (unsigned long)(e->addr - (uintptr_t)mem), (unsigned long)off);
    cr_expect_eq(e->value, value, "event %zu: value %#llx, expected %#llx", i,
                 (unsigned long long)e->value, (unsigned long long)value);
}

static void expect_barrier(size_t i, enum mmio_barrier_kind b)
{
    cr_assert_lt(i, rec.count, "event %zu missing: only %zu recorded", i, rec.count);
    cr_expect_eq(rec.ev[i].kind, MMIO_EV_BARRIER, "event %zu is not a barrier", i);
    cr_expect_eq(rec.ev[i].value, (uint64_t)b, "event %zu: barrier %llu, expected %d", i,
                 (unsigned long long)rec.ev[i].value, b);
    cr_expect_eq(rec.ev[i].width, 0u);
}

/* Distinct per-width values with the top bit set, so sign extension would show. */
#define PAT_8 UINT64_C(0x81)
#define PAT_16 UINT64_C(0x8281)
#define PAT_32 UINT64_C(0x84838281)
#define PAT_64 UINT64_C(0x8887868584838281)
#define WV_8 UINT64_C(0xc1)
#define WV_16 UINT64_C(0xc2c1)
#define WV_32 UINT64_C(0xc4c3c2c1)
#define WV_64 UINT64_C(0xc8c7c6c5c4c3c2c1)

/* The tests every width gets. k: 0 rp, 1 ro, 2 wo, 3 rw, 4 rpw. */
#define WIDTH_TESTS(W) \
    Test(mmio_record, write_w##W) \
    { \
        mmio_write(&u->wo##W, (uint##W##_t)(WV_##W + 0)); \
        mmio_write(&u->rw##W, (uint##W##_t)(WV_##W + 1)); \
        mmio_write(&u->rpw##W, (uint##W##_t)(WV_##W + 2)); \
        cr_assert_eq(rec.count, 3); \
        for (unsigned k = 2; k <= 4; k++) { \
            expect_access(k - 2, MMIO_EV_WRITE, W / 8, T_OFF(W, k), WV_##W + k - 2); \
            cr_expect_eq(t_fake_get(mem, T_OFF(W, k), W / 8), WV_##W + k - 2); \
        } \
        cr_expect_eq(t_fake_clobbered(mem, T_OFF(W, 2), 3 * W / 8), 0, "bytes outside touched"); \
    } \
    Test(mmio_record, read_unique_w##W) \
    { \
        for (unsigned k = 0; k <= 4; k++) \
            t_fake_put(mem, T_OFF(W, k), W / 8, PAT_##W + k); \
        uint64_t got[5] = { mmio_read(&u->rp##W), mmio_read(&u->ro##W), 0, \
                            mmio_read(&u->rw##W), mmio_read(&u->rpw##W) }; \
        /* The value has exactly the register's width. */ \
        cr_expect(_Generic(mmio_read(&u->rw##W), uint##W##_t: 1, default: 0)); \
        cr_assert_eq(rec.count, 4); /* the _Generic operand is not evaluated */ \
        for (unsigned k = 0, e = 0; k <= 4; k++) { \
            if (k == 2) \
                continue; \
            cr_expect_eq(got[k], PAT_##W + k, "kind %u read %#llx", k, (unsigned long long)got[k]); \
            expect_access(e++, MMIO_EV_READ, W / 8, T_OFF(W, k), PAT_##W + k); \
        } \
        cr_expect_eq(t_fake_clobbered(mem, T_OFF(W, 0), 5 * W / 8), 0); \
    } \
    Test(mmio_record, pure_read_shared_w##W) \
    { \
        t_fake_put(mem, T_OFF(W, 0), W / 8, PAT_##W); \
        t_fake_put(mem, T_OFF(W, 4), W / 8, PAT_##W + 4); \
        cr_expect_eq(mmio_read(&s->rp##W), PAT_##W); \
        cr_expect_eq(mmio_read(&s->rpw##W), PAT_##W + 4); \
        cr_assert_eq(rec.count, 2); \
        expect_access(0, MMIO_EV_READ, W / 8, T_OFF(W, 0), PAT_##W); \
        expect_access(1, MMIO_EV_READ, W / 8, T_OFF(W, 4), PAT_##W + 4); \
    } \
    Test(mmio_record, modify_w##W) \
    { \
        t_fake_put(mem, T_OFF(W, 3), W / 8, PAT_##W); \
        t_fake_put(mem, T_OFF(W, 4), W / 8, PAT_##W); \
        mmio_modify(&u->rw##W, (uint##W##_t)0x81, (uint##W##_t)0x42); \
        mmio_modify(&u->rpw##W, (uint##W##_t)0, (uint##W##_t)0x0c); \
        uint64_t want_rw = (PAT_##W & ~UINT64_C(0x81)) | 0x42, want_rpw = PAT_##W | 0x0c; \
        cr_assert_eq(rec.count, 4); \
        expect_access(0, MMIO_EV_READ, W / 8, T_OFF(W, 3), PAT_##W); \
        expect_access(1, MMIO_EV_WRITE, W / 8, T_OFF(W, 3), want_rw); \
        expect_access(2, MMIO_EV_READ, W / 8, T_OFF(W, 4), PAT_##W); \
        expect_access(3, MMIO_EV_WRITE, W / 8, T_OFF(W, 4), want_rpw); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 3), W / 8), want_rw); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 4), W / 8), want_rpw); \
    } \
    Test(mmio_record, ordered_w##W) \
    { \
        t_fake_put(mem, T_OFF(W, 1), W / 8, PAT_##W + 1); \
        t_fake_put(mem, T_OFF(W, 0), W / 8, PAT_##W); \
        mmio_write_ordered(&u->rw##W, (uint##W##_t)WV_##W); \
        cr_expect_eq(mmio_read_ordered(&u->ro##W), PAT_##W + 1); \
        cr_expect_eq(mmio_read_ordered(&s->rp##W), PAT_##W); \
        cr_assert_eq(rec.count, 6); \
        expect_barrier(0, MMIO_BARRIER_WMB); /* barrier before the write */ \
        expect_access(1, MMIO_EV_WRITE, W / 8, T_OFF(W, 3), WV_##W); \
        expect_access(2, MMIO_EV_READ, W / 8, T_OFF(W, 1), PAT_##W + 1); \
        expect_barrier(3, MMIO_BARRIER_RMB); /* barrier after the read */ \
        expect_access(4, MMIO_EV_READ, W / 8, T_OFF(W, 0), PAT_##W); \
        expect_barrier(5, MMIO_BARRIER_RMB); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 3), W / 8), WV_##W); \
    } \
    Test(mmio_record, unsafe_w##W) \
    { \
        t_fake_put(mem, T_OFF(W, 2), W / 8, PAT_##W + 2); \
        t_fake_put(mem, T_OFF(W, 1), W / 8, PAT_##W + 1); \
        /* What the safe API refuses: reading write-only, a side-effecting read \
         * through a shared pointer, writing read-pure and read-only. */ \
        cr_expect_eq(mmio_read_unsafe(&u->wo##W), PAT_##W + 2); \
        cr_expect_eq(mmio_read_unsafe(&s->ro##W), PAT_##W + 1); \
        mmio_write_unsafe(&u->rp##W, (uint##W##_t)WV_##W); \
        mmio_write_unsafe(&u->ro##W, (uint##W##_t)(WV_##W + 1)); \
        cr_assert_eq(rec.count, 4); \
        expect_access(0, MMIO_EV_READ, W / 8, T_OFF(W, 2), PAT_##W + 2); \
        expect_access(1, MMIO_EV_READ, W / 8, T_OFF(W, 1), PAT_##W + 1); \
        expect_access(2, MMIO_EV_WRITE, W / 8, T_OFF(W, 0), WV_##W); \
        expect_access(3, MMIO_EV_WRITE, W / 8, T_OFF(W, 1), WV_##W + 1); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 0), W / 8), WV_##W); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 1), W / 8), WV_##W + 1); \
    } \
    Test(mmio_record, raw_unsafe_w##W) \
    { \
        uintptr_t a = (uintptr_t)mem + T_OFF(W, 3); \
        mmio_write##W##_unsafe(a, (uint##W##_t)WV_##W); \
        cr_expect_eq(mmio_read##W##_unsafe(a), WV_##W); \
        cr_assert_eq(rec.count, 2); \
        expect_access(0, MMIO_EV_WRITE, W / 8, T_OFF(W, 3), WV_##W); \
        expect_access(1, MMIO_EV_READ, W / 8, T_OFF(W, 3), WV_##W); \
        cr_expect_eq(t_fake_clobbered(mem, T_OFF(W, 3), W / 8), 0); \
    }

WIDTH_TESTS(8)
WIDTH_TESTS(16)
WIDTH_TESTS(32)
WIDTH_TESTS(64)

Test(mmio_record, backend_is_record)
{
    cr_expect_str_eq(MMIO_BACKEND_NAME, "record");
}

Test(mmio_record, zero_is_written_as_zero)
{
    mmio_write(&u->rw64, 0);
    mmio_write(&u->rw8, 0);
    expect_access(0, MMIO_EV_WRITE, 8, T_OFF(64, 3), 0);
    expect_access(1, MMIO_EV_WRITE, 1, T_OFF(8, 3), 0);
    cr_expect_eq(t_fake_get(mem, T_OFF(64, 3), 8), 0);
}

Test(mmio_record, standalone_barriers)
{
    mmio_rmb();
    mmio_wmb();
    mmio_mb();
    cr_assert_eq(rec.count, 3);
    expect_barrier(0, MMIO_BARRIER_RMB);
    expect_barrier(1, MMIO_BARRIER_WMB);
    expect_barrier(2, MMIO_BARRIER_MB);
}

Test(mmio_record, register_array_elements)
{
    cr_assert_eq(MMIO_COUNT(u->arr), 8);
    for (unsigned i = 0; i < MMIO_COUNT(u->arr); i++)
        mmio_write(mmio_elem(u, arr, i), 0x100u + i);
    for (unsigned i = 0; i < MMIO_COUNT(u->arr); i++) {
        expect_access(i, MMIO_EV_WRITE, 4, 0x80 + 4 * i, 0x100 + i);
        cr_expect_eq(t_fake_get(mem, 0x80 + 4 * i, 4), 0x100 + i);
    }
    /* Elements of a shared pointer stay shared (const): only pure reads would
     * compile on them; read_unsafe is the explicit way to read rw through it. */
    const mmio_rw32 MMIO_PTR *e = mmio_elem(s, arr, 5);
    cr_expect_eq(mmio_read_unsafe(e), 0x105);
    expect_access(8, MMIO_EV_READ, 4, 0x80 + 4 * 5, 0x105);
    cr_expect_eq(rec.count, 9);
}

Test(mmio_record, array_index_past_end_traps, .signal = SIGILL)
{
    volatile unsigned i = 8; /* not a constant: checked at run time */
    mmio_write(mmio_elem(u, arr, i), 1u);
}

Test(mmio_record, negative_array_index_traps, .signal = SIGILL)
{
    volatile int i = -1;
    (void)mmio_read(&mmio_elem(s, sub, i)->status);
}

Test(mmio_record, sub_block_projection)
{
    cr_assert_eq(MMIO_COUNT(u->sub), 3);
    struct t_sub MMIO_PTR *q = mmio_elem(u, sub, 2);
    mmio_write(&q->ctl, 7u);
    mmio_write(&q->data, UINT64_C(0x1122334455667788));
    t_fake_put(mem, 0xa0 + 0x10 * 1 + 4, 4, 0xabcd);
    const struct t_sub MMIO_PTR *qs = &s->sub[1]; /* plain projection of a shared pointer */
    cr_expect_eq(mmio_read(&qs->status), 0xabcd);
    cr_assert_eq(rec.count, 3);
    expect_access(0, MMIO_EV_WRITE, 4, 0xa0 + 0x20 + 0x0, 7);
    expect_access(1, MMIO_EV_WRITE, 8, 0xa0 + 0x20 + 0x8, UINT64_C(0x1122334455667788));
    expect_access(2, MMIO_EV_READ, 4, 0xa0 + 0x10 + 0x4, 0xabcd);
}

Test(mmio_record, nothing_logged_without_active_recorder)
{
    mmio_record_stop();
    mmio_write(&u->rw32, 0x12345678u);
    cr_expect_eq(mmio_read(&u->rw32), 0x12345678u);
    cr_expect_eq(rec.count, 0);
    cr_expect_eq(t_fake_get(mem, T_OFF(32, 3), 4), 0x12345678u);
}

Test(mmio_record, restart_clears_the_log)
{
    mmio_write(&u->rw8, 1);
    mmio_record_start(&rec);
    mmio_write(&u->rw16, 2);
    cr_assert_eq(rec.count, 1);
    expect_access(0, MMIO_EV_WRITE, 2, T_OFF(16, 3), 2);
}

Test(mmio_record, overflow_is_flagged_not_written_past)
{
    for (unsigned i = 0; i < MMIO_RECORD_CAP + 5; i++)
        mmio_write(&u->rw32, i);
    cr_expect_eq(rec.count, MMIO_RECORD_CAP);
    cr_expect(rec.overflow);
    expect_access(MMIO_RECORD_CAP - 1, MMIO_EV_WRITE, 4, T_OFF(32, 3), MMIO_RECORD_CAP - 1);
    /* The accesses themselves still happened. */
    cr_expect_eq(t_fake_get(mem, T_OFF(32, 3), 4), MMIO_RECORD_CAP + 4);
}

/* A fake device answering through the recorder's callbacks. */
struct fake_dev {
    unsigned reads, writes;
    uintptr_t last_addr;
    unsigned last_width;
    uint64_t last_value;
};

static uint64_t fake_read(void *ctx, uintptr_t addr, unsigned width)
{
    struct fake_dev *d = ctx;
    d->reads++;
    d->last_addr = addr;
    d->last_width = width;
    /* Wider than any register: the backend must keep only `width` bytes. */
    return UINT64_C(0xdeadbeef00000000) | (0x10u + d->reads);
}

static void fake_write(void *ctx, uintptr_t addr, unsigned width, uint64_t value)
{
    struct fake_dev *d = ctx;
    d->writes++;
    d->last_addr = addr;
    d->last_width = width;
    d->last_value = value;
}

Test(mmio_record, device_callbacks_replace_memory)
{
    struct fake_dev dev = { 0 };
    rec.read = fake_read;
    rec.write = fake_write;
    rec.ctx = &dev;

    cr_expect_eq(mmio_read(&u->ro8), 0x11);
    cr_expect_eq(dev.last_addr, (uintptr_t)mem + T_OFF(8, 1));
    cr_expect_eq(dev.last_width, 1);
    cr_expect_eq(mmio_read(&u->rw32), 0x12);
    cr_expect_eq(dev.last_width, 4);
    cr_expect_eq(mmio_read(&u->rp64), UINT64_C(0xdeadbeef00000013));
    mmio_write(&u->wo16, 0xbeefu);
    cr_expect_eq(dev.writes, 1);
    cr_expect_eq(dev.last_addr, (uintptr_t)mem + T_OFF(16, 2));
    cr_expect_eq(dev.last_width, 2);
    cr_expect_eq(dev.last_value, 0xbeef);
    /* Memory was not touched; the log shows the device's values. */
    cr_expect_eq(t_fake_clobbered(mem, 0, 0), 0);
    cr_assert_eq(rec.count, 4);
    expect_access(0, MMIO_EV_READ, 1, T_OFF(8, 1), 0x11);
    expect_access(2, MMIO_EV_READ, 8, T_OFF(64, 0), UINT64_C(0xdeadbeef00000013));
    expect_access(3, MMIO_EV_WRITE, 2, T_OFF(16, 2), 0xbeef);
}

/* A block of byte registers only: alignment 1, so any non-null address is valid. */
struct t_bytes {
    MMIO_REG(rw, 8, b0);
    MMIO_REG(rp, 8, b1);
};
MMIO_SIZE(struct t_bytes, 2);

Test(mmio_record, claim_returns_the_address)
{
    cr_expect_eq((uintptr_t)u, (uintptr_t)mem);
    struct t_bytes MMIO_PTR *b = mmio_claim(struct t_bytes, (uintptr_t)mem + 3);
    mmio_write(&b->b0, 9u);
    expect_access(0, MMIO_EV_WRITE, 1, 3, 9);
}

Test(mmio_record, claim_of_misaligned_address_traps, .signal = SIGILL)
{
    struct t_regs MMIO_PTR *bad = mmio_claim(struct t_regs, (uintptr_t)mem + 4);
    mmio_write(&bad->rw8, 1u);
}

Test(mmio_record, claim_of_null_traps, .signal = SIGILL)
{
    volatile uintptr_t zero = 0;
    struct t_bytes MMIO_PTR *bad = mmio_claim(struct t_bytes, zero);
    mmio_write(&bad->b0, 1u);
}

Test(mmio_record, phys_token_describes_the_block)
{
    static const mmio_phys uart = MMIO_PHYS(struct t_regs, 0x09000000);
    cr_expect_eq(uart.pa, 0x09000000);
    cr_expect_eq(uart.size, 0x100);
    cr_expect_eq(uart.align, 8);
    mmio_phys b = (mmio_phys)MMIO_PHYS(struct t_bytes, 0x1001);
    cr_expect_eq(b.size, 2);
    cr_expect_eq(b.align, 1);
}
