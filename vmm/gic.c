/* The GICv3's sizing and device-tree node (see gic.h). */
#include "gic.h"

#include <stdio.h>

#include <libfdt.h>

uint64_t gic_redist_bytes(unsigned ncpus)
{
    return GIC_REDIST_SIZE * ncpus;
}

int gic_fdt_node(void *fdt, unsigned ncpus, uint32_t phandle)
{
    char name[32];
    snprintf(name, sizeof name, "intc@%llx", (unsigned long long)GIC_DIST_BASE);
    uint64_t redist = gic_redist_bytes(ncpus);
    fdt32_t reg[8] = {
        0, cpu_to_fdt32((uint32_t)GIC_DIST_BASE), 0, cpu_to_fdt32((uint32_t)GIC_DIST_SIZE),
        0, cpu_to_fdt32((uint32_t)GIC_REDIST_BASE),
        cpu_to_fdt32((uint32_t)(redist >> 32)), cpu_to_fdt32((uint32_t)redist),
    };
    int err = fdt_begin_node(fdt, name);
    err |= fdt_property_string(fdt, "compatible", "arm,gic-v3");
    err |= fdt_property_u32(fdt, "#interrupt-cells", 3);
    /* An interrupt provider states its address cells (for interrupt-map
     * parents); two, with an identity ranges, as for a child ITS frame. */
    err |= fdt_property_u32(fdt, "#address-cells", 2);
    err |= fdt_property_u32(fdt, "#size-cells", 2);
    err |= fdt_property(fdt, "ranges", NULL, 0);
    err |= fdt_property(fdt, "interrupt-controller", NULL, 0);
    err |= fdt_property(fdt, "reg", reg, sizeof reg);
    err |= fdt_property_u32(fdt, "phandle", phandle);
    return err | fdt_end_node(fdt);
}
