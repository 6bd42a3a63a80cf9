/* Disassembly-like formatting of decoded loads/stores (see a64.h). */
#include "a64.h"
#include "strbuf.h"

static void reg(struct strbuf *sb, enum a64_regkind k, unsigned n)
{
    static const char fp[] = {[A64_REG_B] = 'b', [A64_REG_H] = 'h', [A64_REG_S] = 's',
                              [A64_REG_D] = 'd', [A64_REG_Q] = 'q'};
    n &= 31;
    switch (k) {
    case A64_REG_W:
        if (n == 31)
            sb_printf(sb, "wzr");
        else
            sb_printf(sb, "w%u", n);
        break;
    case A64_REG_X:
        if (n == 31)
            sb_printf(sb, "xzr");
        else
            sb_printf(sb, "x%u", n);
        break;
    case A64_REG_B: case A64_REG_H: case A64_REG_S: case A64_REG_D: case A64_REG_Q:
        sb_printf(sb, "%c%u", fp[k], n);
        break;
    default:
        sb_printf(sb, "?%u", n);
        break;
    }
}

static void base(struct strbuf *sb, unsigned rn)
{
    if ((rn & 31) == 31)
        sb_printf(sb, "sp");
    else
        sb_printf(sb, "x%u", rn & 31);
}

static void prfop(struct strbuf *sb, unsigned op)
{
    static const char *const type[4] = {"pld", "pli", "pst", NULL};
    static const char *const target[4] = {"l1", "l2", "l3", "slc"};
    if (type[op >> 3])
        sb_printf(sb, "%s%s%s", type[op >> 3], target[(op >> 1) & 3], (op & 1) ? "strm" : "keep");
    else
        sb_printf(sb, "#0x%x", op);
}

static void vlist(struct strbuf *sb, const struct a64_ldst *d)
{
    static const char *const arr[4][2] = {{"8b", "16b"}, {"4h", "8h"}, {"2s", "4s"}, {"1d", "2d"}};
    static const char el[4] = {'b', 'h', 's', 'd'};
    unsigned sz = d->size == 8 ? 3 : d->size == 4 ? 2 : d->size == 2 ? 1 : 0;
    sb_printf(sb, "{");
    for (unsigned i = 0; i < d->nregs; i++) {
        if (i)
            sb_printf(sb, ", ");
        if (d->lane >= 0)
            sb_printf(sb, "v%u.%c", (d->rt + i) & 31, el[sz]);
        else
            sb_printf(sb, "v%u.%s", (d->rt + i) & 31, arr[sz][d->q]);
    }
    sb_printf(sb, "}");
    if (d->lane >= 0)
        sb_printf(sb, "[%d]", d->lane);
}

static void address(struct strbuf *sb, const struct a64_ldst *d, uint64_t pc)
{
    static const char *const ext[8] = {[A64_EXT_UXTW] = "uxtw", [A64_EXT_LSL] = "lsl",
                                       [A64_EXT_SXTW] = "sxtw", [A64_EXT_SXTX] = "sxtx"};
    switch (d->addr) {
    case A64_ADDR_OFFSET:
        sb_printf(sb, "[");
        base(sb, d->rn);
        if (d->imm)
            sb_printf(sb, ", #%lld", (long long)d->imm);
        sb_printf(sb, "]");
        break;
    case A64_ADDR_PRE:
        sb_printf(sb, "[");
        base(sb, d->rn);
        sb_printf(sb, ", #%lld]!", (long long)d->imm);
        break;
    case A64_ADDR_POST:
        sb_printf(sb, "[");
        base(sb, d->rn);
        sb_printf(sb, "], #%lld", (long long)d->imm);
        break;
    case A64_ADDR_POST_REG:
        sb_printf(sb, "[");
        base(sb, d->rn);
        sb_printf(sb, "], x%u", d->rm & 31);
        break;
    case A64_ADDR_REG: {
        bool wide = d->ext == A64_EXT_LSL || d->ext == A64_EXT_SXTX;
        sb_printf(sb, "[");
        base(sb, d->rn);
        sb_printf(sb, ", ");
        reg(sb, wide ? A64_REG_X : A64_REG_W, d->rm);
        const char *e = ext[d->ext & 7] ? ext[d->ext & 7] : "?";
        bool s_bit = (d->raw >> 12) & 1; /* shift present, even when it is #0 */
        if (d->ext != A64_EXT_LSL)
            sb_printf(sb, ", %s", e);
        else if (s_bit)
            sb_printf(sb, ", lsl");
        if (s_bit)
            sb_printf(sb, " #%u", d->shift);
        sb_printf(sb, "]");
        break;
    }
    case A64_ADDR_LITERAL:
        sb_printf(sb, "0x%llx", (unsigned long long)(pc + (uint64_t)d->imm));
        break;
    default:
        sb_printf(sb, "?");
        break;
    }
}

size_t a64_format(const struct a64_ldst *d, uint64_t pc, char *buf, size_t size)
{
    struct strbuf sb;
    sb_init(&sb, buf, size);
    if (d->cls == A64_CLS_NOT_LDST || d->cls == A64_CLS_UNALLOCATED) {
        sb_printf(&sb, ".inst 0x%08x (%s)", (unsigned)d->raw,
                  d->cls == A64_CLS_UNALLOCATED ? "unallocated load/store" : "not a load/store");
        return sb.len;
    }
    sb_printf(&sb, "%s ", d->mnemonic);
    if (d->cls == A64_CLS_MOPS) {
        bool set = d->mnemonic[0] == 's';
        sb_printf(&sb, "[x%u]!, ", d->rt);
        if (set)
            sb_printf(&sb, "x%u!, ", d->rn);
        else
            sb_printf(&sb, "[x%u]!, x%u!", d->rs, d->rn);
        if (set)
            reg(&sb, A64_REG_X, d->rs);
        return sb.len;
    }
    if (d->rt_kind == A64_REG_VLIST) {
        vlist(&sb, d);
    } else if (d->rt_kind == A64_REG_PRFOP) {
        prfop(&sb, d->rt);
    } else {
        enum a64_regkind rs_kind = d->rt_kind;
        if (d->exclusive || d->reasons & (1u << A64_R_LS64))
            rs_kind = A64_REG_W; /* status result */
        if (d->has_rs) {
            reg(&sb, rs_kind, d->rs);
            sb_printf(&sb, ", ");
            if (d->cls == A64_CLS_CASP || d->cls == A64_CLS_LSUI_CASP) {
                reg(&sb, rs_kind, d->rs + 1);
                sb_printf(&sb, ", ");
            }
        }
        reg(&sb, d->rt_kind, d->rt);
        if (d->has_rt2) {
            sb_printf(&sb, ", ");
            reg(&sb, d->rt_kind, d->rt2);
        }
    }
    sb_printf(&sb, ", ");
    address(&sb, d, pc);
    return sb.len;
}
