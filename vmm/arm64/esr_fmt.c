/* One-line ESR formatters (see esr.h). */
#include "esr.h"
#include "strbuf.h"

#include <string.h>

static void fmt_fsc(struct strbuf *sb, const struct esr_fsc *f)
{
    if (f->kind == ESR_FSC_RESERVED)
        sb_printf(sb, "reserved fault status code 0x%02x", f->code);
    else if (f->has_level)
        sb_printf(sb, "%s level %d", f->desc, f->level);
    else
        sb_printf(sb, "%s", f->desc);
}

size_t esr_fsc_format(unsigned code, char *buf, size_t size)
{
    struct strbuf sb;
    struct esr_fsc f;
    sb_init(&sb, buf, size);
    esr_fsc_decode(code, &f);
    fmt_fsc(&sb, &f);
    return sb.len;
}

static const char *set_name(unsigned set)
{
    static const char *const names[4] = {"recoverable (UER)", "reserved error type",
                                         "uncontainable (UC)", "restartable (UEO)"};
    return names[set & 3];
}

static const char *lst_name(unsigned lst)
{
    static const char *const names[4] = {"", "ST64BV", "LD64B/ST64B", "ST64BV0"};
    return names[lst & 3];
}

static void fmt_dabt(struct strbuf *sb, const struct esr_dabt *d)
{
    if (d->cm)
        sb_printf(sb, ", cache maintenance/AT");
    else
        sb_printf(sb, ", %s", d->wnr ? "write" : "read");
    if (d->isv) {
        char reg[8];
        if (d->srt == 31)
            snprintf(reg, sizeof(reg), "%s", d->sf ? "xzr" : "wzr");
        else
            snprintf(reg, sizeof(reg), "%c%u", d->sf ? 'x' : 'w', d->srt);
        sb_printf(sb, ", %u-bit%s %s %s", 8u << d->sas, d->sse ? " sign-extended" : "",
                  d->wnr ? "from" : "into", reg);
        if (d->ar)
            sb_printf(sb, ", acquire/release");
    } else {
        sb_printf(sb, ", no instruction syndrome (ISV=0)");
    }
    sb_printf(sb, ", ");
    fmt_fsc(sb, &d->fsc);
    if (d->s1ptw)
        sb_printf(sb, ", on stage-1 table walk (S1PTW)");
    if (d->vncr)
        sb_printf(sb, ", VNCR_EL2 access");
    if (d->b12_11_kind == ESR_B12_11_SET)
        sb_printf(sb, ", error type %s", set_name(d->set_lst));
    else if (d->b12_11_kind == ESR_B12_11_LST && d->set_lst)
        sb_printf(sb, ", %s", lst_name(d->set_lst));
    else if (d->set_lst)
        sb_printf(sb, ", RES0 bits [12:11]=%u set", d->set_lst);
    if (d->fnv)
        sb_printf(sb, d->fnv_meaningful ? ", FAR not valid" : ", FnV set (RES0 here)");
    if (d->ea)
        sb_printf(sb, ", EA");
    if (d->res0_nonzero)
        sb_printf(sb, ", RES0 syndrome bits set with ISV=0");
    if (d->xs)
        sb_printf(sb, ", Xs=x%u", d->xs);
    if (d->dirtybit)
        sb_printf(sb, ", dirty-state check");
    if (d->overlay)
        sb_printf(sb, ", permission overlay");
    if (d->assuredonly)
        sb_printf(sb, ", AssuredOnly check");
    if (d->gcs)
        sb_printf(sb, ", GCS access");
    if (d->tagaccess)
        sb_printf(sb, ", NoTagAccess");
    if (d->tnd)
        sb_printf(sb, ", tag (not data) access");
    if (d->hdbssf)
        sb_printf(sb, ", HDBSS fault");
}

static void fmt_iabt(struct strbuf *sb, uint32_t iss)
{
    struct esr_fsc f;
    esr_fsc_decode(iss & ESR_ISS_FSC, &f);
    sb_printf(sb, ", ");
    fmt_fsc(sb, &f);
    if (iss & ESR_ISS_S1PTW)
        sb_printf(sb, ", on stage-1 table walk (S1PTW)");
    if (f.code == 0x10)
        sb_printf(sb, ", error type %s", set_name((iss & ESR_ISS_SET) >> ESR_ISS_SET_SHIFT));
    if (iss & ESR_ISS_FNV)
        sb_printf(sb, ", FAR not valid");
    if (iss & ESR_ISS_EA)
        sb_printf(sb, ", EA");
}

static void fmt_sys64(struct strbuf *sb, uint32_t iss)
{
    unsigned op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7;
    unsigned crn = (iss >> 10) & 0xf, rt = (iss >> 5) & 0x1f, crm = (iss >> 1) & 0xf;
    bool read = iss & 1;
    char reg[8];
    if (rt == 31)
        snprintf(reg, sizeof(reg), "xzr");
    else
        snprintf(reg, sizeof(reg), "x%u", rt);
    if (read)
        sb_printf(sb, ": mrs %s, s%u_%u_c%u_c%u_%u", reg, op0, op1, crn, crm, op2);
    else
        sb_printf(sb, ": msr s%u_%u_c%u_c%u_%u, %s", op0, op1, crn, crm, op2, reg);
}

static void fmt_wfx(struct strbuf *sb, uint32_t iss)
{
    static const char *const ti[4] = {"wfi", "wfe", "wfit", "wfet"};
    sb_printf(sb, ": %s", ti[iss & 3]);
    if ((iss & 2) && (iss & 4)) /* RV: register valid */
        sb_printf(sb, " x%u", (iss >> 5) & 0x1f);
}

size_t esr_format(uint64_t esr, char *buf, size_t size)
{
    struct strbuf sb;
    struct esr_info e;
    sb_init(&sb, buf, size);
    esr_decode(esr, &e);
    sb_printf(&sb, "%s", e.ec_desc);
    if (strcmp(e.ec_name, "UNALLOCATED") == 0)
        sb_printf(&sb, " (EC 0x%02x)", e.ec);

    switch (e.ec) {
    case ESR_EC_DABT_LOW:
    case ESR_EC_DABT_CUR: {
        struct esr_dabt d;
        esr_dabt_decode(esr, &d);
        fmt_dabt(&sb, &d);
        break;
    }
    case ESR_EC_IABT_LOW:
    case ESR_EC_IABT_CUR:
        fmt_iabt(&sb, e.iss);
        break;
    case ESR_EC_SYS64:
        fmt_sys64(&sb, e.iss);
        break;
    case ESR_EC_WFX:
        fmt_wfx(&sb, e.iss);
        break;
    case ESR_EC_HVC32: case ESR_EC_HVC64: case ESR_EC_SMC32: case ESR_EC_SMC64:
    case ESR_EC_SVC32: case ESR_EC_SVC64: case ESR_EC_BRK64:
        sb_printf(&sb, ": #0x%x", e.iss & 0xffff);
        break;
    case ESR_EC_SERROR: {
        struct esr_fsc f;
        esr_fsc_decode(e.iss & ESR_ISS_FSC, &f);
        if (e.iss & (1u << 24))
            sb_printf(&sb, ", implementation defined syndrome 0x%x", e.iss & 0xffffff);
        else
            sb_printf(&sb, ", AET %u, DFSC 0x%02x", (e.iss >> 10) & 7, f.code);
        break;
    }
    default:
        sb_printf(&sb, ", ISS 0x%07x", (unsigned)e.iss);
        break;
    }
    if (e.iss2 && !esr_ec_is_dabt(e.ec))
        sb_printf(&sb, ", ISS2 0x%06x", (unsigned)e.iss2);
    if (!e.il)
        sb_printf(&sb, ", 16-bit instruction (IL=0)");
    if (e.res0_nonzero)
        sb_printf(&sb, ", RES0 bits [63:56] set");
    return sb.len;
}

size_t esr_nisv_format(uint64_t esr_iss, char *buf, size_t size)
{
    struct strbuf sb;
    struct esr_nisv n;
    sb_init(&sb, buf, size);
    esr_nisv_decode(esr_iss, &n);
    sb_printf(&sb, "data abort without syndrome (KVM_EXIT_ARM_NISV), %s, ",
              n.cm ? "cache maintenance/AT" : n.wnr ? "write" : "read");
    fmt_fsc(&sb, &n.fsc);
    if (n.extra_bits)
        sb_printf(&sb, ", unexpected bits 0x%llx outside CM|WnR|FSC",
                  (unsigned long long)(esr_iss & ~(uint64_t)ESR_NISV_MASK));
    return sb.len;
}
