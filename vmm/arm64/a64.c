/*
 * A64 Loads and Stores decoder (see a64.h). The top-level split follows the
 * Arm ARM encoding index for the group: op0 = bits[31:28], op1 = bit 26 (V),
 * op2 = bits[24:23], op3 = bits[21:16], op4 = bits[11:10]. Each class decoder
 * then applies that class's own allocation rules.
 */
#include "a64.h"

#include <stdio.h>
#include <string.h>

#define BITS(x, hi, lo) (((x) >> (lo)) & ((1u << ((hi) - (lo) + 1)) - 1))
#define BIT(x, n) (((x) >> (n)) & 1u)

static int64_t sext(uint32_t v, unsigned bits)
{
    uint64_t m = 1ull << (bits - 1);
    return (int64_t)(((uint64_t)v ^ m) - m);
}

/* Mnemonics are built from parts into the caller's struct (no shared state). */
static void set_name(struct a64_ldst *d, const char *a, const char *b, const char *c)
{
    snprintf(d->mnemonic, sizeof(d->mnemonic), "%s%s%s", a, b, c);
}

static void add_reason(struct a64_ldst *d, enum a64_reason r) { d->reasons |= 1u << r; }

static void unallocated(struct a64_ldst *d)
{
    uint32_t raw = d->raw;
    memset(d, 0, sizeof(*d));
    d->raw = raw;
    d->cls = A64_CLS_UNALLOCATED;
    set_name(d, "unallocated", "", "");
    d->reasons = 1u << A64_R_UNALLOCATED;
    d->lane = -1;
}

static unsigned log2u(unsigned v)
{
    unsigned n = 0;
    while (v > 1) {
        v >>= 1;
        n++;
    }
    return n;
}

/* ---- the single general-purpose register size/opc table ---------------- */

enum gpr_family { FAM_PLAIN, FAM_UNSCALED, FAM_UNPRIV, FAM_RCPC };

static const char *const gpr_names[4][4][4] = {
    [FAM_PLAIN] = {{"strb", "ldrb", "ldrsb", "ldrsb"},
                   {"strh", "ldrh", "ldrsh", "ldrsh"},
                   {"str", "ldr", "ldrsw", NULL},
                   {"str", "ldr", "prfm", NULL}},
    [FAM_UNSCALED] = {{"sturb", "ldurb", "ldursb", "ldursb"},
                      {"sturh", "ldurh", "ldursh", "ldursh"},
                      {"stur", "ldur", "ldursw", NULL},
                      {"stur", "ldur", "prfum", NULL}},
    [FAM_UNPRIV] = {{"sttrb", "ldtrb", "ldtrsb", "ldtrsb"},
                    {"sttrh", "ldtrh", "ldtrsh", "ldtrsh"},
                    {"sttr", "ldtr", "ldtrsw", NULL},
                    {"sttr", "ldtr", NULL, NULL}},
    [FAM_RCPC] = {{"stlurb", "ldapurb", "ldapursb", "ldapursb"},
                  {"stlurh", "ldapurh", "ldapursh", "ldapursh"},
                  {"stlur", "ldapur", "ldapursw", NULL},
                  {"stlur", "ldapur", NULL, NULL}},
};

/* Fill size/sign/width/access from size and opc. false = unallocated. A
 * prefetch (size=3, opc=2) is reported with A64_ACC_NONE. */
static bool gpr_sizeopc(struct a64_ldst *d, enum gpr_family fam, unsigned size, unsigned opc)
{
    const char *name = gpr_names[fam][size][opc];
    if (!name)
        return false;
    set_name(d, name, "", "");
    d->size = 1u << size;
    switch (opc) {
    case 0:
        d->access = A64_ACC_STORE;
        d->rt_kind = size == 3 ? A64_REG_X : A64_REG_W;
        break;
    case 1:
        d->access = A64_ACC_LOAD;
        d->rt_kind = size == 3 ? A64_REG_X : A64_REG_W;
        break;
    case 2:
        if (size == 3) { /* PRFM / PRFUM */
            d->access = A64_ACC_NONE;
            d->rt_kind = A64_REG_PRFOP;
            d->size = 0;
            add_reason(d, A64_R_PREFETCH);
            return true;
        }
        d->access = A64_ACC_LOAD;
        d->sign_extend = true;
        d->rt_kind = A64_REG_X;
        break;
    default:
        d->access = A64_ACC_LOAD;
        d->sign_extend = true;
        d->rt_kind = A64_REG_W;
        break;
    }
    return true;
}

/* SIMD&FP single register: opc<1> selects the 128-bit form. */
static bool fp_sizeopc(struct a64_ldst *d, unsigned size, unsigned opc, const char *st,
                       const char *ld)
{
    static const enum a64_regkind kinds[4] = {A64_REG_B, A64_REG_H, A64_REG_S, A64_REG_D};
    if (opc & 2) {
        if (size != 0)
            return false;
        d->rt_kind = A64_REG_Q;
        d->size = 16;
    } else {
        d->rt_kind = kinds[size];
        d->size = 1u << size;
    }
    d->access = (opc & 1) ? A64_ACC_LOAD : A64_ACC_STORE;
    set_name(d, (opc & 1) ? ld : st, "", "");
    add_reason(d, A64_R_SIMD_FP);
    return true;
}

/* ---- op0 = xx00 ------------------------------------------------------- */

static void dec_simd_mult(struct a64_ldst *d, uint32_t b)
{
    static const char *const names[2][5] = {{NULL, "st1", "st2", "st3", "st4"},
                                            {NULL, "ld1", "ld2", "ld3", "ld4"}};
    unsigned opcode = BITS(b, 15, 12), size = BITS(b, 11, 10), l = BIT(b, 22);
    unsigned nregs, selem;
    switch (opcode) {
    case 0x0: nregs = 4; selem = 4; break;
    case 0x2: nregs = 4; selem = 1; break;
    case 0x4: nregs = 3; selem = 3; break;
    case 0x6: nregs = 3; selem = 1; break;
    case 0x7: nregs = 1; selem = 1; break;
    case 0x8: nregs = 2; selem = 2; break;
    case 0xa: nregs = 2; selem = 1; break;
    default: unallocated(d); return;
    }
    d->q = BIT(b, 30);
    if (size == 3 && !d->q && selem != 1) { /* .1d arrangement only for LD1/ST1 */
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_SIMD_MULT;
    set_name(d, names[l][selem], "", "");
    d->nregs = nregs;
    d->selem = selem;
    d->size = 1u << size;
    d->rt_kind = A64_REG_VLIST;
    d->access = l ? A64_ACC_LOAD : A64_ACC_STORE;
    add_reason(d, A64_R_SIMD_STRUCT);
    d->addr = A64_ADDR_OFFSET;
    if (BIT(b, 23)) {
        d->rm = BITS(b, 20, 16);
        d->writeback = true;
        if (d->rm == 31) {
            d->addr = A64_ADDR_POST;
            d->imm = (int64_t)nregs * (d->q ? 16 : 8);
        } else {
            d->addr = A64_ADDR_POST_REG;
        }
    }
}

static void dec_simd_single(struct a64_ldst *d, uint32_t b)
{
    static const char *const names[2][5] = {{NULL, "st1", "st2", "st3", "st4"},
                                            {NULL, "ld1", "ld2", "ld3", "ld4"}};
    static const char *const rnames[5] = {NULL, "ld1r", "ld2r", "ld3r", "ld4r"};
    unsigned opcode = BITS(b, 15, 13), s = BIT(b, 12), size = BITS(b, 11, 10);
    unsigned l = BIT(b, 22), r = BIT(b, 21), q = BIT(b, 30);
    unsigned scale = opcode >> 1, selem = (((opcode & 1) << 1) | r) + 1;
    int lane = -1;
    switch (scale) {
    case 3:
        if (!l || s) {
            unallocated(d);
            return;
        }
        scale = size;
        d->replicate = true;
        break;
    case 0:
        lane = (int)((q << 3) | (s << 2) | size);
        break;
    case 1:
        if (size & 1) {
            unallocated(d);
            return;
        }
        lane = (int)((q << 2) | (s << 1) | (size >> 1));
        break;
    default:
        if (size & 2) {
            unallocated(d);
            return;
        }
        if (!(size & 1)) {
            lane = (int)((q << 1) | s);
        } else {
            if (s) {
                unallocated(d);
                return;
            }
            lane = (int)q;
            scale = 3;
        }
        break;
    }
    d->cls = A64_CLS_SIMD_SINGLE;
    set_name(d, d->replicate ? rnames[selem] : names[l][selem], "", "");
    d->q = q;
    d->lane = lane;
    d->nregs = selem;
    d->selem = selem;
    d->size = 1u << scale;
    d->rt_kind = A64_REG_VLIST;
    d->access = l ? A64_ACC_LOAD : A64_ACC_STORE;
    add_reason(d, A64_R_SIMD_STRUCT);
    d->addr = A64_ADDR_OFFSET;
    if (BIT(b, 23)) {
        d->rm = BITS(b, 20, 16);
        d->writeback = true;
        if (d->rm == 31) {
            d->addr = A64_ADDR_POST;
            d->imm = (int64_t)(selem << scale);
        } else {
            d->addr = A64_ADDR_POST_REG;
        }
    }
}

static const char *const ar_suffix[4] = {"", "l", "a", "al"}; /* index A<<1 | R */

static const char *size_suffix(unsigned size)
{
    return size == 0 ? "b" : size == 1 ? "h" : "";
}

static void gpr_width(struct a64_ldst *d, unsigned size)
{
    d->size = 1u << size;
    d->rt_kind = size == 3 ? A64_REG_X : A64_REG_W;
}

static void dec_casp(struct a64_ldst *d, uint32_t b, bool unpriv)
{
    unsigned sz = BIT(b, 30), l = BIT(b, 22), o0 = BIT(b, 15);
    unsigned rs = BITS(b, 20, 16), rt = BITS(b, 4, 0);
    /* Rt2 is a fixed 11111; register pairs must be even (UNDEFINED otherwise). */
    if (BITS(b, 14, 10) != 31 || (rs & 1) || (rt & 1)) {
        unallocated(d);
        return;
    }
    d->cls = unpriv ? A64_CLS_LSUI_CASP : A64_CLS_CASP;
    set_name(d, "casp", ar_suffix[(l << 1) | o0], unpriv ? "t" : "");
    gpr_width(d, 2 + sz);
    d->rs = rs;
    d->has_rs = true;
    d->rt2 = rt + 1;
    d->has_rt2 = true;
    d->acquire = l;
    d->release = o0;
    d->unpriv = unpriv;
    d->access = A64_ACC_RMW;
    d->addr = A64_ADDR_OFFSET;
    add_reason(d, A64_R_ATOMIC);
    add_reason(d, A64_R_PAIR);
}

static void dec_excl(struct a64_ldst *d, uint32_t b, bool pair, bool unpriv)
{
    unsigned size = BITS(b, 31, 30), l = BIT(b, 22), o0 = BIT(b, 15);
    const char *base = l ? (o0 ? "lda" : "ld") : (o0 ? "stl" : "st");
    d->cls = pair ? A64_CLS_EXCL_PAIR : unpriv ? A64_CLS_LSUI_EXCL : A64_CLS_EXCL;
    if (pair) {
        set_name(d, base, "xp", "");
        gpr_width(d, 2 + (size & 1));
        d->rt2 = BITS(b, 14, 10);
        d->has_rt2 = true;
        add_reason(d, A64_R_PAIR);
    } else {
        set_name(d, base, unpriv ? "txr" : "xr", unpriv ? "" : size_suffix(size));
        gpr_width(d, size);
    }
    if (!l) {
        d->rs = BITS(b, 20, 16);
        d->has_rs = true;
    }
    d->exclusive = true;
    d->unpriv = unpriv;
    d->acquire = l && o0;
    d->release = !l && o0;
    d->access = l ? A64_ACC_LOAD : A64_ACC_STORE;
    d->addr = A64_ADDR_OFFSET;
    add_reason(d, A64_R_EXCLUSIVE);
}

static void dec_ordered(struct a64_ldst *d, uint32_t b)
{
    unsigned size = BITS(b, 31, 30), l = BIT(b, 22), o0 = BIT(b, 15);
    /* o0=1: LDAR/STLR; o0=0: LDLAR/STLLR (FEAT_LOR, LOAcquire/LORelease). */
    const char *base = l ? (o0 ? "ldar" : "ldlar") : (o0 ? "stlr" : "stllr");
    /* Rs and Rt2 are should-be-one fields here: other values still decode. */
    d->cls = A64_CLS_ORDERED;
    set_name(d, base, size_suffix(size), "");
    gpr_width(d, size);
    d->acquire = l;
    d->release = !l;
    d->access = l ? A64_ACC_LOAD : A64_ACC_STORE;
    d->addr = A64_ADDR_OFFSET;
    /* AR follows o0 (as QEMU reports it); unconfirmed for the LOR forms. */
    d->iss.ar = o0;
}

static void dec_cas(struct a64_ldst *d, uint32_t b, bool unpriv)
{
    unsigned size = BITS(b, 31, 30), l = BIT(b, 22), o0 = BIT(b, 15);
    if (BITS(b, 14, 10) != 31) { /* Rt2 is a fixed 11111 */
        unallocated(d);
        return;
    }
    d->cls = unpriv ? A64_CLS_LSUI_CAS : A64_CLS_CAS;
    if (unpriv)
        set_name(d, "cas", ar_suffix[(l << 1) | o0], "t");
    else
        set_name(d, "cas", ar_suffix[(l << 1) | o0], size_suffix(size));
    gpr_width(d, size);
    d->rs = BITS(b, 20, 16);
    d->has_rs = true;
    d->acquire = l;
    d->release = o0;
    d->unpriv = unpriv;
    d->access = A64_ACC_RMW;
    d->addr = A64_ADDR_OFFSET;
    add_reason(d, A64_R_ATOMIC);
}

static void dec_op0_xx00(struct a64_ldst *d, uint32_t b)
{
    unsigned op0 = BITS(b, 31, 28), v = BIT(b, 26), op2 = BITS(b, 24, 23);
    unsigned op3 = BITS(b, 21, 16), b21 = BIT(b, 21), b31 = op0 >> 3;
    if (v) {
        if (b31) {
            unallocated(d);
        } else if (op2 == 0 && op3 == 0) {
            dec_simd_mult(d, b);
        } else if (op2 == 1 && !b21) {
            dec_simd_mult(d, b);
        } else if (op2 == 2 && (op3 & 0x1f) == 0) {
            dec_simd_single(d, b);
        } else if (op2 == 3) {
            dec_simd_single(d, b);
        } else {
            unallocated(d);
        }
        return;
    }
    switch (op2) {
    case 0:
        if (!b21)
            dec_excl(d, b, false, false);
        else if (b31)
            dec_excl(d, b, true, false);
        else
            dec_casp(d, b, false);
        return;
    case 1:
        if (b21)
            dec_cas(d, b, false);
        else
            dec_ordered(d, b);
        return;
    case 2:
        if (!b21 && b31)
            dec_excl(d, b, false, true);
        else
            unallocated(d);
        return;
    default:
        if (b21)
            unallocated(d);
        else if (b31)
            dec_cas(d, b, true);
        else
            dec_casp(d, b, true);
        return;
    }
}

/* ---- op0 = xx01 ------------------------------------------------------- */

static void dec_literal(struct a64_ldst *d, uint32_t b)
{
    unsigned opc = BITS(b, 31, 30);
    d->cls = A64_CLS_LITERAL;
    d->addr = A64_ADDR_LITERAL;
    d->imm = sext(BITS(b, 23, 5), 19) * 4;
    if (BIT(b, 26)) {
        static const enum a64_regkind k[3] = {A64_REG_S, A64_REG_D, A64_REG_Q};
        if (opc == 3) {
            unallocated(d);
            return;
        }
        set_name(d, "ldr", "", "");
        d->rt_kind = k[opc];
        d->size = 4u << opc;
        d->access = A64_ACC_LOAD;
        add_reason(d, A64_R_SIMD_FP);
        return;
    }
    switch (opc) {
    case 0: set_name(d, "ldr", "", ""); gpr_width(d, 2); d->access = A64_ACC_LOAD; break;
    case 1: set_name(d, "ldr", "", ""); gpr_width(d, 3); d->access = A64_ACC_LOAD; break;
    case 2:
        set_name(d, "ldrsw", "", "");
        d->size = 4;
        d->rt_kind = A64_REG_X;
        d->sign_extend = true;
        d->access = A64_ACC_LOAD;
        break;
    default:
        set_name(d, "prfm", "", "");
        d->rt_kind = A64_REG_PRFOP;
        add_reason(d, A64_R_PREFETCH);
        break;
    }
}

static void dec_mops(struct a64_ldst *d, uint32_t b)
{
    static const char *const stage[3] = {"p", "m", "e"};
    /* option suffixes: CPY op2 = {rn/n, wn?} x {rt, wt} bits; SET op2<1:0> = {t, n} */
    static const char *const cpy_opt[16] = {"", "wt", "rt", "t", "wn", "wtwn", "rtwn", "twn",
                                            "rn", "wtrn", "rtrn", "trn", "n", "wtn", "rtn", "tn"};
    static const char *const set_opt[4] = {"", "t", "n", "tn"};
    unsigned o0 = BIT(b, 26), op1 = BITS(b, 23, 22), op2 = BITS(b, 15, 12);
    unsigned rd = BITS(b, 4, 0), rs = BITS(b, 20, 16), rn = BITS(b, 9, 5);
    bool set = op1 == 3;
    /* Only size 00; SP is not a valid operand (UNDEFINED), except Xs of SET (XZR). */
    if (BITS(b, 31, 30) != 0 || rd == 31 || rn == 31 || (!set && rs == 31) ||
        (set && (op2 >> 2) == 3)) {
        unallocated(d);
        return;
    }
    if (set)
        set_name(d, o0 ? "setg" : "set", stage[op2 >> 2], set_opt[op2 & 3]);
    else
        set_name(d, o0 ? "cpy" : "cpyf", stage[op1], cpy_opt[op2]);
    d->cls = A64_CLS_MOPS;
    d->rs = rs; /* Xs: source (copy) or value (set) */
    d->has_rs = true;
    d->rt_kind = A64_REG_X;
    d->access = A64_ACC_COPY;
    d->addr = A64_ADDR_MOPS;
    d->writeback = true;
    add_reason(d, A64_R_MOPS);
}

static void dec_rcpc_unscaled(struct a64_ldst *d, uint32_t b)
{
    unsigned size = BITS(b, 31, 30), opc = BITS(b, 23, 22);
    if (!gpr_sizeopc(d, FAM_RCPC, size, opc)) {
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_RCPC_UNSCALED;
    d->addr = A64_ADDR_OFFSET;
    d->imm = sext(BITS(b, 20, 12), 9);
    d->acquire = d->access == A64_ACC_LOAD;
    d->release = d->access == A64_ACC_STORE;
    d->iss.ar = true;
}

static void dec_rcpc_simd(struct a64_ldst *d, uint32_t b)
{
    if (!fp_sizeopc(d, BITS(b, 31, 30), BITS(b, 23, 22), "stlur", "ldapur")) {
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_RCPC_SIMD;
    d->addr = A64_ADDR_OFFSET;
    d->imm = sext(BITS(b, 20, 12), 9);
    d->acquire = d->access == A64_ACC_LOAD;
    d->release = d->access == A64_ACC_STORE;
}

static void dec_ordered_pair(struct a64_ldst *d, uint32_t b)
{
    unsigned size = BITS(b, 31, 30), l = BIT(b, 22), opc2 = BITS(b, 15, 12);
    if (size < 2 || opc2 > 1) {
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_ORDERED_PAIR;
    set_name(d, l ? "ldiapp" : "stilp", "", "");
    gpr_width(d, size);
    d->rt2 = BITS(b, 20, 16);
    d->has_rt2 = true;
    d->access = l ? A64_ACC_LOAD : A64_ACC_STORE;
    d->acquire = l;
    d->release = !l;
    add_reason(d, A64_R_PAIR);
    if (opc2 == 0) { /* LDIAPP post-increments, STILP pre-decrements */
        d->writeback = true;
        d->addr = l ? A64_ADDR_POST : A64_ADDR_PRE;
        d->imm = l ? 2 * (int64_t)d->size : -2 * (int64_t)d->size;
        add_reason(d, A64_R_WRITEBACK);
    } else {
        d->addr = A64_ADDR_OFFSET;
    }
}

static void dec_ordered_wb(struct a64_ldst *d, uint32_t b)
{
    unsigned size = BITS(b, 31, 30), l = BIT(b, 22);
    if (size < 2) {
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_ORDERED_WB;
    set_name(d, l ? "ldapr" : "stlr", "", "");
    gpr_width(d, size);
    d->access = l ? A64_ACC_LOAD : A64_ACC_STORE;
    d->acquire = l;
    d->release = !l;
    d->writeback = true;
    d->addr = l ? A64_ADDR_POST : A64_ADDR_PRE;
    d->imm = l ? (int64_t)d->size : -(int64_t)d->size;
    add_reason(d, A64_R_WRITEBACK);
}

static void dec_gcs(struct a64_ldst *d, uint32_t b)
{
    unsigned opc = BITS(b, 14, 12);
    if (opc > 1) {
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_GCS;
    set_name(d, opc ? "gcssttr" : "gcsstr", "", "");
    gpr_width(d, 3);
    d->unpriv = opc;
    d->access = A64_ACC_STORE;
    d->addr = A64_ADDR_OFFSET;
    add_reason(d, A64_R_GCS);
}

static void dec_tags(struct a64_ldst *d, uint32_t b)
{
    static const char *const idx_names2[4] = {"stg", "stzg", "st2g", "stz2g"};
    static const char *const zero_names[4] = {"stzgm", "ldg", "stgm", "ldgm"};
    unsigned opc = BITS(b, 23, 22), op2 = BITS(b, 11, 10), imm9 = BITS(b, 20, 12);
    d->cls = A64_CLS_TAGS;
    gpr_width(d, 3);
    add_reason(d, A64_R_TAG);
    if (op2 == 0) {
        /* STZGM/STGM/LDGM take no offset; LDG has a scaled one. */
        if (opc != 1 && imm9 != 0) {
            unallocated(d);
            return;
        }
        set_name(d, zero_names[opc], "", "");
        d->access = (opc & 1) ? A64_ACC_LOAD : A64_ACC_STORE;
        d->addr = A64_ADDR_OFFSET;
        d->imm = opc == 1 ? sext(imm9, 9) * 16 : 0;
        d->size = 0;
        return;
    }
    set_name(d, idx_names2[opc], "", "");
    d->access = A64_ACC_STORE;
    d->imm = sext(imm9, 9) * 16;
    d->size = (opc & 2) ? 32 : 16;
    d->addr = op2 == 1 ? A64_ADDR_POST : op2 == 3 ? A64_ADDR_PRE : A64_ADDR_OFFSET;
    if (op2 != 2) {
        d->writeback = true;
        add_reason(d, A64_R_WRITEBACK);
    }
}

static void dec_rmw_generic(struct a64_ldst *d, uint32_t b, enum a64_class cls, const char *name)
{
    d->cls = cls;
    set_name(d, name, "", "");
    gpr_width(d, 3);
    d->rs = BITS(b, 20, 16);
    d->has_rs = true;
    d->acquire = BIT(b, 23);
    d->release = BIT(b, 22);
    d->access = A64_ACC_RMW;
    d->addr = A64_ADDR_OFFSET;
    add_reason(d, A64_R_ATOMIC);
}

static void dec_op0_xx01(struct a64_ldst *d, uint32_t b)
{
    unsigned op0 = BITS(b, 31, 28), v = BIT(b, 26), op2 = BITS(b, 24, 23);
    unsigned op3 = BITS(b, 21, 16), op4 = BITS(b, 11, 10), b21 = BIT(b, 21);
    if (!(op2 & 2)) {
        dec_literal(d, b);
        return;
    }
    if (b21) {
        if (v) {
            unallocated(d);
        } else if (op0 == 0xd) {
            dec_tags(d, b);
        } else if (!(op0 & 8)) { /* op0 = 0x01 */
            if (op4 == 0)
                dec_rmw_generic(d, b, A64_CLS_ATOMIC128, "atomic128");
            else if (op4 == 1)
                dec_rmw_generic(d, b, A64_CLS_LSUI_ATOMIC, "atomic-unpriv");
            else if (BITS(b, 15, 12) != 0)
                unallocated(d);
            else if (op4 == 2)
                dec_rmw_generic(d, b, A64_CLS_RCW_CAS, "rcwcas");
            else
                dec_rmw_generic(d, b, A64_CLS_RCW_CASP, "rcwcasp");
        } else {
            unallocated(d);
        }
        return;
    }
    switch (op4) {
    case 0:
        if (v)
            unallocated(d);
        else
            dec_rcpc_unscaled(d, b);
        return;
    case 1:
        dec_mops(d, b);
        return;
    case 2:
        if (v)
            dec_rcpc_simd(d, b);
        else if (op2 == 2)
            dec_ordered_pair(d, b);
        else if (BITS(b, 20, 12) == 0)
            dec_ordered_wb(d, b);
        else
            unallocated(d);
        return;
    default:
        if (op0 == 0xd && !v && op2 == 2 && !BIT(b, 22) && op3 == 0x1f && !BIT(b, 15))
            dec_gcs(d, b);
        else
            unallocated(d);
        return;
    }
}

/* ---- op0 = xx10: pairs ------------------------------------------------ */

static void dec_pair(struct a64_ldst *d, uint32_t b)
{
    static const enum a64_class cls[4] = {A64_CLS_PAIR_NOALLOC, A64_CLS_PAIR_POST,
                                          A64_CLS_PAIR_OFFSET, A64_CLS_PAIR_PRE};
    unsigned opc = BITS(b, 31, 30), v = BIT(b, 26), idx = BITS(b, 24, 23), l = BIT(b, 22);
    int64_t imm7 = sext(BITS(b, 21, 15), 7);
    unsigned scale;
    const char *ld = idx ? "ldp" : "ldnp", *st = idx ? "stp" : "stnp";
    if (v) {
        static const enum a64_regkind k[4] = {A64_REG_S, A64_REG_D, A64_REG_Q, A64_REG_Q};
        scale = opc == 3 ? 4 : 2 + opc;
        d->rt_kind = k[opc];
        add_reason(d, A64_R_SIMD_FP);
        if (opc == 3) { /* FEAT_LSUI unprivileged pair of Q registers */
            ld = idx ? "ldtp" : "ldtnp";
            st = idx ? "sttp" : "sttnp";
            d->unpriv = true;
        }
    } else if (opc == 1) {
        if (idx == 0) {
            unallocated(d);
            return;
        }
        if (l) { /* LDPSW */
            ld = "ldpsw";
            scale = 2;
            d->rt_kind = A64_REG_X;
            d->sign_extend = true;
        } else { /* STGP: two X registers and the tag, offsets scaled by 16 */
            st = "stgp";
            scale = 4;
            d->rt_kind = A64_REG_X;
            d->size = 8;
            add_reason(d, A64_R_TAG);
        }
    } else {
        scale = opc == 0 ? 2 : 3;
        d->rt_kind = opc == 0 ? A64_REG_W : A64_REG_X;
        if (opc == 3) { /* FEAT_LSUI unprivileged pair */
            ld = idx ? "ldtp" : "ldtnp";
            st = idx ? "sttp" : "sttnp";
            d->unpriv = true;
            d->rt_kind = A64_REG_X;
        }
    }
    d->cls = cls[idx];
    set_name(d, l ? ld : st, "", "");
    if (!d->size)
        d->size = d->rt_kind == A64_REG_X ? 8 : 1u << scale;
    if (d->sign_extend)
        d->size = 4;
    d->rt2 = BITS(b, 14, 10);
    d->has_rt2 = true;
    d->access = l ? A64_ACC_LOAD : A64_ACC_STORE;
    d->imm = imm7 * (int64_t)(1u << scale);
    add_reason(d, A64_R_PAIR);
    switch (idx) {
    case 1: d->addr = A64_ADDR_POST; d->writeback = true; break;
    case 3: d->addr = A64_ADDR_PRE; d->writeback = true; break;
    default: d->addr = A64_ADDR_OFFSET; break;
    }
    if (d->writeback)
        add_reason(d, A64_R_WRITEBACK);
}

/* ---- op0 = xx11: single register -------------------------------------- */

static void dec_reg_imm9(struct a64_ldst *d, uint32_t b)
{
    static const enum a64_class cls[4] = {A64_CLS_UNSCALED, A64_CLS_IMM_POST, A64_CLS_UNPRIV,
                                          A64_CLS_IMM_PRE};
    unsigned size = BITS(b, 31, 30), opc = BITS(b, 23, 22), idx = BITS(b, 11, 10);
    bool ok;
    if (BIT(b, 26)) {
        ok = idx != 2 && fp_sizeopc(d, size, opc, idx ? "str" : "stur", idx ? "ldr" : "ldur");
    } else {
        enum gpr_family fam = idx == 0 ? FAM_UNSCALED : idx == 2 ? FAM_UNPRIV : FAM_PLAIN;
        /* post/pre-index PRFM does not exist */
        ok = !(size == 3 && opc == 2 && (idx & 1)) && gpr_sizeopc(d, fam, size, opc);
    }
    if (!ok) {
        unallocated(d);
        return;
    }
    d->cls = cls[idx];
    d->imm = sext(BITS(b, 20, 12), 9);
    d->unpriv = idx == 2;
    switch (idx) {
    case 1: d->addr = A64_ADDR_POST; d->writeback = true; break;
    case 3: d->addr = A64_ADDR_PRE; d->writeback = true; break;
    default: d->addr = A64_ADDR_OFFSET; break;
    }
    if (d->writeback)
        add_reason(d, A64_R_WRITEBACK);
}

static void dec_atomic(struct a64_ldst *d, uint32_t b)
{
    static const char *const lse[8] = {"ldadd", "ldclr", "ldeor", "ldset",
                                       "ldsmax", "ldsmin", "ldumax", "ldumin"};
    static const char *const rcw[4] = {NULL, "rcwclr", "rcwswp", "rcwset"};
    static const char *const rcws[4] = {NULL, "rcwsclr", "rcwsswp", "rcwsset"};
    static const char *const ls64[8] = {NULL, "st64b", "st64bv0", "st64bv", NULL, "ld64b"};
    unsigned size = BITS(b, 31, 30), a = BIT(b, 23), r = BIT(b, 22);
    unsigned rs = BITS(b, 20, 16), o3 = BIT(b, 15), opc = BITS(b, 14, 12);
    d->cls = A64_CLS_ATOMIC;
    d->addr = A64_ADDR_OFFSET;
    d->acquire = a;
    d->release = r;
    if (BIT(b, 26)) { /* FEAT_LSFE floating-point atomics */
        set_name(d, "ldfatomic", "", "");
        d->rt_kind = size == 3 ? A64_REG_D : size == 2 ? A64_REG_S : A64_REG_H;
        d->size = 1u << size;
        d->rs = rs;
        d->has_rs = true;
        d->access = A64_ACC_RMW;
        add_reason(d, A64_R_ATOMIC);
        add_reason(d, A64_R_SIMD_FP);
        return;
    }
    if (!o3 || opc == 0) { /* LD<op> family, SWP */
        set_name(d, o3 ? "swp" : lse[opc], ar_suffix[(a << 1) | r], size_suffix(size));
        gpr_width(d, size);
        d->rs = rs;
        d->has_rs = true;
        d->access = A64_ACC_RMW;
        add_reason(d, A64_R_ATOMIC);
        return;
    }
    if (opc == 4) { /* LDAPR{B,H}: a single-register load with ISV=1 */
        if (!a || r) {
            unallocated(d);
            return;
        }
        set_name(d, "ldapr", size_suffix(size), "");
        gpr_width(d, size);
        d->access = A64_ACC_LOAD;
        d->release = false;
        d->iss.ar = true;
        return;
    }
    if (size == 3 && !a && !r && ls64[opc]) {
        if ((opc == 1 || opc == 5) && rs != 31) {
            unallocated(d);
            return;
        }
        set_name(d, ls64[opc], "", "");
        d->rt_kind = A64_REG_X;
        d->size = 64;
        d->access = opc == 5 ? A64_ACC_LOAD : A64_ACC_STORE;
        if (opc == 2 || opc == 3) {
            d->rs = rs;
            d->has_rs = true;
        }
        add_reason(d, A64_R_LS64);
        return;
    }
    if (size <= 1 && opc <= 3) { /* RCW{S}CLR/SWP/SET, FEAT_THE */
        set_name(d, size ? rcws[opc] : rcw[opc], ar_suffix[(a << 1) | r], "");
        gpr_width(d, 3);
        d->rs = rs;
        d->has_rs = true;
        d->access = A64_ACC_RMW;
        add_reason(d, A64_R_ATOMIC);
        return;
    }
    unallocated(d);
}

static void dec_reg_offset(struct a64_ldst *d, uint32_t b)
{
    unsigned size = BITS(b, 31, 30), opc = BITS(b, 23, 22), option = BITS(b, 15, 13);
    bool ok;
    if (!(option & 2)) { /* sub-word index extends are UNDEFINED */
        unallocated(d);
        return;
    }
    if (BIT(b, 26))
        ok = fp_sizeopc(d, size, opc, "str", "ldr");
    else
        ok = gpr_sizeopc(d, FAM_PLAIN, size, opc);
    if (!ok) {
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_REG_OFFSET;
    d->addr = A64_ADDR_REG;
    d->rm = BITS(b, 20, 16);
    d->ext = (enum a64_extend)option;
    unsigned scale = d->rt_kind == A64_REG_Q ? 4 : d->rt_kind == A64_REG_PRFOP ? 3 : size;
    d->shift = BIT(b, 12) ? scale : 0;
}

static void dec_pac(struct a64_ldst *d, uint32_t b)
{
    if (BITS(b, 31, 30) != 3 || BIT(b, 26)) {
        unallocated(d);
        return;
    }
    d->cls = A64_CLS_PAC;
    set_name(d, BIT(b, 23) ? "ldrab" : "ldraa", "", "");
    gpr_width(d, 3);
    d->access = A64_ACC_LOAD;
    d->imm = sext((BIT(b, 22) << 9) | BITS(b, 20, 12), 10) * 8;
    if (BIT(b, 11)) {
        d->addr = A64_ADDR_PRE;
        d->writeback = true;
        add_reason(d, A64_R_WRITEBACK);
    } else {
        d->addr = A64_ADDR_OFFSET;
    }
}

static void dec_uimm(struct a64_ldst *d, uint32_t b)
{
    unsigned size = BITS(b, 31, 30), opc = BITS(b, 23, 22);
    bool ok;
    if (BIT(b, 26))
        ok = fp_sizeopc(d, size, opc, "str", "ldr");
    else
        ok = gpr_sizeopc(d, FAM_PLAIN, size, opc);
    if (!ok) {
        unallocated(d);
        return;
    }
    unsigned scale = d->rt_kind == A64_REG_Q ? 4 : size;
    d->cls = A64_CLS_UIMM;
    d->addr = A64_ADDR_OFFSET;
    d->imm = (int64_t)BITS(b, 21, 10) << scale;
}

static void dec_op0_xx11(struct a64_ldst *d, uint32_t b)
{
    if (BIT(b, 24)) {
        dec_uimm(d, b);
        return;
    }
    unsigned op4 = BITS(b, 11, 10);
    if (!BIT(b, 21))
        dec_reg_imm9(d, b);
    else if (op4 == 0)
        dec_atomic(d, b);
    else if (op4 == 2)
        dec_reg_offset(d, b);
    else
        dec_pac(d, b);
}

/* ---- the syndrome ----------------------------------------------------- */

static const enum a64_reason reason_order[] = {
    A64_R_NOT_LDST, A64_R_UNALLOCATED, A64_R_PREFETCH, A64_R_SIMD_STRUCT, A64_R_SIMD_FP,
    A64_R_EXCLUSIVE, A64_R_LS64, A64_R_ATOMIC, A64_R_TAG, A64_R_MOPS, A64_R_GCS,
    A64_R_PAIR, A64_R_WRITEBACK,
};

static void finish(struct a64_ldst *d)
{
    bool ar = d->iss.ar;
    memset(&d->iss, 0, sizeof(d->iss));
    d->reason = A64_OK;
    for (size_t i = 0; i < sizeof(reason_order) / sizeof(reason_order[0]); i++) {
        if (d->reasons & (1u << reason_order[i])) {
            d->reason = reason_order[i];
            break;
        }
    }
    d->iss.wnr = d->access == A64_ACC_STORE || d->access == A64_ACC_COPY;
    d->iss.wnr_known = d->access == A64_ACC_LOAD || d->access == A64_ACC_STORE;
    if (d->reason != A64_OK)
        return;
    d->iss.isv = true;
    d->iss.sas = log2u(d->size);
    d->iss.sse = d->sign_extend;
    d->iss.srt = d->rt;
    d->iss.sf = d->rt_kind == A64_REG_X;
    d->iss.ar = ar;
}

bool a64_is_ldst(uint32_t insn) { return (insn & 0x0a000000u) == 0x08000000u; }

void a64_decode(uint32_t b, struct a64_ldst *d)
{
    memset(d, 0, sizeof(*d));
    d->raw = b;
    d->lane = -1;
    d->rt = BITS(b, 4, 0);
    d->rn = BITS(b, 9, 5);
    if (!a64_is_ldst(b)) {
        d->cls = A64_CLS_NOT_LDST;
        set_name(d, "(not ldst)", "", "");
        d->reasons = 1u << A64_R_NOT_LDST;
        finish(d);
        return;
    }
    switch (BITS(b, 29, 28)) {
    case 0: dec_op0_xx00(d, b); break;
    case 1: dec_op0_xx01(d, b); break;
    case 2: dec_pair(d, b); break;
    default: dec_op0_xx11(d, b); break;
    }
    if (d->cls == A64_CLS_UNALLOCATED) {
        d->rt = BITS(b, 4, 0);
        d->rn = BITS(b, 9, 5);
    }
    finish(d);
}

uint32_t a64_iss_bits(const struct a64_iss *s)
{
    uint32_t v = s->wnr ? (1u << 6) : 0;
    if (!s->isv)
        return v;
    return v | (1u << 24) | ((s->sas & 3) << 22) | ((uint32_t)s->sse << 21) |
           ((s->srt & 31) << 16) | ((uint32_t)s->sf << 15) | ((uint32_t)s->ar << 14);
}

bool a64_sign_extending_load(const struct a64_ldst *d)
{
    return d->reason == A64_OK && d->access == A64_ACC_LOAD && d->sign_extend;
}

const char *a64_class_name(enum a64_class cls)
{
    static const char *const names[A64_CLS_COUNT] = {
        [A64_CLS_NOT_LDST] = "not a load/store",
        [A64_CLS_UNALLOCATED] = "unallocated",
        [A64_CLS_SIMD_MULT] = "SIMD load/store multiple structures",
        [A64_CLS_SIMD_SINGLE] = "SIMD load/store single structure",
        [A64_CLS_CASP] = "compare and swap pair",
        [A64_CLS_EXCL_PAIR] = "load/store exclusive pair",
        [A64_CLS_EXCL] = "load/store exclusive register",
        [A64_CLS_ORDERED] = "load/store ordered",
        [A64_CLS_CAS] = "compare and swap",
        [A64_CLS_LSUI_EXCL] = "load/store exclusive register (unprivileged)",
        [A64_CLS_LSUI_CAS] = "compare and swap (unprivileged)",
        [A64_CLS_LSUI_CASP] = "compare and swap pair (unprivileged)",
        [A64_CLS_RCW_CAS] = "RCW compare and swap",
        [A64_CLS_RCW_CASP] = "RCW compare and swap pair",
        [A64_CLS_ATOMIC128] = "128-bit atomic memory operations",
        [A64_CLS_LSUI_ATOMIC] = "atomic memory operations (unprivileged)",
        [A64_CLS_GCS] = "GCS load/store",
        [A64_CLS_TAGS] = "load/store memory tags",
        [A64_CLS_ORDERED_PAIR] = "load/store ordered register pair",
        [A64_CLS_ORDERED_WB] = "load/store ordered (writeback)",
        [A64_CLS_RCPC_UNSCALED] = "LDAPR/STLR (unscaled immediate)",
        [A64_CLS_RCPC_SIMD] = "LDAPR/STLR (SIMD&FP)",
        [A64_CLS_LITERAL] = "load register (literal)",
        [A64_CLS_MOPS] = "memory copy and memory set",
        [A64_CLS_PAIR_NOALLOC] = "load/store no-allocate pair (offset)",
        [A64_CLS_PAIR_POST] = "load/store register pair (post-indexed)",
        [A64_CLS_PAIR_OFFSET] = "load/store register pair (offset)",
        [A64_CLS_PAIR_PRE] = "load/store register pair (pre-indexed)",
        [A64_CLS_UNSCALED] = "load/store register (unscaled immediate)",
        [A64_CLS_IMM_POST] = "load/store register (immediate post-indexed)",
        [A64_CLS_UNPRIV] = "load/store register (unprivileged)",
        [A64_CLS_IMM_PRE] = "load/store register (immediate pre-indexed)",
        [A64_CLS_ATOMIC] = "atomic memory operations",
        [A64_CLS_REG_OFFSET] = "load/store register (register offset)",
        [A64_CLS_PAC] = "load/store register (pac)",
        [A64_CLS_UIMM] = "load/store register (unsigned immediate)",
    };
    if ((unsigned)cls >= A64_CLS_COUNT)
        return "invalid class";
    return names[cls];
}

const char *a64_reason_tag(enum a64_reason r)
{
    static const char *const tags[A64_R_COUNT] = {
        [A64_OK] = "ok", [A64_R_NOT_LDST] = "not-ldst", [A64_R_UNALLOCATED] = "unallocated",
        [A64_R_PREFETCH] = "prefetch", [A64_R_SIMD_STRUCT] = "simd-struct",
        [A64_R_SIMD_FP] = "simd-fp", [A64_R_EXCLUSIVE] = "exclusive", [A64_R_ATOMIC] = "atomic",
        [A64_R_LS64] = "ls64", [A64_R_TAG] = "tag", [A64_R_MOPS] = "mops", [A64_R_GCS] = "gcs",
        [A64_R_PAIR] = "pair", [A64_R_WRITEBACK] = "writeback",
    };
    if ((unsigned)r >= A64_R_COUNT)
        return "invalid";
    return tags[r];
}

const char *a64_reason_desc(enum a64_reason r)
{
    static const char *const desc[A64_R_COUNT] = {
        [A64_OK] = "single general-purpose register access: ISV=1",
        [A64_R_NOT_LDST] = "not a load/store instruction",
        [A64_R_UNALLOCATED] = "unallocated or reserved encoding (UNDEFINED)",
        [A64_R_PREFETCH] = "prefetch: never generates a data abort",
        [A64_R_SIMD_STRUCT] = "SIMD load/store structures: ISV=0",
        [A64_R_SIMD_FP] = "SIMD&FP register transfer: ISV=0",
        [A64_R_EXCLUSIVE] = "load/store exclusive: ISV=0",
        [A64_R_ATOMIC] = "atomic read-modify-write: ISV=0",
        [A64_R_LS64] = "64-byte single-copy atomic load/store (LS64): needs full emulation",
        [A64_R_TAG] = "MTE tag access: ISV=0",
        [A64_R_MOPS] = "memory copy/set: ISV=0",
        [A64_R_GCS] = "guarded control stack access: ISV=0",
        [A64_R_PAIR] = "load/store pair: ISV=0",
        [A64_R_WRITEBACK] = "base register writeback (pre/post-index): ISV=0",
    };
    if ((unsigned)r >= A64_R_COUNT)
        return "invalid reason";
    return desc[r];
}
