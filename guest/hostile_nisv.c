/*
 * Hostile suite: accesses without a valid syndrome against every device.
 * Under --nisv=emulate (group main) pairs and writeback forms must do what
 * the architecture says, including a pair whose halves land in two devices;
 * under --nisv=inject (group inject) every form -- exclusives, LSE atomics,
 * SIMD&FP, pairs -- on every device, the vGIC included, must be an external
 * data abort that changes nothing. The attacks that end the run are here
 * too (hostile_final_attacks).
 */
#include "hostile.h"

typedef void form_fn(uint64_t addr, uint64_t io[4]);
/* form_insns.S (the forms test): pairs and writeback. */
extern form_fn form_ldp_w, form_ldp_x, form_stp_w, form_stp_x, form_ldr_w_pre, form_str_w_post,
    form_ldpsw, form_ldrb_post, form_ldp_x_post;
/* hostile_insns.S */
extern form_fn hform_ldxr_w, hform_stxr_w, hform_ldaxr_x, hform_stlxr_x, hform_ldxp_x,
    hform_stxp_x, hform_ldadd_w, hform_swp_w, hform_cas_w, hform_stadd_w, hform_ldsetal_x,
    hform_ldr_q, hform_str_q, hform_ldr_s, hform_ld1_4s, hform_ldp_q, hform_ldar_w, hform_stlr_w;

#define MAGIC 0x74726976u
#define VENDOR 0x20565349u
#define TESTDEV_ID 0x54565349u

/* Run a form with aborts caught: 1 if it aborted (ESR in *esr). */
static int run(form_fn *fn, uint64_t addr, uint64_t io[4], uint64_t *esr)
{
    abort_expect();
    fn(addr, io);
    return abort_taken(esr);
}

/* ---- group main (--nisv=emulate) ---- */

static bool pair_across(char *got, size_t len)
{
    unsigned pairs = 0, good = 0;
    for (unsigned k = 0; k + 1 < H.nvirtio; k++) {
        uint64_t a = H.virtio[k]->base + 0x1fc, next = H.virtio[k + 1]->base;
        if (a + 4 != next)
            continue;
        pairs++;
        uint64_t esr, io[4] = {0, 0, 0, 0};
        uint32_t first = r32(a); /* what a single access to the first half reads */
        int ab = run(form_ldp_w, a, io, &esr);
        bool ok = !ab && io[0] == first && io[1] == MAGIC;
        uint64_t st[4] = {0x11111111, 0x22222222, 0, 0};
        ab |= run(form_stp_w, a, st, &esr);
        ok &= !ab && r32(next) == MAGIC;
        if (!ok)
            hostile_say(got, len, "slots 0x%lx/0x%lx: ldp read 0x%lx 0x%lx%s; ", (unsigned long)a,
                        (unsigned long)next, (unsigned long)io[0], (unsigned long)io[1],
                        ab ? ", aborted" : "");
        good += ok;
    }
    hostile_say(got, len, "%u of %u slot boundaries: ldp w got (its own device's word, the next "
                "slot's MagicValue), stp w left MagicValue alone", good, pairs);
    return pairs && good == pairs;
}

struct row {
    const char *dev, *form;
    uint64_t addr;
    form_fn *fn;
    uint64_t in0, in1, want0, want1;
    int wb; /* base change */
};

static unsigned check_rows(const struct row *r, unsigned n, char *got, size_t len)
{
    unsigned good = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t esr, io[4] = {r[i].in0, r[i].in1, 0, 0};
        int ab = run(r[i].fn, r[i].addr, io, &esr);
        bool ok = !ab && io[0] == r[i].want0 && io[1] == r[i].want1 &&
                  io[2] == r[i].addr + (uint64_t)(int64_t)r[i].wb;
        if (!ok)
            hostile_say(got, len, "%s %s at 0x%lx: %s 0x%lx 0x%lx base 0x%lx; ", r[i].dev,
                        r[i].form, (unsigned long)r[i].addr, ab ? "ABORTED" : "got",
                        (unsigned long)io[0], (unsigned long)io[1], (unsigned long)io[2]);
        good += ok;
    }
    return good;
}

static bool forms_every_device(char *got, size_t len)
{
    struct row r[40];
    unsigned n = 0;
    uint64_t u = H.pl011, c = H.pl031, t = H.testdev;
#define ROW(d, f, a, i0, i1, w0, w1, b) r[n++] = (struct row){d, #f, a, form_##f, i0, i1, w0, w1, b}
    ROW("pl011", ldp_w, u + 0xfe0, 1, 2, 0x11, 0x10, 0);
    ROW("pl011", ldp_x, u + 0xfe0, 1, 2, 0x1000000011ull, 0x34, 0);
    ROW("pl011", ldr_w_pre, u + 0xfe4, 1, 2, 0x34, 2, 4);
    ROW("pl011", ldrb_post, u + 0xfe0, 1, 2, 0x11, 2, 1);
    ROW("pl011", ldpsw, u + 0xff8, 1, 2, 0x05, 0xb1, 0);
    ROW("pl031", ldp_w, c + 0xfe0, 1, 2, 0x31, 0x10, 0);
    ROW("pl031", ldr_w_pre, c + 0xfe4, 1, 2, 0x14, 2, 4);
    ROW("pl031", ldp_x_post, c + 0xfe0, 1, 2, 0x1000000031ull, 0x14, 16);
    for (unsigned i = 0; i < H.nvirtio && n + 3 <= 32; i++) {
        uint64_t b = H.virtio[i]->base, id = H.virtio[i]->device_id;
        ROW("virtio", ldp_w, b, 1, 2, MAGIC, 2, 0);
        ROW("virtio", ldr_w_pre, b + 4, 1, 2, id, 2, 4);
        ROW("virtio", ldpsw, b + 8, 1, 2, id, VENDOR, 0);
    }
    hwr(t + 0x100, 8, 0x8877665544332211ull);
    hwr(t + 0x108, 8, 0xffeeddccbbaa9988ull);
    ROW("testdev", ldp_x, t + 0x100, 1, 2, 0x8877665544332211ull, 0xffeeddccbbaa9988ull, 0);
    ROW("testdev", ldpsw, t + 0x108, 1, 2, 0xffffffffbbaa9988ull, 0xffffffffffeeddccull, 0);
    ROW("testdev", stp_w, t + 0x110, 0xaabbccdd, 0x11223344, 0xaabbccdd, 0x11223344, 0);
    ROW("testdev", str_w_post, t + 0x118, 0x55667788, 2, 0x55667788, 2, 4);
#undef ROW
    unsigned good = check_rows(r, n, got, len);
    /* The stores, read back with single accesses. */
    bool stored = r32(t + 0x110) == 0xaabbccdd && r32(t + 0x114) == 0x11223344 &&
                  r32(t + 0x118) == 0x55667788;
    /* A pair of stores into the PL011 (IFLS, IMSC) and a virtio-mmio
     * transport (QueueSel, read-only QueueNumMax), values read back. */
    uint32_t ifls = r32(u + 0x34), imsc = r32(u + 0x38);
    uint64_t esr, io[4] = {0x12, 0, 0, 0};
    int ab = run(form_stp_w, u + 0x34, io, &esr);
    bool uart = !ab && r32(u + 0x34) == 0x12 && r32(u + 0x38) == 0;
    w32(u + 0x34, ifls);
    w32(u + 0x38, imsc);
    uint64_t vb = H.virtio[0]->base;
    uint32_t max = r32(vb + VM_QNUM_MAX);
    uint64_t io2[4] = {0, 7, 0, 0};
    ab = run(form_stp_w, vb + VM_QSEL, io2, &esr);
    bool virt = !ab && r32(vb + VM_QNUM_MAX) == max && max != 0;
    hostile_say(got, len, "%u of %u loads right (values, sign extension, writeback); stores: "
                "testdev %s, pl011 %s, virtio %s", good, n, stored ? "ok" : "WRONG",
                uart ? "ok" : "WRONG", virt ? "ok" : "WRONG");
    return good == n && stored && uart && virt;
}

static bool acquire_release(char *got, size_t len)
{
    struct probe {
        const char *dev;
        uint64_t addr;
        uint32_t want;
    } t[12];
    unsigned n = 0;
    t[n++] = (struct probe){"pl011", H.pl011 + 0xfe0, 0x11};
    t[n++] = (struct probe){"pl031", H.pl031 + 0xfe0, 0x31};
    t[n++] = (struct probe){"testdev", H.testdev, TESTDEV_ID};
    for (unsigned i = 0; i < H.nvirtio && n < 10; i++)
        t[n++] = (struct probe){"virtio", H.virtio[i]->base, MAGIC};
    if (H.gicd)
        t[n++] = (struct probe){"gicd", H.gicd + 8, r32(H.gicd + 8)};
    if (H.gicr)
        t[n++] = (struct probe){"gicr", H.gicr + 8, r32(H.gicr + 8)};
    unsigned good = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t esr, io[4] = {0, 0, 0, 0};
        int ab = run(hform_ldar_w, t[i].addr, io, &esr);
        bool ok = !ab && io[0] == t[i].want;
        if (!ok)
            hostile_say(got, len, "ldar %s: 0x%lx%s; ", t[i].dev, (unsigned long)io[0],
                        ab ? " (aborted)" : "");
        good += ok;
    }
    uint64_t esr, io[4] = {0xcafef00d, 0, 0, 0};
    int ab = run(hform_stlr_w, H.testdev + 0x120, io, &esr);
    bool st = !ab && r32(H.testdev + 0x120) == 0xcafef00d;
    hostile_say(got, len, "ldar right on %u of %u devices; stlr %s", good, n, st ? "stored" : "WRONG");
    return good == n && st;
}

/* ---- group inject (--nisv=inject) ---- */

struct target {
    const char *name;
    uint64_t addr;
};

static unsigned targets(struct target *t)
{
    unsigned n = 0;
    t[n++] = (struct target){"pl011", H.pl011 + 0xfe0};
    t[n++] = (struct target){"pl031", H.pl031 + 0xfe0};
    for (unsigned i = 0; i < H.nvirtio && n < 10; i++)
        t[n++] = (struct target){"virtio", H.virtio[i]->base};
    if (H.testdev)
        t[n++] = (struct target){"testdev", H.testdev + 0x100};
    if (H.gicd)
        t[n++] = (struct target){"gicd", H.gicd};
    if (H.gicr)
        t[n++] = (struct target){"gicr", H.gicr};
    return n;
}

struct form {
    const char *name;
    form_fn *fn;
    /* A store-exclusive with no matching load-exclusive may fail (status 1
     * in w11) without any memory access: the CPU model here does that. */
    bool may_fail;
};

/* Every form on every device: an external abort (EC 0x25, DFSC 0x10) with
 * the base register unchanged, and the test device's scratch unchanged. */
static bool all_abort(const struct form *f, unsigned nf, char *got, size_t len)
{
    struct target t[16];
    unsigned nt = targets(t), good = 0, failed_stores = 0;
    uint64_t s0 = 0x0123456789abcdefull, s1 = 0xfedcba9876543210ull;
    if (H.testdev) {
        hwr(H.testdev + 0x100, 8, s0);
        hwr(H.testdev + 0x108, 8, s1);
        hwr(H.testdev + 0x110, 8, s0);
        hwr(H.testdev + 0x118, 8, s1);
    }
    for (unsigned i = 0; i < nf; i++)
        for (unsigned k = 0; k < nt; k++) {
            uint64_t esr = 0, io[4] = {0x1111, 0x2222, 0, 0x3333};
            int ab = run(f[i].fn, t[k].addr, io, &esr);
            bool ok = ab && (esr >> 26 & 0x3f) == 0x25 && (esr & 0x3f) == 0x10 &&
                      io[2] == t[k].addr;
            if (!ab && f[i].may_fail && io[3] == 1 && io[2] == t[k].addr) {
                ok = true;
                failed_stores++;
            }
            if (!ok)
                hostile_say(got, len, "%s on %s: %s ESR 0x%x; ", f[i].name, t[k].name,
                            ab ? "abort" : "NO abort", (unsigned)esr);
            good += ok;
        }
    bool scratch = !H.testdev ||
                   (hrd(H.testdev + 0x100, 8) == s0 && hrd(H.testdev + 0x108, 8) == s1 &&
                    hrd(H.testdev + 0x110, 8) == s0 && hrd(H.testdev + 0x118, 8) == s1);
    hostile_say(got, len, "%u of %u (%u forms x %u devices) took an external abort", good -
                failed_stores, nf * nt, nf, nt);
    if (failed_stores)
        hostile_say(got, len, ", %u store-exclusives failed (status 1) without an access",
                    failed_stores);
    hostile_say(got, len, "; test device scratch %s", scratch ? "unchanged" : "CHANGED");
    return good == nf * nt && scratch;
}

static bool exclusives(char *got, size_t len)
{
    static const struct form f[] = {
        {"ldxr w", hform_ldxr_w, false}, {"stxr w", hform_stxr_w, true},
        {"ldaxr x", hform_ldaxr_x, false}, {"stlxr x", hform_stlxr_x, true},
        {"ldxp x", hform_ldxp_x, false}, {"stxp x", hform_stxp_x, true},
    };
    return all_abort(f, sizeof f / sizeof f[0], got, len);
}

static bool has_lse(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(v));
    return (v >> 20 & 0xf) >= 2;
}

static bool atomics(char *got, size_t len)
{
    static const struct form f[] = {
        {"ldadd w", hform_ldadd_w, false}, {"swp w", hform_swp_w, false},
        {"cas w", hform_cas_w, false}, {"stadd w", hform_stadd_w, false},
        {"ldsetal x", hform_ldsetal_x, false},
    };
    if (!has_lse())
        return hostile_say(got, len, "the CPU has no FEAT_LSE");
    return all_abort(f, sizeof f / sizeof f[0], got, len);
}

static bool simd(char *got, size_t len)
{
    static const struct form f[] = {
        {"ldr q", hform_ldr_q, false}, {"str q", hform_str_q, false},
        {"ldr s", hform_ldr_s, false}, {"ld1 4s", hform_ld1_4s, false},
        {"ldp q", hform_ldp_q, false},
    };
    return all_abort(f, sizeof f / sizeof f[0], got, len);
}

static bool pairs_inject(char *got, size_t len)
{
    static const struct form f[] = {
        {"ldp w", form_ldp_w, false}, {"ldp x", form_ldp_x, false},
        {"stp w", form_stp_w, false}, {"stp x", form_stp_x, false},
        {"ldr w pre", form_ldr_w_pre, false}, {"str w post", form_str_w_post, false},
        {"ldpsw", form_ldpsw, false}, {"ldp x post", form_ldp_x_post, false},
    };
    return all_abort(f, sizeof f / sizeof f[0], got, len);
}

static bool into_unmapped(char *got, size_t len)
{
    uint64_t last = H.nvirtio ? H.virtio[H.nvirtio - 1]->base + 0x1fc : 0;
    const uint64_t at[2] = {H.testdev + 0xffc, last};
    unsigned good = 0;
    for (unsigned i = 0; i < 2; i++) {
        uint64_t esr = 0, io[4] = {0, 0, 0, 0};
        int ab = run(form_ldp_w, at[i], io, &esr);
        bool ok = ab && (esr >> 26 & 0x3f) == 0x25 && (esr & 0x3f) == 0x10;
        hostile_say(got, len, "%sldp w at 0x%lx: %s", i ? "; " : "", (unsigned long)at[i],
                    ok ? "external abort" : "WRONG");
        good += ok;
    }
    return good == 2;
}

/* ---- attacks that end the run ---- */

static bool expect_stop(form_fn *fn, uint64_t addr, char *got, size_t len)
{
    uint64_t esr = 0, io[4] = {0, 0, 0, 0};
    int ab = run(fn, addr, io, &esr);
    return hostile_say(got, len, "the VMM did NOT stop the run (%s, ESR 0x%x)",
                       ab ? "aborted" : "completed", (unsigned)esr);
}

static bool stop_pair(char *got, size_t len)
{
    return expect_stop(form_ldp_w, H.virtio[0]->base, got, len);
}

static bool emulate_exclusive(char *got, size_t len)
{
    return expect_stop(hform_ldxr_w, H.testdev + 0x100, got, len);
}

static bool emulate_unmapped_pair(char *got, size_t len)
{
    return expect_stop(form_ldp_w, H.testdev + 0xffc, got, len);
}

const struct hostile_attack hostile_nisv_attacks[] = {
    {"pair-across-devices", "ldp/stp w across two virtio slots: each half to its own device",
     pair_across},
    {"nisv-forms-every-device", "pairs, pre/post-index, ldpsw on every device: architected values "
     "and writeback (--nisv=emulate)", forms_every_device},
    {"acquire-release-every-device", "ldar/stlr (ISV=1) on every device, the vGIC too: right values",
     acquire_release},
    HOSTILE_END,
};

const struct hostile_attack hostile_inject_attacks[] = {
    {"nisv-exclusive-every-device", "ldxr/ldaxr/ldxp abort; stxr/stlxr/stxp abort or fail "
     "(status 1) unpaired; nothing written", exclusives},
    {"nisv-atomic-every-device", "LSE ldadd/swp/cas/stadd/ldsetal on every device: external abort, "
     "nothing written", atomics},
    {"nisv-simd-every-device", "SIMD&FP loads/stores on every device: external abort", simd},
    {"nisv-pair-every-device", "pairs and writeback forms on every device: external abort, base "
     "unchanged", pairs_inject},
    {"pair-into-unmapped", "ldp w across a window end into nothing: external abort",
     into_unmapped},
    HOSTILE_END,
};

const struct hostile_attack hostile_final_attacks[] = {
    {"nisv-stop", "--nisv=stop: ldp on a virtio transport stops the run with one report, exit 4",
     stop_pair},
    {"nisv-emulate-exclusive", "--nisv=emulate: ldxr cannot be emulated: one report, exit 4",
     emulate_exclusive},
    {"nisv-emulate-unmapped-pair", "--nisv=emulate: ldp whose second half hits nothing: one "
     "report, exit 4", emulate_unmapped_pair},
    {"straddle-window-end", "unaligned accesses across a virtio window's end: alignment fault; "
     "where the CPU lets them through, the VMM refuses (one report, exit 3)", hostile_straddle},
    HOSTILE_END,
};
