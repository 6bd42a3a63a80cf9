/*
 * The interrupt controller: KVM's in-kernel GICv3 at QEMU virt's addresses.
 * This object owns its creation (after every vCPU exists, as KVM requires),
 * the redistributor sizing for the vCPU count, and its device-tree node.
 * gic.c is pure (sizing, DT node); kvm_gic.c talks to KVM.
 */
#ifndef ISV_VMM_GIC_H
#define ISV_VMM_GIC_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"

/* vCPUs one redistributor region holds: 0xf60000 / 0x20000 = 123. */
#define GIC_MAX_CPUS ((unsigned)(GIC_REDIST_REGION / GIC_REDIST_SIZE))
#define GIC_NR_SPIS (GIC_NR_IRQS - 32)

struct irqchip {
    int fd;          /* the KVM device, or -1 */
    unsigned ncpus;  /* redistributors */
};

/* Bytes of redistributor frames for ncpus vCPUs. */
uint64_t gic_redist_bytes(unsigned ncpus);
/* The interrupt-controller node (phandle `phandle`) at the current level of a
 * sequential-write tree. 0 or a libfdt error. */
int gic_fdt_node(void *fdt, unsigned ncpus, uint32_t phandle);

/* kvm_gic.c: create and initialise the vGIC for every vCPU of vm_fd (all
 * must exist already). 0, or -1 with a one-line message in err. */
int gic_create(struct irqchip *gic, int vm_fd, unsigned ncpus, char *err, size_t errlen);
void gic_destroy(struct irqchip *gic);

#endif
