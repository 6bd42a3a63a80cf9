/* Stage-1 permission and alignment checks (see s1perm.h), following the Arm
 * ARM's VMSAv8-64 direct permission model (D8.4) and alignment rules. */
#include "s1perm.h"

#define SCTLR_A (1ull << 1)
#define SCTLR_WXN (1ull << 19)
#define DESC_AP(d) ((unsigned)((d) >> 6) & 3) /* AP[2:1] */
#define DESC_PXN (1ull << 53)
#define DESC_UXN (1ull << 54)
#define TBL_PXN (1ull << 59)
#define TBL_UXN (1ull << 60)
#define TBL_AP_NO_EL0 (1ull << 61)  /* APTable[0] */
#define TBL_AP_RO (1ull << 62)      /* APTable[1] */

/* What the descriptor and its tables allow: EL0 data access at all, and writes. */
static bool el0_accessible(const struct s1_result *w)
{
    return (DESC_AP(w->desc) & 1) && !(w->table_limits & TBL_AP_NO_EL0);
}

static bool writable(const struct s1_result *w)
{
    return !(DESC_AP(w->desc) & 2) && !(w->table_limits & TBL_AP_RO);
}

bool s1_is_device(const struct s1_regs *regs, const struct s1_result *w)
{
    if (w->mmu_off)
        return true;
    unsigned idx = (unsigned)(w->desc >> 2) & 7;
    return ((regs->mair >> (8 * idx)) & 0xf0) == 0; /* 0b0000xxxx: Device-* */
}

enum s1_check s1_check_data(const struct s1_regs *regs, const struct s1_result *w,
                            uint64_t pstate, const struct s1_access *a)
{
    bool misaligned = a->size > 1 && (a->va & (a->size - 1));
    if (misaligned && ((regs->sctlr & SCTLR_A) || s1_is_device(regs, w)))
        return S1_CHECK_ALIGNMENT;
    if (w->mmu_off)
        return S1_CHECK_OK;
    /* LDTR/STTR at EL1 are checked as EL0 unless UAO makes them privileged. */
    bool as_el0 = PSTATE_EL(pstate) == 0 || (a->unpriv && !(pstate & PSTATE_UAO));
    if (as_el0 && !el0_accessible(w))
        return S1_CHECK_PERMISSION;
    if (!as_el0 && (pstate & PSTATE_PAN) && el0_accessible(w))
        return S1_CHECK_PERMISSION; /* PAN: privileged access to EL0 memory */
    if (a->write && !writable(w))
        return S1_CHECK_PERMISSION;
    return S1_CHECK_OK;
}

bool s1_can_execute(const struct s1_regs *regs, const struct s1_result *w, uint64_t pstate)
{
    if (w->mmu_off)
        return true;
    if (PSTATE_EL(pstate) == 0)
        return !(w->desc & DESC_UXN) && !(w->table_limits & TBL_UXN) &&
               !((regs->sctlr & SCTLR_WXN) && writable(w) && el0_accessible(w));
    /* EL1 never executes what EL0 can write, nor (WXN) anything writable. */
    bool el0_writable = el0_accessible(w) && writable(w);
    return !(w->desc & DESC_PXN) && !(w->table_limits & TBL_PXN) && !el0_writable &&
           !((regs->sctlr & SCTLR_WXN) && writable(w));
}

int s1_dfsc_walk(enum s1_fault f, int level)
{
    unsigned l = level < 0 ? 0 : (unsigned)level & 3;
    switch (f) {
    case S1_FAULT_ADDR_SIZE: return (int)(0x00 | l);
    case S1_FAULT_TRANSLATION: return (int)(0x04 | l);
    case S1_FAULT_ACCESS_FLAG: return (int)(0x08 | l);
    case S1_FAULT_EXTERNAL: return (int)(0x14 | l); /* synchronous external abort on walk */
    default: return -1;
    }
}

int s1_dfsc_check(enum s1_check c, int level)
{
    unsigned l = level < 0 ? 0 : (unsigned)level & 3;
    switch (c) {
    case S1_CHECK_PERMISSION: return (int)(0x0c | l);
    case S1_CHECK_ALIGNMENT: return 0x21;
    default: return -1;
    }
}

const char *s1_check_name(enum s1_check c)
{
    switch (c) {
    case S1_CHECK_OK: return "ok";
    case S1_CHECK_PERMISSION: return "permission fault";
    case S1_CHECK_ALIGNMENT: return "alignment fault";
    }
    return "invalid";
}
