/*
 * Every accessor at every width, in straight-line code (nothing for the
 * compiler to duplicate or drop), for scripts/mmio-insns-check.sh: each call
 * below is one device access, so the object must carry exactly that many
 * .mmio_insns records, each naming a single-register, base-only ldr/str.
 */
// RECORDS: 68
#include "../unit/mmio_test_block.h"

/* 17 device accesses per width; the final store to *out is normal memory. */
#define A64_WIDTH(W) \
    void a64_w##W(struct t_regs MMIO_PTR *u, uint##W##_t v, uint64_t *out); \
    void a64_w##W(struct t_regs MMIO_PTR *u, uint##W##_t v, uint64_t *out) \
    { \
        const struct t_regs MMIO_PTR *s = u; \
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
