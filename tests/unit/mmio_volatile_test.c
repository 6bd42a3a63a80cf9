/*
 * MMIO library, volatile backend (what host builds get by default): every
 * accessor at every width lands on exactly the register's bytes of fake
 * register memory, with the right value, and leaves its neighbours alone.
 */
#include <criterion/criterion.h>
#include <signal.h>

#include "mmio_test_regs.h"

static unsigned char *mem;
static struct t_regs MMIO_PTR *u;
static const struct t_regs MMIO_PTR *s;

static void setup(void)
{
    mem = t_fake_alloc();
    cr_assert_not_null(mem);
    u = mmio_claim(struct t_regs, (uintptr_t)mem);
    s = u;
}

static void teardown(void) { free(mem); }

TestSuite(mmio_volatile, .init = setup, .fini = teardown);

Test(mmio_volatile, backend_is_volatile)
{
    cr_expect_str_eq(MMIO_BACKEND_NAME, "volatile");
}

/* Top bit set in every value so a sign-extending path would show. */
#define V_8 UINT64_C(0x9a)
#define V_16 UINT64_C(0x9a8b)
#define V_32 UINT64_C(0x9a8b7c6d)
#define V_64 UINT64_C(0x9a8b7c6d5e4f3021)

#define WIDTH_TESTS(W) \
    Test(mmio_volatile, writes_w##W) \
    { \
        mmio_write(&u->wo##W, (uint##W##_t)V_##W); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 2), W / 8), V_##W); \
        cr_expect_eq(t_fake_clobbered(mem, T_OFF(W, 2), W / 8), 0); \
        mmio_write_ordered(&u->rw##W, (uint##W##_t)(V_##W - 1)); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 3), W / 8), V_##W - 1); \
        mmio_write_unsafe(&u->rp##W, (uint##W##_t)(V_##W - 2)); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 0), W / 8), V_##W - 2); \
        mmio_write##W##_unsafe((uintptr_t)mem + T_OFF(W, 4), (uint##W##_t)(V_##W - 3)); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 4), W / 8), V_##W - 3); \
        /* wo, rw, rpw and rp written; ro (k = 1) between them untouched. */ \
        for (unsigned b = 0; b < W / 8; b++) \
            cr_expect_eq(mem[T_OFF(W, 1) + b], T_FILL); \
    } \
    Test(mmio_volatile, reads_w##W) \
    { \
        for (unsigned k = 0; k <= 4; k++) \
            t_fake_put(mem, T_OFF(W, k), W / 8, V_##W - k); \
        cr_expect_eq(mmio_read(&u->rp##W), V_##W - 0); \
        cr_expect_eq(mmio_read(&u->ro##W), V_##W - 1); \
        cr_expect_eq(mmio_read_unsafe(&u->wo##W), V_##W - 2); \
        cr_expect_eq(mmio_read_ordered(&u->rw##W), V_##W - 3); \
        cr_expect_eq(mmio_read(&s->rpw##W), V_##W - 4); \
        cr_expect_eq(mmio_read##W##_unsafe((uintptr_t)mem + T_OFF(W, 0)), V_##W); \
        cr_expect_eq(t_fake_clobbered(mem, T_OFF(W, 0), 5 * W / 8), 0, "a read wrote"); \
    } \
    Test(mmio_volatile, modify_w##W) \
    { \
        t_fake_put(mem, T_OFF(W, 4), W / 8, V_##W); \
        mmio_modify(&u->rpw##W, (uint##W##_t)0x0f, (uint##W##_t)0x30); \
        cr_expect_eq(t_fake_get(mem, T_OFF(W, 4), W / 8), (V_##W & ~UINT64_C(0x0f)) | 0x30); \
        cr_expect_eq(t_fake_clobbered(mem, T_OFF(W, 4), W / 8), 0); \
    }

WIDTH_TESTS(8)
WIDTH_TESTS(16)
WIDTH_TESTS(32)
WIDTH_TESTS(64)

Test(mmio_volatile, arrays_and_sub_blocks)
{
    for (unsigned i = 0; i < MMIO_COUNT(u->sub); i++)
        mmio_write(&mmio_elem(u, sub, i)->data, UINT64_C(0x0101010101010101) * (i + 1));
    for (unsigned i = 0; i < MMIO_COUNT(u->sub); i++)
        cr_expect_eq(t_fake_get(mem, 0xa0 + 0x10 * i + 8, 8), UINT64_C(0x0101010101010101) * (i + 1));
    t_fake_put(mem, 0x80 + 4 * 7, 4, 0x77);
    cr_expect_eq(mmio_read_unsafe(mmio_elem(s, arr, 7)), 0x77);
}

Test(mmio_volatile, array_index_past_end_traps, .signal = SIGILL)
{
    volatile size_t i = 3;
    mmio_write(&mmio_elem(u, sub, i)->ctl, 1u);
}
