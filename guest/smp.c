/*
 * Secondary CPU bring-up (see smp.h). The CPUs are the /cpus nodes with
 * device_type "cpu"; each one's reg is its MPIDR affinity. PSCI CPU_ON
 * starts one at secondary_entry (start.S) with its logical number as the
 * context id: the only thing it may use before its MMU and caches are on.
 */
#include <libfdt.h>

#include "drivers/timer.h"
#include "guest.h"
#include "smp.h"

int strcmp(const char *a, const char *b);

/* Written by start.S (sp) and smp_start (the rest) before CPU_ON. */
uint8_t smp_stacks[SMP_MAX_CPUS - 1][SMP_STACK_SIZE] __attribute__((aligned(16)));
static struct {
    uint64_t mpidr;
    bool psci; /* enable-method = "psci" */
    smp_entry_fn fn;
    void *arg;
} cpus[SMP_MAX_CPUS];
static int ncpus = -1;

static void add_cpu(unsigned i, const void *dtb, int node, uint64_t mpidr)
{
    const char *method = fdt_getprop(dtb, node, "enable-method", NULL);
    cpus[i].mpidr = mpidr;
    cpus[i].psci = method && strcmp(method, "psci") == 0;
}

int smp_init(const void *dtb)
{
    if (ncpus >= 0)
        return ncpus;
    int parent = fdt_path_offset(dtb, "/cpus"), node, n = 0;
    uint64_t boot = smp_read_mpidr();
    bool found = false;
    /* Boot CPU first, as logical 0; the rest in device-tree order. */
    fdt_for_each_subnode(node, dtb, parent) {
        const char *type = fdt_getprop(dtb, node, "device_type", NULL);
        uint64_t reg, size;
        if (!type || strcmp(type, "cpu") != 0 || dt_reg(dtb, node, &reg, &size) != 0)
            continue;
        reg &= MPIDR_AFF_MASK;
        if (reg == boot && !found) {
            found = true;
            add_cpu(0, dtb, node, reg);
        } else if (n + 1 < SMP_MAX_CPUS) {
            add_cpu((unsigned)++n, dtb, node, reg);
        } else {
            n++;
        }
    }
    if (!found) {
        kprintf("isv guest: smp: boot cpu MPIDR_EL1 0x%lx is not a cpu in the device tree\n",
                (unsigned long)boot);
        return -1;
    }
    if (n + 1 > SMP_MAX_CPUS) {
        kprintf("isv guest: smp: %d cpus in the device tree, more than the %d supported\n", n + 1,
                SMP_MAX_CPUS);
        return -1;
    }
    ncpus = n + 1;
    return ncpus;
}

unsigned smp_cpus(void)
{
    return ncpus > 0 ? (unsigned)ncpus : 1;
}

uint64_t smp_cpu_mpidr(unsigned cpu)
{
    return cpu < smp_cpus() ? cpus[cpu].mpidr : ~0ull;
}

int smp_start(unsigned cpu, smp_entry_fn fn, void *arg)
{
    extern char secondary_entry[];
    if (cpu == 0 || cpu >= smp_cpus())
        return -2; /* PSCI INVALID_PARAMETERS */
    if (!cpus[cpu].psci) {
        kprintf("isv guest: smp: cpu %u has no enable-method \"psci\"\n", cpu);
        return -2;
    }
    cpus[cpu].fn = fn;
    cpus[cpu].arg = arg;
    __asm__ volatile("dsb ish" ::: "memory"); /* visible before the CPU runs */
    /* Identity mapped: the symbol's address is its physical address. */
    return psci_cpu_on(cpus[cpu].mpidr, (uint64_t)(uintptr_t)secondary_entry, cpu);
}

int smp_cpu_state(unsigned cpu)
{
    return psci_affinity_info(cpus[cpu].mpidr);
}

/* start.S, on the new CPU's own stack with the MMU on. */
__attribute__((noreturn)) void smp_secondary_main(unsigned cpu);
void smp_secondary_main(unsigned cpu)
{
    uint64_t mpidr = smp_read_mpidr();
    if (mpidr != cpus[cpu].mpidr)
        guest_fail("cpu %u: MPIDR_EL1 is 0x%lx, the device tree says 0x%lx", cpu,
                   (unsigned long)mpidr, (unsigned long)cpus[cpu].mpidr);
    timer_event_stream_on();
    cpus[cpu].fn(cpu, cpus[cpu].arg);
    psci_cpu_off();
}

bool smp_wait_count(const uint32_t *counter, uint32_t target, uint32_t ms)
{
    uint64_t deadline = timer_deadline(ms);
    while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < target)
        if (timer_now() >= deadline)
            return false;
    return true;
}

bool smp_barrier_wait(struct smp_barrier *b, unsigned n, uint32_t ms)
{
    uint32_t gen = __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&b->arrived, 1, __ATOMIC_ACQ_REL) == n) {
        /* Last in: reset for the next use, then let the others go. */
        __atomic_store_n(&b->arrived, 0, __ATOMIC_RELAXED);
        __atomic_store_n(&b->generation, gen + 1, __ATOMIC_RELEASE);
        return true;
    }
    uint64_t deadline = timer_deadline(ms);
    while (__atomic_load_n(&b->generation, __ATOMIC_ACQUIRE) == gen)
        if (timer_now() >= deadline)
            return false;
    return true;
}
