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
#include "gic_regs.h"

#define ICC_IAR1_EL1    "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1   "S3_0_C12_C12_1"
#define ICC_PMR_EL1     "S3_0_C4_C6_0"
#define ICC_BPR1_EL1    "S3_0_C12_C12_3"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_SRE_EL1     "S3_0_C12_C12_5"

#define MAX_INTID 256

static struct gicd_regs MMIO_PTR *gicd;
static struct gicr_regs MMIO_PTR *gicr;
static struct {
    gic_handler_fn fn;
    void *ctx;
} handlers[MAX_INTID];
static uint32_t unhandled;

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
            unhandled++;
        __asm__ volatile("msr " ICC_EOIR1_EL1 ", %0" : : "r"(iar));
    }
}

int gic_init(const void *dtb)
{
    int node = fdt_node_offset_by_compatible(dtb, -1, "arm,gic-v3");
    int len;
    const fdt32_t *reg = node >= 0 ? fdt_getprop(dtb, node, "reg", &len) : NULL;
    if (!reg || len < 32)
        return -1;
    uint64_t dist = (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
    uint64_t redist = (uint64_t)fdt32_to_cpu(reg[4]) << 32 | fdt32_to_cpu(reg[5]);
    gicd = mmio_claim(struct gicd_regs, (uintptr_t)dist);
    gicr = mmio_claim(struct gicr_regs, (uintptr_t)redist); /* CPU 0: the first frame */

    mmio_write(&gicd->ctlr, 0u);
    wait_rwp();
    mmio_write(&gicd->ctlr, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
    wait_rwp();

    mmio_modify(&gicr->waker, GICR_WAKER_PROCESSOR_SLEEP, 0u);
    while (mmio_read(&gicr->waker) & GICR_WAKER_CHILDREN_ASLEEP)
        ;

    uint64_t sre;
    __asm__ volatile("mrs %0, " ICC_SRE_EL1 : "=r"(sre));
    __asm__ volatile("msr " ICC_SRE_EL1 ", %0\n isb" : : "r"(sre | 1));
    __asm__ volatile("msr " ICC_PMR_EL1 ", %0" : : "r"(0xf0ull));
    __asm__ volatile("msr " ICC_BPR1_EL1 ", %0" : : "r"(0ull));
    __asm__ volatile("msr " ICC_IGRPEN1_EL1 ", %0\n isb" : : "r"(1ull));
    irq_set_handler(gic_irq);
    return 0;
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
