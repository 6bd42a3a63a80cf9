/*
 * The register block the MMIO library's tests use: every kind at every width,
 * a register array and an array of sub-blocks. Layout only (no libc), so the
 * host unit tests (mmio_test_regs.h) and the AArch64 instruction check
 * (tests/mmio-a64/accessors.c) share one definition.
 */
#ifndef MMIO_TEST_BLOCK_H
#define MMIO_TEST_BLOCK_H

#include <mmio.h>

struct t_sub {
    MMIO_REG(rw, 32, ctl);    /* 0x0 */
    MMIO_REG(rp, 32, status); /* 0x4 */
    MMIO_REG(rw, 64, data);   /* 0x8 */
};
MMIO_OFFSET(struct t_sub, ctl, 0x0);
MMIO_OFFSET(struct t_sub, status, 0x4);
MMIO_OFFSET(struct t_sub, data, 0x8);
MMIO_SIZE(struct t_sub, 0x10);

/* Width W's registers start at T_BASE(W); kinds in the order rp, ro, wo, rw, rpw. */
#define T_BASE_8 0x00
#define T_BASE_16 0x10
#define T_BASE_32 0x20
#define T_BASE_64 0x40
struct t_regs {
    MMIO_REG(rp, 8, rp8);
    MMIO_REG(ro, 8, ro8);
    MMIO_REG(wo, 8, wo8);
    MMIO_REG(rw, 8, rw8);
    MMIO_REG(rpw, 8, rpw8);
    MMIO_RESERVED(0x05, 0x10);
    MMIO_REG(rp, 16, rp16);
    MMIO_REG(ro, 16, ro16);
    MMIO_REG(wo, 16, wo16);
    MMIO_REG(rw, 16, rw16);
    MMIO_REG(rpw, 16, rpw16);
    MMIO_RESERVED(0x1a, 0x20);
    MMIO_REG(rp, 32, rp32);
    MMIO_REG(ro, 32, ro32);
    MMIO_REG(wo, 32, wo32);
    MMIO_REG(rw, 32, rw32);
    MMIO_REG(rpw, 32, rpw32);
    MMIO_RESERVED(0x34, 0x40);
    MMIO_REG(rp, 64, rp64);
    MMIO_REG(ro, 64, ro64);
    MMIO_REG(wo, 64, wo64);
    MMIO_REG(rw, 64, rw64);
    MMIO_REG(rpw, 64, rpw64);
    MMIO_RESERVED(0x68, 0x80);
    MMIO_REG(rw, 32, arr[8]); /* 0x80 */
    struct t_sub sub[3];      /* 0xa0 */
    MMIO_RESERVED(0xd0, 0x100);
};
#define T_ASSERT_WIDTH(W, step) \
    MMIO_OFFSET(struct t_regs, rp##W, T_BASE_##W + 0 * (step)); \
    MMIO_OFFSET(struct t_regs, ro##W, T_BASE_##W + 1 * (step)); \
    MMIO_OFFSET(struct t_regs, wo##W, T_BASE_##W + 2 * (step)); \
    MMIO_OFFSET(struct t_regs, rw##W, T_BASE_##W + 3 * (step)); \
    MMIO_OFFSET(struct t_regs, rpw##W, T_BASE_##W + 4 * (step))
T_ASSERT_WIDTH(8, 1);
T_ASSERT_WIDTH(16, 2);
T_ASSERT_WIDTH(32, 4);
T_ASSERT_WIDTH(64, 8);
MMIO_OFFSET(struct t_regs, arr, 0x80);
MMIO_OFFSET(struct t_regs, sub, 0xa0);
MMIO_SIZE(struct t_regs, 0x100);

#endif
