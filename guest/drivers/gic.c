/*
 * Guest GICv3 driver (Arm IHI 0069). Under KVM the distributor and
 * redistributor are emulated in the kernel, but their registers are still
 * MMIO that traps: the safe library keeps every access virtualizable. The CPU
 * interface is the ICC_* system registers (written as S3_* encodings so gcc
 * and clang assemble them without a GIC extension flag).
 */
#include "gic.h"

#include <libfdt.h>

#include "../guest.h"
#include "../smp.h"
#include "gic_regs.h"

#define ICC_IAR1_EL1    "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1   "S3_0_C12_C12_1"
#define ICC_PMR_EL1     "S3_0_C4_C6_0"
#define ICC_BPR1_EL1    "S3_0_C12_C12_3"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_SRE_EL1     "S3_0_C12_C12_5"
#define ICC_SGI1R_EL1   "S3_0_C12_C11_5"

#define MAX_INTID 256
#define SGI_PRIORITY 0xa0

static struct gicd_regs MMIO_PTR *gicd;
/* Every redistributor frame, claimed once by gic_init; each CPU's
 * gic_init_cpu then uses only the one whose affinity is its MPIDR's. */
static struct {
    struct gicr_regs MMIO_PTR *regs;
    uint64_t affinity; /* GICR_TYPER[63:32]: Aff3.Aff2.Aff1.Aff0 */
} frames[SMP_MAX_CPUS];
static unsigned nframes;
/* Set before the interrupt is enabled or sent, then only read: safe from
 * any CPU's handler. */
static struct {
    gic_handler_fn fn;
    void *ctx;
} handlers[MAX_INTID];
static uint32_t unhandled; /* atomic: any CPU may add */

static void wait_rwp(void)
{
    while (mmio_read(&gicd->ctlr) & GICD_CTLR_RWP)
        ;
}

static void gic_irq(void)
{
    for (;;) {
        uint64_t iar;
        __asm__ volatile("mrs %0, " ICC_IAR1_EL1 : "=r"(iar));
        uint32_t intid = (uint32_t)iar & 0xffffff;
        if (intid >= 1020)
            return; /* spurious: nothing pending */
        if (intid < MAX_INTID && handlers[intid].fn)
            handlers[intid].fn(handlers[intid].ctx);
        else
            __atomic_add_fetch(&unhandled, 1, __ATOMIC_RELAXED);
        __asm__ volatile("msr " ICC_EOIR1_EL1 ", %0" : : "r"(iar));
    }
}

/* Redistributor frames from `base` on, to the one marked Last (GICv4
 * frames with VLPIs are twice the size). */
static void find_frames(uint64_t base, uint64_t size)
{
    for (uint64_t off = 0; off + sizeof(struct gicr_regs) <= size && nframes < SMP_MAX_CPUS;) {
        struct gicr_regs MMIO_PTR *r = mmio_claim(struct gicr_regs, (uintptr_t)(base + off));
        uint64_t typer = mmio_read(&r->typer);
        frames[nframes].regs = r;
        frames[nframes].affinity = typer >> 32;
        nframes++;
        if (typer & GICR_TYPER_LAST)
            break;
        off += typer & GICR_TYPER_VLPIS ? 2 * sizeof(struct gicr_regs) : sizeof(struct gicr_regs);
    }
}

int gic_init(const void *dtb)
{
    if (gicd)
        return 0; /* up already (another test or driver got there first) */
    int node = fdt_node_offset_by_compatible(dtb, -1, "arm,gic-v3");
    int len;
    const fdt32_t *reg = node >= 0 ? fdt_getprop(dtb, node, "reg", &len) : NULL;
    if (!reg || len < 32)
        return -1;
    uint64_t dist = (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
    uint64_t redist = (uint64_t)fdt32_to_cpu(reg[4]) << 32 | fdt32_to_cpu(reg[5]);
    uint64_t redist_size = (uint64_t)fdt32_to_cpu(reg[6]) << 32 | fdt32_to_cpu(reg[7]);
    find_frames(redist, redist_size);
    gicd = mmio_claim(struct gicd_regs, (uintptr_t)dist);

    mmio_write(&gicd->ctlr, 0u);
    wait_rwp();
    mmio_write(&gicd->ctlr, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
    wait_rwp();
    irq_set_handler(gic_irq);
    return gic_init_cpu();
}

int gic_init_cpu(void)
{
    uint64_t mpidr = smp_read_mpidr();
    uint64_t aff = (mpidr >> 8 & 0xff000000) | (mpidr & 0xffffff);
    struct gicr_regs MMIO_PTR *r = NULL;
    for (unsigned i = 0; i < nframes && !r; i++)
        if (frames[i].affinity == aff)
            r = frames[i].regs;
    if (!r) {
        kprintf("isv guest: gic: no redistributor for MPIDR 0x%lx\n", (unsigned long)mpidr);
        return -1;
    }

    mmio_modify(&r->waker, GICR_WAKER_PROCESSOR_SLEEP, 0u);
    while (mmio_read(&r->waker) & GICR_WAKER_CHILDREN_ASLEEP)
        ;
    /* SGIs: group 1, one priority, enabled (the table decides who handles). */
    mmio_modify(&r->igroupr0, 0u, 0xffffu);
    for (unsigned i = 0; i < 16; i++)
        mmio_write(mmio_elem(r, ipriorityr, i), (uint8_t)SGI_PRIORITY);
    mmio_write(&r->isenabler0, 0xffffu);

    uint64_t sre;
    __asm__ volatile("mrs %0, " ICC_SRE_EL1 : "=r"(sre));
    __asm__ volatile("msr " ICC_SRE_EL1 ", %0\n isb" : : "r"(sre | 1));
    __asm__ volatile("msr " ICC_PMR_EL1 ", %0" : : "r"(0xf0ull));
    __asm__ volatile("msr " ICC_BPR1_EL1 ", %0" : : "r"(0ull));
    __asm__ volatile("msr " ICC_IGRPEN1_EL1 ", %0\n isb" : : "r"(1ull));
    return 0;
}

void gic_set_sgi_handler(uint32_t intid, gic_handler_fn fn, void *ctx)
{
    if (intid >= 16)
        guest_fail("gic: %u is not an SGI", intid);
    handlers[intid].fn = fn;
    handlers[intid].ctx = ctx;
}

void gic_send_sgi(uint32_t intid, uint64_t mpidr)
{
    /* ICC_SGI1R_EL1: TargetList [15:0] (Aff0 mod 16), Aff1 [23:16], INTID
     * [27:24], Aff2 [39:32], RS [47:44] (Aff0 / 16), Aff3 [55:48]. */
    uint64_t aff0 = mpidr & 0xff;
    uint64_t v = 1ull << (aff0 & 15) | (mpidr >> 8 & 0xff) << 16 | (uint64_t)(intid & 15) << 24 |
                 (mpidr >> 16 & 0xff) << 32 | (aff0 >> 4) << 44 | (mpidr >> 32 & 0xff) << 48;
    /* The handler may read what we wrote before sending. */
    __asm__ volatile("dsb ish\n msr " ICC_SGI1R_EL1 ", %0\n isb" : : "r"(v) : "memory");
}

void gic_set_spi_target(uint32_t spi, uint64_t mpidr)
{
    mmio_write(mmio_elem(gicd, irouter, spi), mpidr & MPIDR_AFF_MASK);
}

void gic_enable_spi(uint32_t spi, bool edge, gic_handler_fn fn, void *ctx)
{
    uint32_t intid = 32 + spi;
    if (intid >= MAX_INTID)
        guest_fail("gic: SPI %u beyond what the driver handles", spi);
    handlers[intid].fn = fn;
    handlers[intid].ctx = ctx;
    uint32_t bit = 1u << (intid % 32);
    mmio_modify(mmio_elem(gicd, igroupr, intid / 32), 0u, bit);
    mmio_write(mmio_elem(gicd, ipriorityr, intid), (uint8_t)0xa0);
    uint32_t cfg = 2u << (2 * (intid % 16));
    mmio_modify(mmio_elem(gicd, icfgr, intid / 16), edge ? 0u : cfg, edge ? cfg : 0u);
    mmio_write(mmio_elem(gicd, irouter, intid - 32), (uint64_t)0); /* affinity 0.0.0.0 */
    mmio_write(mmio_elem(gicd, isenabler, intid / 32), bit);
    wait_rwp();
}

int gic_dt_spi(const void *dtb, int node)
{
    int len;
    const fdt32_t *irq = fdt_getprop(dtb, node, "interrupts", &len);
    if (!irq || len < 12 || fdt32_to_cpu(irq[0]) != 0)
        return -1;
    return (int)fdt32_to_cpu(irq[1]);
}

void irq_enable(void)
{
    __asm__ volatile("msr daifclr, #2" ::: "memory");
}

void irq_disable(void)
{
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

uint32_t gic_unhandled(void)
{
    return unhandled;
}
