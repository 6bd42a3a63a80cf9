/*
 * Register block shared by the compile-fail cases: one register of every kind,
 * every width, an array and sub-blocks. Each case is a function taking two
 * unique pointers (u, v), a shared one (s) and some values, and holds one
 * misuse in `#ifndef CONTROL` with its valid form in `#else`.
 */
#ifndef CF_REGS_H
#define CF_REGS_H

#include <mmio.h>

struct cf_sub {
    MMIO_REG(rw, 32, ctl);
    MMIO_REG(rp, 32, status);
};

struct cf_regs {
    MMIO_REG(rp, 32, rp32);
    MMIO_REG(ro, 32, ro32);
    MMIO_REG(wo, 32, wo32);
    MMIO_REG(rw, 32, rw32);
    MMIO_REG(rpw, 32, rpw32);
    MMIO_REG(rw, 8, rw8);
    MMIO_RESERVED(0x15, 0x16);
    MMIO_REG(rw, 16, rw16);
    MMIO_REG(rw, 64, rw64);
    MMIO_REG(rw, 32, arr[4]);
    struct cf_sub sub[2];
};
MMIO_OFFSET(struct cf_regs, rp32, 0x00);
MMIO_OFFSET(struct cf_regs, ro32, 0x04);
MMIO_OFFSET(struct cf_regs, wo32, 0x08);
MMIO_OFFSET(struct cf_regs, rw32, 0x0c);
MMIO_OFFSET(struct cf_regs, rpw32, 0x10);
MMIO_OFFSET(struct cf_regs, rw8, 0x14);
MMIO_OFFSET(struct cf_regs, rw16, 0x16);
MMIO_OFFSET(struct cf_regs, rw64, 0x18);
MMIO_OFFSET(struct cf_regs, arr, 0x20);
MMIO_OFFSET(struct cf_regs, sub, 0x30);
MMIO_SIZE(struct cf_regs, 0x40);

#define CF_CASE(name) \
    void name(struct cf_regs MMIO_PTR *u, struct cf_regs MMIO_PTR *v, \
              const struct cf_regs MMIO_PTR *s, uint64_t x64, uint32_t x32, int i); \
    void name(struct cf_regs MMIO_PTR *u, struct cf_regs MMIO_PTR *v, \
              const struct cf_regs MMIO_PTR *s, uint64_t x64, uint32_t x32, int i)
#define CF_USE_ARGS() ((void)u, (void)v, (void)s, (void)x64, (void)x32, (void)i)

#endif
