/* GICv3 distributor and redistributor register blocks (Arm IHI 0069), for
 * the safe MMIO library. Only what the guest driver uses is named; the rest
 * is reserved so offsets stay pinned. */
#ifndef ISV_GIC_REGS_H
#define ISV_GIC_REGS_H

#include <mmio.h>

struct gicd_regs {
    MMIO_REG(rpw, 32, ctlr);
    MMIO_REG(rp, 32, typer);
    MMIO_REG(rp, 32, iidr);
    MMIO_RESERVED(0x000c, 0x0080);
    MMIO_REG(rpw, 32, igroupr[32]);
    MMIO_REG(rpw, 32, isenabler[32]);
    MMIO_REG(rpw, 32, icenabler[32]);
    MMIO_REG(rpw, 32, ispendr[32]);
    MMIO_REG(rpw, 32, icpendr[32]);
    MMIO_REG(rpw, 32, isactiver[32]);
    MMIO_REG(rpw, 32, icactiver[32]);
    MMIO_REG(rpw, 8, ipriorityr[1020]);
    MMIO_RESERVED(0x07fc, 0x0c00);
    MMIO_REG(rpw, 32, icfgr[64]);
    MMIO_RESERVED(0x0d00, 0x6100);
    MMIO_REG(rpw, 64, irouter[988]); /* INTIDs 32..1019 */
    MMIO_RESERVED(0x7fe0, 0x10000);
};
MMIO_OFFSET(struct gicd_regs, ctlr, 0x0000);
MMIO_OFFSET(struct gicd_regs, typer, 0x0004);
MMIO_OFFSET(struct gicd_regs, igroupr, 0x0080);
MMIO_OFFSET(struct gicd_regs, isenabler, 0x0100);
MMIO_OFFSET(struct gicd_regs, icenabler, 0x0180);
MMIO_OFFSET(struct gicd_regs, ispendr, 0x0200);
MMIO_OFFSET(struct gicd_regs, icpendr, 0x0280);
MMIO_OFFSET(struct gicd_regs, ipriorityr, 0x0400);
MMIO_OFFSET(struct gicd_regs, icfgr, 0x0c00);
MMIO_OFFSET(struct gicd_regs, irouter, 0x6100);
MMIO_SIZE(struct gicd_regs, 0x10000);

/* One CPU's redistributor: the RD_base frame, then the SGI_base frame. */
struct gicr_regs {
    MMIO_REG(rpw, 32, ctlr);
    MMIO_REG(rp, 32, iidr);
    MMIO_REG(rp, 64, typer);
    MMIO_REG(rpw, 32, statusr);
    MMIO_REG(rpw, 32, waker);
    MMIO_RESERVED(0x00018, 0x10080);
    MMIO_REG(rpw, 32, igroupr0);
    MMIO_RESERVED(0x10084, 0x10100);
    MMIO_REG(rpw, 32, isenabler0);
    MMIO_RESERVED(0x10104, 0x10180);
    MMIO_REG(rpw, 32, icenabler0);
    MMIO_RESERVED(0x10184, 0x10400);
    MMIO_REG(rpw, 8, ipriorityr[32]);
    MMIO_RESERVED(0x10420, 0x10c00);
    MMIO_REG(rpw, 32, icfgr[2]);
    MMIO_RESERVED(0x10c08, 0x20000);
};
MMIO_OFFSET(struct gicr_regs, typer, 0x00008);
MMIO_OFFSET(struct gicr_regs, waker, 0x00014);
MMIO_OFFSET(struct gicr_regs, igroupr0, 0x10080);
MMIO_OFFSET(struct gicr_regs, isenabler0, 0x10100);
MMIO_OFFSET(struct gicr_regs, icenabler0, 0x10180);
MMIO_OFFSET(struct gicr_regs, ipriorityr, 0x10400);
MMIO_OFFSET(struct gicr_regs, icfgr, 0x10c00);
MMIO_SIZE(struct gicr_regs, 0x20000);

#define GICD_CTLR_ENABLE_G1 (1u << 1)
#define GICD_CTLR_ARE       (1u << 4)
#define GICD_CTLR_RWP       (1u << 31)
#define GICR_TYPER_VLPIS (1ull << 1) /* GICv4: two more 64 KiB frames follow */
#define GICR_TYPER_LAST  (1ull << 4) /* the last frame of its region */
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

#endif
