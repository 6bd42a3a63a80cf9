/* The isv test device's registers (devices/testdev.h has the model's view). */
#ifndef ISV_TESTDEV_REGS_H
#define ISV_TESTDEV_REGS_H

#include <mmio.h>

struct testdev_regs {
    MMIO_REG(rp, 32, id);
    MMIO_RESERVED(0x004, 0x008);
    MMIO_REG(ro, 64, counter);     /* each read counts */
    MMIO_REG(rp, 64, last);        /* offset<<8 | width of the last other access */
    MMIO_REG(wo, 32, nop);
    MMIO_RESERVED(0x01c, 0x100);
    /* The 256 scratch bytes, split into one view per access width. */
    MMIO_REG(rpw, 8, scratch8[64]);
    MMIO_REG(rpw, 16, scratch16[32]);
    MMIO_REG(rpw, 32, scratch32[16]);
    MMIO_REG(rpw, 64, scratch64[8]);
    MMIO_RESERVED(0x200, 0x1000);
};
MMIO_OFFSET(struct testdev_regs, counter, 0x008);
MMIO_OFFSET(struct testdev_regs, last, 0x010);
MMIO_OFFSET(struct testdev_regs, nop, 0x018);
MMIO_OFFSET(struct testdev_regs, scratch8, 0x100);
MMIO_OFFSET(struct testdev_regs, scratch16, 0x140);
MMIO_OFFSET(struct testdev_regs, scratch32, 0x180);
MMIO_OFFSET(struct testdev_regs, scratch64, 0x1c0);
MMIO_SIZE(struct testdev_regs, 0x1000);

/* The same device as the SMP tests see it: the scratch memory as 32 64-bit
 * slots, one per CPU. A test claims the device with one layout or the other. */
struct testdev_smp_regs {
    MMIO_REG(rp, 32, id);
    MMIO_RESERVED(0x004, 0x008);
    MMIO_REG(ro, 64, counter);
    MMIO_RESERVED(0x010, 0x100);
    MMIO_REG(rpw, 64, slot[32]);
    MMIO_RESERVED(0x200, 0x1000);
};
MMIO_OFFSET(struct testdev_smp_regs, counter, 0x008);
MMIO_OFFSET(struct testdev_smp_regs, slot, 0x100);
MMIO_SIZE(struct testdev_smp_regs, 0x1000);

#define TESTDEV_ID_VALUE 0x54565349u

#endif
