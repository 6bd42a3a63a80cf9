/*
 * The device tree: QEMU virt's layout (CPUs named by their MPIDRs, the GICv3
 * (its node from gic.c), armv8 timer, PSCI 0.2 over hvc, a 24 MHz APB clock,
 * memory at 0x40000000), then one node per emulated device, written by the
 * device itself (device_ops.fdt).
 */
#include "fdt_build.h"

#include <stdio.h>

#include <libfdt.h>

#include "../devices/device.h"
#include "config.h"
#include "gic.h"

#define GIC_FDT_IRQ_TYPE_PPI 1
#define IRQ_TYPE_LEVEL_HIGH  4

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
    fdt32_t v[4] = {cpu_to_fdt32(a >> 32), cpu_to_fdt32((uint32_t)a), cpu_to_fdt32(b >> 32),
                    cpu_to_fdt32((uint32_t)b)};
    return fdt_property(fdt, name, v, sizeof v);
}

/* MPIDR_EL1 affinity fields Aff3 [39:32] and Aff2..Aff0 [23:0]: a cpu node's reg. */
#define MPIDR_AFF_MASK 0xff00ffffffull

static int add_cpus(void *fdt, unsigned ncpus, const uint64_t *mpidr)
{
    bool aff3 = false;
    for (unsigned i = 0; mpidr && i < ncpus; i++)
        aff3 |= (mpidr[i] >> 32 & 0xff) != 0;
    int err = fdt_begin_node(fdt, "cpus");
    err |= fdt_property_u32(fdt, "#address-cells", aff3 ? 2 : 1);
    err |= fdt_property_u32(fdt, "#size-cells", 0);
    for (unsigned i = 0; i < ncpus; i++) {
        uint64_t reg = mpidr ? mpidr[i] & MPIDR_AFF_MASK : i;
        char name[32];
        snprintf(name, sizeof name, "cpu@%llx", (unsigned long long)reg);
        err |= fdt_begin_node(fdt, name);
        err |= fdt_property_string(fdt, "device_type", "cpu");
        err |= fdt_property_string(fdt, "compatible", "arm,arm-v8");
        if (aff3)
            err |= fdt_property_u64(fdt, "reg", reg);
        else
            err |= fdt_property_u32(fdt, "reg", (uint32_t)reg);
        /* A uniprocessor has no CPU to enable (as QEMU virt with -smp 1). */
        if (ncpus > 1)
            err |= fdt_property_string(fdt, "enable-method", "psci");
        err |= fdt_end_node(fdt);
    }
    return err | fdt_end_node(fdt);
}

static int add_timer(void *fdt)
{
    /* Secure phys, non-secure phys, virtual, hypervisor: PPIs 13, 14, 11, 10. */
    static const uint32_t ppis[4] = {13, 14, 11, 10};
    fdt32_t irqs[12];
    for (int i = 0; i < 4; i++) {
        irqs[i * 3] = cpu_to_fdt32(GIC_FDT_IRQ_TYPE_PPI);
        irqs[i * 3 + 1] = cpu_to_fdt32(ppis[i]);
        irqs[i * 3 + 2] = cpu_to_fdt32(IRQ_TYPE_LEVEL_HIGH);
    }
    int err = fdt_begin_node(fdt, "timer");
    err |= fdt_property_string(fdt, "compatible", "arm,armv8-timer");
    err |= fdt_property(fdt, "interrupts", irqs, sizeof irqs);
    err |= fdt_property(fdt, "always-on", NULL, 0);
    return err | fdt_end_node(fdt);
}

static int add_psci(void *fdt)
{
    int err = fdt_begin_node(fdt, "psci");
    err |= fdt_property(fdt, "compatible", "arm,psci-0.2\0arm,psci", sizeof "arm,psci-0.2\0arm,psci");
    err |= fdt_property_string(fdt, "method", "hvc");
    return err | fdt_end_node(fdt);
}

static int add_clock(void *fdt)
{
    int err = fdt_begin_node(fdt, "apb-pclk");
    err |= fdt_property_string(fdt, "compatible", "fixed-clock");
    err |= fdt_property_u32(fdt, "#clock-cells", 0);
    err |= fdt_property_u32(fdt, "clock-frequency", 24000000);
    err |= fdt_property_string(fdt, "clock-output-names", "clk24mhz");
    err |= fdt_property_u32(fdt, "phandle", PHANDLE_APB_PCLK);
    return err | fdt_end_node(fdt);
}

int fdt_build(void *buf, size_t bufsize, const struct fdt_params *p, char *err, size_t errlen)
{
    const struct fdt_refs refs = {.gic = PHANDLE_GIC, .apb_pclk = PHANDLE_APB_PCLK};
    char mem_name[32], console_path[64] = "";
    int e = fdt_create(buf, (int)bufsize);
    e |= fdt_finish_reservemap(buf);
    e |= fdt_begin_node(buf, "");
    e |= fdt_property_string(buf, "compatible", "linux,dummy-virt");
    e |= fdt_property_string(buf, "model", "isv");
    e |= fdt_property_u32(buf, "#address-cells", 2);
    e |= fdt_property_u32(buf, "#size-cells", 2);
    e |= fdt_property_u32(buf, "interrupt-parent", PHANDLE_GIC);

    if (p->console)
        snprintf(console_path, sizeof console_path, "/%s@%llx", p->console->ops->type,
                 (unsigned long long)p->console->base);
    e |= fdt_begin_node(buf, "chosen");
    e |= fdt_property_string(buf, "bootargs", p->bootargs ? p->bootargs : "");
    if (p->console)
        e |= fdt_property_string(buf, "stdout-path", console_path);
    if (p->initrd_end > p->initrd_start) {
        e |= fdt_property_u64(buf, "linux,initrd-start", p->initrd_start);
        e |= fdt_property_u64(buf, "linux,initrd-end", p->initrd_end);
    }
    if (p->have_seeds) {
        e |= fdt_property(buf, "rng-seed", p->rng_seed, sizeof p->rng_seed);
        e |= fdt_property_u64(buf, "kaslr-seed", p->kaslr_seed);
    }
    e |= fdt_end_node(buf);
    if (p->console) {
        e |= fdt_begin_node(buf, "aliases");
        e |= fdt_property_string(buf, "serial0", console_path);
        e |= fdt_end_node(buf);
    }

    snprintf(mem_name, sizeof mem_name, "memory@%llx", (unsigned long long)p->ram_base);
    e |= fdt_begin_node(buf, mem_name);
    e |= fdt_property_string(buf, "device_type", "memory");
    e |= prop_u64_pair(buf, "reg", p->ram_base, p->ram_size);
    e |= fdt_end_node(buf);

    e |= add_cpus(buf, p->ncpus, p->mpidr);
    e |= add_psci(buf);
    e |= add_timer(buf);
    e |= gic_fdt_node(buf, p->ncpus, PHANDLE_GIC);
    e |= add_clock(buf);
    for (size_t i = 0; i < p->ndevs; i++) {
        struct device *d = p->devs[i];
        if (d->ops->fdt && d->ops->fdt(d, buf, &refs) != 0) {
            snprintf(err, errlen, "device tree: node for %s failed", d->name);
            return -1;
        }
    }
    e |= fdt_end_node(buf);
    e |= fdt_finish(buf);
    if (e != 0) {
        snprintf(err, errlen, "device tree: does not fit in %zu bytes", bufsize);
        return -1;
    }
    return 0;
}
