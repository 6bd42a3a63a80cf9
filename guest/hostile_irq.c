/*
 * Hostile suite: interrupt storms and GIC register abuse. A storm is a level
 * interrupt the guest takes and never clears at the device: every EOI must
 * bring it back (through the VMM's resampling of its irqfd lines) until the
 * guest masks it at the distributor; after the device is cleared it must
 * stop. SGIs are flooded from two CPUs. The vGIC is the kernel's, so its
 * abuse checks the VMM's setup (and that nothing reaches the VMM).
 */
#include "drivers/gic.h"
#include "drivers/timer.h"
#include "hostile.h"
#include "smp.h"

#define ICC_PMR_EL1     "S3_0_C4_C6_0"
#define ICC_EOIR1_EL1   "S3_0_C12_C12_1"
#define ICC_BPR1_EL1    "S3_0_C12_C12_3"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_SGI1R_EL1   "S3_0_C12_C11_5"

enum { GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180, GICD_ISPENDR = 0x200,
       GICD_ICPENDR = 0x280, GICD_IROUTER = 0x6000, GICR_SGI = 0x10000 };

#define STORM 300u

struct storm {
    uint32_t intid, limit;
    volatile uint32_t count;
    bool pending, active; /* in the distributor when the storm ended */
};
static struct storm S;

static void disable_intid(uint32_t intid)
{
    w32(H.gicd + GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
}

/* Count, and mask the interrupt at the distributor once the limit is hit:
 * the device itself is never told. */
static void storm_irq(void *ctx)
{
    struct storm *s = ctx;
    if (++s->count >= s->limit)
        disable_intid(s->intid);
}

/* Route SPI `spi` to the storm handler with IRQs open for up to `ms`. */
static uint32_t storm_run(int spi, uint32_t limit, unsigned ms)
{
    S.intid = 32u + (uint32_t)spi;
    S.limit = limit;
    S.count = 0;
    gic_enable_spi((uint32_t)spi, false, storm_irq, &S);
    uint64_t until = timer_deadline(ms);
    irq_enable();
    while (S.count < limit && timer_now() < until)
        ;
    irq_disable();
    uint32_t word = 4 * (S.intid / 32), bit = 1u << (S.intid % 32);
    S.pending = r32(H.gicd + GICD_ISPENDR + word) & bit;
    S.active = r32(H.gicd + 0x300 + word) & bit; /* GICD_ISACTIVER */
    disable_intid(S.intid);
    return S.count;
}

/* A storm that ended early: where the interrupt was left (a diagnosis). */
static void storm_state(const struct storm *s, char *got, size_t len)
{
    if (s->count < s->limit)
        hostile_say(got, len, " (INTID %u %spending, %sactive)", s->intid,
                    s->pending ? "" : "not ", s->active ? "" : "not ");
}

/* After the device dropped its line: enabled again, at most the one
 * interrupt still pending in the distributor may arrive. */
static uint32_t after_clear(int spi)
{
    S.limit = 1000000;
    S.count = 0;
    gic_enable_spi((uint32_t)spi, false, storm_irq, &S);
    irq_enable();
    hostile_delay(50);
    irq_disable();
    disable_intid(S.intid);
    return S.count;
}

static bool storm_virtio(char *got, size_t len)
{
    struct virtio_dev *d = H.rng[0];
    if (!d || d->spi < 0 || !H.gicd)
        return hostile_say(got, len, "needs a virtio-rng with an interrupt and a GIC");
    static uint8_t buf[64] __attribute__((aligned(64)));
    struct hq q;
    hq_init_scratch(&q, d->base, 0, 4);
    if (hq_open(&q, 0) != 0)
        return hostile_say(got, len, "no queue");
    hq_desc(&q, 0, HADDR(buf), sizeof buf, HQ_W, 0);
    int r = hq_run(&q, 0, 2000); /* InterruptStatus now has USED */
    uint32_t n = storm_run(d->spi, STORM, 10000);
    struct storm seen = S;
    w32(d->base + VM_INT_ACK, r32(d->base + VM_INT_STATUS));
    uint32_t st = r32(d->base + VM_INT_STATUS), more = after_clear(d->spi);
    hv_reset(d->base);
    hostile_say(got, len, "%u interrupts while InterruptStatus stayed set", n);
    storm_state(&seen, got, len);
    hostile_say(got, len, "; after InterruptACK status 0x%x and %u more", st, more);
    return r == 1 && n >= STORM && st == 0 && more <= 1;
}

static bool storm_pl011(char *got, size_t len)
{
    uint64_t u = H.pl011;
    if (!u || H.pl011_spi < 0 || !H.gicd)
        return hostile_say(got, len, "needs the PL011's interrupt and a GIC");
    uint32_t cr = r32(u + 0x30), imsc = r32(u + 0x38);
    /* Loopback: CTS follows RTS, so toggling RTS raises the CTS modem
     * interrupt, which only ICR clears. Nothing is printed meanwhile. */
    w32(u + 0x38, 0);
    w32(u + 0x30, cr | 0x80);
    w32(u + 0x30, (cr | 0x80) ^ 0x800);
    w32(u + 0x38, 0x2); /* CTSMIM */
    uint32_t n = storm_run(H.pl011_spi, STORM, 10000);
    struct storm seen = S;
    uint32_t ris = r32(u + 0x3c), mis0 = r32(u + 0x40);
    w32(u + 0x38, 0);
    w32(u + 0x30, cr);
    w32(u + 0x44, 0x7ff);
    uint32_t mis = r32(u + 0x40), more = after_clear(H.pl011_spi);
    w32(u + 0x38, imsc);
    hostile_say(got, len, "%u interrupts while the CTS modem interrupt stayed raised (RIS 0x%x, "
                "MIS 0x%x)", n, ris, mis0);
    storm_state(&seen, got, len);
    hostile_say(got, len, "; after ICR MIS 0x%x and %u more", mis, more);
    return n >= STORM && mis == 0 && more <= 1;
}

static bool storm_pl031(char *got, size_t len)
{
    uint64_t r = H.pl031;
    if (!r || H.pl031_spi < 0 || !H.gicd)
        return hostile_say(got, len, "needs the PL031's interrupt and a GIC");
    w32(r + 0x10, 0);
    w32(r + 0x1c, 1);
    w32(r + 0x04, r32(r)); /* match now */
    w32(r + 0x10, 1);
    uint32_t n = storm_run(H.pl031_spi, STORM, 10000);
    struct storm seen = S;
    w32(r + 0x1c, 1);
    uint32_t mis = r32(r + 0x18), more = after_clear(H.pl031_spi);
    w32(r + 0x10, 0);
    hostile_say(got, len, "%u interrupts while the match stayed raised", n);
    storm_state(&seen, got, len);
    hostile_say(got, len, "; after ICR MIS %u and %u more", mis, more);
    return n >= STORM && mis == 0 && more <= 1;
}

/* ---- SGIs ---- */

static volatile uint32_t sgi_count, sgi_sent;

static void count_sgi(void *ctx)
{
    (void)ctx;
    sgi_count++;
}

static void sgi_flood(void *arg)
{
    uint64_t to = *(const uint64_t *)arg;
    for (uint32_t i = 0; i < 20000 && !hostile_helper_stopping(); i++) {
        gic_send_sgi(5, to);
        __atomic_add_fetch(&sgi_sent, 1, __ATOMIC_RELAXED);
    }
}

static bool sgi_storm(char *got, size_t len)
{
    static uint64_t cpu0;
    cpu0 = smp_read_mpidr();
    gic_set_sgi_handler(5, count_sgi, NULL);
    sgi_count = sgi_sent = 0;
    bool two = hostile_helper_run(sgi_flood, &cpu0);
    irq_enable();
    for (unsigned i = 0; i < 5000; i++)
        gic_send_sgi(5, cpu0); /* and to itself */
    uint64_t until = timer_deadline(30000);
    while (two && sgi_sent < 20000 && timer_now() < until)
        ;
    hostile_delay(20);
    irq_disable();
    if (two)
        hostile_helper_stop();
    uint32_t total = 5000 + sgi_sent;
    hostile_say(got, len, "%u SGIs sent (%s), %u taken (pending ones merge)", total,
                two ? "two CPUs" : "one CPU", sgi_count);
    return sgi_count >= 1 && sgi_count <= total && (!two || sgi_sent == 20000);
}

/* ---- the distributor ---- */

static bool gicd_ro(char *got, size_t len)
{
    if (!H.gicd)
        return hostile_say(got, len, "no GIC");
    static const uint32_t offs[] = {0x0004, 0x0008, 0x000c, 0xffe8};
    unsigned changed = 0;
    for (unsigned i = 0; i < 4; i++) {
        uint32_t v0 = r32(H.gicd + offs[i]);
        w32(H.gicd + offs[i], ~v0);
        changed += r32(H.gicd + offs[i]) != v0;
    }
    hostile_say(got, len, "TYPER, IIDR, TYPER2, PIDR2 written: %u changed", changed);
    return changed == 0;
}

static volatile uint32_t spi_seen;

static void count_spi(void *ctx)
{
    (void)ctx;
    spi_seen++;
}

static void open_irqs(unsigned ms)
{
    irq_enable();
    hostile_delay(ms);
    irq_disable();
}

static bool gicd_garbage(char *got, size_t len)
{
    uint64_t g = H.gicd;
    if (!g)
        return hostile_say(got, len, "no GIC");
    bool ok = true;
    uint32_t ctlr = r32(g);
    /* Reserved and GICv2-only offsets, every width: RAZ/WI. */
    static const uint32_t resv[] = {0x0014, 0x0018, 0x001c, 0x0060, 0x0070, 0x0f00, 0x0f10,
                                    0x0f20, 0x8000, 0xc000, 0xe000, 0xfff0};
    unsigned nonzero = 0;
    for (unsigned i = 0; i < sizeof resv / sizeof resv[0]; i++)
        for (unsigned w = 1; w <= 8; w *= 2) {
            nonzero += hrd(g + resv[i], w) != 0;
            hwr(g + resv[i], w, 0xffffffffffffffffull);
            nonzero += hrd(g + resv[i], w) != 0;
        }
    /* Narrow accesses to the word-only CTLR: ignored. */
    hwr(g, 1, 0);
    hwr(g, 2, 0);
    bool ctlr_same = r32(g) == ctlr;
    if (!ctlr_same) {
        w32(g, ctlr);
        while (r32(g) & (1u << 31))
            ;
    }
    ok &= nonzero == 0 && ctlr_same;
    hostile_say(got, len, "reserved offsets: %u nonzero reads; narrow CTLR writes %s; ", nonzero,
                ctlr_same ? "ignored" : "TAKEN");
    /* An unused SPI routed to a CPU that does not exist is not delivered;
     * routed back to CPU 0, it is. */
    const uint32_t spi = 90, intid = 32 + spi, bit = 1u << (intid % 32);
    spi_seen = 0;
    gic_enable_spi(spi, false, count_spi, NULL); /* routes it to CPU 0 */
    hwr(g + GICD_IROUTER + 8 * intid, 8, 0xff00ffffffull);
    uint64_t route = hrd(g + GICD_IROUTER + 8 * intid, 8);
    w32(g + GICD_ISPENDR + 4 * (intid / 32), bit);
    open_irqs(30);
    uint32_t nowhere = spi_seen;
    hwr(g + GICD_IROUTER + 8 * intid, 8, 0);
    /* KVM looks at a pending interrupt's new target only when it next
     * queues it: enabling it again (a no-op for the GIC) does that. */
    w32(g + GICD_ISENABLER + 4 * (intid / 32), bit);
    open_irqs(30);
    uint32_t back = spi_seen;
    w32(g + GICD_ICPENDR + 4 * (intid / 32), bit);
    disable_intid(intid);
    hostile_say(got, len, "SPI %u routed to 0x%lx: %u taken, routed to CPU 0: %u; ", spi,
                (unsigned long)route, nowhere, back);
    ok &= nowhere == 0 && back == 1;
    /* Every SPI made pending at once: only the enabled ones are taken. */
    uint32_t unhandled = gic_unhandled();
    for (unsigned i = 1; i < 4; i++)
        w32(g + GICD_ISPENDR + 4 * i, 0xffffffffu);
    open_irqs(30);
    for (unsigned i = 1; i < 4; i++)
        w32(g + GICD_ICPENDR + 4 * i, 0xffffffffu);
    uint32_t pend = 0;
    for (unsigned i = 1; i < 4; i++)
        pend |= r32(g + GICD_ISPENDR + 4 * i) & r32(g + GICD_ISENABLER + 4 * i);
    hostile_say(got, len, "all SPIs pended: %u without a handler, enabled ones left pending 0x%x",
                gic_unhandled() - unhandled, pend);
    return ok && gic_unhandled() == unhandled && pend == 0;
}

/* ---- the redistributors ---- */

static bool gicr_abuse(char *got, size_t len)
{
    uint64_t r = H.gicr;
    if (!r)
        return hostile_say(got, len, "no GIC");
    uint64_t typer = hrd(r + 0x8, 8);
    uint32_t iidr = r32(r + 0x4);
    hwr(r + 0x8, 8, ~typer);
    w32(r + 0x4, ~iidr);
    bool ro = hrd(r + 0x8, 8) == typer && r32(r + 0x4) == iidr;
    /* EnableLPIs without LPIs (TYPER.PLPIS clear): RES0. */
    uint32_t ctlr = r32(r);
    w32(r, ctlr | 1);
    uint32_t ctlr1 = r32(r);
    bool lpis = (typer & 1) || !(ctlr1 & 1);
    /* LPI tables, WAKER, reserved offsets: garbage, then put back. */
    uint64_t prop = hrd(r + 0x70, 8), pend = hrd(r + 0x78, 8);
    hwr(r + 0x70, 8, 0xffffffffffffffffull);
    hwr(r + 0x78, 8, 0xffffffffffffffffull);
    hwr(r + 0x70, 8, prop);
    hwr(r + 0x78, 8, pend);
    w32(r + 0x14, 0x6); /* ProcessorSleep, ChildrenAsleep */
    w32(r + 0x14, 0);
    static const uint32_t resv[] = {0x0018, 0x001c, 0x0080, 0x0100, 0x10008, 0x10f00, 0x1fff8};
    for (unsigned i = 0; i < sizeof resv / sizeof resv[0]; i++) {
        (void)hrd(r + resv[i], 4);
        hwr(r + resv[i], 4, 0xffffffffu);
        (void)hrd(r + resv[i], 8);
        hwr(r + resv[i], 8, 0xffffffffffffffffull);
    }
    /* Another CPU's redistributor: its SGIs disabled from here, then back. */
    bool other = true;
    if (H.ncpus > 1) {
        uint64_t r1 = r + 0x20000 + GICR_SGI;
        uint32_t en = r32(r1 + 0x100);
        w32(r1 + 0x180, 0xffffffffu);
        other = r32(r1 + 0x100) == 0;
        w32(r1 + 0x100, en);
        other &= r32(r1 + 0x100) == en;
    }
    hostile_say(got, len, "TYPER/IIDR writes %s; EnableLPIs %s; LPI tables, WAKER and reserved "
                "offsets written; CPU 1's SGI enables %s from CPU 0", ro ? "ignored" : "TAKEN",
                lpis ? "as architected" : "SET without LPIs",
                other ? "cleared and restored" : "WRONG");
    return ro && lpis && other;
}

/* ---- the CPU interface (system registers) ---- */

static volatile uint32_t sgi7;

static void count_sgi7(void *ctx)
{
    (void)ctx;
    sgi7++;
}

static void sgi1r(uint64_t v)
{
    __asm__ volatile("dsb ish\n msr " ICC_SGI1R_EL1 ", %0\n isb" : : "r"(v) : "memory");
}

static bool icc_abuse(char *got, size_t len)
{
    gic_set_sgi_handler(7, count_sgi7, NULL);
    uint64_t me = smp_read_mpidr();
    /* EOI of spurious INTIDs: ignored. */
    __asm__ volatile("msr " ICC_EOIR1_EL1 ", %0" : : "r"(1023ull));
    __asm__ volatile("msr " ICC_EOIR1_EL1 ", %0" : : "r"(1022ull));
    /* Priority mask 0: nothing is taken until it is restored. */
    sgi7 = 0;
    __asm__ volatile("msr " ICC_PMR_EL1 ", %0\n isb" : : "r"(0ull));
    gic_send_sgi(7, me);
    open_irqs(20);
    uint32_t masked = sgi7;
    __asm__ volatile("msr " ICC_PMR_EL1 ", %0\n isb" : : "r"(0xf0ull));
    open_irqs(20);
    uint32_t unmasked = sgi7;
    /* Group 1 disabled, likewise. */
    sgi7 = 0;
    __asm__ volatile("msr " ICC_IGRPEN1_EL1 ", %0\n isb" : : "r"(0ull));
    gic_send_sgi(7, me);
    open_irqs(20);
    uint32_t grp_off = sgi7;
    __asm__ volatile("msr " ICC_IGRPEN1_EL1 ", %0\n isb" : : "r"(1ull));
    open_irqs(20);
    uint32_t grp_on = sgi7;
    __asm__ volatile("msr " ICC_BPR1_EL1 ", %0\n isb" : : "r"(7ull));
    __asm__ volatile("msr " ICC_BPR1_EL1 ", %0\n isb" : : "r"(0ull));
    /* Target lists naming CPUs that do not exist (Aff0 0..15, then RS=15
     * for 240..255): only this CPU takes it; IRM=1 goes to the others. */
    sgi7 = 0;
    uint64_t aff1 = (me >> 8 & 0xff) << 16, aff2 = (me >> 16 & 0xff) << 32;
    sgi1r(0xffffull | aff1 | 7ull << 24 | aff2);
    sgi1r(0xffffull | aff1 | 7ull << 24 | aff2 | 15ull << 44);
    sgi1r(1ull << 40 | 7ull << 24);
    open_irqs(20);
    uint32_t wide = sgi7;
    hostile_say(got, len, "PMR 0: %u taken, restored: %u; IGRPEN1 0: %u, restored: %u; SGI to "
                "16 + 16 nonexistent targets and to all others: %u taken here", masked, unmasked,
                grp_off, grp_on, wide);
    return masked == 0 && unmasked == 1 && grp_off == 0 && grp_on == 1 && wide == 1;
}

const struct hostile_attack hostile_irq_attacks[] = {
    {"irq-storm-virtio", "unacknowledged virtio interrupt: taken until masked, stops after "
     "InterruptACK", storm_virtio},
    {"irq-storm-pl011", "PL011 modem interrupt never cleared: taken until masked, stops after ICR",
     storm_pl011},
    {"irq-storm-pl031", "PL031 match interrupt never cleared: taken until masked, stops after ICR",
     storm_pl031},
    {"sgi-storm", "25000 SGIs from two CPUs: taken (merged while pending), nothing lost track of",
     sgi_storm},
    {"gicd-ro-writes", "writes to GICD TYPER/IIDR/TYPER2/PIDR2 ignored", gicd_ro},
    {"gicd-garbage", "reserved GICD offsets RAZ/WI, narrow CTLR writes ignored, IROUTER and "
     "pending honoured", gicd_garbage},
    {"gicr-abuse", "GICR read-only, LPI, WAKER and reserved writes harmless; another CPU's frame "
     "programmable", gicr_abuse},
    {"icc-abuse", "PMR/IGRPEN1 mask and unmask, spurious EOIs ignored, SGIs to absent CPUs "
     "dropped", icc_abuse},
    HOSTILE_END,
};
