/* The generated device tree: QEMU virt layout, devices' own nodes, stdout-path. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include <libfdt.h>

#include "../../devices/pl011.h"
#include "../../devices/pl031.h"
#include "../../vmm/config.h"
#include "../../vmm/gic.h"
#include "../../vmm/device_table.h"
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
    cr_assert_geq(cpu, 0);
    cr_assert_null(fdt_getprop(buf, cpu, "enable-method", NULL), "a uniprocessor enables no CPU");
    uart->ops->destroy(uart);
}

/* SMP: each cpu node is named and addressed by its MPIDR affinity (bit 31,
 * RES1, dropped), secondaries are enabled by PSCI, and the redistributor
 * region covers every vCPU. */
Test(fdt_build, cpus_carry_their_mpidrs)
{
    const uint64_t mpidr[3] = {0x80000000, 0x80000001, 0x80000102};
    struct fdt_params p = {.ram_base = RAM_BASE, .ram_size = 128 << 20, .ncpus = 3, .mpidr = mpidr};
    char err[200];
    cr_assert_eq(fdt_build(buf, sizeof buf, &p, err, sizeof err), 0, "%s", err);
    static const char *const paths[3] = {"/cpus/cpu@0", "/cpus/cpu@1", "/cpus/cpu@102"};
    static const uint32_t regs[3] = {0, 1, 0x102};
    cr_assert_eq(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(buf, fdt_path_offset(buf, "/cpus"),
                                                            "#address-cells", NULL)), 1);
    for (int i = 0; i < 3; i++) {
        int cpu = fdt_path_offset(buf, paths[i]);
        cr_assert_geq(cpu, 0, "%s", paths[i]);
        cr_assert_eq(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(buf, cpu, "reg", NULL)), regs[i]);
        cr_assert_str_eq(fdt_getprop(buf, cpu, "enable-method", NULL), "psci");
    }
    int gic = fdt_node_offset_by_compatible(buf, -1, "arm,gic-v3");
    cr_assert_eq(reg64(buf, gic, 3), 3 * GIC_REDIST_SIZE);

    /* Aff3 needs two address cells. */
    const uint64_t aff3[2] = {0x80000000, 0x0100000000ull | 0x80000000};
    struct fdt_params q = {.ram_base = RAM_BASE, .ram_size = 128 << 20, .ncpus = 2, .mpidr = aff3};
    cr_assert_eq(fdt_build(buf, sizeof buf, &q, err, sizeof err), 0, "%s", err);
    int cpu = fdt_path_offset(buf, "/cpus/cpu@100000000");
    cr_assert_geq(cpu, 0);
    int len;
    const fdt32_t *r = fdt_getprop(buf, cpu, "reg", &len);
    cr_assert_eq(len, 8);
    cr_assert_eq(fdt32_to_cpu(r[0]), 1);
    cr_assert_eq(fdt32_to_cpu(r[1]), 0);
}

/* The largest count the redistributor region holds still fits the blob. */
Test(fdt_build, most_cpus_fit)
{
    static uint64_t mpidr[GIC_MAX_CPUS];
    for (unsigned i = 0; i < GIC_MAX_CPUS; i++)
        mpidr[i] = 0x80000000 | (i / 16) << 8 | (i % 16);
    struct fdt_params p = {.ram_base = RAM_BASE, .ram_size = 128 << 20, .ncpus = GIC_MAX_CPUS,
                           .mpidr = mpidr};
    char err[200];
    cr_assert_eq(GIC_MAX_CPUS, 123);
    cr_assert_eq(fdt_build(buf, sizeof buf, &p, err, sizeof err), 0, "%s", err);
    cr_assert_geq(fdt_path_offset(buf, "/cpus/cpu@70a"), 0, "cpu 122 = Aff1 7, Aff0 10");
    int gic = fdt_node_offset_by_compatible(buf, -1, "arm,gic-v3");
    cr_assert_eq(reg64(buf, gic, 2) + reg64(buf, gic, 3), GIC_REDIST_BASE + GIC_REDIST_REGION);
}

Test(fdt_build, too_small_buffer_is_an_error)
{
    struct fdt_params p = {.ram_base = RAM_BASE, .ram_size = 1 << 20, .ncpus = 1};
    char err[200];
    cr_assert_eq(fdt_build(buf, 256, &p, err, sizeof err), -1);
    cr_assert(strstr(err, "does not fit"), "%s", err);
}

static uint64_t prop_u64(const void *fdt, int node, const char *name)
{
    int len;
    const void *v = fdt_getprop(fdt, node, name, &len);
    cr_assert_not_null(v, "%s", name);
    cr_assert_eq(len, 8, "%s is a u64", name);
    fdt64_t x;
    memcpy(&x, v, sizeof x); /* properties are only 4-byte aligned */
    return fdt64_to_cpu(x);
}

Test(fdt_build, chosen_initrd_seeds_and_pl031)
{
    struct device *rtc = pl031_create(PL031_BASE, PL031_SPI, NULL, NULL, NULL);
    struct fdt_params p = {.ram_base = RAM_BASE, .ram_size = 128 << 20, .ncpus = 1,
                           .devs = &rtc, .ndevs = 1, .initrd_start = 0x42400000,
                           .initrd_end = 0x42512345, .have_seeds = true, .kaslr_seed = 0x1122334455667788ull};
    memset(p.rng_seed, 0xa5, sizeof p.rng_seed);
    char err[200];
    cr_assert_eq(fdt_build(buf, sizeof buf, &p, err, sizeof err), 0, "%s", err);
    int chosen = fdt_path_offset(buf, "/chosen"), len;
    cr_assert_eq(prop_u64(buf, chosen, "linux,initrd-start"), 0x42400000);
    cr_assert_eq(prop_u64(buf, chosen, "linux,initrd-end"), 0x42512345, "the end, not the size");
    const uint8_t *seed = fdt_getprop(buf, chosen, "rng-seed", &len);
    cr_assert_eq(len, 64);
    cr_assert_eq(seed[63], 0xa5);
    cr_assert_eq(prop_u64(buf, chosen, "kaslr-seed"), 0x1122334455667788ull);
    int r = fdt_path_offset(buf, "/pl031@9010000");
    cr_assert_geq(r, 0);
    cr_assert_eq(fdt_node_check_compatible(buf, r, "arm,pl031"), 0);
    cr_assert_eq(fdt_node_check_compatible(buf, r, "arm,primecell"), 0);
    cr_assert_str_eq(fdt_getprop(buf, r, "clock-names", NULL), "apb_pclk");
    cr_assert_eq(reg64(buf, r, 0), PL031_BASE);
    const fdt32_t *irq = fdt_getprop(buf, r, "interrupts", &len);
    cr_assert_eq(fdt32_to_cpu(irq[1]), PL031_SPI);
    rtc->ops->destroy(rtc);

    /* Without an initrd or seeds, no such properties. */
    struct fdt_params q = {.ram_base = RAM_BASE, .ram_size = 128 << 20, .ncpus = 1};
    cr_assert_eq(fdt_build(buf, sizeof buf, &q, err, sizeof err), 0, "%s", err);
    chosen = fdt_path_offset(buf, "/chosen");
    cr_assert_null(fdt_getprop(buf, chosen, "linux,initrd-start", NULL));
    cr_assert_null(fdt_getprop(buf, chosen, "rng-seed", NULL));
}

/* The whole board as the VMM builds it (every table device, an initrd,
 * seeds), through dtc with its default checks: no warning at all. */
Test(fdt_build, dtc_finds_nothing_to_warn_about)
{
    static uint8_t ram[1 << 16];
    struct guest_mem mem = {.host = ram, .base = RAM_BASE, .size = sizeof ram};
    struct device_host host = {.mem = &mem};
    struct config cfg = {.console = "null"};
    struct board_ctx b = {.cfg = &cfg, .host = &host};
    struct device *devs[16];
    size_t n = 0;
    char err[300];
    FILE *disk = fopen("/tmp/isv-dtc-disk.img", "w");
    cr_assert(disk);
    cr_assert_eq(ftruncate(fileno(disk), 1 << 20), 0);
    fclose(disk);
    for (size_t i = 0; i < device_table_len; i++) {
        const struct device_kind *k = &device_table[i];
        const char *spec = strcmp(k->name, "virtio-blk") == 0 ? "virtio-blk,file=/tmp/isv-dtc-disk.img"
                           : strcmp(k->name, "virtio-console") == 0 ? "virtio-console,file=/dev/null"
                                                                    : k->name;
        devs[n] = k->board ? k->create(spec, &b, err, sizeof err) : device_table_create(spec, &b, err, sizeof err);
        cr_assert(devs[n], "%s: %s", spec, err);
        n++;
    }
    struct fdt_params p = {.ram_base = RAM_BASE, .ram_size = 256 << 20, .ncpus = 1,
                           .bootargs = "console=ttyAMA0", .devs = devs, .ndevs = n,
                           .console = devs[0], .initrd_start = 0x42400000,
                           .initrd_end = 0x42500000, .have_seeds = true};
    cr_assert_eq(fdt_build(buf, sizeof buf, &p, err, sizeof err), 0, "%s", err);
    char path[] = "/tmp/isv-dtb-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_eq(write(fd, buf, fdt_totalsize(buf)), (ssize_t)fdt_totalsize(buf));
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "dtc -I dtb -O dts -o /dev/null %s 2>&1", path);
    FILE *f = popen(cmd, "r");
    cr_assert(f);
    char out[2048] = "";
    size_t got = fread(out, 1, sizeof out - 1, f);
    out[got] = 0;
    int rc = pclose(f);
    unlink(path);
    cr_assert_eq(rc, 0, "dtc failed: %s", out);
    cr_assert_eq(got, 0, "dtc warned:\n%s", out);
    for (size_t i = 0; i < n; i++)
        devs[i]->ops->destroy(devs[i]);
    unlink("/tmp/isv-dtc-disk.img");
}
