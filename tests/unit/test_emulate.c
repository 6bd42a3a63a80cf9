/* Emulation core tests (vmm/arm64/emulate.h) against a fake memory. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../vmm/arm64/emulate.h"
#include "a64_encode.h"

#define MEM_BASE 0x10000u
#define MEM_SIZE 0x1000u

struct fake {
    uint8_t b[MEM_SIZE];
    struct { uint64_t va; unsigned len; int write; uint64_t val; } log[8];
    unsigned n;
};

static int fake_rw(struct fake *f, uint64_t va, unsigned len, uint64_t *val, int write)
{
    if (f->n < 8)
        f->log[f->n].va = va, f->log[f->n].len = len, f->log[f->n].write = write;
    if (va < MEM_BASE || va - MEM_BASE > MEM_SIZE - len)
        return -1;
    uint8_t *p = f->b + (va - MEM_BASE);
    if (write) {
        for (unsigned i = 0; i < len; i++)
            p[i] = (uint8_t)(*val >> (8 * i));
    } else {
        *val = 0;
        for (unsigned i = 0; i < len; i++)
            *val |= (uint64_t)p[i] << (8 * i);
    }
    if (f->n < 8)
        f->log[f->n++].val = *val;
    return 0;
}
static int rd(void *c, uint64_t va, unsigned len, uint64_t *v) { return fake_rw(c, va, len, v, 0); }
static int wr(void *c, uint64_t va, unsigned len, uint64_t v) { return fake_rw(c, va, len, &v, 1); }

static struct fake mem;
static struct a64_mem ops = {rd, wr, &mem};
static struct a64_regs regs;

static void setup(void)
{
    memset(&mem, 0, sizeof(mem));
    for (unsigned i = 0; i < MEM_SIZE; i++)
        mem.b[i] = (uint8_t)(0x80 + i);
    memset(&regs, 0, sizeof(regs));
    for (unsigned i = 0; i < 31; i++)
        regs.x[i] = 0xdead000000000000ull | i;
    regs.x[0] = MEM_BASE + 0x100;
    regs.sp = MEM_BASE + 0x800;
    regs.pc = 0x400000;
}

static enum a64_emu_status emu(uint32_t w)
{
    struct a64_ldst d;
    a64_decode(w, &d);
    const char *why = "unset";
    enum a64_emu_status st = a64_emulate(&d, &regs, &ops, &why, NULL);
    cr_assert_eq(st == A64_EMU_OK, why == NULL, "%08x: %s", w, why ? why : "(null)");
    return st;
}

TestSuite(emulate, .init = setup);

Test(emulate, load_zero_extends_and_clears_upper)
{
    cr_assert_eq(emu(enc_ls_uimm(2, 0, 1, 2, 0, 1)), A64_EMU_OK); /* ldr w1, [x0, #8] */
    cr_assert_eq(regs.x[1], 0x8b8a8988u);
    cr_assert_eq(regs.pc, 0x400004);
    cr_assert(mem.n == 1 && mem.log[0].va == MEM_BASE + 0x108 && mem.log[0].len == 4);
    cr_assert_eq(emu(enc_ls_uimm(0, 0, 1, 0, 0, 2)), A64_EMU_OK); /* ldrb w2, [x0] */
    cr_assert_eq(regs.x[2], 0x80);
}

Test(emulate, sign_extension_into_w_and_x)
{
    emu(enc_ls_uimm(0, 0, 3, 0, 0, 1)); /* ldrsb w1, [x0]: 0x80 */
    cr_assert_eq(regs.x[1], 0xffffff80u);
    emu(enc_ls_uimm(0, 0, 2, 0, 0, 2)); /* ldrsb x2, [x0] */
    cr_assert_eq(regs.x[2], 0xffffffffffffff80ull);
    emu(enc_ls_uimm(1, 0, 3, 0, 0, 3)); /* ldrsh w3, [x0]: 0x8180 */
    cr_assert_eq(regs.x[3], 0xffff8180u);
    emu(enc_ls_uimm(2, 0, 2, 0, 0, 4)); /* ldrsw x4, [x0]: 0x83828180 */
    cr_assert_eq(regs.x[4], 0xffffffff83828180ull);
    mem.b[0x100] = 0x7f;
    emu(enc_ls_uimm(0, 0, 2, 0, 0, 5)); /* positive: no extension */
    cr_assert_eq(regs.x[5], 0x7f);
}

Test(emulate, zero_register)
{
    emu(enc_ls_uimm(2, 0, 0, 0, 0, 31)); /* str wzr, [x0] */
    cr_assert(mem.log[0].write && mem.log[0].val == 0);
    cr_assert_eq(mem.b[0x100], 0);
    uint64_t before[31];
    memcpy(before, regs.x, sizeof(before));
    emu(enc_ls_uimm(3, 0, 1, 0, 0, 31)); /* ldr xzr, [x0]: discarded, not SP */
    cr_assert(memcmp(before, regs.x, sizeof(before)) == 0);
    cr_assert_eq(regs.sp, MEM_BASE + 0x800);
}

Test(emulate, store_widths)
{
    regs.x[5] = 0x1122334455667788ull;
    emu(enc_ls_uimm(1, 0, 0, 1, 0, 5)); /* strh w5, [x0, #2] */
    cr_assert(mem.log[0].len == 2 && mem.log[0].va == MEM_BASE + 0x102 && mem.log[0].val == 0x7788);
    emu(enc_ls_uimm(3, 0, 0, 0, 0, 5)); /* str x5, [x0] */
    cr_assert(mem.log[1].len == 8 && mem.log[1].val == 0x1122334455667788ull);
}

Test(emulate, pair_post_index)
{
    emu(enc_ls_pair(2, 0, 1, 1, 2, 3, 0, 2)); /* ldp x2, x3, [x0], #16 */
    cr_assert_eq(mem.n, 2);
    cr_assert(mem.log[0].va == MEM_BASE + 0x100 && mem.log[0].len == 8);
    cr_assert(mem.log[1].va == MEM_BASE + 0x108 && mem.log[1].len == 8);
    cr_assert_eq(regs.x[2], 0x8786858483828180ull);
    cr_assert_eq(regs.x[3], 0x8f8e8d8c8b8a8988ull);
    cr_assert_eq(regs.x[0], MEM_BASE + 0x110);
    cr_assert_eq(regs.pc, 0x400004);
}

Test(emulate, pair_pre_index_store_and_ldpsw)
{
    regs.x[2] = 0xaaaaaaaa11111111ull, regs.x[3] = 0x22222222;
    emu(enc_ls_pair(0, 0, 3, 0, -2, 3, 0, 2)); /* stp w2, w3, [x0, #-8]! */
    cr_assert(mem.log[0].va == MEM_BASE + 0xf8 && mem.log[0].len == 4 && mem.log[0].val == 0x11111111);
    cr_assert(mem.log[1].va == MEM_BASE + 0xfc && mem.log[1].len == 4 && mem.log[1].val == 0x22222222);
    cr_assert_eq(regs.x[0], MEM_BASE + 0xf8);
    mem.b[0x103] = 0x80, mem.b[0x107] = 0x7f;
    regs.x[0] = MEM_BASE + 0x100;
    emu(enc_ls_pair(1, 0, 2, 1, 0, 5, 0, 4)); /* ldpsw x4, x5, [x0] */
    cr_assert_eq(regs.x[4], 0xffffffff80828180ull);
    cr_assert_eq(regs.x[5], 0x7f868584u);
}

Test(emulate, sp_base_and_register_offset)
{
    emu(enc_ls_uimm(3, 0, 1, 1, 31, 1)); /* ldr x1, [sp, #8] */
    cr_assert_eq(mem.log[0].va, MEM_BASE + 0x808);
    regs.x[2] = (uint64_t)(uint32_t)-4; /* w2 = -4 */
    emu(enc_ls_regoff(2, 0, 1, 2, 6, 1, 0, 3)); /* ldr w3, [x0, w2, sxtw #2] */
    cr_assert_eq(mem.log[1].va, MEM_BASE + 0x100 - 16);
    emu(enc_ls_regoff(2, 0, 1, 2, 2, 0, 0, 3)); /* ldr w3, [x0, w2, uxtw]: huge offset */
    cr_assert_eq(mem.log[2].va, MEM_BASE + 0x100 + 0xfffffffcull);
    emu(enc_ls_pair(2, 0, 3, 0, -2, 30, 31, 29)); /* stp x29, x30, [sp, #-16]! */
    cr_assert_eq(regs.sp, MEM_BASE + 0x7f0);
}

Test(emulate, literal_and_unprivileged)
{
    regs.pc = MEM_BASE + 0x200;
    emu(enc_literal(1, 0, -2, 7)); /* ldr x7, pc-8 */
    cr_assert_eq(mem.log[0].va, MEM_BASE + 0x1f8);
    cr_assert_eq(regs.pc, MEM_BASE + 0x204);
    emu(enc_ls_imm9(0, 0, 3, -1, 2, 0, 8)); /* ldtrsb w8, [x0, #-1] */
    cr_assert_eq(mem.log[1].va, MEM_BASE + 0xff);
    cr_assert_eq(regs.x[8], 0x7f); /* byte at 0xff is 0x7f: positive */
}

Test(emulate, refusals_leave_state_alone)
{
    const uint32_t w[] = {
        enc_excl(2, 0, 1, 0, 31, 0, 31, 0, 1),  /* ldxr */
        enc_atomic(2, 0, 0, 0, 1, 0, 0, 0, 2),  /* ldadd */
        enc_simd_mult(1, 1, 0, 0, 7, 2, 0, 0),  /* ld1 */
        enc_ls_uimm(0, 1, 3, 0, 0, 0),          /* ldr q0 */
        enc_pac(0, 1, 0, 0, 1),                 /* ldraa */
        enc_ls_uimm(2, 0, 3, 0, 0, 0),          /* unallocated */
        enc_ls_imm9(3, 0, 1, 8, 1, 0, 0),       /* ldr x0, [x0], #8: Rn == Rt */
        enc_ls_pair(2, 0, 2, 1, 0, 1, 0, 1),    /* ldp x1, x1: same register */
        0xd503201f,                             /* nop */
    };
    struct a64_regs before = regs;
    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        struct a64_ldst d;
        const char *why = NULL;
        a64_decode(w[i], &d);
        cr_assert_eq(a64_emulate(&d, &regs, &ops, &why, NULL), A64_EMU_REFUSED, "%08x", w[i]);
        cr_assert(why && *why, "%08x", w[i]);
        cr_assert(memcmp(&before, &regs, sizeof(regs)) == 0, "%08x", w[i]);
    }
    cr_assert_eq(mem.n, 0);
}

Test(emulate, memory_fault)
{
    struct a64_ldst d;
    const char *why;
    uint64_t fva = 0;
    struct a64_regs before;
    regs.x[0] = MEM_BASE + MEM_SIZE - 8;
    before = regs;
    a64_decode(enc_ls_pair(2, 0, 1, 1, 2, 3, 0, 2), &d); /* ldp x2, x3, [x0], #16: 2nd half faults */
    cr_assert_eq(a64_emulate(&d, &regs, &ops, &why, &fva), A64_EMU_MEM_FAULT);
    cr_assert_eq(fva, MEM_BASE + MEM_SIZE);
    cr_assert(memcmp(&before, &regs, sizeof(regs)) == 0);
}

Test(emulate, prefetch_is_a_nop)
{
    cr_assert_eq(emu(enc_ls_uimm(3, 0, 2, 0, 0, 0)), A64_EMU_OK);
    cr_assert_eq(mem.n, 0);
    cr_assert_eq(regs.pc, 0x400004);
}

/* What KVM on the nested host returned for 0x80 bytes, and the fix. */
Test(emulate, fix_sign_extension)
{
    struct a64_ldst d;
    a64_decode(0x39c00001, &d); /* ldrsb w1, [x0] */
    cr_assert_eq(a64_fix_sign_extension(&d, 0x80), 0xffffff80u);
    a64_decode(0x39800002, &d); /* ldrsb x2, [x0] */
    cr_assert_eq(a64_fix_sign_extension(&d, 0x80), 0xffffffffffffff80ull);
    a64_decode(0x79c00003, &d); /* ldrsh w3, [x0] */
    cr_assert_eq(a64_fix_sign_extension(&d, 0x8080), 0xffff8080u);
    a64_decode(0xb9800004, &d); /* ldrsw x4, [x0] */
    cr_assert_eq(a64_fix_sign_extension(&d, 0x80808080), 0xffffffff80808080ull);
    cr_assert_eq(a64_fix_sign_extension(&d, 0x7fffffff), 0x7fffffffu);
    a64_decode(0xb9400001, &d); /* ldr w1: unchanged */
    cr_assert_eq(a64_fix_sign_extension(&d, 0x80808080), 0x80808080u);
    a64_decode(0x29400c02, &d); /* ldp: not an ISV=1 load, unchanged */
    cr_assert_eq(a64_fix_sign_extension(&d, 0x80), 0x80u);
}
