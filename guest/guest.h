/* Shared declarations of the freestanding guest. */
#ifndef ISV_GUEST_H
#define ISV_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* lib/printf.c: formatted output to the console (%s %c %d %u %x %p, l/ll, width, 0).
 * One call's output is never interleaved with another CPU's. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* console.c: the boot console (a PL011 found through /chosen/stdout-path). */
void console_init(const void *dtb);
void console_putc(char c);
uint64_t console_base(void);
struct pl011 *console_uart(void);
int console_node(void); /* its device-tree node, or -1 */

/* virtio_tests.c: CRC-32 (IEEE 802.3, as zlib.crc32); start with crc 0. */
uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n);

/* psci.c: power control through the conduit the device tree names. */
void psci_init(const void *dtb);
__attribute__((noreturn)) void psci_system_off(void);
__attribute__((noreturn)) void psci_system_reset(void);
/* CPU_ON: the CPU with affinity `mpidr` starts at physical address `entry`
 * with x0 = `context`. The PSCI status: 0 success, negative errors. */
int psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context);
/* Any PSCI/SMCCC function: x0 back (after psci_init). */
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
__attribute__((noreturn)) void psci_cpu_off(void);
/* 0 ON, 1 OFF, 2 ON_PENDING, negative errors. */
int psci_affinity_info(uint64_t mpidr);

/* mmu.c: identity map (device below 1 GiB, normal memory for RAM). */
void mmu_enable(const void *dtb);
void mmu_map_ram(uint64_t base, uint64_t size);
/* start.S: load the translation registers and turn the MMU and caches on;
 * every CPU does this with the same level-1 table. */
extern uint64_t mmu_l1_table[512];
void mmu_on(uint64_t ttbr0);

/* exceptions.c */
typedef void (*irq_handler_fn)(void);
void irq_set_handler(irq_handler_fn fn);
__attribute__((noreturn)) void guest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Data aborts a test provokes on purpose: with catching on, abort_expect()
 * arms it for the next access; a data abort then skips the instruction and is
 * reported by abort_taken() instead of being fatal. */
void abort_catch(bool on);
void abort_expect(void);
bool abort_taken(uint64_t *esr);

/* What the vectors saved (vectors.S); the return restores it, so a hook may
 * change it. */
struct trap_frame {
    uint64_t x[31];
    uint64_t elr, spsr, pad;
};
/* A test expecting an exception (e.g. one its EL0 code raises) installs a
 * hook; it sees every non-IRQ exception first and returns true if it handled
 * it (typically by pointing elr/spsr at a recovery address), false to leave
 * it fatal. NULL removes it. kind is the vector number (vectors.S). */
typedef bool (*exc_hook_fn)(struct trap_frame *f, uint64_t kind, uint64_t esr, uint64_t far);
void exc_set_hook(exc_hook_fn fn);

/* isolation.c: isv.test=el0-escalate (EL0 cannot reach EL1-only memory through
 * an MMIO access, issue 13 finding 1) and sext-aspace (the sign-extension fix
 * follows the current address space, finding 2). 0 = pass. */
int test_el0_escalate(void);
int test_sext_aspace(void);

/* forms.c */
int test_forms(const void *dtb);

/* virtio_tests.c: isv.test=virtio-blk, virtio-blk-ro, virtio-rng,
 * virtio-console, virtio (all devices). 0 = pass. */
int test_virtio_blk(const void *dtb);
int test_virtio_blk_ro(const void *dtb);
int test_virtio_rng(const void *dtb);
int test_virtio_console(const void *dtb);
int test_virtio_all(const void *dtb);
int test_virtio_hostile(const void *dtb);
/* Word i of sector `sector` of the block tests' disk pattern (virtio_tests.c;
 * tests/integration/blk-pattern.py makes the same). */
uint32_t blk_pattern_word(uint32_t seed, uint64_t sector, uint32_t i);

/* bench.c: isv.test=bench, the MMIO exit-cost loops (0 = ran); bench-smp,
 * the same reads from one CPU and then two at once. */
int test_bench(const void *dtb);
int test_bench_smp(const void *dtb);

/* smp_tests.c: isv.test=smp (bring-up, concurrent MMIO, SGIs, CPU_OFF,
 * virtio-blk from two CPUs), smp-off (CPU 1 powers the system off),
 * smp-spin (every CPU loops on MMIO exits; never returns). 0 = pass. */
int test_smp(const void *dtb);
int test_smp_off(const void *dtb);
int test_smp_spin(const void *dtb);

/* hostile.c: isv.test=hostile, the hostile-guest suite (isv.hostile=GROUP). */
int test_hostile(const void *dtb);

/* durability.c: isv.test=durable, durable-noflush: writes until the VMM is
 * killed, each completion (and flush) reported for durable-check.py. */
int test_durable(const void *dtb);
int test_durable_noflush(const void *dtb);

/* dt.c: small conveniences over libfdt. */
const char *dt_bootargs(const void *dtb);
/* Value of "key=value" in the bootargs (copied into buf), or NULL. */
const char *dt_bootarg(const void *dtb, const char *key, char *buf, size_t len);
int dt_reg(const void *dtb, int node, uint64_t *base, uint64_t *size);

/* tests.c: optional self-tests selected by isv.test= on the command line. */
int run_guest_test(const void *dtb, const char *name);

#endif
