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
 *
 * isv.test=bench-smp: can the VMM take exits from two vCPUs at once? N
 * DeviceID reads on CPU 0 alone, then N on each of CPUs 0 and 1 started
 * together, timed from the barrier until both are done (the virtual counter
 * is common to all CPUs). The ratio is the aggregate exit rate of two CPUs
 * over one: 2.00 if exits do not contend at all, 1.00 if they serialise.
 *   isv guest: bench-smp: 1 cpu: N exits in T1 us (R1 exits/s)
 *   isv guest: bench-smp: 2 cpus: 2N exits in T2 us (R2 exits/s)
 *   isv guest: bench-smp: aggregate ratio 2cpu/1cpu: X.XX
 */
#include <libfdt.h>

#include "drivers/timer.h"
#include "drivers/virtio_mmio.h"
#include "guest.h"
#include "smp.h"

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

/* isv.bench.n and the slot-0 node, for both tests. 0, or 1 with a message. */
static int bench_setup(const void *dtb, const char *test, unsigned long *n)
{
    *n = DEFAULT_N;
    char buf[24];
    if (dt_bootarg(dtb, "isv.bench.n", buf, sizeof buf)) {
        char *end;
        *n = strtoul(buf, &end, 10);
        if (*end || *n == 0 || *n > MAX_N) {
            kprintf("isv guest: %s: isv.bench.n=%s is not a count in 1..%lu\n", test, buf, MAX_N);
            return 1;
        }
    }
    if (!slot0_in_dt(dtb)) {
        kprintf("isv guest: %s: no virtio,mmio node at 0x%lx in the device tree\n", test,
                (unsigned long)SLOT0);
        return 1;
    }
    return 0;
}

int test_bench(const void *dtb)
{
    unsigned long n;
    if (bench_setup(dtb, "bench", &n))
        return 1;
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

/* ---- isv.test=bench-smp ---- */

static struct {
    const struct virtio_mmio_regs MMIO_PTR *regs; /* pure reads: shared by both CPUs */
    unsigned long n;
    struct smp_barrier start;
    uint32_t done;
} bsmp;

static void read_loop(const struct virtio_mmio_regs MMIO_PTR *r, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        (void)mmio_read(&r->device_id);
}

static void bench_cpu1(unsigned cpu, void *arg)
{
    (void)cpu;
    (void)arg;
    (void)mmio_read(&bsmp.regs->device_id); /* warm up, as CPU 0 did */
    if (!smp_barrier_wait(&bsmp.start, 2, 10000))
        return;
    read_loop(bsmp.regs, bsmp.n);
    smp_count_up(&bsmp.done);
}

static void report_smp(const char *what, unsigned long exits, uint64_t ticks)
{
    uint64_t ns = ticks_to_ns(ticks), rate = ticks ? exits * timer_freq() / ticks : 0;
    kprintf("isv guest: bench-smp: %s: %lu exits in %llu us (%llu exits/s)\n", what, exits,
            (unsigned long long)(ns / 1000), (unsigned long long)rate);
}

int test_bench_smp(const void *dtb)
{
    if (bench_setup(dtb, "bench-smp", &bsmp.n))
        return 1;
    int cpus = smp_init(dtb);
    if (cpus < 2) {
        if (cpus == 1)
            kprintf("isv guest: bench-smp: needs 2 cpus, the device tree has 1\n");
        return 1;
    }
    unsigned long n = bsmp.n;
    bsmp.regs = mmio_claim(struct virtio_mmio_regs, SLOT0);
    (void)mmio_read(&bsmp.regs->device_id);

    uint64_t t0 = timer_now();
    read_loop(bsmp.regs, n);
    uint64_t one = timer_now() - t0;

    int rc = smp_start(1, bench_cpu1, NULL);
    if (rc != 0) {
        kprintf("isv guest: bench-smp: CPU_ON of cpu 1: status %d\n", rc);
        return 1;
    }
    if (!smp_barrier_wait(&bsmp.start, 2, 10000)) {
        kprintf("isv guest: bench-smp: cpu 1 did not come up\n");
        return 1;
    }
    t0 = timer_now();
    read_loop(bsmp.regs, n);
    if (!smp_wait_count(&bsmp.done, 1, 600000)) {
        kprintf("isv guest: bench-smp: cpu 1 did not finish\n");
        return 1;
    }
    uint64_t two = timer_now() - t0;

    report_smp("1 cpu", n, one);
    report_smp("2 cpus", 2 * n, two);
    /* (2n / two) / (n / one), in hundredths, rounded. */
    uint64_t ratio = two ? (200 * one + two / 2) / two : 0;
    kprintf("isv guest: bench-smp: aggregate ratio 2cpu/1cpu: %llu.%02llu\n",
            (unsigned long long)(ratio / 100), (unsigned long long)(ratio % 100));
    return 0;
}
