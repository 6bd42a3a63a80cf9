/* Accesses without a valid syndrome: instruction fetch through stage 1, the
 * report, and emulation against fake guest RAM and a real bus with the test
 * device on it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../vmm/board.h"
#include "../../devices/testdev.h"
#include "../../vmm/bus.h"
#include "../../vmm/arm64/s1perm.h"
#include "../../vmm/nisv.h"
#include "a64_encode.h"

#define RAM_SIZE (4u << 20)

static uint8_t *ram_host;
static struct guest_mem ram;
static struct bus bus;
static struct device *td;

static void setup(void)
{
    ram_host = calloc(1, RAM_SIZE);
    ram = (struct guest_mem){.host = ram_host, .base = RAM_BASE, .size = RAM_SIZE};
    bus_init(&bus);
    td = testdev_create(TESTDEV_BASE, NULL);
    cr_assert_eq(bus_add(&bus, td), 0);
}

static void teardown(void)
{
    bus_free(&bus);
    td->ops->destroy(td);
    free(ram_host);
}

static void put32(uint64_t gpa, uint32_t v)
{
    memcpy(ram_host + (gpa - RAM_BASE), &v, 4);
}

static void put64(uint64_t gpa, uint64_t v)
{
    memcpy(ram_host + (gpa - RAM_BASE), &v, 8);
}

static uint64_t td_read(uint64_t off, unsigned len)
{
    uint64_t v;
    cr_assert_eq(bus_access(&bus, TESTDEV_BASE + off, len, false, &v, NULL), BUS_OK);
    return v;
}

static void td_write(uint64_t off, unsigned len, uint64_t v)
{
    cr_assert_eq(bus_access(&bus, TESTDEV_BASE + off, len, true, &v, NULL), BUS_OK);
}

TestSuite(nisv, .init = setup, .fini = teardown);

Test(nisv, fetch_with_mmu_off)
{
    struct s1_regs s1 = {0};
    struct guest_insn insn;
    put32(RAM_BASE + 0x1000, 0xa9402809); /* ldp x9, x10, [x0] */
    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x5, RAM_BASE + 0x1000, &insn), 0);
    cr_assert_eq(insn.word, 0xa9402809);
    cr_assert_eq(insn.pa, RAM_BASE + 0x1000);
    cr_assert_eq(insn.d.reason, A64_R_PAIR);

    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x5, RAM_BASE + 0x1002, &insn), -1);
    cr_assert_str_eq(insn.error, "the PC is not 4-byte aligned");
    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x5, 0x1000, &insn), -1);
    cr_assert_str_eq(insn.error, "the PC is not in guest RAM");
}

/* --bios: code in flash bank 0 runs in place; its word is fetched from there. */
Test(nisv, fetch_from_the_firmware_rom)
{
    struct s1_regs s1 = {0};
    struct guest_insn insn;
    static uint8_t flash[0x2000];
    uint32_t w = 0x38401509; /* ldrb w9, [x8], #1 */
    memcpy(flash + 0x1000, &w, 4);
    struct guest_mem rom = {.host = flash, .base = 0, .size = sizeof flash};
    cr_assert_eq(guest_fetch_insn_rom(&ram, &rom, &s1, 0x5, 0x1000, &insn), 0, "%s", insn.error);
    cr_assert_eq(insn.word, w);
    cr_assert_eq(insn.pa, 0x1000);
    cr_assert_eq(insn.d.reason, A64_R_WRITEBACK);
    put32(RAM_BASE + 0x1000, 0xa9402809);
    cr_assert_eq(guest_fetch_insn_rom(&ram, &rom, &s1, 0x5, RAM_BASE + 0x1000, &insn), 0);
    cr_assert_eq(insn.word, 0xa9402809, "RAM as before");
    cr_assert_eq(guest_fetch_insn_rom(&ram, &rom, &s1, 0x5, 0x2000, &insn), -1, "past the ROM");
    cr_assert_str_eq(insn.error, "the PC is not in guest RAM or the firmware flash");
    struct guest_mem none = {0};
    cr_assert_eq(guest_fetch_insn_rom(&ram, &none, &s1, 0x5, 0x1000, &insn), -1, "no --bios");
    cr_assert_str_eq(insn.error, "the PC is not in guest RAM");
}

/* A 4K-granule, 39-bit VA table with one 2 MiB block: VA 0x200000 -> PA RAM+0x200000. */
Test(nisv, fetch_through_stage1)
{
    uint64_t l1 = RAM_BASE + 0x10000, l2 = RAM_BASE + 0x11000;
    put64(l1 + 0 * 8, l2 | 3);                                  /* table descriptor */
    put64(l2 + 1 * 8, (RAM_BASE + 0x200000) | (1u << 10) | 1);  /* block, AF */
    struct s1_regs s1 = {.sctlr = 1, .tcr = 25 | (1ull << 23), .ttbr0 = l1};
    put32(RAM_BASE + 0x200010, 0xb8004409); /* str w9, [x0], #4 */
    struct guest_insn insn;
    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x5, 0x200010, &insn), 0, "%s", insn.error);
    cr_assert_eq(insn.pa, RAM_BASE + 0x200010);
    cr_assert_eq(insn.word, 0xb8004409);
    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x5, 0x400000, &insn), -1, "unmapped VA");
    cr_assert_not_null(insn.error);
}

static struct nisv_fault fault;

/* Emulate with the syndrome the CPU would give (WnR from the instruction). */
static int emu(struct vcpu_snapshot *st, const struct guest_insn *insn, uint64_t ipa, char *why)
{
    uint64_t iss = insn->d.access == A64_ACC_STORE ? 1u << 6 : 0;
    return nisv_emulate(st, insn, &ram, &bus, ipa, iss, &fault, why, 200);
}

static struct vcpu_snapshot snap(uint32_t word, uint64_t x0)
{
    struct vcpu_snapshot st = {0};
    st.pstate = 0x5; /* EL1h */
    st.regs.pc = RAM_BASE + 0x2000;
    st.regs.x[0] = x0;
    st.regs.x[9] = 0x1111111111111111ull;
    st.regs.x[10] = 0x2222222222222222ull;
    put32(st.regs.pc, word);
    return st;
}

Test(nisv, emulate_load_pair_from_device)
{
    td_write(TESTDEV_SCRATCH, 8, 0x8877665544332211ull);
    td_write(TESTDEV_SCRATCH + 8, 8, 0x00ffeeddccbbaa99ull);
    struct vcpu_snapshot st = snap(0xa9402809, TESTDEV_BASE + TESTDEV_SCRATCH); /* ldp x9, x10, [x0] */
    struct guest_insn insn;
    char why[200];
    cr_assert_eq(guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn), 0);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + TESTDEV_SCRATCH, why), 0, "%s", why);
    cr_assert_eq(st.regs.x[9], 0x8877665544332211ull);
    cr_assert_eq(st.regs.x[10], 0x00ffeeddccbbaa99ull);
    cr_assert_eq(st.regs.pc, RAM_BASE + 0x2004);
    cr_assert_eq(st.regs.x[0], TESTDEV_BASE + TESTDEV_SCRATCH, "no writeback");
}

Test(nisv, emulate_store_post_index)
{
    struct vcpu_snapshot st = snap(0xb8004409, TESTDEV_BASE + TESTDEV_SCRATCH + 4); /* str w9, [x0], #4 */
    st.regs.x[9] = 0xcafef00d12345678ull;
    struct guest_insn insn;
    char why[200];
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + TESTDEV_SCRATCH + 4, why), 0, "%s", why);
    cr_assert_eq(td_read(TESTDEV_SCRATCH + 4, 4), 0x12345678);
    cr_assert_eq(td_read(TESTDEV_SCRATCH + 8, 4), 0, "only 4 bytes written");
    cr_assert_eq(st.regs.x[0], TESTDEV_BASE + TESTDEV_SCRATCH + 8, "base written back");
}

Test(nisv, emulate_refuses_mismatched_fault_address)
{
    /* The instruction at the PC does not access the faulting IPA: the guest
     * changed its code or KVM and we disagree; never perform it. */
    struct vcpu_snapshot st = snap(0xa9402809, TESTDEV_BASE + TESTDEV_SCRATCH);
    struct guest_insn insn;
    char why[200];
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0x800, why), -1);
    cr_assert(strstr(why, "does not access the faulting address"), "%s", why);
    cr_assert_eq(st.regs.pc, RAM_BASE + 0x2000, "nothing changed");
}

Test(nisv, emulate_refuses_exclusive_and_unmapped)
{
    struct guest_insn insn;
    char why[200];
    struct vcpu_snapshot st = snap(0xc85f7c09, TESTDEV_BASE + TESTDEV_SCRATCH); /* ldxr x9, [x0] */
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(insn.d.reason, A64_R_EXCLUSIVE);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + TESTDEV_SCRATCH, why), -1);
    cr_assert(strstr(why, "not emulated"), "%s", why);

    st = snap(0xa9402809, 0x0c000000); /* ldp from an address no device claims */
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, 0x0c000000, why), -1);
    cr_assert(strstr(why, "hits no device or RAM"), "%s", why);
}

Test(nisv, report_names_instruction_and_reason)
{
    struct vcpu_snapshot st = snap(0xa9402809, TESTDEV_BASE);
    struct guest_insn insn;
    char buf[1024];
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    nisv_report(0xb000110, 0x5, &insn, "stopping", buf, sizeof buf);
    cr_assert(strstr(buf, "isv: guest MMIO access without a valid syndrome at IPA 0xb000110: stopping\n"), "%s", buf);
    cr_assert(strstr(buf, "a9402809  ldp x9, x10, [x0]"), "%s", buf);
    cr_assert(strstr(buf, "isv:   why: pair: "), "%s", buf);
    for (char *l = buf; *l; l = strchr(l, '\n') + 1)
        cr_assert_eq(strncmp(l, "isv:", 4), 0, "every line tagged: %s", l);

    insn.error = "the PC is not in guest RAM";
    nisv_report(0xb000110, 0x5, &insn, "stopping", buf, sizeof buf);
    cr_assert(strstr(buf, "instruction not fetched (the PC is not in guest RAM)"), "%s", buf);
}

Test(nisv, policy_names)
{
    enum nisv_policy p;
    cr_assert_eq(nisv_policy_parse("emulate", &p), 0);
    cr_assert_eq(p, NISV_EMULATE);
    cr_assert_str_eq(nisv_policy_name(p), "emulate");
    cr_assert_eq(nisv_policy_parse("inject", &p), 0);
    cr_assert_eq(p, NISV_INJECT);
    cr_assert_eq(nisv_policy_parse("Stop", &p), -1);
    cr_assert_eq(nisv_policy_parse("", &p), -1);
}

/*
 * Stage-1 permissions (#13 finding 1). A 4K-granule, 39-bit VA map with page
 * descriptors at 0x200000: an EL1 code page, the test device (EL0 read/write,
 * Device memory), an EL1-only RAM page holding a secret, EL0 code (read-only,
 * executable at EL0) and an EL0 RAM page. MAIR: index 0 Device-nGnRnE, 1 Normal.
 */
enum {
    VA_CODE = 0x200000, VA_DEV = 0x201000, VA_SECRET = 0x202000, VA_EL0_CODE = 0x203000,
    VA_EL0_DATA = 0x204000,
};
#define PA_CODE (RAM_BASE + 0x2000)
#define PA_SECRET (RAM_BASE + 0x5000)
#define PA_EL0_CODE (RAM_BASE + 0x3000)
#define PA_EL0_DATA (RAM_BASE + 0x6000)
#define SECRET 0x5ec7e75ec7e75ec7ull
#define AP_EL1_RW 0u
#define AP_ALL_RW 1u
#define AP_EL1_RO 2u
#define AP_ALL_RO 3u
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define PG_L3 (RAM_BASE + 0x12000)

static uint64_t page(uint64_t pa, unsigned ap, unsigned attr, uint64_t xn)
{
    return pa | 3 | (1u << 10) | (uint64_t)ap << 6 | (uint64_t)attr << 2 | xn;
}

static void map(uint64_t va, uint64_t desc)
{
    put64(PG_L3 + ((va >> 12) & 511) * 8, desc);
}

static struct vcpu_snapshot mapped(uint64_t pstate, uint64_t pc, uint32_t word, uint64_t x2)
{
    uint64_t l1 = RAM_BASE + 0x10000, l2 = RAM_BASE + 0x11000;
    put64(l1, l2 | 3);
    put64(l2 + 1 * 8, PG_L3 | 3); /* VA 0x200000..0x3fffff */
    map(VA_CODE, page(PA_CODE, AP_EL1_RW, 1, UXN));
    map(VA_DEV, page(TESTDEV_BASE, AP_ALL_RW, 0, UXN | PXN));
    map(VA_SECRET, page(PA_SECRET, AP_EL1_RW, 1, UXN | PXN));
    map(VA_EL0_CODE, page(PA_EL0_CODE, AP_ALL_RO, 1, PXN));
    map(VA_EL0_DATA, page(PA_EL0_DATA, AP_ALL_RW, 1, UXN | PXN));
    put64(PA_SECRET, SECRET);
    put32(pc == VA_CODE ? PA_CODE : PA_EL0_CODE, word);
    struct vcpu_snapshot st = {.pstate = pstate};
    st.s1 = (struct s1_regs){.sctlr = 1, .tcr = 25 | (1ull << 23), .ttbr0 = l1,
                             .mair = 0xffull << 8};
    st.regs.pc = pc;
    st.regs.x[0] = 0x1111;
    st.regs.x[1] = 0x2222;
    st.regs.x[2] = x2;
    return st;
}

static uint64_t get64(uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, ram_host + (gpa - RAM_BASE), 8);
    return v;
}

/* ldp x0, x1, [x2] from EL0 with x2 8 bytes before the secret page: the first
 * half is the device (allowed, the trapping access), the second EL1-only RAM.
 * The CPU raises a level-3 permission fault; nothing is read. */
Test(nisv, el0_load_pair_cannot_read_el1_memory)
{
    struct vcpu_snapshot st = mapped(0x0, VA_EL0_CODE, 0xa9400440, VA_SECRET - 8);
    struct guest_insn insn;
    char why[200];
    cr_assert_eq(guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn), 0, "%s", insn.error);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0xff8, why), NISV_FAULT, "%s", why);
    cr_assert_eq(fault.va, VA_SECRET);
    cr_assert_eq(fault.dfsc, 0x0f, "permission fault, level 3");
    cr_assert_not(fault.write);
    cr_assert_eq(st.regs.x[0], 0x1111);
    cr_assert_eq(st.regs.x[1], 0x2222, "the secret stays out of x1");
    cr_assert_eq(st.regs.pc, VA_EL0_CODE, "nothing performed");

    /* At EL1 the same access is allowed and performed. */
    st = mapped(0x5, VA_CODE, 0xa9400440, VA_SECRET - 8);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0xff8, why), NISV_DONE, "%s", why);
    cr_assert_eq(st.regs.x[1], SECRET);
}

Test(nisv, el0_store_pair_cannot_write_el1_memory)
{
    td_write(0x100, 8, 0x77);
    struct vcpu_snapshot st = mapped(0x0, VA_EL0_CODE, 0xa9000440, VA_SECRET - 8); /* stp x0, x1, [x2] */
    struct guest_insn insn;
    char why[200];
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0xff8, why), NISV_FAULT, "%s", why);
    cr_assert(fault.write);
    cr_assert_eq(get64(PA_SECRET), SECRET, "the secret is not overwritten");

    /* Read-only for everyone: an EL1 store faults too. */
    map(VA_SECRET, page(PA_SECRET, AP_EL1_RO, 1, UXN | PXN));
    st.pstate = 0x5;
    st.regs.pc = VA_CODE;
    put32(PA_CODE, 0xa9000440);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0xff8, why), NISV_FAULT, "%s", why);
    cr_assert_eq(fault.dfsc, 0x0f);
    cr_assert_eq(get64(PA_SECRET), SECRET);
}

/* The device page is EL0-accessible: PAN forbids EL1's ordinary access to it,
 * but LDTR (checked as EL0) passes; with UAO, LDTR is privileged again. */
Test(nisv, pan_and_unprivileged_loads)
{
    struct guest_insn insn;
    char why[200];
    struct vcpu_snapshot st = mapped(0x5 | PSTATE_PAN, VA_CODE, 0xf9400040, VA_DEV + 0x100);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn); /* ldr x0, [x2] */
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0x100, why), NISV_FAULT, "%s", why);
    cr_assert_eq(fault.dfsc, 0x0f);

    st = mapped(0x5 | PSTATE_PAN, VA_CODE, 0xf8400840, VA_DEV + 0x100); /* ldtr x0, [x2] */
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0x100, why), NISV_DONE, "%s", why);

    /* LDTR at EL1 on EL1-only memory is an EL0 access: it faults... */
    st = mapped(0x5, VA_CODE, 0xf8400840, VA_SECRET);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, PA_SECRET, why), NISV_FAULT, "%s", why);
    /* ...unless PSTATE.UAO makes it privileged. */
    st = mapped(0x5 | PSTATE_UAO, VA_CODE, 0xf8400840, VA_SECRET);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, PA_SECRET, why), NISV_DONE, "%s", why);
    cr_assert_eq(st.regs.x[0], SECRET);
}

Test(nisv, device_memory_alignment)
{
    struct guest_insn insn;
    char why[200];
    struct vcpu_snapshot st = mapped(0x5, VA_CODE, 0xa9400440, VA_DEV + 0x104); /* ldp, 4-aligned */
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0x104, why), NISV_FAULT, "%s", why);
    cr_assert_eq(fault.dfsc, 0x21, "alignment fault");
    cr_assert_eq(fault.va, VA_DEV + 0x104);
    /* Unaligned on Normal memory is fine, but not where it reaches Device memory. */
    st = mapped(0x5, VA_CODE, 0xa9400440, VA_DEV - 4);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE, why), NISV_FAULT, "%s", why);
    cr_assert_eq(fault.dfsc, 0x21);
    /* SCTLR_EL1.A: Normal memory is checked too. */
    st = mapped(0x5, VA_CODE, 0xa9400440, VA_SECRET + 4); /* Normal RAM, 4-aligned */
    st.s1.sctlr |= 2;
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, PA_SECRET + 4, why), NISV_FAULT, "%s", why);
    cr_assert_eq(fault.dfsc, 0x21);
}

/* An unaligned load crossing from one RAM page into a non-contiguous one is
 * taken byte by byte through both translations. */
Test(nisv, ram_access_across_pages)
{
    struct guest_insn insn;
    char why[200];
    struct vcpu_snapshot st = mapped(0x5, VA_CODE, 0xa9400440, VA_EL0_DATA - 4); /* ldp x0, x1 */
    map(VA_EL0_DATA - 0x1000, page(RAM_BASE + 0x9000, AP_EL1_RW, 1, UXN));
    put64(RAM_BASE + 0x9ff8, 0x44332211aaaaaaaaull);
    put64(PA_EL0_DATA, 0xcccccccc88776655ull);
    put64(PA_EL0_DATA + 4, 0x0000000012345678ull);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    /* (The trap would come from a device access; here the IPA is the second page.) */
    cr_assert_eq(emu(&st, &insn, PA_EL0_DATA, why), NISV_DONE, "%s", why);
    cr_assert_eq(st.regs.x[0], 0x8877665544332211ull);
    cr_assert_eq(st.regs.x[1], 0x0000000012345678ull);
}

Test(nisv, refuses_what_cannot_be_the_trapping_instruction)
{
    struct guest_insn insn;
    char why[200];
    /* The syndrome says write, the instruction loads. */
    struct vcpu_snapshot st = mapped(0x5, VA_CODE, 0xa9400440, VA_DEV + 0x100);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(nisv_emulate(&st, &insn, &ram, &bus, TESTDEV_BASE + 0x100, 1u << 6, &fault, why,
                              sizeof why), NISV_REFUSED);
    cr_assert(strstr(why, "the syndrome reports a write"), "%s", why);
    /* A prefetch never aborts. */
    st = mapped(0x5, VA_CODE, 0xf9800040, VA_DEV + 0x100);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0x100, why), NISV_REFUSED);
    /* The second half of a pair may be the trapping one; neither: refused. */
    st = mapped(0x5, VA_CODE, 0xa9400440, VA_DEV + 0x100);
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0x108, why), NISV_DONE, "%s", why);
    st = mapped(0x5, VA_CODE, 0xa9400440, VA_DEV + 0x100);
    cr_assert_eq(emu(&st, &insn, TESTDEV_BASE + 0x110, why), NISV_REFUSED);
    cr_assert(strstr(why, "does not access the faulting address"), "%s", why);
}

Test(nisv, fetch_checks_state_and_execute_permission)
{
    struct guest_insn insn;
    struct vcpu_snapshot st = mapped(0x0, VA_CODE, 0xa9400440, 0);
    cr_assert_eq(guest_fetch_insn(&ram, &st.s1, 0x0, VA_CODE, &insn), -1, "UXN at EL0");
    cr_assert(strstr(insn.error, "not executable"), "%s", insn.error);
    cr_assert_eq(guest_fetch_insn(&ram, &st.s1, 0x5, VA_EL0_CODE, &insn), -1, "PXN at EL1");
    cr_assert_eq(guest_fetch_insn(&ram, &st.s1, 0x0, VA_EL0_CODE, &insn), 0, "%s", insn.error);
    cr_assert_eq(guest_fetch_insn(&ram, &st.s1, 0x10, VA_EL0_CODE, &insn), -1);
    cr_assert(strstr(insn.error, "AArch32"), "%s", insn.error);
}

/* --trace-mmio's hook: each device access the emulator performs, with its
 * value, is told after the device handled it; RAM accesses are not. */
static struct seen {
    uint64_t pa, value;
    unsigned len;
    bool is_write;
    enum bus_status st;
    struct device *dev;
} seen[4];
static unsigned nseen;

static void observe(void *ctx, uint64_t pa, unsigned len, bool is_write, uint64_t value,
                    enum bus_status st, struct device *dev)
{
    cr_assert_eq(ctx, &nseen);
    cr_assert_lt(nseen, 4);
    seen[nseen++] = (struct seen){pa, value, len, is_write, st, dev};
}

Test(nisv, observer_sees_each_device_access)
{
    const struct nisv_observer obs = {.access = observe, .ctx = &nseen};
    struct guest_insn insn;
    char why[200];
    td_write(TESTDEV_SCRATCH, 8, 0x8877665544332211ull);
    td_write(TESTDEV_SCRATCH + 8, 8, 0x00ffeeddccbbaa99ull);
    struct vcpu_snapshot st = snap(0xa9402809, TESTDEV_BASE + TESTDEV_SCRATCH); /* ldp x9, x10, [x0] */
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(nisv_emulate_observed(&st, &insn, &ram, &bus, TESTDEV_BASE + TESTDEV_SCRATCH, 0,
                                       &fault, why, sizeof why, &obs), NISV_DONE, "%s", why);
    cr_assert_eq(nseen, 2, "a pair is two accesses, the probe pass none");
    cr_assert(seen[0].pa == TESTDEV_BASE + TESTDEV_SCRATCH && seen[0].len == 8 && !seen[0].is_write &&
              seen[0].value == 0x8877665544332211ull && seen[0].st == BUS_OK && seen[0].dev == td);
    cr_assert(seen[1].pa == TESTDEV_BASE + TESTDEV_SCRATCH + 8 && seen[1].value == 0x00ffeeddccbbaa99ull);

    nseen = 0;
    st = snap(0xb8004409, TESTDEV_BASE + TESTDEV_SCRATCH + 4); /* str w9, [x0], #4 */
    st.regs.x[9] = 0xcafef00d12345678ull;
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(nisv_emulate_observed(&st, &insn, &ram, &bus, TESTDEV_BASE + TESTDEV_SCRATCH + 4,
                                       1u << 6, &fault, why, sizeof why, &obs), NISV_DONE, "%s", why);
    cr_assert_eq(nseen, 1);
    cr_assert(seen[0].is_write && seen[0].len == 4 && (seen[0].value & 0xffffffff) == 0x12345678);

    nseen = 0;
    st = snap(0xa9402809, RAM_BASE + 0x3000); /* ldp from RAM: not MMIO */
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    cr_assert_eq(nisv_emulate_observed(&st, &insn, &ram, &bus, RAM_BASE + 0x3000, 0, &fault, why,
                                       sizeof why, &obs), NISV_DONE, "%s", why);
    cr_assert_eq(nseen, 0);
}
