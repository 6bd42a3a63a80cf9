/*
 * Secondary CPUs: discovery from /cpus, bring-up with PSCI CPU_ON, and the
 * few synchronisation primitives the SMP tests need. CPUs have logical
 * numbers: 0 is the boot CPU, the others follow in device-tree order. Every
 * CPU keeps its logical number in TPIDR_EL1 (start.S sets it).
 */
#ifndef ISV_GUEST_SMP_H
#define ISV_GUEST_SMP_H

#define SMP_MAX_CPUS 16
#define SMP_STACK_SIZE 0x4000 /* each secondary's; the boot CPU has the linker script's */

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#define MPIDR_AFF_MASK 0xff00ffffffull /* Aff3, Aff2, Aff1, Aff0 */

static inline unsigned smp_cpu_id(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
    return (unsigned)v;
}

static inline uint64_t smp_read_mpidr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
    return v & MPIDR_AFF_MASK;
}

/* Read /cpus (once; later calls return the same count). The number of CPUs,
 * or -1 with a message if the boot CPU is not among them or there are more
 * than SMP_MAX_CPUS. */
int smp_init(const void *dtb);
unsigned smp_cpus(void);
/* The device tree's reg (the MPIDR affinity) of logical CPU `cpu`. */
uint64_t smp_cpu_mpidr(unsigned cpu);

/* Runs on the started CPU with its MMU, caches, stack, vectors and timer
 * event stream on and IRQs masked; if it returns, the CPU calls CPU_OFF. */
typedef void (*smp_entry_fn)(unsigned cpu, void *arg);
/* PSCI CPU_ON logical CPU `cpu` (1..n-1) into fn(cpu, arg). The PSCI
 * status: 0 on success. The CPU checks that its MPIDR_EL1 is the one the
 * device tree names (a mismatch is fatal). */
int smp_start(unsigned cpu, smp_entry_fn fn, void *arg);
/* PSCI AFFINITY_INFO of logical CPU `cpu`: 0 ON, 1 OFF, 2 ON_PENDING. */
int smp_cpu_state(unsigned cpu);

/* Spin until *counter >= target: true, or false after `ms` milliseconds. */
bool smp_wait_count(const uint32_t *counter, uint32_t target, uint32_t ms);
static inline void smp_count_up(uint32_t *counter)
{
    __atomic_add_fetch(counter, 1, __ATOMIC_ACQ_REL);
}

/* A reusable barrier for `n` CPUs (zero-initialised). Everything a CPU did
 * before it is visible to every CPU after it. False on timeout, after which
 * the barrier is unusable (the test has failed anyway). */
struct smp_barrier {
    uint32_t arrived, generation;
};
bool smp_barrier_wait(struct smp_barrier *b, unsigned n, uint32_t ms);

#endif /* __ASSEMBLER__ */
#endif
