/*
 * isv.test=bench: the cost of one MMIO exit, timed by the guest.
 *
 * N 32-bit reads of virtio-mmio slot 0's DeviceID (0x0a000000 + 0x8) and N
 * writes of 0 to its QueueSel (0x30): registers every QEMU-virt-compatible
 * VMM emulates in userspace, with no side effect (QueueSel is 0 after reset,
 * so writing 0 changes nothing; an empty QEMU transport ignores writes).
 * Each access is one trapped load/store (the safe MMIO library guarantees a
 * single ldr/str with a valid syndrome), so a loop's time / N is the round
 * trip guest -> KVM -> VMM -> KVM -> guest. One read and one write before
 * the timed loops warm the VMM's paths, so the device sees N + 1 of each.
 *
 *   isv.bench.n=N   exits per loop (default 1000)
 *
 * Output (parsed by scripts/bench.sh):
 *   isv guest: bench: slot 0 device id D
 *   isv guest: bench: read N exits in T us (X ns/exit)
 *   isv guest: bench: write N exits in T us (X ns/exit)
 */
#include <libfdt.h>

#include "drivers/timer.h"
#include "drivers/virtio_mmio.h"
#include "guest.h"

unsigned long strtoul(const char *s, char **end, int base);

#define SLOT0 0x0a000000ull
#define DEFAULT_N 1000ul
#define MAX_N 100000000ul

static bool slot0_in_dt(const void *dtb)
{
    int node = -1;
    while ((node = fdt_node_offset_by_compatible(dtb, node, "virtio,mmio")) >= 0) {
        uint64_t base, size;
        if (dt_reg(dtb, node, &base, &size) == 0 && base == SLOT0)
            return true;
    }
    return false;
}

static uint64_t ticks_to_ns(uint64_t ticks)
{
    /* Overflows only past ~290 s at 62.5 MHz. */
    return ticks * 1000000000ull / timer_freq();
}

static void report(const char *what, unsigned long n, uint64_t ticks)
{
    uint64_t ns = ticks_to_ns(ticks);
    kprintf("isv guest: bench: %s %lu exits in %llu us (%llu ns/exit)\n", what, n,
            (unsigned long long)(ns / 1000), (unsigned long long)(ns / n));
}

int test_bench(const void *dtb)
{
    unsigned long n = DEFAULT_N;
    char buf[24];
    if (dt_bootarg(dtb, "isv.bench.n", buf, sizeof buf)) {
        char *end;
        n = strtoul(buf, &end, 10);
        if (*end || n == 0 || n > MAX_N) {
            kprintf("isv guest: bench: isv.bench.n=%s is not a count in 1..%lu\n", buf, MAX_N);
            return 1;
        }
    }
    if (!slot0_in_dt(dtb)) {
        kprintf("isv guest: bench: no virtio,mmio node at 0x%lx in the device tree\n",
                (unsigned long)SLOT0);
        return 1;
    }
    struct virtio_mmio_regs MMIO_PTR *r = mmio_claim(struct virtio_mmio_regs, SLOT0);

    uint32_t id = mmio_read(&r->device_id);
    mmio_write(&r->queue_sel, 0u);

    uint64_t t0 = timer_now();
    for (unsigned long i = 0; i < n; i++)
        id = mmio_read(&r->device_id);
    uint64_t t1 = timer_now();
    for (unsigned long i = 0; i < n; i++)
        mmio_write(&r->queue_sel, 0u);
    uint64_t t2 = timer_now();

    kprintf("isv guest: bench: slot 0 device id %u\n", id);
    report("read", n, t1 - t0);
    report("write", n, t2 - t1);
    return 0;
}
