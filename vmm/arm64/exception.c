/* Exception entry for a synchronous data abort to EL1 (see exception.h). */
#include "exception.h"

#include "s1perm.h"

#define EC_DABT_LOWER 0x24u
#define EC_DABT_CUR 0x25u
#define ESR_IL (1ull << 25)     /* 32-bit instruction */
#define ISS_WNR (1ull << 6)
#define SCTLR_SPAN (1ull << 23) /* 0: PSTATE.PAN is set on entry to EL1 */
#define SCTLR_DSSBS (1ull << 44)
#define PSTATE_DAIF (0xfull << 6)
#define PSTATE_SSBS (1ull << 12)
#define PSTATE_DIT (1ull << 24)
#define MODE_EL1H 0x5u
#define MODE_EL1T 0x4u

struct a64_exc_entry a64_data_abort_entry(uint64_t pstate, uint64_t pc, uint64_t sctlr,
                                          uint64_t vbar, uint64_t far, unsigned dfsc, bool write)
{
    bool from_el0 = PSTATE_EL(pstate) == 0;
    struct a64_exc_entry e = {
        .esr = (uint64_t)(from_el0 ? EC_DABT_LOWER : EC_DABT_CUR) << 26 | ESR_IL |
               (write ? ISS_WNR : 0) | (dfsc & 0x3f),
        .far = far,
        .spsr = pstate,
        .elr = pc,
    };
    /* Vector offsets: 0x000 current EL with SP_EL0, 0x200 with SP_ELx, 0x400
     * lower EL in AArch64; the synchronous entry is the first of each group. */
    uint64_t off = from_el0 ? 0x400 : (pstate & 0xf) == MODE_EL1T ? 0x000 : 0x200;
    e.pc = (vbar & ~0x7ffull) + off;
    /* NZCV, SS, IL, BTYPE, UAO and TCO start clear; PAN is kept and also set
     * unless SCTLR_EL1.SPAN; DIT is kept; SSBS comes from SCTLR_EL1.DSSBS. */
    e.pstate = MODE_EL1H | PSTATE_DAIF | (pstate & (PSTATE_PAN | PSTATE_DIT)) |
               (sctlr & SCTLR_SPAN ? 0 : PSTATE_PAN) | (sctlr & SCTLR_DSSBS ? PSTATE_SSBS : 0);
    return e;
}
