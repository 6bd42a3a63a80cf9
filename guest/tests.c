/*
 * Guest self-tests, selected with isv.test=NAME on the kernel command line
 * (the VMM's --append). Each prints what it does so the host can check it.
 */
#include <libfdt.h>

#include "drivers/gic.h"
#include "pl011.h" /* guest/drivers or guest/naive: see guest.mk */
#include "drivers/testdev_regs.h"
#include "guest.h"

int strcmp(const char *a, const char *b);

/* An address no QEMU-virt device or RAM occupies. */
#define UNMAPPED_ADDR 0x0c000000ull

static const void *test_dtb;

static int test_unmapped(void)
{
    kprintf("isv guest: reading unmapped address 0x%lx\n", (unsigned long)UNMAPPED_ADDR);
    uint32_t v = mmio_read32_unsafe((uintptr_t)UNMAPPED_ADDR); /* deliberately outside any device */
    kprintf("isv guest: unmapped read returned 0x%x\n", v);
    return 0;
}

static int test_fault(void)
{
    kprintf("isv guest: executing an undefined instruction\n");
    __asm__ volatile(".inst 0x00000000");
    return 0;
}

/* Every access width against the test device's registers and scratch memory. */
static int test_testdev(void)
{
    int node = fdt_node_offset_by_compatible(test_dtb, -1, "isv,testdev");
    uint64_t base, size;
    if (node < 0 || dt_reg(test_dtb, node, &base, &size) != 0) {
        kprintf("isv guest: no isv,testdev in the device tree\n");
        return 1;
    }
    struct testdev_regs MMIO_PTR *t = mmio_claim(struct testdev_regs, (uintptr_t)base);
    int bad = 0;
    uint32_t id = mmio_read(&t->id);
    kprintf("isv guest: testdev at 0x%lx, id 0x%x\n", (unsigned long)base, id);
    bad |= id != TESTDEV_ID_VALUE;
    uint64_t c0 = mmio_read(&t->counter), c1 = mmio_read(&t->counter);
    bad |= c1 != c0 + 1;

    uint8_t v8 = 0xa5;
    uint16_t v16 = 0xbeef;
    uint32_t v32 = 0x12345678;
    uint64_t v64 = 0x0123456789abcdefull;
    mmio_write(mmio_elem(t, scratch8, 1), v8);
    mmio_write(mmio_elem(t, scratch16, 1), v16);
    mmio_write(mmio_elem(t, scratch32, 1), v32);
    mmio_write(mmio_elem(t, scratch64, 1), v64);
    const bool ok[4] = {
        mmio_read(mmio_elem(t, scratch8, 1)) == v8,
        mmio_read(mmio_elem(t, scratch16, 1)) == v16,
        mmio_read(mmio_elem(t, scratch32, 1)) == v32,
        mmio_read(mmio_elem(t, scratch64, 1)) == v64,
    };
    for (unsigned i = 0; i < 4; i++) {
        kprintf("isv guest: testdev %u-byte scratch write/read: %s\n", 1u << i,
                ok[i] ? "ok" : "MISMATCH");
        bad |= !ok[i];
    }
    return bad;
}

static void uart_irq(void *ctx)
{
    pl011_irq(ctx);
}

/*
 * Interrupt-driven echo: every byte received is sent back, until EOT (0x04).
 * Reports the byte and interrupt counts so the host can check them.
 */
static int test_echo(void)
{
    struct pl011 *u = console_uart();
    int spi = console_node() >= 0 ? gic_dt_spi(test_dtb, console_node()) : -1;
    if (spi < 0 || gic_init(test_dtb) != 0) {
        kprintf("isv guest: echo needs a GICv3 and the UART's interrupt in the device tree\n");
        return 1;
    }
    gic_enable_spi((uint32_t)spi, false, uart_irq, u);
    pl011_enable_rx_irq(u);
    kprintf("isv guest: echo ready (SPI %d)\n", spi);
    irq_enable();
    uint32_t bytes = 0;
    for (;;) {
        uint8_t c;
        irq_disable();
        bool got = pl011_rx_pop(u, &c);
        if (!got)
            __asm__ volatile("wfi"); /* wakes on a pending IRQ even while masked */
        irq_enable();
        if (!got)
            continue;
        if (c == 0x04)
            break;
        pl011_putc(u, c);
        bytes++;
    }
    irq_disable();
    kprintf("\nisv guest: echo done: %u bytes, %u interrupts, %u overflows, %u unhandled, "
            "%u throttles\n", bytes, u->irqs, u->rx_overflow, gic_unhandled(), u->rx_throttled);
    return u->rx_overflow != 0;
}

static int virtio_blk(void) { return test_virtio_blk(test_dtb); }
static int virtio_blk_ro(void) { return test_virtio_blk_ro(test_dtb); }
static int virtio_rng(void) { return test_virtio_rng(test_dtb); }
static int virtio_console(void) { return test_virtio_console(test_dtb); }
static int virtio_all(void) { return test_virtio_all(test_dtb); }
static int virtio_hostile(void) { return test_virtio_hostile(test_dtb); }
static int forms(void) { return test_forms(test_dtb); }
static int bench(void) { return test_bench(test_dtb); }
static int bench_smp(void) { return test_bench_smp(test_dtb); }
static int smp(void) { return test_smp(test_dtb); }
static int smp_off(void) { return test_smp_off(test_dtb); }
static int smp_spin(void) { return test_smp_spin(test_dtb); }
static int hostile(void) { return test_hostile(test_dtb); }
static int durable(void) { return test_durable(test_dtb); }
static int durable_noflush(void) { return test_durable_noflush(test_dtb); }

struct guest_test {
    const char *name;
    int (*fn)(void);
};

static const struct guest_test tests[] = {
    {"unmapped", test_unmapped},
    {"fault", test_fault},
    {"testdev", test_testdev},
    {"echo", test_echo},
    {"forms", forms},
    {"virtio-blk", virtio_blk},
    {"virtio-blk-ro", virtio_blk_ro},
    {"virtio-rng", virtio_rng},
    {"virtio-console", virtio_console},
    {"virtio", virtio_all},
    {"virtio-hostile", virtio_hostile},
    {"bench", bench},
    {"bench-smp", bench_smp},
    {"smp", smp},
    {"smp-off", smp_off},
    {"smp-spin", smp_spin},
    {"hostile", hostile},
    {"durable", durable},
    {"durable-noflush", durable_noflush},
    {"el0-escalate", test_el0_escalate},
    {"sext-aspace", test_sext_aspace},
};

int run_guest_test(const void *dtb, const char *name)
{
    test_dtb = dtb;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (strcmp(tests[i].name, name) == 0)
            return tests[i].fn();
    kprintf("isv guest: unknown test '%s'\n", name);
    return 1;
}
