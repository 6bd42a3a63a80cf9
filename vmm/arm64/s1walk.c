/* Stage-1 translation table walk (see s1walk.h), following the VMSAv8-64
 * translation process in the Arm ARM (chapter D8). */
#include "s1walk.h"

#include <string.h>

#define TCR_T0SZ(t) ((unsigned)(t) & 0x3f)
#define TCR_EPD0 (1ull << 7)
#define TCR_TG0(t) ((unsigned)((t) >> 14) & 3)
#define TCR_T1SZ(t) ((unsigned)((t) >> 16) & 0x3f)
#define TCR_EPD1 (1ull << 23)
#define TCR_TG1(t) ((unsigned)((t) >> 30) & 3)
#define TCR_IPS(t) ((unsigned)((t) >> 32) & 7)
#define TCR_TBI0 (1ull << 37)
#define TCR_TBI1 (1ull << 38)
#define TCR_HA (1ull << 39)
#define TCR_HPD0 (1ull << 41)
#define TCR_HPD1 (1ull << 42)
#define TABLE_LIMITS (0xfull << 59) /* APTable[62:61], UXNTable 60, PXNTable 59 */
#define TCR_DS (1ull << 59)

static enum s1_fault fault(struct s1_result *r, enum s1_fault f, int level)
{
    r->fault = f;
    r->level = level;
    return f;
}

static uint64_t bswap64(uint64_t v)
{
    v = ((v & 0x00ff00ff00ff00ffull) << 8) | ((v >> 8) & 0x00ff00ff00ff00ffull);
    v = ((v & 0x0000ffff0000ffffull) << 16) | ((v >> 16) & 0x0000ffff0000ffffull);
    return (v << 32) | (v >> 32);
}

/* Granule shift from the TG0/TG1 encodings (they differ), 0 if reserved. */
static unsigned granule(unsigned tg, bool upper)
{
    static const unsigned tg0[4] = {12, 16, 14, 0}, tg1[4] = {0, 14, 12, 16};
    return upper ? tg1[tg] : tg0[tg];
}

static unsigned pa_bits(unsigned ips)
{
    static const unsigned bits[8] = {32, 36, 40, 42, 44, 48, 52, 48}; /* 7: reserved, as 48 */
    return bits[ips & 7];
}

/* Output address of a table/block/page descriptor, aligned to `shift`. */
static uint64_t out_addr(uint64_t desc, unsigned shift, unsigned g, unsigned pab)
{
    uint64_t oa = desc & 0x0000ffffffffffffull & ~((1ull << shift) - 1);
    if (g == 16 && pab == 52) /* FEAT_LPA: OA[51:48] in descriptor bits [15:12] */
        oa |= ((desc >> 12) & 0xf) << 48;
    return oa;
}

static bool block_allowed(unsigned g, int level, unsigned pab)
{
    if (g == 12)
        return level == 1 || level == 2;
    if (g == 14)
        return level == 2;
    return level == 2 || (level == 1 && pab == 52);
}

enum s1_fault s1_translate(const struct s1_regs *regs, uint64_t va, s1_read_fn read, void *ctx,
                           struct s1_result *r)
{
    memset(r, 0, sizeof(*r));
    if (!(regs->sctlr & 1)) { /* stage 1 off: flat mapping */
        r->mmu_off = true;
        r->pa = va;
        r->level = -1;
        return S1_OK;
    }
    uint64_t tcr = regs->tcr;
    bool upper = (va >> 55) & 1;
    r->ttbr1 = upper;
    unsigned txsz = upper ? TCR_T1SZ(tcr) : TCR_T0SZ(tcr);
    bool tbi = tcr & (upper ? TCR_TBI1 : TCR_TBI0);
    /* TxSZ outside [16, 39] behaves as the nearest limit (one permitted choice). */
    if (txsz < 16)
        txsz = 16;
    if (txsz > 39)
        txsz = 39;
    unsigned ia = 64 - txsz;
    unsigned top = tbi ? 55 : 63;
    uint64_t hi = va >> ia, want = upper ? ~0ull : 0;
    uint64_t himask = (top == 63) ? ~0ull >> ia : (1ull << (top + 1 - ia)) - 1;
    if ((hi & himask) != (want & himask)) /* neither range */
        return fault(r, S1_FAULT_TRANSLATION, 0);
    if (tcr & (upper ? TCR_EPD1 : TCR_EPD0))
        return fault(r, S1_FAULT_TRANSLATION, 0);
    if (tcr & TCR_DS)
        return fault(r, S1_FAULT_UNSUPPORTED, 0);
    unsigned g = granule(upper ? TCR_TG1(tcr) : TCR_TG0(tcr), upper);
    if (!g)
        return fault(r, S1_FAULT_UNSUPPORTED, 0);
    r->granule_shift = g;
    unsigned stride = g - 3, pab = pa_bits(TCR_IPS(tcr));
    unsigned levels = (ia - g + stride - 1) / stride;
    int level = 4 - (int)levels;
    r->start_level = (unsigned)level;
    unsigned start_bits = ia - g - stride * (levels - 1);
    uint64_t tsize = 8ull << start_bits;
    uint64_t tbase = (upper ? regs->ttbr1 : regs->ttbr0) & 0x0000fffffffffffeull;
    tbase &= ~((tsize < 64 ? 64 : tsize) - 1);
    if (pab < 64 && (tbase >> pab))
        return fault(r, S1_FAULT_ADDR_SIZE, 0);
    bool be = regs->sctlr & (1ull << 25);
    bool hpd = tcr & (upper ? TCR_HPD1 : TCR_HPD0);

    for (;; level++) {
        unsigned shift = g + stride * (unsigned)(3 - level);
        unsigned bits = (unsigned)level == r->start_level ? start_bits : stride;
        uint64_t idx = (va >> shift) & ((1ull << bits) - 1);
        uint64_t desc;
        if (read(ctx, tbase + idx * 8, &desc) != 0)
            return fault(r, S1_FAULT_EXTERNAL, level);
        if (be)
            desc = bswap64(desc);
        if (!(desc & 1))
            return fault(r, S1_FAULT_TRANSLATION, level);
        bool table_or_page = desc & 2;
        if (level < 3 && table_or_page) {
            if (!hpd) /* limits on everything below this table */
                r->table_limits |= desc & TABLE_LIMITS;
            tbase = out_addr(desc, g, g, pab);
            if (pab < 64 && (tbase >> pab))
                return fault(r, S1_FAULT_ADDR_SIZE, level);
            continue;
        }
        if (level < 3 && !block_allowed(g, level, pab))
            return fault(r, S1_FAULT_TRANSLATION, level);
        if (level == 3 && !table_or_page) /* 0b01 at level 3 is reserved */
            return fault(r, S1_FAULT_TRANSLATION, level);
        uint64_t oa = out_addr(desc, shift, g, pab);
        r->desc = desc;
        r->level = level;
        r->block_size = 1ull << shift;
        if (pab < 64 && (oa >> pab))
            return fault(r, S1_FAULT_ADDR_SIZE, level);
        if (!(desc & (1ull << 10)) && !(tcr & TCR_HA)) /* AF clear, no hardware update */
            return fault(r, S1_FAULT_ACCESS_FLAG, level);
        r->pa = oa | (va & (r->block_size - 1));
        return S1_OK;
    }
}

const char *s1_fault_name(enum s1_fault f)
{
    switch (f) {
    case S1_OK: return "ok";
    case S1_FAULT_TRANSLATION: return "translation fault";
    case S1_FAULT_ADDR_SIZE: return "address size fault";
    case S1_FAULT_ACCESS_FLAG: return "access flag fault";
    case S1_FAULT_EXTERNAL: return "external abort on table walk";
    case S1_FAULT_UNSUPPORTED: return "unsupported configuration";
    }
    return "invalid";
}
