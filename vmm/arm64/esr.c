/* ESR_ELx field decoding (see esr.h). Layout per the Arm ARM ESR_EL2 description. */
#include "esr.h"

#include <string.h>

struct ec_entry {
    const char *name;
    const char *desc;
};

/* Indexed by EC; NULL name = unallocated. */
static const struct ec_entry ec_table[64] = {
    [ESR_EC_UNKNOWN] = {"UNKNOWN", "unknown reason (undefined instruction)"},
    [ESR_EC_WFX] = {"WFx", "trapped WFI/WFE/WFIT/WFET"},
    [ESR_EC_CP15_32] = {"CP15_32", "trapped AArch32 MCR/MRC (coproc 15)"},
    [ESR_EC_CP15_64] = {"CP15_64", "trapped AArch32 MCRR/MRRC (coproc 15)"},
    [ESR_EC_CP14_MR] = {"CP14_MR", "trapped AArch32 MCR/MRC (coproc 14)"},
    [ESR_EC_CP14_LS] = {"CP14_LS", "trapped AArch32 LDC/STC"},
    [ESR_EC_FP_ASIMD] = {"FP_ASIMD", "trapped SVE/SIMD/FP access"},
    [ESR_EC_CP10_ID] = {"CP10_ID", "trapped AArch32 VMRS (ID group)"},
    [ESR_EC_PAC] = {"PAC", "trapped pointer authentication instruction"},
    [ESR_EC_OTHER] = {"OTHER", "trapped LD64B/ST64B* or other instruction"},
    [ESR_EC_CP14_64] = {"CP14_64", "trapped AArch32 MRRC/MCRR (coproc 14)"},
    [ESR_EC_BTI] = {"BTI", "branch target exception"},
    [ESR_EC_ILL] = {"ILL", "illegal execution state"},
    [ESR_EC_SVC32] = {"SVC32", "SVC from AArch32"},
    [ESR_EC_HVC32] = {"HVC32", "HVC from AArch32"},
    [ESR_EC_SMC32] = {"SMC32", "SMC from AArch32"},
    [ESR_EC_SYS128] = {"SYS128", "trapped MSRR/MRRS/SYSP (128-bit system instruction)"},
    [ESR_EC_SVC64] = {"SVC64", "SVC from AArch64"},
    [ESR_EC_HVC64] = {"HVC64", "HVC from AArch64"},
    [ESR_EC_SMC64] = {"SMC64", "SMC from AArch64"},
    [ESR_EC_SYS64] = {"SYS64", "trapped MSR/MRS/system instruction"},
    [ESR_EC_SVE] = {"SVE", "trapped SVE access"},
    [ESR_EC_ERET] = {"ERET", "trapped ERET/ERETAA/ERETAB"},
    [ESR_EC_TSTART] = {"TSTART", "TSTART access trap (FEAT_TME)"},
    [ESR_EC_FPAC] = {"FPAC", "pointer authentication failure"},
    [ESR_EC_SME] = {"SME", "trapped SME access"},
    [ESR_EC_GPC] = {"GPC", "granule protection check"},
    [ESR_EC_IMP_DEF] = {"IMP_DEF", "implementation defined exception to EL3"},
    [ESR_EC_IABT_LOW] = {"IABT_LOW", "instruction abort (lower EL)"},
    [ESR_EC_IABT_CUR] = {"IABT_CUR", "instruction abort (same EL)"},
    [ESR_EC_PC_ALIGN] = {"PC_ALIGN", "PC alignment fault"},
    [ESR_EC_DABT_LOW] = {"DABT_LOW", "data abort (lower EL)"},
    [ESR_EC_DABT_CUR] = {"DABT_CUR", "data abort (same EL)"},
    [ESR_EC_SP_ALIGN] = {"SP_ALIGN", "SP alignment fault"},
    [ESR_EC_MOPS] = {"MOPS", "memory copy/set exception"},
    [ESR_EC_FP_EXC32] = {"FP_EXC32", "trapped floating-point exception (AArch32)"},
    [ESR_EC_FP_EXC64] = {"FP_EXC64", "trapped floating-point exception (AArch64)"},
    [ESR_EC_GCS] = {"GCS", "guarded control stack exception"},
    [ESR_EC_SERROR] = {"SERROR", "SError"},
    [ESR_EC_BREAKPT_LOW] = {"BREAKPT_LOW", "breakpoint (lower EL)"},
    [ESR_EC_BREAKPT_CUR] = {"BREAKPT_CUR", "breakpoint (same EL)"},
    [ESR_EC_SOFTSTP_LOW] = {"SOFTSTP_LOW", "software step (lower EL)"},
    [ESR_EC_SOFTSTP_CUR] = {"SOFTSTP_CUR", "software step (same EL)"},
    [ESR_EC_WATCHPT_LOW] = {"WATCHPT_LOW", "watchpoint (lower EL)"},
    [ESR_EC_WATCHPT_CUR] = {"WATCHPT_CUR", "watchpoint (same EL)"},
    [ESR_EC_BKPT32] = {"BKPT32", "BKPT from AArch32"},
    [ESR_EC_VECTOR32] = {"VECTOR32", "vector catch (AArch32)"},
    [ESR_EC_BRK64] = {"BRK64", "BRK from AArch64"},
    [ESR_EC_PROFILING] = {"PROFILING", "profiling exception"},
};

const char *esr_ec_name(unsigned ec)
{
    if (ec < 64 && ec_table[ec].name)
        return ec_table[ec].name;
    return "UNALLOCATED";
}

const char *esr_ec_desc(unsigned ec)
{
    if (ec < 64 && ec_table[ec].desc)
        return ec_table[ec].desc;
    return "unallocated exception class";
}

bool esr_ec_is_dabt(unsigned ec) { return ec == ESR_EC_DABT_LOW || ec == ESR_EC_DABT_CUR; }
bool esr_ec_is_iabt(unsigned ec) { return ec == ESR_EC_IABT_LOW || ec == ESR_EC_IABT_CUR; }

void esr_decode(uint64_t esr, struct esr_info *out)
{
    memset(out, 0, sizeof(*out));
    out->raw = esr;
    out->ec = (unsigned)(esr >> 26) & 0x3f;
    out->il = (esr >> 25) & 1;
    out->iss = (uint32_t)(esr & 0x1ffffff);
    out->iss2 = (uint32_t)(esr >> 32) & 0xffffff;
    out->res0_nonzero = (esr >> 56) != 0;
    out->ec_name = esr_ec_name(out->ec);
    out->ec_desc = esr_ec_desc(out->ec);
}

static void fsc_set(struct esr_fsc *f, enum esr_fsc_kind kind, const char *desc, bool has_level,
                    int level)
{
    f->kind = kind;
    f->desc = desc;
    f->has_level = has_level;
    f->level = has_level ? level : 0;
}

bool esr_fsc_decode(unsigned code, struct esr_fsc *out)
{
    memset(out, 0, sizeof(*out));
    out->code = code & 0x3f;
    unsigned c = out->code, lvl = c & 3;
    switch (c) {
    case 0x00: case 0x01: case 0x02: case 0x03:
        fsc_set(out, ESR_FSC_ADDR_SIZE, "address size fault", true, (int)lvl);
        break;
    case 0x04: case 0x05: case 0x06: case 0x07:
        fsc_set(out, ESR_FSC_TRANSLATION, "translation fault", true, (int)lvl);
        break;
    case 0x08: case 0x09: case 0x0a: case 0x0b: /* level 0: FEAT_LPA2 */
        fsc_set(out, ESR_FSC_ACCESS_FLAG, "access flag fault", true, (int)lvl);
        break;
    case 0x0c: case 0x0d: case 0x0e: case 0x0f: /* level 0: FEAT_LPA2 */
        fsc_set(out, ESR_FSC_PERMISSION, "permission fault", true, (int)lvl);
        break;
    case 0x10:
        fsc_set(out, ESR_FSC_SEA, "synchronous external abort", false, 0);
        break;
    case 0x11:
        fsc_set(out, ESR_FSC_TAG_CHECK, "synchronous tag check fault", false, 0);
        break;
    case 0x12: case 0x13: /* levels -2 (FEAT_D128) and -1 (FEAT_LPA2) */
        fsc_set(out, ESR_FSC_SEA_WALK, "synchronous external abort on table walk", true,
                (int)c - 0x14);
        break;
    case 0x14: case 0x15: case 0x16: case 0x17:
        fsc_set(out, ESR_FSC_SEA_WALK, "synchronous external abort on table walk", true,
                (int)lvl);
        break;
    case 0x18:
        fsc_set(out, ESR_FSC_PARITY, "synchronous parity/ECC error", false, 0);
        break;
    case 0x1b:
        fsc_set(out, ESR_FSC_PARITY_WALK, "synchronous parity/ECC error on table walk", true, -1);
        break;
    case 0x1c: case 0x1d: case 0x1e: case 0x1f:
        fsc_set(out, ESR_FSC_PARITY_WALK, "synchronous parity/ECC error on table walk", true,
                (int)lvl);
        break;
    case 0x21:
        fsc_set(out, ESR_FSC_ALIGNMENT, "alignment fault", false, 0);
        break;
    case 0x22: case 0x23:
        fsc_set(out, ESR_FSC_GPF_WALK, "granule protection fault on table walk", true,
                (int)c - 0x24);
        break;
    case 0x24: case 0x25: case 0x26: case 0x27:
        fsc_set(out, ESR_FSC_GPF_WALK, "granule protection fault on table walk", true,
                (int)lvl);
        break;
    case 0x28:
        fsc_set(out, ESR_FSC_GPF, "granule protection fault", false, 0);
        break;
    case 0x29: /* Arm's table; Linux's ADDRSZ_nL(-1) macro says 0x25, which is GPF level 1 */
        fsc_set(out, ESR_FSC_ADDR_SIZE, "address size fault", true, -1);
        break;
    case 0x2a: case 0x2b:
        fsc_set(out, ESR_FSC_TRANSLATION, "translation fault", true, (int)c - 0x2c);
        break;
    case 0x2c:
        fsc_set(out, ESR_FSC_ADDR_SIZE, "address size fault", true, -2);
        break;
    case 0x30:
        fsc_set(out, ESR_FSC_TLB_CONFLICT, "TLB conflict abort", false, 0);
        break;
    case 0x31:
        fsc_set(out, ESR_FSC_ATOMIC_HW_UPDATE, "unsupported atomic hardware update fault", false, 0);
        break;
    case 0x34:
        fsc_set(out, ESR_FSC_LOCKDOWN, "implementation defined fault (lockdown)", false, 0);
        break;
    case 0x35:
        fsc_set(out, ESR_FSC_EXCL_ATOMIC,
                "implementation defined fault (unsupported exclusive or atomic access)", false, 0);
        break;
    default:
        fsc_set(out, ESR_FSC_RESERVED, "reserved fault status code", false, 0);
        return false;
    }
    return true;
}

/* LST is defined for translation, access flag and permission faults (FEAT_LS64). */
static bool fsc_has_lst(const struct esr_fsc *f)
{
    return f->kind == ESR_FSC_TRANSLATION || f->kind == ESR_FSC_ACCESS_FLAG ||
           f->kind == ESR_FSC_PERMISSION;
}

bool esr_dabt_decode(uint64_t esr, struct esr_dabt *out)
{
    memset(out, 0, sizeof(*out));
    unsigned ec = (unsigned)(esr >> 26) & 0x3f;
    if (!esr_ec_is_dabt(ec))
        return false;
    uint32_t iss = (uint32_t)esr & 0x1ffffff;
    uint32_t iss2 = (uint32_t)(esr >> 32) & 0xffffff;

    out->isv = iss & ESR_ISS_ISV;
    if (out->isv) {
        out->sas = (iss & ESR_ISS_SAS) >> ESR_ISS_SAS_SHIFT;
        out->access_bytes = 1u << out->sas;
        out->sse = iss & ESR_ISS_SSE;
        out->srt = (iss & ESR_ISS_SRT) >> ESR_ISS_SRT_SHIFT;
        out->sf = iss & ESR_ISS_SF;
        out->ar = iss & ESR_ISS_AR;
    } else {
        /* ISS[23:14] are RES0 when ISV=0. */
        out->res0_nonzero = (iss & 0x00ffc000u) != 0;
    }
    out->vncr = iss & ESR_ISS_VNCR;
    out->set_lst = (iss & ESR_ISS_SET) >> ESR_ISS_SET_SHIFT;
    out->fnv = iss & ESR_ISS_FNV;
    out->ea = iss & ESR_ISS_EA;
    out->cm = iss & ESR_ISS_CM;
    out->s1ptw = iss & ESR_ISS_S1PTW;
    out->wnr = iss & ESR_ISS_WNR;
    esr_fsc_decode(iss & ESR_ISS_FSC, &out->fsc);

    if (out->fsc.code == 0x10) {
        out->b12_11_kind = ESR_B12_11_SET;
        out->fnv_meaningful = true;
    } else if (fsc_has_lst(&out->fsc)) {
        out->b12_11_kind = ESR_B12_11_LST;
    } else {
        out->b12_11_kind = ESR_B12_11_RES0;
    }

    out->xs = iss2 & 0x1f;
    out->dirtybit = (iss2 >> 5) & 1;
    out->overlay = (iss2 >> 6) & 1;
    out->assuredonly = (iss2 >> 7) & 1;
    out->gcs = (iss2 >> 8) & 1;
    out->tagaccess = (iss2 >> 9) & 1;
    out->tnd = (iss2 >> 10) & 1;
    out->hdbssf = (iss2 >> 11) & 1;
    return true;
}

void esr_nisv_decode(uint64_t esr_iss, struct esr_nisv *out)
{
    memset(out, 0, sizeof(*out));
    out->cm = esr_iss & ESR_ISS_CM;
    out->wnr = esr_iss & ESR_ISS_WNR;
    esr_fsc_decode((unsigned)esr_iss & ESR_ISS_FSC, &out->fsc);
    out->extra_bits = (esr_iss & ~(uint64_t)ESR_NISV_MASK) != 0;
}
