/*
 * Hostile suite: register abuse. Garbage written at every offset of every
 * register block at every width (1, 2, 4, 8 bytes, so 64-bit accesses to
 * 32-bit registers too), writes to read-only registers, and 64-bit reads
 * with their defined results. Each device is restored (or reset) afterwards;
 * the health check then proves it works.
 */
#include "drivers/timer.h"
#include "hostile.h"

/* Garbage whose low byte is printable and stays nonzero under any PL011 word
 * length mask: it is also what the UART sends to the console. */
#define G1 0xffffffffffffff7eull
#define G2 0xa5a5a5a5a5a5a53full
#define MAGIC 0x74726976u
#define TESTDEV_ID 0x54565349u

struct range {
    uint32_t lo, hi;
};

/* Read, then write G1 and G2, at every aligned offset of every width. */
static unsigned garbage(uint64_t base, const struct range *r, unsigned n)
{
    unsigned count = 0;
    for (unsigned i = 0; i < n; i++)
        for (unsigned w = 1; w <= 8; w *= 2)
            for (uint32_t off = r[i].lo; off + w <= r[i].hi; off += w) {
                (void)hrd(base + off, w);
                hwr(base + off, w, G1);
                hwr(base + off, w, G2);
                count += 3;
            }
    return count;
}

/* ---- PL011: the console, so it is put back before anything is printed ---- */

enum { U_DR = 0x00, U_FR = 0x18, U_IBRD = 0x24, U_FBRD = 0x28, U_LCRH = 0x2c, U_CR = 0x30,
       U_IFLS = 0x34, U_IMSC = 0x38, U_RIS = 0x3c, U_MIS = 0x40, U_ICR = 0x44, U_DMACR = 0x48 };

struct uart_state {
    uint32_t ibrd, fbrd, lcrh, cr, ifls, imsc;
};

static struct uart_state uart_save(void)
{
    uint64_t u = H.pl011;
    return (struct uart_state){r32(u + U_IBRD), r32(u + U_FBRD), r32(u + U_LCRH),
                               r32(u + U_CR), r32(u + U_IFLS), r32(u + U_IMSC)};
}

static void uart_restore(const struct uart_state *s)
{
    uint64_t u = H.pl011;
    w32(u + U_IMSC, 0);
    w32(u + U_ICR, 0x7ff);
    w32(u + U_DMACR, 0);
    w32(u + U_IBRD, s->ibrd);
    w32(u + U_FBRD, s->fbrd);
    w32(u + U_LCRH, s->lcrh); /* the strobe that latches the divisor */
    w32(u + U_IFLS, s->ifls);
    w32(u + U_CR, s->cr);
    for (unsigned i = 0; i < 64 && !(r32(u + U_FR) & 0x10); i++) /* RXFE: loopback leftovers */
        (void)r32(u + U_DR);
    w32(u + U_ICR, 0x7ff);
    w32(u + U_IMSC, s->imsc);
}

static bool ids_ok(uint64_t base, const uint8_t *id)
{
    for (unsigned i = 0; i < 8; i++)
        if (r32(base + 0xfe0 + 4 * i) != id[i])
            return false;
    return true;
}

static const uint8_t pl011_id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
static const uint8_t pl031_id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static bool garbage_pl011(char *got, size_t len)
{
    if (!H.pl011)
        return hostile_say(got, len, "no PL011");
    static const struct range r[] = {{0x000, 0x050}, {0xfc0, 0x1000}};
    struct uart_state s = uart_save();
    unsigned n = garbage(H.pl011, r, 2);
    uart_restore(&s);
    kprintf("\n"); /* after whatever the garbage sent to the console */
    bool ids = ids_ok(H.pl011, pl011_id);
    hostile_say(got, len, "%u accesses; restored, ID registers %s", n, ids ? "intact" : "WRONG");
    return ids;
}

/* ---- PL031 ---- */

enum { R_DR = 0x00, R_MR = 0x04, R_LR = 0x08, R_IMSC = 0x10, R_RIS = 0x14, R_ICR = 0x1c };

static bool garbage_pl031(char *got, size_t len)
{
    if (!H.pl031)
        return hostile_say(got, len, "no PL031");
    static const struct range r[] = {{0x000, 0x020}, {0xfc0, 0x1000}};
    uint32_t now = r32(H.pl031 + R_DR);
    unsigned n = garbage(H.pl031, r, 2);
    w32(H.pl031 + R_IMSC, 0);
    w32(H.pl031 + R_ICR, 1);
    w32(H.pl031 + R_LR, now); /* the clock, back where it was (to the second) */
    bool ids = ids_ok(H.pl031, pl031_id);
    uint32_t dr = r32(H.pl031 + R_DR);
    hostile_say(got, len, "%u accesses; IDs %s, counter %u after reloading %u", n,
                ids ? "intact" : "WRONG", dr, now);
    return ids && dr - now < 5;
}

/* ---- virtio-mmio: every slot, the whole 0x200 window ---- */

static bool garbage_virtio(char *got, size_t len)
{
    static const struct range r[] = {{0x000, 0x200}};
    unsigned n = 0, magic = 0;
    for (unsigned i = 0; i < H.nvirtio; i++) {
        n += garbage(H.virtio[i]->base, r, 1);
        magic += r32(H.virtio[i]->base) == MAGIC;
        hv_reset(H.virtio[i]->base);
    }
    hostile_say(got, len, "%u accesses over %u transports; MagicValue intact on %u", n, H.nvirtio,
                magic);
    return H.nvirtio && magic == H.nvirtio;
}

/* ---- the test device ---- */

static bool garbage_testdev(char *got, size_t len)
{
    if (!H.testdev)
        return hostile_say(got, len, "no test device");
    static const struct range r[] = {{0x000, 0x020}, {0x100, 0x200}, {0xfc0, 0x1000}};
    unsigned n = garbage(H.testdev, r, 3);
    hwr(H.testdev + 0x100, 8, 0x0123456789abcdefull);
    bool ok = r32(H.testdev) == TESTDEV_ID && hrd(H.testdev + 0x100, 8) == 0x0123456789abcdefull;
    hostile_say(got, len, "%u accesses; ID and scratch %s", n, ok ? "still right" : "WRONG");
    return ok;
}

/* ---- writes to read-only registers ---- */

static bool ro_virtio(char *got, size_t len)
{
    static const uint32_t offs[] = {0x000, 0x004, 0x008, 0x00c, 0x010, 0x034, 0x060, 0x0fc,
                                    0x100, 0x104};
    unsigned changed = 0, tried = 0;
    for (unsigned i = 0; i < H.nvirtio; i++) {
        uint64_t b = H.virtio[i]->base;
        for (unsigned k = 0; k < sizeof offs / sizeof offs[0]; k++) {
            if (offs[k] >= 0x100 && H.virtio[i] != H.blk)
                continue; /* the block capacity only */
            uint32_t v0 = r32(b + offs[k]);
            w32(b + offs[k], ~v0);
            w32(b + offs[k], 0);
            uint32_t v1 = r32(b + offs[k]);
            tried++;
            if (v1 != v0) {
                changed++;
                hostile_say(got, len, "slot 0x%lx offset 0x%x: 0x%x -> 0x%x; ", (unsigned long)b,
                            offs[k], v0, v1);
            }
        }
    }
    hostile_say(got, len, "%u read-only registers written, %u changed", tried, changed);
    return tried && !changed;
}

static bool ro_pl011(char *got, size_t len)
{
    uint64_t u = H.pl011;
    uint32_t fr = r32(u + U_FR) & 0x7; /* CTS, DSR, DCD: the modem inputs */
    static const uint32_t offs[] = {U_FR, U_RIS, U_MIS, 0xfe0, 0xfe4, 0xfe8, 0xfec,
                                    0xff0, 0xff4, 0xff8, 0xffc};
    for (unsigned k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        w32(u + offs[k], 0xffffffffu);
        w32(u + offs[k], 0);
    }
    bool ok = ids_ok(u, pl011_id) && (r32(u + U_FR) & 0x7) == fr;
    hostile_say(got, len, "FR, RIS, MIS and the ID registers written: %s",
                ok ? "unchanged" : "CHANGED");
    return ok;
}

static bool ro_pl031(char *got, size_t len)
{
    uint64_t r = H.pl031;
    uint32_t dr0 = r32(r + R_DR), ris0 = r32(r + R_RIS);
    static const uint32_t offs[] = {R_DR, R_RIS, 0x018, 0xfe0, 0xfe4, 0xff0, 0xffc};
    for (unsigned k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        w32(r + offs[k], 0);
        w32(r + offs[k], 0xffffffffu);
    }
    uint32_t dr1 = r32(r + R_DR), ris1 = r32(r + R_RIS);
    bool ok = ids_ok(r, pl031_id) && dr1 - dr0 < 5 && ris1 == ris0;
    hostile_say(got, len, "DR %u -> %u, RIS %u -> %u, IDs %s", dr0, dr1, ris0, ris1,
                ids_ok(r, pl031_id) ? "intact" : "WRONG");
    return ok;
}

static bool ro_testdev(char *got, size_t len)
{
    uint64_t t = H.testdev;
    w32(t, 0);
    uint32_t id = r32(t);
    uint64_t c0 = hrd(t + 8, 8);
    hwr(t + 8, 8, 0);
    uint64_t c1 = hrd(t + 8, 8);
    hostile_say(got, len, "ID 0x%x after a write; COUNTER %lu then %lu across a write", id,
                (unsigned long)c0, (unsigned long)c1);
    return id == TESTDEV_ID && c1 == c0 + 1;
}

/* ---- 64-bit accesses to 32-bit registers ---- */

static bool wide(char *got, size_t len)
{
    bool ok = true;
    for (unsigned i = 0; i < H.nvirtio; i++) {
        uint64_t b = H.virtio[i]->base;
        uint32_t st = r32(b + VM_STATUS);
        uint64_t m = hrd(b, 8), s = hrd(b + VM_STATUS, 8);
        hwr(b + VM_STATUS, 8, 0); /* would be a reset as a 32-bit write */
        ok &= m == 0 && s == 0 && r32(b + VM_STATUS) == st && r32(b) == MAGIC;
    }
    hostile_say(got, len, "virtio: 64-bit reads 0, writes ignored%s; ", ok ? "" : " (NOT)");
    uint64_t u = hrd(H.pl011 + 0xfe0, 8), c = hrd(H.pl011 + 0xff0, 8);
    uint64_t r = hrd(H.pl031 + 0xfe0, 8), t = hrd(H.testdev, 8);
    hostile_say(got, len, "pl011 0x%lx 0x%lx, pl031 0x%lx, testdev 0x%lx", (unsigned long)u,
                (unsigned long)c, (unsigned long)r, (unsigned long)t);
    /* Two 32-bit registers, low word first (the PL011 and PL031 as QEMU
     * splits them); the test device's ID register is simply wide. */
    ok &= u == 0x0000001000000011ull && c == 0x000000f00000000dull && r == 0x0000001000000031ull &&
          t == TESTDEV_ID;
    if (H.gicd) {
        uint32_t ctlr = r32(H.gicd);
        uint64_t g = hrd(H.gicd, 8);
        hwr(H.gicd, 8, 0);
        bool same = r32(H.gicd) == ctlr;
        hostile_say(got, len, "; GICD_CTLR as 64 bits reads 0x%lx, write %s", (unsigned long)g,
                    same ? "ignored" : "TAKEN");
        ok &= g == 0 && same;
        if (!same) {
            w32(H.gicd, ctlr);
            while (r32(H.gicd) & (1u << 31))
                ;
        }
    }
    return ok;
}

/* ---- unaligned accesses inside a window ----
 * Device memory: the CPU must raise an alignment fault. A CPU model that
 * does not (QEMU TCG, under the nested host here) lets them reach the VMM,
 * whose devices then give their defined answer. Either is accepted. */

static bool unaligned(char *got, size_t len)
{
    if (!H.nvirtio || !H.testdev)
        return hostile_say(got, len, "needs a virtio transport and the test device");
    uint64_t t = H.testdev;
    hwr(t + 0x100, 8, 0x0807060504030201ull);
    const struct { const char *dev; uint64_t addr; unsigned w; bool write; uint64_t v; } c[] = {
        {"virtio", H.virtio[0]->base + 2, 4, false, 0},        /* refused: reads 0 */
        {"pl011", H.pl011 + 0xfe1, 2, false, 0},               /* not a register: reads 0 */
        {"testdev", t + 0x101, 4, false, 0x05040302},          /* scratch is memory */
        {"testdev", t + 0x105, 2, true, 0xbeef},
    };
    unsigned faults = 0, answers = 0;
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint64_t esr = 0, v = 0;
        abort_expect();
        if (c[i].write)
            hwr(c[i].addr, c[i].w, c[i].v);
        else
            v = hrd(c[i].addr, c[i].w);
        if (abort_taken(&esr)) {
            faults += (esr >> 26 & 0x3f) == 0x25 && (esr & 0x3f) == 0x21;
            continue;
        }
        if (c[i].write)
            answers += hrd(t + 0x100, 8) == 0x08beef0504030201ull;
        else
            answers += v == c[i].v;
    }
    hostile_say(got, len, "%u alignment faults, %u defined answers of 4", faults, answers);
    return faults + answers == 4;
}

/* ---- straddling a window's end: a run of its own (hostile_nisv.c) ---- */

bool hostile_straddle(char *got, size_t len)
{
    if (H.nvirtio < 2)
        return hostile_say(got, len, "needs two adjacent virtio transports");
    uint64_t edge = H.virtio[0]->base + 0x200;
    static const struct { int off; unsigned w; } acc[] = {{-2, 4}, {-4, 8}, {-1, 2}};
    unsigned aligned_faults = 0;
    for (unsigned i = 0; i < 3; i++) {
        uint64_t esr = 0;
        abort_expect();
        (void)hrd(edge + (uint64_t)(int64_t)acc[i].off, acc[i].w);
        bool taken = abort_taken(&esr);
        bool align = taken && (esr >> 26 & 0x3f) == 0x25 && (esr & 0x3f) == 0x21;
        aligned_faults += align;
        hostile_say(got, len, "%s%u bytes at 0x%lx: %s (ESR 0x%x)", i ? "; " : "", acc[i].w,
                    (unsigned long)(edge + (uint64_t)(int64_t)acc[i].off),
                    taken ? (align ? "alignment fault" : "other abort") : "no fault", (unsigned)esr);
    }
    return aligned_faults == 3;
}

const struct hostile_attack hostile_reg_attacks[] = {
    {"reg-garbage-pl011", "garbage at every PL011 register and width: survives, restorable",
     garbage_pl011},
    {"reg-garbage-pl031", "garbage at every PL031 register and width: survives", garbage_pl031},
    {"reg-garbage-virtio", "garbage over every virtio-mmio window at every width: survives",
     garbage_virtio},
    {"reg-garbage-testdev", "garbage at every test-device register and width: survives",
     garbage_testdev},
    {"ro-writes-virtio", "writes to MagicValue..ConfigGeneration and the capacity ignored",
     ro_virtio},
    {"ro-writes-pl011", "writes to FR, RIS, MIS and the IDs ignored", ro_pl011},
    {"ro-writes-pl031", "writes to DR, RIS, MIS and the IDs ignored", ro_pl031},
    {"ro-writes-testdev", "writes to ID and COUNTER ignored", ro_testdev},
    {"unaligned-in-window", "alignment fault (Device memory), or where the CPU lets it through "
     "the device's defined answer", unaligned},
    {"wide-64bit-on-32bit", "64-bit accesses: virtio and GICD refuse (0, ignored); PL011/PL031 "
     "split low word first", wide},
    HOSTILE_END,
};
