/*
 * isv.test=forms: run load/store forms from form_insns.S against the test device's
 * scratch memory and check loaded values, stored bytes and base writeback
 * against what the architecture specifies. isv.forms= picks them: a comma list
 * of names, or the groups "isv1" (valid syndrome, incl. sign-extending),
 * "nisv" (no valid syndrome, emulatable) and "all" (both).
 * With isv.abort=expect, a data abort on a form is caught and reported (the
 * VMM's --nisv=inject) instead of being fatal.
 */
#include <libfdt.h>

#include "drivers/testdev_regs.h"
#include "guest.h"

int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

typedef void form_fn(uint64_t addr, uint64_t io[3]);
#define F(n) extern form_fn form_##n;
F(ldrb) F(ldrh) F(ldr_w) F(ldr_x) F(ldr_w_off) F(strb) F(strh) F(str_w) F(str_x) F(str_xzr)
F(ldrsb_w) F(ldrsb_x) F(ldrsh_w) F(ldrsh_x) F(ldrsw) F(ldp_w) F(ldp_x) F(stp_w) F(stp_x)
F(ldpsw) F(ldr_x_post) F(ldr_w_pre) F(str_w_post) F(str_x_pre) F(ldrb_post) F(ldrsh_pre)
F(ldp_x_post) F(stp_w_pre) F(ldxr)
#undef F

enum group { ISV1, NISV, OTHER };

struct form {
    const char *name, *asm_text;
    form_fn *fn;
    enum group group;
    bool store, sign, wreg, pair;
    unsigned size;  /* bytes per register */
    int offset;     /* address used, relative to the base */
    int writeback;  /* base change */
};

#define LD(n, t, g, sz, sg, w, off, wb) {#n, t, form_##n, g, false, sg, w, false, sz, off, wb}
#define ST(n, t, g, sz, off, wb) {#n, t, form_##n, g, true, false, false, false, sz, off, wb}
#define LDP(n, t, sz, sg, w, off, wb) {#n, t, form_##n, NISV, false, sg, w, true, sz, off, wb}
#define STP(n, t, sz, off, wb) {#n, t, form_##n, NISV, true, false, false, true, sz, off, wb}

static const struct form forms[] = {
    LD(ldrb, "ldrb w9, [x0]", ISV1, 1, false, true, 0, 0),
    LD(ldrh, "ldrh w9, [x0]", ISV1, 2, false, true, 0, 0),
    LD(ldr_w, "ldr w9, [x0]", ISV1, 4, false, true, 0, 0),
    LD(ldr_x, "ldr x9, [x0]", ISV1, 8, false, false, 0, 0),
    LD(ldr_w_off, "ldr w9, [x0, #8]", ISV1, 4, false, true, 8, 0),
    ST(strb, "strb w9, [x0]", ISV1, 1, 0, 0),
    ST(strh, "strh w9, [x0]", ISV1, 2, 0, 0),
    ST(str_w, "str w9, [x0]", ISV1, 4, 0, 0),
    ST(str_x, "str x9, [x0]", ISV1, 8, 0, 0),
    ST(str_xzr, "str xzr, [x0]", ISV1, 8, 0, 0),
    LD(ldrsb_w, "ldrsb w9, [x0]", ISV1, 1, true, true, 0, 0),
    LD(ldrsb_x, "ldrsb x9, [x0]", ISV1, 1, true, false, 0, 0),
    LD(ldrsh_w, "ldrsh w9, [x0]", ISV1, 2, true, true, 0, 0),
    LD(ldrsh_x, "ldrsh x9, [x0]", ISV1, 2, true, false, 0, 0),
    LD(ldrsw, "ldrsw x9, [x0]", ISV1, 4, true, false, 0, 0),
    LDP(ldp_w, "ldp w9, w10, [x0]", 4, false, true, 0, 0),
    LDP(ldp_x, "ldp x9, x10, [x0]", 8, false, false, 0, 0),
    STP(stp_w, "stp w9, w10, [x0]", 4, 0, 0),
    STP(stp_x, "stp x9, x10, [x0]", 8, 0, 0),
    LDP(ldpsw, "ldpsw x9, x10, [x0]", 4, true, false, 0, 0),
    LD(ldr_x_post, "ldr x9, [x0], #8", NISV, 8, false, false, 0, 8),
    LD(ldr_w_pre, "ldr w9, [x0, #4]!", NISV, 4, false, true, 4, 4),
    ST(str_w_post, "str w9, [x0], #4", NISV, 4, 0, 4),
    ST(str_x_pre, "str x9, [x0, #-8]!", NISV, 8, -8, -8),
    LD(ldrb_post, "ldrb w9, [x0], #1", NISV, 1, false, true, 0, 1),
    LD(ldrsh_pre, "ldrsh x9, [x0, #2]!", NISV, 2, true, false, 2, 2),
    LDP(ldp_x_post, "ldp x9, x10, [x0], #16", 8, false, false, 0, 16),
    STP(stp_w_pre, "stp w9, w10, [x0, #8]!", 4, 8, 8),
    LD(ldxr, "ldxr x9, [x0]", OTHER, 8, false, false, 0, 0),
};

/* Scratch layout: the forms use base = scratch + 16, so offsets -16..+31 stay inside. */
#define BASE_OFF 16
#define SPAN 48

static uint8_t pattern(unsigned i)
{
    return (uint8_t)(0x81 + 0x13 * i); /* byte 0 is negative as a signed byte */
}

static uint64_t extract(const uint8_t *bytes, unsigned size, bool sign, bool wreg)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)bytes[i] << (8 * i);
    if (sign && size < 8 && (v >> (8 * size - 1)) & 1)
        v |= ~0ull << (8 * size);
    return wreg ? (v & 0xffffffffull) : v;
}

static bool selected(const struct form *f, const char *sel)
{
    if (strcmp(sel, "all") == 0)
        return f->group != OTHER;
    if (strcmp(sel, "isv1") == 0)
        return f->group == ISV1;
    if (strcmp(sel, "nisv") == 0)
        return f->group == NISV;
    size_t n = strlen(f->name);
    for (const char *p = sel; *p;) {
        if (strncmp(p, f->name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
    return false;
}

static int run_form(struct testdev_regs MMIO_PTR *t, const struct form *f)
{
    uint8_t before[SPAN], after[SPAN], expect[SPAN];
    for (unsigned i = 0; i < SPAN; i++) {
        before[i] = f->store ? 0 : pattern(i);
        mmio_write(mmio_elem(t, scratch8, i), before[i]);
        expect[i] = before[i];
    }
    uint64_t base = (uint64_t)(uintptr_t)mmio_elem(t, scratch8, BASE_OFF);
    uint64_t io[3] = {0x1122334455667788ull ^ (uint64_t)f->size, 0x99aabbccddeeff00ull, 0};
    const uint64_t in0 = io[0], in1 = io[1];
    unsigned at = (unsigned)(BASE_OFF + f->offset);

    abort_expect();
    f->fn(base, io);
    uint64_t esr;
    if (abort_taken(&esr)) {
        /* Bits [63:32] are ISS2 and RES0; KVM's injected abort was seen to set them. */
        kprintf("isv guest: form %-10s %-24s data abort taken, ESR_EL1 0x%x%s\n", f->name,
                f->asm_text, (unsigned)esr, esr >> 32 ? " (bits [63:32] set)" : "");
        return 2;
    }
    for (unsigned i = 0; i < SPAN; i++)
        after[i] = mmio_read(mmio_elem(t, scratch8, i));

    uint64_t want0 = in0, want1 = in1;
    if (f->store) {
        uint64_t v0 = strcmp(f->name, "str_xzr") == 0 ? 0 : in0;
        for (unsigned i = 0; i < f->size; i++) {
            expect[at + i] = (uint8_t)(v0 >> (8 * i));
            if (f->pair)
                expect[at + f->size + i] = (uint8_t)(in1 >> (8 * i));
        }
    } else {
        want0 = extract(&before[at], f->size, f->sign, f->wreg);
        if (f->pair)
            want1 = extract(&before[at + f->size], f->size, f->sign, f->wreg);
    }
    uint64_t want_base = base + (uint64_t)(int64_t)f->writeback;
    int bad = 0;
    if (io[0] != want0 || io[1] != want1) {
        kprintf("isv guest: form %s: registers 0x%lx 0x%lx, expected 0x%lx 0x%lx\n", f->name,
                (unsigned long)io[0], (unsigned long)io[1], (unsigned long)want0,
                (unsigned long)want1);
        bad = 1;
    }
    for (unsigned i = 0; i < SPAN; i++)
        if (after[i] != expect[i]) {
            kprintf("isv guest: form %s: scratch byte %u is 0x%x, expected 0x%x\n", f->name, i,
                    after[i], expect[i]);
            bad = 1;
            break;
        }
    if (io[2] != want_base) {
        kprintf("isv guest: form %s: base 0x%lx after the access, expected 0x%lx\n", f->name,
                (unsigned long)io[2], (unsigned long)want_base);
        bad = 1;
    }
    kprintf("isv guest: form %-10s %-24s %s\n", f->name, f->asm_text, bad ? "WRONG" : "ok");
    return bad;
}

int test_forms(const void *dtb)
{
    char sel[128];
    if (!dt_bootarg(dtb, "isv.forms", sel, sizeof sel))
        memcpy(sel, "all", sizeof "all");
    int node = fdt_node_offset_by_compatible(dtb, -1, "isv,testdev");
    uint64_t base, size;
    if (node < 0 || dt_reg(dtb, node, &base, &size) != 0) {
        kprintf("isv guest: forms need the isv,testdev device\n");
        return 1;
    }
    char mode[16];
    abort_catch(dt_bootarg(dtb, "isv.abort", mode, sizeof mode) && strcmp(mode, "expect") == 0);
    struct testdev_regs MMIO_PTR *t = mmio_claim(struct testdev_regs, (uintptr_t)base);
    unsigned ok = 0, bad = 0, aborted = 0;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (!selected(&forms[i], sel))
            continue;
        int r = run_form(t, &forms[i]);
        ok += r == 0;
        bad += r == 1;
        aborted += r == 2;
    }
    kprintf("isv guest: forms: %u ok, %u wrong, %u aborted\n", ok, bad, aborted);
    return bad != 0 || ok + aborted == 0;
}
