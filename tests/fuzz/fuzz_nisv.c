/*
 * libFuzzer harness: what isv does with a KVM_EXIT_ARM_NISV, on a fuzzed vCPU
 * state and fuzzed guest RAM (which holds the guest's page tables and the
 * faulting instruction): the ESR decoders and formatters, the A64 decoder and
 * formatter, the stage-1 walk and permission checks, the instruction fetch,
 * the report, the emulation against RAM and a test device on the bus, and
 * the data-abort entry the VMM would deliver for a fault.
 *
 * Input: 42 little-endian u64 -- x0..x30, sp, pc, pstate, SCTLR, TCR, TTBR0,
 * TTBR1, MAIR, a full ESR, the NISV syndrome (esr_iss), the faulting IPA --
 * then the first bytes of 64 KiB of RAM at 0x40000000 (the rest is zero).
 * VBAR_EL1 for the abort entry is x30. Checked: formatters terminate and
 * count right, an emulated instruction advances the PC by 4, and a fault is
 * taken at the faulting PC and address.
 */
#include <stdlib.h>
#include <string.h>

#include "../../devices/testdev.h"
#include "../../vmm/arm64/esr.h"
#include "../../vmm/arm64/exception.h"
#include "../../vmm/arm64/s1perm.h"
#include "../../vmm/board.h"
#include "../../vmm/bus.h"
#include "../../vmm/nisv.h"
#include "fuzz_input.h"

#define RAM_SIZE 0x10000ull

static uint8_t ram_bytes[RAM_SIZE];
static const struct guest_mem ram = {.host = ram_bytes, .base = RAM_BASE, .size = RAM_SIZE};
static struct device_host host;
static struct bus bus;

/* snprintf-like formatters: NUL-terminated, and the length they claim. */
static void check_fmt(const char *buf, size_t size, size_t n)
{
    if (strlen(buf) != (n < size ? n : size - 1))
        abort();
}

static int read_pa64(void *ctx, uint64_t pa, uint64_t *val)
{
    return guest_mem_read(ctx, pa, 8, val);
}

/* The emulator on its own, with VA = PA straight into RAM. */
static int mem_read(void *ctx, uint64_t va, unsigned len, uint64_t *val)
{
    return guest_mem_read(ctx, va, len, val);
}

static int mem_write(void *ctx, uint64_t va, unsigned len, uint64_t val)
{
    return guest_mem_write(ctx, va, len, val);
}

static void decoders(uint64_t esr, uint64_t esr_iss, uint32_t word, const struct a64_regs *regs)
{
    char buf[256], small[7];
    struct esr_info info;
    struct esr_dabt dabt;
    struct esr_nisv nv;
    struct esr_fsc fsc;
    esr_decode(esr, &info);
    esr_dabt_decode(esr, &dabt);
    esr_fsc_decode((unsigned)esr & 0x3f, &fsc);
    esr_nisv_decode(esr_iss, &nv);
    check_fmt(buf, sizeof buf, esr_format(esr, buf, sizeof buf));
    check_fmt(small, sizeof small, esr_format(esr, small, sizeof small));
    check_fmt(buf, sizeof buf, esr_fsc_format((unsigned)esr & 0x3f, buf, sizeof buf));
    check_fmt(buf, sizeof buf, esr_nisv_format(esr_iss, buf, sizeof buf));

    struct a64_ldst d;
    a64_decode(word, &d);
    check_fmt(buf, sizeof buf, a64_format(&d, regs->pc, buf, sizeof buf));
    check_fmt(small, sizeof small, a64_format(&d, regs->pc, small, sizeof small));
    a64_iss_bits(&d.iss);
    if (a64_sign_extending_load(&d))
        a64_fix_sign_extension(&d, regs->x[0]);
    a64_address(&d, regs);

    struct a64_regs r = *regs;
    struct a64_mem m = {.read = mem_read, .write = mem_write, .ctx = (void *)&ram};
    const char *why;
    uint64_t fault_va;
    if (a64_emulate(&d, &r, &m, &why, &fault_va) == A64_EMU_OK && r.pc != regs->pc + 4)
        abort();
}

/* Every kind of data access the checks distinguish, at va. */
static void walk(const struct vcpu_snapshot *st, uint64_t va)
{
    struct s1_result w;
    if (s1_translate(&st->s1, va, read_pa64, (void *)&ram, &w) != S1_OK) {
        s1_dfsc_walk(w.fault, w.level);
        return;
    }
    s1_is_device(&st->s1, &w);
    s1_can_execute(&st->s1, &w, st->pstate);
    for (unsigned k = 0; k < 16; k++) {
        struct s1_access a = {.va = va, .size = 1u << (k & 3), .write = k & 4, .unpriv = k & 8};
        s1_dfsc_check(s1_check_data(&st->s1, &w, st->pstate, &a), w.level);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!bus.n) {
        struct device *td = testdev_create(TESTDEV_BASE, &host);
        if (!td || bus_add(&bus, td))
            abort();
    }
    struct fz f = {data, size};
    struct vcpu_snapshot st;
    memset(&st, 0, sizeof st);
    for (unsigned i = 0; i < 31; i++)
        st.regs.x[i] = fz_u64(&f);
    st.regs.sp = fz_u64(&f);
    st.regs.pc = fz_u64(&f);
    st.pstate = fz_u64(&f);
    st.s1.sctlr = fz_u64(&f);
    st.s1.tcr = fz_u64(&f);
    st.s1.ttbr0 = fz_u64(&f);
    st.s1.ttbr1 = fz_u64(&f);
    st.s1.mair = fz_u64(&f);
    uint64_t esr = fz_u64(&f), esr_iss = fz_u64(&f), ipa = fz_u64(&f);
    const uint8_t *p;
    size_t n = fz_bytes(&f, RAM_SIZE, &p);
    memcpy(ram_bytes, p, n);
    memset(ram_bytes + n, 0, RAM_SIZE - n);

    uint32_t word; /* the word at the PC (wrapped into RAM) */
    memcpy(&word, ram_bytes + ((st.regs.pc - RAM_BASE) & (RAM_SIZE - 4)), 4);
    decoders(esr, esr_iss, word, &st.regs);
    walk(&st, st.regs.x[0]);

    uint64_t pa;
    const char *why;
    guest_va_to_pa(&ram, &st.s1, st.regs.x[1], &pa, &why);

    struct guest_insn insn;
    guest_fetch_insn(&ram, &st.s1, st.pstate, st.regs.pc, &insn);
    char report[1024], small[40];
    check_fmt(report, sizeof report, nisv_report(ipa, esr_iss, &insn, "stopping", report, sizeof report));
    check_fmt(small, sizeof small, nisv_report(ipa, esr_iss, &insn, "stopping", small, sizeof small));

    struct nisv_fault fault;
    char reason[200];
    uint64_t pc = st.regs.pc;
    int r = nisv_emulate(&st, &insn, &ram, &bus, ipa, esr_iss, &fault, reason, sizeof reason);
    if (r == NISV_DONE && st.regs.pc != pc + 4)
        abort();
    if (r == NISV_FAULT) {
        struct a64_exc_entry e = a64_data_abort_entry(st.pstate, pc, st.s1.sctlr, st.regs.x[30],
                                                      fault.va, fault.dfsc, fault.write);
        if (e.elr != pc || e.far != fault.va)
            abort();
    }
    return 0;
}
