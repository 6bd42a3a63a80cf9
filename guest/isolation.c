/*
 * Isolation through the VMM (issue 13, findings 1 and 2), on 4K pages of our
 * own hung off one unused level-1 entry of mmu.c's identity map (VA 400 GiB).
 *
 * isv.test=el0-escalate: EL0 holds a mapping of the test device's page, and
 * right after it, an EL1-only page with a secret. An LDP/STP at EL0 whose
 * first half is the device's last 8 bytes and whose second half is the secret
 * page needs no syndrome, so under --nisv=emulate the VMM does the access:
 * it must check stage-1 permissions for both halves as the CPU would and
 * deliver the permission fault to EL1, never read or write the secret.
 *
 * isv.test=sext-aspace: two address spaces map the same code VA to an LDRSB
 * and to an LDRB of a different register. The VMM's sign-extension fix must
 * decode the instruction through the current tables each time; a cache keyed
 * by PC would sign-extend the LDRSB's register after the LDRB in space B.
 */
#include "drivers/testdev_regs.h"
#include "guest.h"

#define PAGE 4096u
#define TESTDEV_PA 0x0b000000ull /* the board's fixed test-device page */
#define L1_SLOT 400u             /* unused: RAM and devices are far below */
#define VA_BASE ((uint64_t)L1_SLOT << 30)
#define VA_CODE VA_BASE                 /* L3 slot 0 */
#define VA_DEV (VA_BASE + PAGE)         /* L3 slot 1 */
#define VA_SECRET (VA_BASE + 2 * PAGE)  /* L3 slot 2 */

/* 4K-granule descriptors (level 1/2 table, level 3 page: both 0b11). */
#define D_TABLE_OR_PAGE 3ull
#define D_ATTR(i) ((uint64_t)(i) << 2) /* MAIR index: 0 Device-nGnRnE, 1 Normal WB */
#define D_AP_EL0 (1ull << 6)           /* AP[1]: EL0 may access */
#define D_AP_RO (1ull << 7)            /* AP[2]: read-only */
#define D_SH_IS (3ull << 8)
#define D_AF (1ull << 10)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)
#define NORMAL (D_TABLE_OR_PAGE | D_AF | D_SH_IS | D_ATTR(1))
#define DEVICE (D_TABLE_OR_PAGE | D_AF | D_ATTR(0))

#define INSN_LDR_W0_X2 0xb9400040u  /* ldr w0, [x2]  (has a syndrome) */
#define INSN_LDP 0xa9400440u        /* ldp x0, x1, [x2] */
#define INSN_STP 0xa9000440u        /* stp x0, x1, [x2] */
#define INSN_SVC0 0xd4000001u       /* svc #0 */
#define INSN_LDRSB_W1 0x39c00001u   /* ldrsb w1, [x0] */
#define INSN_LDRB_W2 0x39400002u    /* ldrb w2, [x0] */
#define INSN_RET 0xd65f03c0u

#define SECRET 0x5ec2e7005ec2e700ull

/* Identity-mapped RAM: each array's VA is its PA. */
static uint64_t l2[512] __attribute__((aligned(PAGE)));
static uint64_t l3[512] __attribute__((aligned(PAGE)));
static uint64_t l1_b[512] __attribute__((aligned(PAGE))); /* sext-aspace's space B */
static uint64_t l2_b[512] __attribute__((aligned(PAGE)));
static uint64_t l3_b[512] __attribute__((aligned(PAGE)));
static uint32_t code[PAGE / 4] __attribute__((aligned(PAGE)));
static uint32_t code_b[PAGE / 4] __attribute__((aligned(PAGE)));
static volatile uint64_t secret_page[PAGE / 8] __attribute__((aligned(PAGE)));

static uint64_t pa(const volatile void *p)
{
    return (uint64_t)(uintptr_t)p;
}

static void tlb_flush(void)
{
    __asm__ volatile("dsb ishst\n tlbi vmalle1\n dsb ish\n isb" ::: "memory");
}

/* New instructions in `n` words at p: to the point of unification, then
 * drop stale I-cache lines (all of them: the code is also run through an
 * alias VA). */
static void sync_code(const uint32_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i += 16)
        __asm__ volatile("dc cvau, %0" ::"r"(p + i) : "memory");
    __asm__ volatile("dsb ish" ::: "memory");
    for (unsigned i = 0; i < n; i += 16)
        __asm__ volatile("ic ivau, %0" ::"r"(p + i) : "memory");
    __asm__ volatile("dsb ish\n ic iallu\n dsb ish\n isb" ::: "memory");
}

/* ---- EL0 ---- */

/*
 * el0_run(pc, x0, x1, x2): run EL0 code at pc (EL0t, interrupts masked) with
 * those registers. It comes back only through el0_hook, which sends the
 * exception's return to el0_return at EL1: SP_EL1 is then what it was at the
 * ERET (the exception frame was pushed and popped below it), so the
 * callee-saved registers are where el0_run left them.
 */
uint64_t el0_run(uint64_t pc, uint64_t x0, uint64_t x1, uint64_t x2);
extern char el0_return[];
__asm__(".text\n"
        ".balign 4\n"
        ".globl el0_run\n"
        "el0_run:\n"
        "    stp x19, x20, [sp, #-96]!\n"
        "    stp x21, x22, [sp, #16]\n"
        "    stp x23, x24, [sp, #32]\n"
        "    stp x25, x26, [sp, #48]\n"
        "    stp x27, x28, [sp, #64]\n"
        "    stp x29, x30, [sp, #80]\n"
        "    msr elr_el1, x0\n"
        "    mov x0, #0x3c0\n" /* EL0t, DAIF masked */
        "    msr spsr_el1, x0\n"
        "    mov x0, x1\n"
        "    mov x1, x2\n"
        "    mov x2, x3\n"
        "    eret\n"
        ".globl el0_return\n"
        "el0_return:\n"
        "    ldp x21, x22, [sp, #16]\n"
        "    ldp x23, x24, [sp, #32]\n"
        "    ldp x25, x26, [sp, #48]\n"
        "    ldp x27, x28, [sp, #64]\n"
        "    ldp x29, x30, [sp, #80]\n"
        "    ldp x19, x20, [sp], #96\n"
        "    ret\n");

/* How EL0 came back: its exception and registers at that moment. */
static struct {
    uint64_t esr, far, x0, x1;
} el0_exit;
static uint64_t el1_daif;

static bool el0_hook(struct trap_frame *f, uint64_t kind, uint64_t esr, uint64_t far)
{
    if (kind != 8) /* only synchronous exceptions from EL0 are ours */
        return false;
    el0_exit.esr = esr;
    el0_exit.far = far;
    el0_exit.x0 = f->x[0];
    el0_exit.x1 = f->x[1];
    f->elr = (uint64_t)(uintptr_t)el0_return;
    f->spsr = el1_daif | 0x5; /* EL1h, PAN clear, the caller's DAIF */
    return true;
}

static void el0_call(unsigned word, uint64_t x0, uint64_t x1, uint64_t x2)
{
    el0_exit.esr = el0_exit.far = el0_exit.x0 = el0_exit.x1 = 0;
    __asm__ volatile("mrs %0, daif" : "=r"(el1_daif));
    exc_set_hook(el0_hook);
    el0_run(VA_CODE + 4 * word, x0, x1, x2);
    exc_set_hook(NULL);
}

static unsigned ec(uint64_t esr)
{
    return (unsigned)(esr >> 26) & 0x3f;
}

/* The permission fault the architecture requires for EL0's access to the
 * secret page: a data abort from EL0 (EC 0x24), permission fault at level 3
 * (DFSC 0b001111), the direction right, FAR in the secret page. */
static const char *not_the_fault(bool write)
{
    uint64_t esr = el0_exit.esr;
    if (ec(esr) == 0x15)
        return "no fault: the instruction completed";
    if (ec(esr) != 0x24)
        return "not a data abort from EL0";
    if ((esr & 0x3f) != 0x0f)
        return "not a level-3 permission fault";
    if (!!(esr & (1u << 6)) != write)
        return "WnR is wrong";
    if (el0_exit.far < VA_SECRET || el0_exit.far >= VA_SECRET + PAGE)
        return "FAR is not in the secret page";
    return NULL;
}

int test_el0_escalate(void)
{
    struct testdev_regs MMIO_PTR *t = mmio_claim(struct testdev_regs, (uintptr_t)TESTDEV_PA);
    if (mmio_read(&t->id) != TESTDEV_ID_VALUE) {
        kprintf("isv guest: el0-escalate needs the test device (--device testdev)\n");
        return 1;
    }
    secret_page[0] = SECRET;
    code[0] = INSN_LDR_W0_X2;
    code[1] = INSN_SVC0;
    code[2] = INSN_LDP;
    code[3] = INSN_SVC0;
    code[4] = INSN_STP;
    code[5] = INSN_SVC0;
    sync_code(code, 6);

    /* EL0 code: read-only at both ELs, EL0-executable only. The device:
     * EL0 read/write, never executable. The secret: EL1 read/write only. */
    l3[0] = pa(code) | NORMAL | D_AP_EL0 | D_AP_RO | D_PXN;
    l3[1] = TESTDEV_PA | DEVICE | D_AP_EL0 | D_UXN | D_PXN;
    l3[2] = pa(secret_page) | NORMAL | D_UXN | D_PXN;
    l2[0] = pa(l3) | D_TABLE_OR_PAGE;
    mmu_l1_table[L1_SLOT] = pa(l2) | D_TABLE_OR_PAGE;
    tlb_flush();

    int bad = 0;
    /* Controls: the mapping is what it seems. EL1 sees the secret through it,
     * and EL0 reaches the device (a load with a syndrome, so any --nisv). */
    bool el1_sees = *(volatile uint64_t *)(uintptr_t)(VA_SECRET) == SECRET;
    el0_call(0, 0, 0, VA_DEV);
    bool el0_dev = ec(el0_exit.esr) == 0x15 && (uint32_t)el0_exit.x0 == TESTDEV_ID_VALUE;
    kprintf("isv guest: el1 reads the secret through the new mapping: %s\n",
            el1_sees ? "ok" : "FAIL");
    kprintf("isv guest: el0 reads the test device's id through it: %s (ESR 0x%lx, w0 0x%x)\n",
            el0_dev ? "ok" : "FAIL", (unsigned long)el0_exit.esr, (unsigned)el0_exit.x0);
    bad |= !el1_sees || !el0_dev;

    /* LDP: first half the device's reserved last 8 bytes, second the secret. */
    const uint64_t s0 = 0x1111111111111111ull, s1 = 0x2222222222222222ull;
    el0_call(2, s0, s1, VA_SECRET - 8);
    const char *why = not_the_fault(false);
    bool leaked = el0_exit.x0 == SECRET || el0_exit.x1 == SECRET;
    kprintf("isv guest: el0 ldp: ESR 0x%lx, FAR 0x%lx, x0 0x%lx, x1 0x%lx\n",
            (unsigned long)el0_exit.esr, (unsigned long)el0_exit.far,
            (unsigned long)el0_exit.x0, (unsigned long)el0_exit.x1);
    if (!why && !leaked)
        kprintf("isv guest: el0 ldp into EL1 memory: permission fault, secret not read: ok\n");
    else
        kprintf("isv guest: el0 ldp into EL1 memory: FAIL: %s%s\n", why ? why : "",
                leaked ? (why ? ", the secret reached EL0" : "the secret reached EL0") : "");
    bad |= why || leaked;

    /* STP: the same two halves; the secret must survive. */
    const uint64_t w0 = 0x3333333333333333ull, w1 = 0xbadbadbadbadbad0ull;
    el0_call(4, w0, w1, VA_SECRET - 8);
    why = not_the_fault(true);
    uint64_t now = secret_page[0];
    kprintf("isv guest: el0 stp: ESR 0x%lx, FAR 0x%lx, secret now 0x%lx\n",
            (unsigned long)el0_exit.esr, (unsigned long)el0_exit.far, (unsigned long)now);
    if (!why && now == SECRET)
        kprintf("isv guest: el0 stp into EL1 memory: permission fault, secret not overwritten: ok\n");
    else
        kprintf("isv guest: el0 stp into EL1 memory: FAIL: %s%s\n", why ? why : "",
                now != SECRET ? (why ? ", the secret was overwritten" : "the secret was overwritten")
                              : "");
    bad |= why || now != SECRET;

    mmu_l1_table[L1_SLOT] = 0;
    tlb_flush();
    return bad;
}

/* ---- Two address spaces, one code VA ---- */

static void set_ttbr0(const uint64_t *l1)
{
    /* No ASIDs in use: a switch needs the TLBs emptied (and nothing cached by
     * VA may survive it). */
    __asm__ volatile("dsb ish\n msr ttbr0_el1, %0\n isb\n tlbi vmalle1\n dsb ish\n"
                     " ic iallu\n dsb ish\n isb" ::"r"(pa(l1))
                     : "memory");
}

/* Call the code at VA_CODE with x0 = addr, x1 and x2 preset; what x1 and x2
 * are afterwards. */
static void call_code(uint64_t addr, uint64_t *x1, uint64_t *x2)
{
    register uint64_t r0 __asm__("x0") = addr;
    register uint64_t r1 __asm__("x1") = *x1;
    register uint64_t r2 __asm__("x2") = *x2;
    uint64_t fn = VA_CODE;
    __asm__ volatile("blr %3" : "+r"(r0), "+r"(r1), "+r"(r2) : "r"(fn) : "x30", "memory");
    *x1 = r1;
    *x2 = r2;
}

int test_sext_aspace(void)
{
    struct testdev_regs MMIO_PTR *t = mmio_claim(struct testdev_regs, (uintptr_t)TESTDEV_PA);
    if (mmio_read(&t->id) != TESTDEV_ID_VALUE) {
        kprintf("isv guest: sext-aspace needs the test device (--device testdev)\n");
        return 1;
    }
    /* The loaded byte's top bit is set: only then do sign and zero
     * extension differ (and does the VMM's fix look at the instruction). */
    mmio_write(mmio_elem(t, scratch8, 0), 0x85);
    const uint64_t addr = TESTDEV_PA + 0x100;

    code[0] = INSN_LDRSB_W1;
    code[1] = INSN_RET;
    code_b[0] = INSN_LDRB_W2;
    code_b[1] = INSN_RET;
    sync_code(code, 2);
    sync_code(code_b, 2);

    /* Space A: the identity map plus VA_CODE -> code; space B: a copy with
     * VA_CODE -> code_b. EL1 read-only executable. */
    l3[0] = pa(code) | NORMAL | D_AP_RO | D_UXN;
    l2[0] = pa(l3) | D_TABLE_OR_PAGE;
    l3_b[0] = pa(code_b) | NORMAL | D_AP_RO | D_UXN;
    l2_b[0] = pa(l3_b) | D_TABLE_OR_PAGE;
    mmu_l1_table[L1_SLOT] = pa(l2) | D_TABLE_OR_PAGE;
    for (unsigned i = 0; i < 512; i++)
        l1_b[i] = mmu_l1_table[i];
    l1_b[L1_SLOT] = pa(l2_b) | D_TABLE_OR_PAGE;
    tlb_flush();

    int bad = 0;
    const uint64_t sentinel1 = 0x0123456789abcd11ull, sentinel2 = 0x0123456789abcd22ull;
    for (unsigned round = 1; round <= 3; round++) {
        uint64_t x1 = sentinel1, x2 = sentinel2;
        call_code(addr, &x1, &x2); /* space A: ldrsb w1 */
        bool ok_a = x1 == 0xffffff85u && x2 == sentinel2;
        kprintf("isv guest: sext-aspace round %u space A ldrsb w1: x1 0x%lx, x2 0x%lx: %s\n",
                round, (unsigned long)x1, (unsigned long)x2, ok_a ? "ok" : "FAIL");

        set_ttbr0(l1_b);
        x1 = sentinel1;
        x2 = sentinel2;
        call_code(addr, &x1, &x2); /* space B, same PC: ldrb w2 */
        set_ttbr0(mmu_l1_table);
        bool ok_b = x2 == 0x85 && x1 == sentinel1;
        kprintf("isv guest: sext-aspace round %u space B ldrb w2: x2 0x%lx, x1 0x%lx%s: %s\n",
                round, (unsigned long)x2, (unsigned long)x1,
                x1 == sentinel1 ? " (untouched)" : " (CHANGED)", ok_b ? "ok" : "FAIL");
        bad |= !ok_a || !ok_b;
    }
    mmu_l1_table[L1_SLOT] = 0;
    tlb_flush();
    return bad;
}
