/* A64 load/store decoder tests (vmm/arm64/a64.h), cross-checked with the
 * independent encoder in a64_encode.c and with binutils' disassembly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../vmm/arm64/a64.h"
#include "../../vmm/arm64/esr.h"
#include "a64_encode.h"

static struct a64_ldst dec(uint32_t w)
{
    struct a64_ldst d;
    a64_decode(w, &d);
    return d;
}

static const char *text(uint32_t w)
{
    static char buf[160];
    struct a64_ldst d = dec(w);
    a64_format(&d, 0, buf, sizeof(buf));
    return buf;
}

/* Encodings produced by aarch64-linux-gnu-as; text as objdump prints it
 * (register lists expanded). isv: -1 = ISV=0, else SAS|SSE<<2|SF<<3|AR<<4|WnR<<5. */
#define S(sas, sse, sf, ar, wnr) ((sas) | (sse) << 2 | (sf) << 3 | (ar) << 4 | (wnr) << 5)
static const struct vec {
    uint32_t w;
    const char *text;
    enum a64_class cls;
    enum a64_reason reason;
    int iss;
} vectors[] = {
    {0xb9400801, "ldr w1, [x0, #8]", A64_CLS_UIMM, A64_OK, S(2, 0, 0, 0, 0)},
    {0xf9400be1, "ldr x1, [sp, #16]", A64_CLS_UIMM, A64_OK, S(3, 0, 1, 0, 0)},
    {0x39c00001, "ldrsb w1, [x0]", A64_CLS_UIMM, A64_OK, S(0, 1, 0, 0, 0)},
    {0x39800c01, "ldrsb x1, [x0, #3]", A64_CLS_UIMM, A64_OK, S(0, 1, 1, 0, 0)},
    {0x79c00443, "ldrsh w3, [x2, #2]", A64_CLS_UIMM, A64_OK, S(1, 1, 0, 0, 0)},
    {0xb9800004, "ldrsw x4, [x0]", A64_CLS_UIMM, A64_OK, S(2, 1, 1, 0, 0)},
    {0xb9000005, "str w5, [x0]", A64_CLS_UIMM, A64_OK, S(2, 0, 0, 0, 1)},
    {0x3900101f, "strb wzr, [x0, #4]", A64_CLS_UIMM, A64_OK, S(0, 0, 0, 0, 1)},
    {0xf900001f, "str xzr, [x0]", A64_CLS_UIMM, A64_OK, S(3, 0, 1, 0, 1)},
    {0x79400001, "ldrh w1, [x0]", A64_CLS_UIMM, A64_OK, S(1, 0, 0, 0, 0)},
    {0xb85fc020, "ldur w0, [x1, #-4]", A64_CLS_UNSCALED, A64_OK, S(2, 0, 0, 0, 0)},
    {0xb8404420, "ldr w0, [x1], #4", A64_CLS_IMM_POST, A64_R_WRITEBACK, -1},
    {0xb8404c20, "ldr w0, [x1, #4]!", A64_CLS_IMM_PRE, A64_R_WRITEBACK, -1},
    {0xb8400820, "ldtr w0, [x1]", A64_CLS_UNPRIV, A64_OK, S(2, 0, 0, 0, 0)},
    {0x38801820, "ldtrsb x0, [x1, #1]", A64_CLS_UNPRIV, A64_OK, S(0, 1, 1, 0, 0)},
    {0x78000823, "sttrh w3, [x1]", A64_CLS_UNPRIV, A64_OK, S(1, 0, 0, 0, 1)},
    {0xb8626820, "ldr w0, [x1, x2]", A64_CLS_REG_OFFSET, A64_OK, S(2, 0, 0, 0, 0)},
    {0xb8627820, "ldr w0, [x1, x2, lsl #2]", A64_CLS_REG_OFFSET, A64_OK, S(2, 0, 0, 0, 0)},
    {0xb8624820, "ldr w0, [x1, w2, uxtw]", A64_CLS_REG_OFFSET, A64_OK, S(2, 0, 0, 0, 0)},
    {0xf862d820, "ldr x0, [x1, w2, sxtw #3]", A64_CLS_REG_OFFSET, A64_OK, S(3, 0, 1, 0, 0)},
    {0x38627820, "ldrb w0, [x1, x2, lsl #0]", A64_CLS_REG_OFFSET, A64_OK, S(0, 0, 0, 0, 0)},
    {0xb862e820, "ldr w0, [x1, x2, sxtx]", A64_CLS_REG_OFFSET, A64_OK, S(2, 0, 0, 0, 0)},
    {0x29400c02, "ldp w2, w3, [x0]", A64_CLS_PAIR_OFFSET, A64_R_PAIR, -1},
    {0xa8c10c02, "ldp x2, x3, [x0], #16", A64_CLS_PAIR_POST, A64_R_PAIR, -1},
    {0xa9bf7bfd, "stp x29, x30, [sp, #-16]!", A64_CLS_PAIR_PRE, A64_R_PAIR, -1},
    {0xac400400, "ldnp q0, q1, [x0]", A64_CLS_PAIR_NOALLOC, A64_R_SIMD_FP, -1},
    {0x69410861, "ldpsw x1, x2, [x3, #8]", A64_CLS_PAIR_OFFSET, A64_R_PAIR, -1},
    {0x69010861, "stgp x1, x2, [x3, #32]", A64_CLS_PAIR_OFFSET, A64_R_TAG, -1},
    {0x885f7c20, "ldxr w0, [x1]", A64_CLS_EXCL, A64_R_EXCLUSIVE, -1},
    {0xc8027c83, "stxr w2, x3, [x4]", A64_CLS_EXCL, A64_R_EXCLUSIVE, -1},
    {0xc87f8440, "ldaxp x0, x1, [x2]", A64_CLS_EXCL_PAIR, A64_R_EXCLUSIVE, -1},
    {0xc8258440, "stlxp w5, x0, x1, [x2]", A64_CLS_EXCL_PAIR, A64_R_EXCLUSIVE, -1},
    {0x88dffc20, "ldar w0, [x1]", A64_CLS_ORDERED, A64_OK, S(2, 0, 0, 1, 0)},
    {0x089fffe1, "stlrb w1, [sp]", A64_CLS_ORDERED, A64_OK, S(0, 0, 0, 1, 1)},
    {0x88a07c41, "cas w0, w1, [x2]", A64_CLS_CAS, A64_R_ATOMIC, -1},
    {0xc8e0fc41, "casal x0, x1, [x2]", A64_CLS_CAS, A64_R_ATOMIC, -1},
    {0x48207c82, "casp x0, x1, x2, x3, [x4]", A64_CLS_CASP, A64_R_ATOMIC, -1},
    {0xb8200041, "ldadd w0, w1, [x2]", A64_CLS_ATOMIC, A64_R_ATOMIC, -1},
    {0xf8e00041, "ldaddal x0, x1, [x2]", A64_CLS_ATOMIC, A64_R_ATOMIC, -1},
    {0x38208041, "swpb w0, w1, [x2]", A64_CLS_ATOMIC, A64_R_ATOMIC, -1},
    {0xf8bfc020, "ldapr x0, [x1]", A64_CLS_ATOMIC, A64_OK, S(3, 0, 1, 1, 0)},
    {0x38bfc020, "ldaprb w0, [x1]", A64_CLS_ATOMIC, A64_OK, S(0, 0, 0, 1, 0)},
    {0x99400020, "ldapur w0, [x1]", A64_CLS_RCPC_UNSCALED, A64_OK, S(2, 0, 0, 1, 0)},
    {0xd91f8020, "stlur x0, [x1, #-8]", A64_CLS_RCPC_UNSCALED, A64_OK, S(3, 0, 1, 1, 1)},
    {0x19800020, "ldapursb x0, [x1]", A64_CLS_RCPC_UNSCALED, A64_OK, S(0, 1, 1, 1, 0)},
    {0xf83fd020, "ld64b x0, [x1]", A64_CLS_ATOMIC, A64_R_LS64, -1},
    {0x4c407000, "ld1 {v0.16b}, [x0]", A64_CLS_SIMD_MULT, A64_R_SIMD_STRUCT, -1},
    {0x4cdfa000, "ld1 {v0.16b, v1.16b}, [x0], #32", A64_CLS_SIMD_MULT, A64_R_SIMD_STRUCT, -1},
    {0x4c820820, "st4 {v0.4s, v1.4s, v2.4s, v3.4s}, [x1], x2", A64_CLS_SIMD_MULT, A64_R_SIMD_STRUCT, -1},
    {0x0d409000, "ld1 {v0.s}[1], [x0]", A64_CLS_SIMD_SINGLE, A64_R_SIMD_STRUCT, -1},
    {0x4d40c800, "ld1r {v0.4s}, [x0]", A64_CLS_SIMD_SINGLE, A64_R_SIMD_STRUCT, -1},
    {0x4ddf6800, "ld3 {v0.h, v1.h, v2.h}[5], [x0], #6", A64_CLS_SIMD_SINGLE, A64_R_SIMD_STRUCT, -1},
    {0x3dc00400, "ldr q0, [x0, #16]", A64_CLS_UIMM, A64_R_SIMD_FP, -1},
    {0xfd000401, "str d1, [x0, #8]", A64_CLS_UIMM, A64_R_SIMD_FP, -1},
    {0xbc5fc022, "ldur s2, [x1, #-4]", A64_CLS_UNSCALED, A64_R_SIMD_FP, -1},
    {0x3c401400, "ldr b0, [x0], #1", A64_CLS_IMM_POST, A64_R_SIMD_FP, -1},
    {0x3ce17801, "ldr q1, [x0, x1, lsl #4]", A64_CLS_REG_OFFSET, A64_R_SIMD_FP, -1},
    {0xf9800000, "prfm pldl1keep, [x0]", A64_CLS_UIMM, A64_R_PREFETCH, -1},
    {0xf8a16813, "prfm pstl2strm, [x0, x1]", A64_CLS_REG_OFFSET, A64_R_PREFETCH, -1},
    {0xf89ff004, "prfum pldl3keep, [x0, #-1]", A64_CLS_UNSCALED, A64_R_PREFETCH, -1},
    {0xd9201820, "stg x0, [x1, #16]", A64_CLS_TAGS, A64_R_TAG, -1},
    {0xd9602420, "stzg x0, [x1], #32", A64_CLS_TAGS, A64_R_TAG, -1},
    {0xd9bffc20, "st2g x0, [x1, #-16]!", A64_CLS_TAGS, A64_R_TAG, -1},
    {0xd9601020, "ldg x0, [x1, #16]", A64_CLS_TAGS, A64_R_TAG, -1},
    {0xd9a00020, "stgm x0, [x1]", A64_CLS_TAGS, A64_R_TAG, -1},
    {0xd9200020, "stzgm x0, [x1]", A64_CLS_TAGS, A64_R_TAG, -1},
    {0xf8201420, "ldraa x0, [x1, #8]", A64_CLS_PAC, A64_OK, S(3, 0, 1, 0, 0)},
    {0xf8ffec20, "ldrab x0, [x1, #-16]!", A64_CLS_PAC, A64_R_WRITEBACK, -1},
    {0x19010440, "cpyfp [x0]!, [x1]!, x2!", A64_CLS_MOPS, A64_R_MOPS, -1},
    {0x19c20420, "setp [x0]!, x1!, x2", A64_CLS_MOPS, A64_R_MOPS, -1},
    {0xe9400800, "ldtp x0, x2, [x0]", A64_CLS_PAIR_OFFSET, A64_R_PAIR, -1},
    {0x08df7c20, "ldlarb w0, [x1]", A64_CLS_ORDERED, A64_OK, S(0, 0, 0, 0, 0)},
};

Test(a64, vectors)
{
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct vec *v = &vectors[i];
        struct a64_ldst d = dec(v->w);
        cr_assert_str_eq(text(v->w), v->text, "%08x", v->w);
        cr_assert_eq(d.cls, v->cls, "%08x: class %s", v->w, a64_class_name(d.cls));
        cr_assert_eq(d.reason, v->reason, "%08x: reason %s", v->w, a64_reason_tag(d.reason));
        cr_assert_eq(d.iss.isv, v->iss >= 0, "%08x", v->w);
        if (v->iss < 0)
            continue;
        cr_assert_eq(d.iss.sas, (unsigned)v->iss & 3, "%08x", v->w);
        cr_assert_eq(d.iss.sse, (v->iss >> 2) & 1, "%08x", v->w);
        cr_assert_eq(d.iss.sf, (v->iss >> 3) & 1, "%08x", v->w);
        cr_assert_eq(d.iss.ar, (v->iss >> 4) & 1, "%08x", v->w);
        cr_assert_eq(d.iss.wnr, (v->iss >> 5) & 1, "%08x", v->w);
        cr_assert_eq(d.iss.srt, v->w & 31, "%08x", v->w);
    }
}

/* The syndrome predicted from the encoding equals what the nested host's CPU reported. */
Test(a64, measured_syndromes)
{
    static const struct { uint32_t insn; uint64_t esr; } m[] = {
        {0x39c00001, 0x93210005}, /* ldrsb w1, [x0] */
        {0xb9800004, 0x93a48005}, /* ldrsw x4, [x0] */
        {0xb9000005, 0x93850045}, /* str w5, [x0] */
        {0x29400c02, 0x92000005}, /* ldp w2, w3, [x0] (ISV=0) */
    };
    for (size_t i = 0; i < 4; i++) {
        struct a64_ldst d = dec(m[i].insn);
        cr_assert_eq(a64_iss_bits(&d.iss), (uint32_t)m[i].esr & ESR_ISS_INSN_MASK,
                     "%08x: predicted %07x, measured %07x", m[i].insn, a64_iss_bits(&d.iss),
                     (unsigned)(m[i].esr & ESR_ISS_INSN_MASK));
    }
    cr_assert(a64_sign_extending_load(&(struct a64_ldst){0}) == false);
    struct a64_ldst d = dec(0x39c00001);
    cr_assert(a64_sign_extending_load(&d));
    d = dec(0xb9000005);
    cr_assert(!a64_sign_extending_load(&d));
}

Test(a64, literal)
{
    char buf[64];
    struct a64_ldst d = dec(enc_literal(0, 0, -3, 7)); /* ldr w7, pc-12 */
    cr_assert_eq(d.cls, A64_CLS_LITERAL);
    cr_assert_eq(d.addr, A64_ADDR_LITERAL);
    cr_assert_eq(d.imm, -12);
    cr_assert(d.iss.isv && d.iss.sas == 2 && !d.iss.sf);
    a64_format(&d, 0x1000, buf, sizeof(buf));
    cr_assert_str_eq(buf, "ldr w7, 0xff4");
    d = dec(enc_literal(2, 0, 5, 1)); /* ldrsw x1 */
    cr_assert(d.sign_extend && d.iss.sse && d.iss.sf && d.iss.sas == 2 && d.imm == 20);
    d = dec(enc_literal(3, 0, 5, 1));
    cr_assert_eq(d.reason, A64_R_PREFETCH);
    d = dec(enc_literal(3, 1, 5, 1));
    cr_assert_eq(d.cls, A64_CLS_UNALLOCATED);
    d = dec(enc_literal(2, 1, 5, 1));
    cr_assert(d.rt_kind == A64_REG_Q && d.reason == A64_R_SIMD_FP);
}

/* Reserved/unallocated encodings are classified as such. */
Test(a64, unallocated)
{
    const uint32_t w[] = {
        enc_ls_uimm(2, 0, 3, 0, 0, 0),         /* size=10 opc=11 */
        enc_ls_uimm(3, 0, 3, 0, 0, 0),         /* size=11 opc=11 */
        enc_ls_uimm(1, 1, 2, 0, 0, 0),         /* SIMD 128-bit needs size=00 */
        enc_ls_imm9(3, 0, 2, 4, 1, 0, 0),      /* PRFM post-index */
        enc_ls_imm9(3, 0, 2, 4, 2, 0, 0),      /* unprivileged opc=10 size=11 */
        enc_ls_imm9(2, 1, 1, 0, 2, 0, 0),      /* unprivileged SIMD&FP */
        enc_ls_regoff(2, 0, 1, 3, 0, 0, 0, 0), /* option 000 */
        enc_ls_regoff(2, 0, 1, 3, 5, 0, 0, 0), /* option 101 */
        enc_ls_pair(1, 0, 0, 1, 0, 1, 2, 3),   /* LDPSW no-allocate */
        enc_ls_pair(1, 0, 0, 0, 0, 1, 2, 3),   /* STGP no-allocate */
        enc_pac(0, 0, 0, 1, 2) & ~0xc0000000u, /* LDRAA with size 00 */
        enc_atomic(3, 0, 0, 1, 31, 1, 4, 1, 0),/* LDAPR with R=1 */
        enc_atomic(2, 0, 0, 0, 31, 1, 5, 1, 0),/* LD64B with size 10 */
        enc_atomic(3, 0, 0, 0, 31, 1, 6, 1, 0),/* o3=1 opc=110 */
        enc_rcpc(2, 3, 0, 1, 0),               /* LDAPURS* into W from a word */
        enc_rcpc(3, 2, 0, 1, 0),
        enc_simd_mult(1, 1, 0, 0, 1, 0, 0, 0), /* opcode 0001 */
        enc_simd_mult(0, 1, 0, 0, 0, 3, 0, 0), /* LD4 .1d */
        enc_simd_mult(0, 1, 0, 0, 7, 0, 0, 0) | (1u << 16), /* op3 != 0 without post */
        enc_simd_single(0, 0, 0, 0, 0, 6, 0, 0, 0, 0), /* ST1R does not exist */
        enc_simd_single(0, 1, 0, 0, 0, 2, 0, 1, 0, 0), /* halfword lane with size<0>=1 */
        enc_simd_single(0, 1, 0, 0, 0, 4, 1, 1, 0, 0), /* doubleword lane with S=1 */
        enc_tags(2, 1, 0, 0, 0),               /* STGM with an offset */
        enc_excl(0, 0, 0, 1, 1, 0, 31, 2, 4),  /* CASP with odd Rs */
        enc_excl(2, 1, 0, 1, 1, 0, 5, 2, 4),   /* CAS with Rt2 != 11111 */
        0x48000000u | (1u << 24) | (1u << 23), /* op0=0100 op2=11 bit21=1 */
        0x0c000000u | (1u << 31),              /* SIMD structures with bit 31 set */
        0xd91f0c00u | (2u << 12),              /* GCS opc=010 */
        0x19000400u | (1u << 30),              /* MOPS with size 01 */
    };
    for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
        struct a64_ldst d = dec(w[i]);
        cr_assert(a64_is_ldst(w[i]), "%zu: %08x", i, w[i]);
        cr_assert_eq(d.cls, A64_CLS_UNALLOCATED, "%zu: %08x is %s", i, w[i], a64_class_name(d.cls));
        cr_assert_eq(d.reason, A64_R_UNALLOCATED);
        cr_assert(!d.iss.isv);
        cr_assert(strstr(text(w[i]), "unallocated") != NULL);
    }
    cr_assert_eq(dec(0xd503201f).cls, A64_CLS_NOT_LDST); /* nop */
    cr_assert_eq(dec(0xd503201f).reason, A64_R_NOT_LDST);
}

/* SF and sign extension: destination width is what matters, not the access size. */
Test(a64, sf_and_sign_extension)
{
    static const struct { unsigned size, opc; bool sse, sf, load; } t[] = {
        {0, 0, 0, 0, 0}, {0, 1, 0, 0, 1}, {0, 2, 1, 1, 1}, {0, 3, 1, 0, 1},
        {1, 0, 0, 0, 0}, {1, 1, 0, 0, 1}, {1, 2, 1, 1, 1}, {1, 3, 1, 0, 1},
        {2, 0, 0, 0, 0}, {2, 1, 0, 0, 1}, {2, 2, 1, 1, 1},
        {3, 0, 0, 1, 0}, {3, 1, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        for (unsigned idx = 0; idx < 3; idx += 2) { /* unscaled and unprivileged */
            uint32_t w = enc_ls_imm9(t[i].size, 0, t[i].opc, -1, idx, 3, 9);
            struct a64_ldst d = dec(w);
            cr_assert(d.iss.isv, "%08x", w);
            cr_assert_eq(d.iss.sas, t[i].size);
            cr_assert_eq(d.iss.sse, t[i].sse, "%08x", w);
            cr_assert_eq(d.iss.sf, t[i].sf, "%08x", w);
            cr_assert_eq(d.iss.wnr, !t[i].load);
            cr_assert_eq(d.sign_extend, t[i].sse);
            cr_assert_eq(d.rt_kind, t[i].sf ? A64_REG_X : A64_REG_W);
            cr_assert_eq(d.unpriv, idx == 2);
            cr_assert_eq(d.imm, -1);
        }
    }
    /* SRT = 31 is the zero register */
    struct a64_ldst d = dec(enc_ls_uimm(2, 0, 0, 1, 31, 31));
    cr_assert_eq(d.iss.srt, 31);
    cr_assert_str_eq(text(enc_ls_uimm(2, 0, 0, 1, 31, 31)), "str wzr, [sp, #4]");
    cr_assert_str_eq(text(enc_ls_uimm(3, 0, 1, 1, 0, 31)), "ldr xzr, [x0, #8]");
}

/* ---- property tests: encode random operands, decode, compare --------- */

static uint64_t rng = 0x243f6a8885a308d3ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* The integer size/opc table restated from the Arm ARM (not from a64.c). */
static bool gpr_expect(unsigned size, unsigned opc, bool *load, bool *sign, bool *x)
{
    if (opc == 3 && size >= 2)
        return false;
    if (opc == 2 && size == 3)
        return false; /* prefetch */
    *load = opc != 0;
    *sign = opc >= 2;
    *x = opc == 2 || (opc < 2 && size == 3);
    return true;
}

Test(a64, agree_single_register)
{
    for (unsigned n = 0; n < 30000; n++) {
        unsigned size = rnd() & 3, opc = rnd() & 3, rn = rnd() & 31, rt = rnd() & 31;
        bool load, sign, x;
        if (!gpr_expect(size, opc, &load, &sign, &x))
            continue;
        unsigned form = rnd() % 6;
        int64_t imm = 0;
        uint32_t w;
        unsigned rm = rnd() & 31, option = (rnd() & 1 ? 6 : 2) | (rnd() & 1);
        bool s = rnd() & 1;
        if (form == 0) {
            unsigned imm12 = rnd() & 0xfff;
            w = enc_ls_uimm(size, 0, opc, imm12, rn, rt);
            imm = (int64_t)imm12 << size;
        } else if (form == 5) {
            w = enc_ls_regoff(size, 0, opc, rm, option, s, rn, rt);
        } else {
            int imm9 = (int)(rnd() % 512) - 256;
            unsigned idx = form - 1; /* 0..3 */
            w = enc_ls_imm9(size, 0, opc, imm9, idx, rn, rt);
            imm = imm9;
        }
        struct a64_ldst d = dec(w);
        bool wb = form == 2 || form == 4;
        cr_assert_eq(d.access, load ? A64_ACC_LOAD : A64_ACC_STORE, "%08x", w);
        cr_assert_eq(d.rt, rt);
        cr_assert_eq(d.rn, rn);
        cr_assert_eq(d.size, 1u << size);
        cr_assert_eq(d.sign_extend, sign, "%08x", w);
        cr_assert_eq(d.rt_kind, x ? A64_REG_X : A64_REG_W, "%08x", w);
        cr_assert_eq(d.writeback, wb, "%08x", w);
        cr_assert_eq(d.iss.isv, !wb, "%08x", w);
        cr_assert_eq(d.reason, wb ? A64_R_WRITEBACK : A64_OK);
        if (form == 5) {
            cr_assert_eq(d.addr, A64_ADDR_REG);
            cr_assert_eq(d.rm, rm);
            cr_assert_eq((unsigned)d.ext, option);
            cr_assert_eq(d.shift, s ? size : 0u);
        } else {
            cr_assert_eq(d.imm, imm, "%08x", w);
            cr_assert_eq(d.addr, form == 2 ? A64_ADDR_POST : form == 4 ? A64_ADDR_PRE : A64_ADDR_OFFSET);
        }
        if (d.iss.isv) {
            uint32_t bits = (1u << 24) | (size << 22) | ((unsigned)sign << 21) | (rt << 16) |
                            ((unsigned)x << 15) | ((unsigned)!load << 6);
            cr_assert_eq(a64_iss_bits(&d.iss), bits, "%08x", w);
        }
    }
}

Test(a64, agree_pairs)
{
    for (unsigned n = 0; n < 20000; n++) {
        unsigned opc = rnd() % 3, idx = rnd() & 3, rt = rnd() & 31, rt2 = rnd() & 31, rn = rnd() & 31;
        bool v = rnd() & 1, load = rnd() & 1;
        int imm7 = (int)(rnd() % 128) - 64;
        if (opc == 1 && !v && (idx == 0 || !load))
            continue; /* STGP / unallocated: tested elsewhere */
        uint32_t w = enc_ls_pair(opc, v, idx, load, imm7, rt2, rn, rt);
        struct a64_ldst d = dec(w);
        unsigned bytes = v ? 4u << opc : opc == 0 ? 4 : opc == 1 ? 4 : 8;
        cr_assert_eq(d.cls, idx == 0 ? A64_CLS_PAIR_NOALLOC : idx == 1 ? A64_CLS_PAIR_POST
                          : idx == 2 ? A64_CLS_PAIR_OFFSET : A64_CLS_PAIR_PRE, "%08x", w);
        cr_assert_eq(d.size, bytes, "%08x", w);
        cr_assert_eq(d.imm, (int64_t)imm7 * (v ? 4 << opc : opc == 2 ? 8 : 4), "%08x", w);
        cr_assert(d.has_rt2 && d.rt2 == rt2 && d.rt == rt && d.rn == rn);
        cr_assert_eq(d.writeback, idx == 1 || idx == 3);
        cr_assert_eq(d.sign_extend, !v && opc == 1);
        cr_assert(!d.iss.isv);
        cr_assert(d.reasons & (1u << A64_R_PAIR));
        cr_assert_eq(d.iss.wnr, !load);
        cr_assert_eq(a64_iss_bits(&d.iss), load ? 0u : 1u << 6);
    }
}

Test(a64, agree_exclusive_ordered_atomic)
{
    for (unsigned n = 0; n < 20000; n++) {
        unsigned size = rnd() & 3, rs = rnd() & 31, rn = rnd() & 31, rt = rnd() & 31;
        bool l = rnd() & 1, o0 = rnd() & 1;
        /* exclusive register */
        struct a64_ldst d = dec(enc_excl(size, 0, l, 0, rs, o0, 31, rn, rt));
        cr_assert_eq(d.cls, A64_CLS_EXCL);
        cr_assert(d.exclusive && d.reason == A64_R_EXCLUSIVE && !d.iss.isv);
        cr_assert_eq(d.size, 1u << size);
        cr_assert_eq(d.has_rs, !l);
        /* ordered: ISV=1, AR */
        d = dec(enc_excl(size, 1, l, 0, 31, o0, 31, rn, rt));
        cr_assert_eq(d.cls, A64_CLS_ORDERED);
        cr_assert(d.iss.isv && d.iss.sas == size && d.iss.srt == rt && d.iss.sf == (size == 3));
        cr_assert_eq(d.iss.ar, o0);
        cr_assert_eq(d.iss.wnr, !l);
        /* LSE atomics */
        unsigned opc = rnd() & 7;
        bool a = rnd() & 1, r = rnd() & 1;
        d = dec(enc_atomic(size, 0, a, r, rs, 0, opc, rn, rt));
        cr_assert(d.cls == A64_CLS_ATOMIC && d.reason == A64_R_ATOMIC && d.access == A64_ACC_RMW);
        cr_assert(d.rs == rs && d.rt == rt && d.rn == rn && d.acquire == a && d.release == r);
        cr_assert(!d.iss.wnr_known);
        /* LDAPR */
        d = dec(enc_atomic(size, 0, 1, 0, 31, 1, 4, rn, rt));
        cr_assert(d.iss.isv && d.iss.ar && d.iss.sas == size && !d.iss.wnr);
    }
}

Test(a64, agree_simd_structures)
{
    static const struct { unsigned opcode, nregs, selem; } mult[] = {
        {0, 4, 4}, {2, 4, 1}, {4, 3, 3}, {6, 3, 1}, {7, 1, 1}, {8, 2, 2}, {10, 2, 1}};
    for (unsigned n = 0; n < 5000; n++) {
        unsigned k = rnd() % 7, size = rnd() & 3, rm = rnd() & 31, rn = rnd() & 31;
        bool q = rnd() & 1, load = rnd() & 1, post = rnd() & 1;
        if (size == 3 && !q && mult[k].selem != 1)
            continue;
        struct a64_ldst d = dec(enc_simd_mult(q, load, post, rm, mult[k].opcode, size, rn, 0));
        cr_assert_eq(d.cls, A64_CLS_SIMD_MULT);
        cr_assert(d.nregs == mult[k].nregs && d.selem == mult[k].selem && d.size == 1u << size);
        cr_assert_eq(d.reason, A64_R_SIMD_STRUCT);
        cr_assert_eq(d.writeback, post);
        if (post && rm == 31)
            cr_assert_eq(d.imm, (int64_t)mult[k].nregs * (q ? 16 : 8));
        if (post && rm != 31)
            cr_assert(d.addr == A64_ADDR_POST_REG && d.rm == rm);
        /* single structure, byte lanes: index = Q:S:size */
        bool s = rnd() & 1, r = rnd() & 1;
        d = dec(enc_simd_single(q, load, r, post, rm, 0, s, size, rn, 0));
        cr_assert_eq(d.cls, A64_CLS_SIMD_SINGLE);
        cr_assert_eq(d.lane, (int)((q << 3) | (s << 2) | size));
        cr_assert_eq(d.selem, 1u + r);
    }
}

Test(a64, agree_pac_rcpc_tags)
{
    for (unsigned n = 0; n < 5000; n++) {
        int simm10 = (int)(rnd() % 1024) - 512;
        bool m = rnd() & 1, w = rnd() & 1;
        unsigned rn = rnd() & 31, rt = rnd() & 31;
        struct a64_ldst d = dec(enc_pac(m, simm10, w, rn, rt));
        cr_assert_eq(d.cls, A64_CLS_PAC);
        cr_assert_eq(d.imm, (int64_t)simm10 * 8);
        cr_assert_eq(d.writeback, w);
        cr_assert_eq(d.iss.isv, !w);
        cr_assert_str_eq(d.mnemonic, m ? "ldrab" : "ldraa");

        int imm9 = (int)(rnd() % 512) - 256;
        unsigned size = rnd() & 3, opc = rnd() & 3;
        bool load, sign, x;
        d = dec(enc_rcpc(size, opc, imm9, rn, rt));
        if (!gpr_expect(size, opc, &load, &sign, &x)) {
            cr_assert_eq(d.cls, A64_CLS_UNALLOCATED);
            continue;
        }
        cr_assert_eq(d.cls, A64_CLS_RCPC_UNSCALED);
        cr_assert(d.iss.isv && d.iss.ar && d.imm == imm9 && d.sign_extend == sign);
        cr_assert_eq(d.iss.sf, x);

        d = dec(enc_tags(rnd() & 3, imm9, 1 + rnd() % 3, rn, rt));
        cr_assert(d.cls == A64_CLS_TAGS && d.imm == imm9 * 16 && d.reason == A64_R_TAG);
    }
}

/* Decoding any word never crashes and always classifies; sweep every
 * combination of the group's top-level decode fields, then random words. */
static void check_word(uint32_t w)
{
    struct a64_ldst d;
    char buf[160];
    a64_decode(w, &d);
    bool ldst = a64_is_ldst(w);
    cr_assert_eq(d.cls == A64_CLS_NOT_LDST, !ldst, "%08x", w);
    cr_assert((unsigned)d.cls < A64_CLS_COUNT);
    cr_assert((unsigned)d.reason < A64_R_COUNT);
    cr_assert(d.mnemonic[0] != '\0', "%08x", w);
    cr_assert_eq(d.reason == A64_OK, d.iss.isv, "%08x", w);
    cr_assert_eq(d.reasons == 0, d.reason == A64_OK, "%08x", w);
    if (d.iss.isv) {
        cr_assert(d.access == A64_ACC_LOAD || d.access == A64_ACC_STORE, "%08x", w);
        cr_assert(d.rt_kind == A64_REG_W || d.rt_kind == A64_REG_X, "%08x", w);
        cr_assert(d.size == 1u << d.iss.sas, "%08x", w);
        cr_assert(!d.writeback && !d.has_rt2 && !d.exclusive, "%08x", w);
    }
    size_t n = a64_format(&d, 0x400000, buf, sizeof(buf));
    cr_assert(n > 0 && n == strlen(buf) && n < sizeof(buf), "%08x", w);
    cr_assert(strchr(buf, '?') == NULL, "%08x: %s", w, buf);
}

Test(a64, never_crashes_class_sweep)
{
    /* op0[31:28] x op1[26] x op2[24:23] x op3[21:16] x op4[11:10], each with random fill */
    unsigned counts[A64_CLS_COUNT] = {0};
    for (uint32_t op0 = 0; op0 < 16; op0++)
        for (uint32_t op1 = 0; op1 < 2; op1++)
            for (uint32_t op2 = 0; op2 < 4; op2++)
                for (uint32_t op3 = 0; op3 < 64; op3++)
                    for (uint32_t op4 = 0; op4 < 4; op4++)
                        for (int k = 0; k < 4; k++) {
                            /* free bits: 22, 15:12, 9:0 -- all clear, all set, random */
                            uint32_t fill = k == 0 ? 0 : k == 1 ? ~0u : rnd();
                            uint32_t w = op0 << 28 | 1u << 27 | op1 << 26 | op2 << 23 |
                                         op3 << 16 | op4 << 10 | (fill & 0x0040f3ffu);
                            struct a64_ldst d;
                            a64_decode(w, &d);
                            counts[d.cls]++;
                            check_word(w);
                        }
    for (unsigned c = A64_CLS_UNALLOCATED; c < A64_CLS_COUNT; c++)
        cr_assert(counts[c] > 0, "class %s never produced", a64_class_name(c));
}

Test(a64, never_crashes_random)
{
    for (unsigned n = 0; n < 1000000; n++) {
        uint32_t w = rnd();
        if (n & 1)
            w = (w & ~0x0a000000u) | 0x08000000u; /* force into the group half the time */
        check_word(w);
    }
    check_word(0);
    check_word(0xffffffff);
}
