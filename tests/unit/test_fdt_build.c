/* The generated device tree: QEMU virt layout, devices' own nodes, stdout-path. */
#include <criterion/criterion.h>
#include <string.h>

#include <libfdt.h>

#include "../../devices/pl011.h"
#include "../../vmm/config.h"
#include "../../vmm/fdt_build.h"

static uint8_t buf[FDT_MAX_SIZE];

static uint64_t reg64(const void *fdt, int node, int idx)
{
    int len;
    const fdt32_t *r = fdt_getprop(fdt, node, "reg", &len);
    cr_assert_not_null(r);
    cr_assert_geq(len, (idx + 1) * 8);
    return (uint64_t)fdt32_to_cpu(r[idx * 2]) << 32 | fdt32_to_cpu(r[idx * 2 + 1]);
}

Test(fdt_build, virt_layout_and_console)
{
    struct device *uart = pl011_create(PL011_BASE, PL011_SPI, NULL, NULL);
    struct fdt_params p = {.ram_base = RAM_BASE, .ram_size = 128 << 20, .ncpus = 1,
                           .bootargs = "isv.test=x", .devs = &uart, .ndevs = 1, .console = uart};
    char err[200];
    cr_assert_eq(fdt_build(buf, sizeof buf, &p, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fdt_check_header(buf), 0);

    int chosen = fdt_path_offset(buf, "/chosen");
    cr_assert_str_eq(fdt_getprop(buf, chosen, "bootargs", NULL), "isv.test=x");
    const char *out = fdt_getprop(buf, chosen, "stdout-path", NULL);
    cr_assert_str_eq(out, "/pl011@9000000");
    int u = fdt_path_offset(buf, out);
    cr_assert_geq(u, 0);
    cr_assert_eq(fdt_node_check_compatible(buf, u, "arm,pl011"), 0);
    cr_assert_eq(fdt_node_check_compatible(buf, u, "arm,primecell"), 0);
    cr_assert_eq(reg64(buf, u, 0), PL011_BASE);
    cr_assert_eq(reg64(buf, u, 1), PL011_SIZE);
    int len;
    const fdt32_t *irq = fdt_getprop(buf, u, "interrupts", &len);
    cr_assert_eq(len, 12);
    cr_assert_eq(fdt32_to_cpu(irq[0]), 0, "SPI");
    cr_assert_eq(fdt32_to_cpu(irq[1]), PL011_SPI);
    cr_assert_eq(fdt32_to_cpu(irq[2]), 4, "level-high");
    const fdt32_t *clk = fdt_getprop(buf, u, "clocks", &len);
    cr_assert_eq(len, 8);
    int clock = fdt_node_offset_by_phandle(buf, fdt32_to_cpu(clk[0]));
    cr_assert_eq(fdt_node_check_compatible(buf, clock, "fixed-clock"), 0);
    cr_assert_eq(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(buf, clock, "clock-frequency", NULL)),
                 24000000);
    cr_assert_str_eq(fdt_getprop(buf, fdt_path_offset(buf, "/aliases"), "serial0", NULL), out);

    int mem = fdt_path_offset(buf, "/memory@40000000");
    cr_assert_eq(reg64(buf, mem, 0), RAM_BASE);
    cr_assert_eq(reg64(buf, mem, 1), 128u << 20);

    int gic = fdt_node_offset_by_compatible(buf, -1, "arm,gic-v3");
    cr_assert_geq(gic, 0);
    cr_assert_eq(reg64(buf, gic, 0), GIC_DIST_BASE);
    cr_assert_eq(reg64(buf, gic, 2), GIC_REDIST_BASE);
    const fdt32_t *parent = fdt_getprop(buf, 0, "interrupt-parent", NULL);
    cr_assert_eq(fdt_node_offset_by_phandle(buf, fdt32_to_cpu(*parent)), gic);
    cr_assert_not_null(fdt_getprop(buf, gic, "interrupt-controller", NULL));

    int psci = fdt_node_offset_by_compatible(buf, -1, "arm,psci-0.2");
    cr_assert_str_eq(fdt_getprop(buf, psci, "method", NULL), "hvc");
    cr_assert_geq(fdt_node_offset_by_compatible(buf, -1, "arm,armv8-timer"), 0);
    int cpu = fdt_path_offset(buf, "/cpus/cpu@0");
    cr_assert_str_eq(fdt_getprop(buf, cpu, "enable-method", NULL), "psci");
    uart->ops->destroy(uart);
}

Test(fdt_build, too_small_buffer_is_an_error)
{
    struct fdt_params p = {.ram_base = RAM_BASE, .ram_size = 1 << 20, .ncpus = 1};
    char err[200];
    cr_assert_eq(fdt_build(buf, 256, &p, err, sizeof err), -1);
    cr_assert(strstr(err, "does not fit"), "%s", err);
}
