/* Stage-1 permission and alignment checks, and data-abort exception entry. */
#include <criterion/criterion.h>

#include "../../vmm/arm64/exception.h"
#include "../../vmm/arm64/s1perm.h"

static const struct s1_regs regs = {.sctlr = 1, .mair = 0xffull << 8}; /* idx 0 Device, 1 Normal */

static struct s1_result leaf(unsigned ap, unsigned attr, uint64_t xn, uint64_t table)
{
    return (struct s1_result){.desc = 3 | 1u << 10 | (uint64_t)ap << 6 | (uint64_t)attr << 2 | xn,
                              .level = 3, .table_limits = table};
}

static enum s1_check chk(const struct s1_result *w, uint64_t pstate, bool write, bool unpriv)
{
    struct s1_access a = {.va = 0x1000, .size = 8, .write = write, .unpriv = unpriv};
    return s1_check_data(&regs, w, pstate, &a);
}

/* The AP[2:1] table of the Arm ARM: who may read and write. */
Test(s1perm, direct_permissions)
{
    static const struct {
        unsigned ap;
        bool el1_r, el1_w, el0_r, el0_w;
    } t[] = {{0, 1, 1, 0, 0}, {1, 1, 1, 1, 1}, {2, 1, 0, 0, 0}, {3, 1, 0, 1, 0}};
    for (unsigned i = 0; i < 4; i++) {
        struct s1_result w = leaf(t[i].ap, 1, 0, 0);
        cr_expect_eq(chk(&w, 0x5, false, false) == S1_CHECK_OK, t[i].el1_r, "AP %u", t[i].ap);
        cr_expect_eq(chk(&w, 0x5, true, false) == S1_CHECK_OK, t[i].el1_w, "AP %u", t[i].ap);
        cr_expect_eq(chk(&w, 0x0, false, false) == S1_CHECK_OK, t[i].el0_r, "AP %u", t[i].ap);
        cr_expect_eq(chk(&w, 0x0, true, false) == S1_CHECK_OK, t[i].el0_w, "AP %u", t[i].ap);
        /* LDTR/STTR from EL1 behave as EL0. */
        cr_expect_eq(chk(&w, 0x5, false, true) == S1_CHECK_OK, t[i].el0_r, "AP %u", t[i].ap);
        cr_expect_eq(chk(&w, 0x5, true, true) == S1_CHECK_OK, t[i].el0_w, "AP %u", t[i].ap);
    }
}

Test(s1perm, table_limits_pan_uao)
{
    struct s1_result w = leaf(1, 1, 0, 1ull << 61); /* APTable[0]: no EL0 below */
    cr_assert_eq(chk(&w, 0x0, false, false), S1_CHECK_PERMISSION);
    cr_assert_eq(chk(&w, 0x5 | PSTATE_PAN, false, false), S1_CHECK_OK, "not EL0 memory any more");
    w = leaf(1, 1, 0, 1ull << 62); /* APTable[1]: read-only below */
    cr_assert_eq(chk(&w, 0x5, true, false), S1_CHECK_PERMISSION);
    cr_assert_eq(chk(&w, 0x0, false, false), S1_CHECK_OK);
    w = leaf(1, 1, 0, 0);
    cr_assert_eq(chk(&w, 0x5 | PSTATE_PAN, false, false), S1_CHECK_PERMISSION);
    cr_assert_eq(chk(&w, 0x5 | PSTATE_PAN, false, true), S1_CHECK_OK, "LDTR is not PAN-checked");
    w = leaf(0, 1, 0, 0);
    cr_assert_eq(chk(&w, 0x5 | PSTATE_UAO, false, true), S1_CHECK_OK, "UAO: LDTR privileged");
}

Test(s1perm, alignment_and_execute)
{
    struct s1_result dev = leaf(0, 0, 0, 0), normal = leaf(0, 1, 0, 0);
    struct s1_access a = {.va = 0x1004, .size = 8};
    cr_assert_eq(s1_check_data(&regs, &dev, 0x5, &a), S1_CHECK_ALIGNMENT);
    cr_assert_eq(s1_check_data(&regs, &normal, 0x5, &a), S1_CHECK_OK);
    struct s1_regs strict = regs;
    strict.sctlr |= 2; /* SCTLR_EL1.A */
    cr_assert_eq(s1_check_data(&strict, &normal, 0x5, &a), S1_CHECK_ALIGNMENT);
    struct s1_result off = {.mmu_off = true};
    cr_assert_eq(s1_check_data(&regs, &off, 0x5, &a), S1_CHECK_ALIGNMENT, "MMU off: Device");

    cr_assert(s1_can_execute(&regs, &normal, 0x5));
    cr_assert(s1_can_execute(&regs, &normal, 0x0), "EL0 execute-only: UXN alone decides");
    struct s1_result el0_rw = leaf(1, 1, 0, 0), pxn = leaf(3, 1, 1ull << 53, 0),
                     uxn = leaf(3, 1, 1ull << 54, 0), uxn_tbl = leaf(3, 1, 0, 1ull << 60);
    cr_assert_not(s1_can_execute(&regs, &el0_rw, 0x5), "EL1 never runs EL0-writable code");
    cr_assert(s1_can_execute(&regs, &el0_rw, 0x0));
    cr_assert_not(s1_can_execute(&regs, &pxn, 0x5));
    cr_assert(s1_can_execute(&regs, &pxn, 0x0));
    cr_assert_not(s1_can_execute(&regs, &uxn, 0x0));
    cr_assert_not(s1_can_execute(&regs, &uxn_tbl, 0x0));
    struct s1_regs wxn = regs;
    wxn.sctlr |= 1u << 19;
    cr_assert_not(s1_can_execute(&wxn, &normal, 0x5), "WXN: writable is never executable");
}

Test(s1perm, fault_codes)
{
    cr_assert_eq(s1_dfsc_walk(S1_FAULT_TRANSLATION, 2), 0x06);
    cr_assert_eq(s1_dfsc_walk(S1_FAULT_ACCESS_FLAG, 3), 0x0b);
    cr_assert_eq(s1_dfsc_walk(S1_FAULT_ADDR_SIZE, 0), 0x00);
    cr_assert_eq(s1_dfsc_walk(S1_FAULT_EXTERNAL, 1), 0x15);
    cr_assert_eq(s1_dfsc_walk(S1_FAULT_UNSUPPORTED, 0), -1);
    cr_assert_eq(s1_dfsc_check(S1_CHECK_PERMISSION, 3), 0x0f);
    cr_assert_eq(s1_dfsc_check(S1_CHECK_ALIGNMENT, 3), 0x21);
}

/* Taking the abort: from EL0 to the lower-EL vector, from EL1h to the
 * current-EL SP_ELx vector, with the state saved and PSTATE as entry sets it. */
Test(s1perm, data_abort_entry)
{
    uint64_t el0 = 0x60000000 | 0x0; /* Z, C set, EL0t, interrupts unmasked */
    struct a64_exc_entry e = a64_data_abort_entry(el0, 0x203000, 1, 0x40081800, 0x202000, 0x0f,
                                                  false);
    cr_assert_eq(e.esr, 0x24ull << 26 | 1u << 25 | 0x0f);
    cr_assert_eq(e.far, 0x202000);
    cr_assert_eq(e.spsr, el0);
    cr_assert_eq(e.elr, 0x203000);
    cr_assert_eq(e.pc, 0x40081800 + 0x400);
    cr_assert_eq(e.pstate, 0x3c5 | PSTATE_PAN, "EL1h, DAIF masked, flags clear, PAN (SPAN=0)");

    e = a64_data_abort_entry(0x5 | PSTATE_UAO, 0x1000, 1u | 1u << 23, 0x40081800, 0x44, 0x21, true);
    cr_assert_eq(e.esr, 0x25ull << 26 | 1u << 25 | 1u << 6 | 0x21);
    cr_assert_eq(e.pc, 0x40081800 + 0x200);
    cr_assert_eq(e.pstate, 0x3c5, "SPAN=1 keeps PAN clear; UAO cleared");
    e = a64_data_abort_entry(0x4, 0x1000, 1, 0x40081800, 0x44, 0x21, false);
    cr_assert_eq(e.pc, 0x40081800, "EL1t: the SP_EL0 vector");
}
