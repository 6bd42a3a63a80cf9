/*
 * Creating the in-kernel vGICv3 (KVM API: devices/arm-vgic-v3.rst): the
 * distributor and one redistributor region at QEMU virt's addresses, the
 * number of interrupt lines, then CTRL_INIT, which sizes the per-vCPU state
 * and so must follow the creation of every vCPU; then the SPIs' trigger.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "../devices/errmsg.h"
#include "gic.h"

static int gic_attr(int fd, uint32_t group, uint64_t attr, void *addr)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uintptr_t)addr};
    return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

/* Every SPI level-sensitive from the start, as the device tree says (QEMU
 * writes the same reset state into KVM). KVM's vGIC starts SPIs edge-
 * triggered, and the VMM reports a line only when it changes: a line raised
 * before the guest configures its SPI would be latched as one edge, and its
 * level lost for good once the guest makes the SPI level. */
static int spis_level(int fd)
{
    for (uint32_t intid = 32; intid < GIC_NR_IRQS; intid += 16) {
        uint32_t icfgr = 0; /* Int_config 0b00 for each of the 16: level */
        if (gic_attr(fd, KVM_DEV_ARM_VGIC_GRP_DIST_REGS, 0xc00 + intid / 4, &icfgr))
            return -1;
    }
    return 0;
}

int gic_create(struct irqchip *gic, int vm_fd, unsigned ncpus, char *err, size_t errlen)
{
    if (ncpus == 0 || ncpus > GIC_MAX_CPUS)
        return errmsg(err, errlen, "the GICv3 redistributor region holds 1..%u vCPUs, not %u",
                      GIC_MAX_CPUS, ncpus);
    struct kvm_create_device dev = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    if (ioctl(vm_fd, KVM_CREATE_DEVICE, &dev) < 0)
        return errmsg(err, errlen, "creating the in-kernel GICv3: %s", strerror(errno));
    gic->fd = (int)dev.fd;
    gic->ncpus = ncpus;
    uint64_t dist = GIC_DIST_BASE, redist = GIC_REDIST_BASE;
    uint32_t nr_irqs = GIC_NR_IRQS;
    if (gic_attr(gic->fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
        gic_attr(gic->fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) ||
        gic_attr(gic->fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs))
        return errmsg(err, errlen, "configuring the GICv3: %s", strerror(errno));
    if (gic_attr(gic->fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
        return errmsg(err, errlen, "initialising the GICv3 for %u vCPU%s: %s", ncpus,
                      ncpus == 1 ? "" : "s", strerror(errno));
    if (spis_level(gic->fd))
        return errmsg(err, errlen, "making the GICv3's SPIs level-sensitive: %s", strerror(errno));
    return 0;
}

void gic_destroy(struct irqchip *gic)
{
    if (gic->fd >= 0)
        close(gic->fd);
    gic->fd = -1;
}
