/*
 * Every accessor at every width, in straight-line code (nothing for the
 * compiler to duplicate or drop), for scripts/mmio-insns-check.sh: each call
 * below is one device access, so the object must carry exactly that many
 * .mmio_insns records, each naming a single-register, base-only ldr/str.
 */
// RECORDS: 68
#include <mmio.h>

struct a_regs {
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
    MMIO_RESERVED(0x68, 0x100);
};
MMIO_SIZE(struct a_regs, 0x100);

/* 17 device accesses per width; the final store to *out is normal memory. */
#define A64_WIDTH(W) \
    void a64_w##W(struct a_regs MMIO_PTR *u, uint##W##_t v, uint64_t *out); \
    void a64_w##W(struct a_regs MMIO_PTR *u, uint##W##_t v, uint64_t *out) \
    { \
        const struct a_regs MMIO_PTR *s = u; \
        uint64_t acc = 0; \
        acc += mmio_read(&u->rp##W); \
        acc += mmio_read(&u->ro##W); \
        acc += mmio_read(&u->rw##W); \
        acc += mmio_read(&u->rpw##W); \
        acc += mmio_read(&s->rp##W); \
        acc += mmio_read(&s->rpw##W); \
        mmio_write(&u->wo##W, v); \
        mmio_write(&u->rw##W, v); \
        mmio_write(&u->rpw##W, 0); /* may use the zero register */ \
        mmio_modify(&u->rw##W, 1u, 2u); /* a read and a write */ \
        acc += mmio_read_ordered(&u->ro##W); \
        mmio_write_ordered(&u->wo##W, v); \
        acc += mmio_read_unsafe(&u->wo##W); \
        mmio_write_unsafe(&u->rp##W, v); \
        acc += mmio_read##W##_unsafe((uintptr_t)u + 0x80); \
        mmio_write##W##_unsafe((uintptr_t)u + 0x80, v); \
        *out = acc; \
    }
A64_WIDTH(8)
A64_WIDTH(16)
A64_WIDTH(32)
A64_WIDTH(64)
