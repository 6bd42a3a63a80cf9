/* Decoding, reporting and emulating accesses without a valid syndrome (nisv.h). */
#include "nisv.h"

#include <stdio.h>
#include <string.h>

#include "arm64/esr.h"
#include "bus.h"

static int read_pa64(void *ctx, uint64_t pa, uint64_t *val)
{
    return guest_mem_read(ctx, pa, 8, val);
}

int guest_va_to_pa(const struct guest_mem *ram, const struct s1_regs *s1, uint64_t va,
                   uint64_t *pa, const char **why)
{
    struct s1_result r;
    enum s1_fault f = s1_translate(s1, va, read_pa64, (void *)ram, &r);
    if (f != S1_OK) {
        *why = s1_fault_name(f);
        return -1;
    }
    *pa = r.pa;
    return 0;
}

int guest_fetch_insn(const struct guest_mem *ram, const struct s1_regs *s1, uint64_t pc,
                     struct guest_insn *out)
{
    memset(out, 0, sizeof *out);
    out->pc = pc;
    if (pc & 3) {
        out->error = "the PC is not 4-byte aligned";
        return -1;
    }
    if (guest_va_to_pa(ram, s1, pc, &out->pa, &out->error))
        return -1;
    uint64_t word;
    if (guest_mem_read(ram, out->pa, 4, &word)) {
        out->error = "the PC is not in guest RAM";
        return -1;
    }
    out->word = (uint32_t)word;
    a64_decode(out->word, &out->d);
    return 0;
}

size_t nisv_report(uint64_t ipa, uint64_t esr_iss, const struct guest_insn *insn,
                   const char *action, char *buf, size_t size)
{
    char dis[96], syn[160];
    esr_nisv_format(esr_iss, syn, sizeof syn);
    size_t n = (size_t)snprintf(buf, size,
                                "isv: guest MMIO access without a valid syndrome at IPA 0x%llx: %s\n",
                                (unsigned long long)ipa, action);
    if (n >= size)
        return n;
    if (insn->error) {
        n += (size_t)snprintf(buf + n, size - n,
                              "isv:   pc 0x%llx: instruction not fetched (%s)\n"
                              "isv:   syndrome: %s\n",
                              (unsigned long long)insn->pc, insn->error, syn);
        return n;
    }
    a64_format(&insn->d, insn->pc, dis, sizeof dis);
    n += (size_t)snprintf(buf + n, size - n,
                          "isv:   pc 0x%llx (pa 0x%llx): %08x  %s\n"
                          "isv:   syndrome: %s\n"
                          "isv:   why: %s: %s\n",
                          (unsigned long long)insn->pc, (unsigned long long)insn->pa, insn->word,
                          dis, syn, a64_reason_tag(insn->d.reason), a64_reason_desc(insn->d.reason));
    return n;
}

struct emu_ctx {
    const struct guest_mem *ram;
    struct bus *bus;
    const struct s1_regs *s1;
    uint64_t fault_ipa;
    bool first_done;
    const char *error;
};

/* Route one access of the emulated instruction: RAM, or a device on the bus. */
static int emu_access(struct emu_ctx *c, uint64_t va, unsigned len, bool is_write, uint64_t *v)
{
    uint64_t pa;
    if (guest_va_to_pa(c->ram, c->s1, va, &pa, &c->error))
        return -1;
    if (!c->first_done) {
        /* The instruction must be the one that faulted: its first access is the IPA. */
        c->first_done = true;
        if (pa != c->fault_ipa) {
            c->error = "the decoded instruction does not access the faulting address";
            return -1;
        }
    }
    if (is_write ? guest_mem_write(c->ram, pa, len, *v) == 0
                 : guest_mem_read(c->ram, pa, len, v) == 0)
        return 0; /* guest RAM */
    enum bus_status st = bus_access(c->bus, pa, len, is_write, v, NULL);
    if (st != BUS_OK) {
        c->error = st == BUS_UNMAPPED ? "an access of the instruction hits no device or RAM"
                                      : "an access width the bus does not support";
        return -1;
    }
    return 0;
}

static int emu_read(void *ctx, uint64_t va, unsigned len, uint64_t *val)
{
    return emu_access(ctx, va, len, false, val);
}

static int emu_write(void *ctx, uint64_t va, unsigned len, uint64_t val)
{
    return emu_access(ctx, va, len, true, &val);
}

int nisv_emulate(struct vcpu_snapshot *st, const struct guest_insn *insn,
                 const struct guest_mem *ram, struct bus *bus, uint64_t fault_ipa, char *why,
                 size_t whylen)
{
    if (insn->error) {
        snprintf(why, whylen, "instruction not fetched: %s", insn->error);
        return -1;
    }
    struct emu_ctx c = {.ram = ram, .bus = bus, .s1 = &st->s1, .fault_ipa = fault_ipa};
    struct a64_mem mem = {.read = emu_read, .write = emu_write, .ctx = &c};
    struct a64_regs regs = st->regs;
    const char *reason = NULL;
    uint64_t fault_va = 0;
    switch (a64_emulate(&insn->d, &regs, &mem, &reason, &fault_va)) {
    case A64_EMU_OK:
        st->regs = regs;
        return 0;
    case A64_EMU_REFUSED:
        snprintf(why, whylen, "not emulated: %s", reason ? reason : "unsupported instruction");
        return -1;
    default:
        snprintf(why, whylen, "access at 0x%llx failed: %s", (unsigned long long)fault_va,
                 c.error ? c.error : "memory error");
        return -1;
    }
}

int nisv_policy_parse(const char *s, enum nisv_policy *out)
{
    static const char *const names[] = {"stop", "inject", "emulate"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum nisv_policy)i;
            return 0;
        }
    return -1;
}

const char *nisv_policy_name(enum nisv_policy p)
{
    return p == NISV_STOP ? "stop" : p == NISV_INJECT ? "inject" : "emulate";
}
