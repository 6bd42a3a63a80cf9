/* Decoding, reporting and emulating accesses without a valid syndrome (nisv.h). */
#include "nisv.h"

#include <stdio.h>
#include <string.h>

#include "arm64/esr.h"
#include "arm64/s1perm.h"
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

int guest_fetch_insn(const struct guest_mem *ram, const struct s1_regs *s1, uint64_t pstate,
                     uint64_t pc, struct guest_insn *out)
{
    return guest_fetch_insn_rom(ram, NULL, s1, pstate, pc, out);
}

int guest_fetch_insn_rom(const struct guest_mem *ram, const struct guest_mem *rom,
                         const struct s1_regs *s1, uint64_t pstate, uint64_t pc,
                         struct guest_insn *out)
{
    memset(out, 0, sizeof *out);
    out->pc = pc;
    if (pstate & PSTATE_NRW) {
        out->error = "the vCPU is in AArch32 state (only A64 is decoded)";
        return -1;
    }
    if (pc & 3) {
        out->error = "the PC is not 4-byte aligned";
        return -1;
    }
    struct s1_result w;
    enum s1_fault f = s1_translate(s1, pc, read_pa64, (void *)ram, &w);
    if (f != S1_OK) {
        out->error = s1_fault_name(f);
        return -1;
    }
    /* The CPU executed what trapped; a PC it may not execute at this EL
     * means the tables changed since, and the word there proves nothing. */
    if (!s1_can_execute(s1, &w, pstate)) {
        out->error = "the PC is not executable at the vCPU's exception level";
        return -1;
    }
    out->pa = w.pa;
    uint64_t word;
    if (guest_mem_read(ram, out->pa, 4, &word) &&
        (!rom || !rom->size || guest_mem_read(rom, out->pa, 4, &word))) {
        out->error = rom && rom->size ? "the PC is not in guest RAM or the firmware flash"
                                      : "the PC is not in guest RAM";
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

/*
 * Emulation runs the instruction twice. The probe pass translates and checks
 * every access (stage-1 permissions, alignment, RAM or a device behind it)
 * without touching memory; only when all pass, and one of them is the
 * faulting IPA, does the second pass perform them, at the addresses the probe
 * found. Addresses never depend on loaded data, so both passes agree.
 */
#define EMU_MAX_ACCESSES 2 /* a pair */
#define PAGE_4K 0x1000ull

struct emu_access {
    uint64_t pa, pa2; /* pa2: the second page of an access crossing a 4K boundary */
    unsigned split;   /* bytes in the first page when it crosses, else 0 */
};

struct emu_ctx {
    const struct guest_mem *ram;
    struct bus *bus;
    const struct s1_regs *s1;
    uint64_t pstate, fault_ipa;
    bool unpriv, probing, hits_fault_ipa;
    unsigned n;
    struct emu_access acc[EMU_MAX_ACCESSES];
    struct nisv_fault *fault; /* the first access the CPU would fault on */
    bool faulted;
    const char *error;        /* a reason to refuse */
    const struct nisv_observer *obs; /* or NULL */
};

/* Translate and check the part of an access (at `va`, of `size` bytes) in
 * the page holding `at`; 0, or -1 after recording the fault (or a refusal
 * when it has no architected form). */
static int probe_page(struct emu_ctx *c, uint64_t at, uint64_t va, unsigned size, bool write,
                      uint64_t *pa)
{
    struct s1_result w;
    enum s1_fault f = s1_translate(c->s1, at, read_pa64, (void *)c->ram, &w);
    int dfsc = f != S1_OK ? s1_dfsc_walk(f, w.level) : -1;
    const char *what = s1_fault_name(f);
    if (f == S1_OK) {
        /* A translated address proves the instruction even if it may not
         * make the access: the PA counts against the faulting IPA. */
        c->hits_fault_ipa |= w.pa == c->fault_ipa;
        struct s1_access a = {.va = va, .size = size, .write = write, .unpriv = c->unpriv};
        enum s1_check chk = s1_check_data(c->s1, &w, c->pstate, &a);
        if (chk == S1_CHECK_OK) {
            *pa = w.pa;
            return 0;
        }
        dfsc = s1_dfsc_check(chk, w.level);
        what = s1_check_name(chk);
    }
    if (dfsc < 0) {
        if (!c->error)
            c->error = "the guest's translation configuration is not supported";
    } else if (!c->faulted) {
        c->faulted = true;
        *c->fault = (struct nisv_fault){.va = at, .dfsc = (unsigned)dfsc, .write = write,
                                        .what = what};
    }
    return -1;
}

static bool backed(const struct emu_ctx *c, uint64_t pa, unsigned len)
{
    return guest_mem_ptr(c->ram, pa, len) || bus_find(c->bus, pa, len);
}

static int probe_access(struct emu_ctx *c, uint64_t va, unsigned len, bool write)
{
    if (c->n >= EMU_MAX_ACCESSES) {
        c->error = "the instruction makes more accesses than the emulator expects";
        return -1;
    }
    struct emu_access *a = &c->acc[c->n++];
    uint64_t last = va + len - 1;
    a->split = ((va ^ last) & ~(PAGE_4K - 1)) ? (unsigned)(PAGE_4K - (va & (PAGE_4K - 1))) : 0;
    /* Keep probing after a fault: the faulting IPA may be a later access. */
    if (probe_page(c, va, va, len, write, &a->pa) == 0) {
        if (!a->split && !backed(c, a->pa, len) && !c->error)
            c->error = "an access of the instruction hits no device or RAM";
    }
    if (a->split && probe_page(c, va + a->split, va, len, write, &a->pa2) == 0) {
        /* Across a page boundary only RAM is taken byte by byte. */
        if (!c->faulted && !c->error &&
            (!guest_mem_ptr(c->ram, a->pa, a->split) ||
             !guest_mem_ptr(c->ram, a->pa2, len - a->split)))
            c->error = "an access crossing a page boundary outside RAM is not emulated";
    }
    return 0;
}

static int perform(struct emu_ctx *c, unsigned len, bool is_write, uint64_t *v)
{
    const struct emu_access *a = &c->acc[c->n++];
    if (a->split) { /* RAM on both sides (probed): byte by byte, little-endian */
        uint64_t val = is_write ? *v : 0;
        for (unsigned i = 0; i < len; i++) {
            uint64_t pa = i < a->split ? a->pa + i : a->pa2 + (i - a->split), b = val >> (8 * i);
            if (is_write ? guest_mem_write(c->ram, pa, 1, b & 0xff) : guest_mem_read(c->ram, pa, 1, &b))
                return -1;
            if (!is_write)
                val |= (b & 0xff) << (8 * i);
        }
        *v = val;
        return 0;
    }
    if (is_write ? guest_mem_write(c->ram, a->pa, len, *v) == 0
                 : guest_mem_read(c->ram, a->pa, len, v) == 0)
        return 0; /* guest RAM */
    struct device *dev;
    enum bus_status st = bus_access(c->bus, a->pa, len, is_write, v, &dev);
    if (c->obs)
        c->obs->access(c->obs->ctx, a->pa, len, is_write, *v, st, dev);
    if (st != BUS_OK) {
        c->error = st == BUS_UNMAPPED ? "an access of the instruction hits no device or RAM"
                                      : "an access width the bus does not support";
        return -1;
    }
    return 0;
}

static int emu_read(void *ctx, uint64_t va, unsigned len, uint64_t *val)
{
    struct emu_ctx *c = ctx;
    *val = 0;
    return c->probing ? probe_access(c, va, len, false) : perform(c, len, false, val);
}

static int emu_write(void *ctx, uint64_t va, unsigned len, uint64_t val)
{
    struct emu_ctx *c = ctx;
    return c->probing ? probe_access(c, va, len, true) : perform(c, len, true, &val);
}

#define ISS_WNR (1ull << 6)

int nisv_emulate(struct vcpu_snapshot *st, const struct guest_insn *insn,
                 const struct guest_mem *ram, struct bus *bus, uint64_t fault_ipa,
                 uint64_t esr_iss, struct nisv_fault *fault, char *why, size_t whylen)
{
    return nisv_emulate_observed(st, insn, ram, bus, fault_ipa, esr_iss, fault, why, whylen, NULL);
}

int nisv_emulate_observed(struct vcpu_snapshot *st, const struct guest_insn *insn,
                          const struct guest_mem *ram, struct bus *bus, uint64_t fault_ipa,
                          uint64_t esr_iss, struct nisv_fault *fault, char *why, size_t whylen,
                          const struct nisv_observer *obs)
{
    if (insn->error) {
        snprintf(why, whylen, "instruction not fetched: %s", insn->error);
        return NISV_REFUSED;
    }
    const struct a64_ldst *d = &insn->d;
    /* The syndrome's direction must be the instruction's (WnR is valid with
     * ISV=0); a prefetch never aborts. Either means it is not what trapped. */
    bool wnr = esr_iss & ISS_WNR;
    if ((d->reasons & (1u << A64_R_PREFETCH)) || (d->access == A64_ACC_LOAD && wnr) ||
        (d->access == A64_ACC_STORE && !wnr)) {
        snprintf(why, whylen, "the syndrome reports a %s, the instruction at the PC does not",
                 wnr ? "write" : "read");
        return NISV_REFUSED;
    }
    struct emu_ctx c = {.ram = ram, .bus = bus, .s1 = &st->s1, .pstate = st->pstate,
                        .fault_ipa = fault_ipa, .unpriv = d->unpriv, .probing = true,
                        .fault = fault, .obs = obs};
    struct a64_mem mem = {.read = emu_read, .write = emu_write, .ctx = &c};
    struct a64_regs regs = st->regs;
    const char *reason = NULL;
    uint64_t fault_va = 0;
    if (a64_emulate(d, &regs, &mem, &reason, &fault_va) == A64_EMU_REFUSED) {
        snprintf(why, whylen, "not emulated: %s", reason ? reason : "unsupported instruction");
        return NISV_REFUSED;
    }
    /* Proof that this is the instruction that trapped, even for a fault. */
    if (!c.hits_fault_ipa && !c.error)
        c.error = "the decoded instruction does not access the faulting address";
    if (c.error) {
        snprintf(why, whylen, "%s", c.error);
        return NISV_REFUSED;
    }
    if (c.faulted)
        return NISV_FAULT;

    regs = st->regs;
    c.probing = false;
    c.n = 0;
    if (a64_emulate(d, &regs, &mem, &reason, &fault_va) != A64_EMU_OK) {
        snprintf(why, whylen, "access at 0x%llx failed: %s", (unsigned long long)fault_va,
                 c.error ? c.error : "memory error");
        return NISV_REFUSED;
    }
    st->regs = regs;
    return NISV_DONE;
}

int nisv_policy_parse(const char *s, enum nisv_policy *out)
{
    static const char *const names[] = {"stop", "inject", "emulate", "audit"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum nisv_policy)i;
            return 0;
        }
    return -1;
}

const char *nisv_policy_name(enum nisv_policy p)
{
    return p == NISV_STOP ? "stop" : p == NISV_INJECT ? "inject" : p == NISV_EMULATE ? "emulate" : "audit";
}
