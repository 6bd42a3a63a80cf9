/* Accesses without a valid syndrome: instruction fetch through stage 1, the
 * report, and emulation against fake guest RAM and a real bus with the test
 * device on it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../vmm/board.h"
#include "../../devices/testdev.h"
#include "../../vmm/bus.h"
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
    cr_assert_eq(guest_fetch_insn(&ram, &s1, RAM_BASE + 0x1000, &insn), 0);
    cr_assert_eq(insn.word, 0xa9402809);
    cr_assert_eq(insn.pa, RAM_BASE + 0x1000);
    cr_assert_eq(insn.d.reason, A64_R_PAIR);

    cr_assert_eq(guest_fetch_insn(&ram, &s1, RAM_BASE + 0x1002, &insn), -1);
    cr_assert_str_eq(insn.error, "the PC is not 4-byte aligned");
    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x1000, &insn), -1);
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
    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x200010, &insn), 0, "%s", insn.error);
    cr_assert_eq(insn.pa, RAM_BASE + 0x200010);
    cr_assert_eq(insn.word, 0xb8004409);
    cr_assert_eq(guest_fetch_insn(&ram, &s1, 0x400000, &insn), -1, "unmapped VA");
    cr_assert_not_null(insn.error);
}

static struct vcpu_snapshot snap(uint32_t word, uint64_t x0)
{
    struct vcpu_snapshot st = {0};
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
    cr_assert_eq(guest_fetch_insn(&ram, &st.s1, st.regs.pc, &insn), 0);
    cr_assert_eq(nisv_emulate(&st, &insn, &ram, &bus, TESTDEV_BASE + TESTDEV_SCRATCH, why,
                              sizeof why), 0, "%s", why);
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
    guest_fetch_insn(&ram, &st.s1, st.regs.pc, &insn);
    cr_assert_eq(nisv_emulate(&st, &insn, &ram, &bus, TESTDEV_BASE + TESTDEV_SCRATCH + 4, why,
                              sizeof why), 0, "%s", why);
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
    guest_fetch_insn(&ram, &st.s1, st.regs.pc, &insn);
    cr_assert_eq(nisv_emulate(&st, &insn, &ram, &bus, TESTDEV_BASE + 0x800, why, sizeof why), -1);
    cr_assert(strstr(why, "does not access the faulting address"), "%s", why);
    cr_assert_eq(st.regs.pc, RAM_BASE + 0x2000, "nothing changed");
}

Test(nisv, emulate_refuses_exclusive_and_unmapped)
{
    struct guest_insn insn;
    char why[200];
    struct vcpu_snapshot st = snap(0xc85f7c09, TESTDEV_BASE + TESTDEV_SCRATCH); /* ldxr x9, [x0] */
    guest_fetch_insn(&ram, &st.s1, st.regs.pc, &insn);
    cr_assert_eq(insn.d.reason, A64_R_EXCLUSIVE);
    cr_assert_eq(nisv_emulate(&st, &insn, &ram, &bus, TESTDEV_BASE + TESTDEV_SCRATCH, why,
                              sizeof why), -1);
    cr_assert(strstr(why, "not emulated"), "%s", why);

    st = snap(0xa9402809, 0x0c000000); /* ldp from an address no device claims */
    guest_fetch_insn(&ram, &st.s1, st.regs.pc, &insn);
    cr_assert_eq(nisv_emulate(&st, &insn, &ram, &bus, 0x0c000000, why, sizeof why), -1);
    cr_assert(strstr(why, "hits no device or RAM"), "%s", why);
}

Test(nisv, report_names_instruction_and_reason)
{
    struct vcpu_snapshot st = snap(0xa9402809, TESTDEV_BASE);
    struct guest_insn insn;
    char buf[1024];
    guest_fetch_insn(&ram, &st.s1, st.regs.pc, &insn);
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
