/*
 * Known-bad MMIO code for `make check-codegen` (mk/codegen.mk): naive
 * device access that the safe library exists to prevent. Built exactly like
 * the drivers; the check must flag it at every compiler and level.
 */
#include <mmio.h>
#include <stdint.h>

struct bad_regs {
    uint32_t data, flags, ctrl, mask;
};

/* A plain volatile struct copy: gcc reads it with ldp (two registers, ISV=0). */
struct bad_regs bad_struct_copy(volatile struct bad_regs *dev);
struct bad_regs bad_struct_copy(volatile struct bad_regs *dev)
{
    return *dev;
}

/* Walking a FIFO window with a pointer: post-indexed loads (writeback, ISV=0).
 * The store into buf (RAM) is on a line of its own: it is not MMIO code, and
 * the check asserts it is not reported as such. */
void bad_fifo_read(volatile uint32_t *fifo, uint32_t *buf, unsigned n);
void bad_fifo_read(volatile uint32_t *fifo, uint32_t *buf, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint32_t v = *fifo++;
        buf[i] = v;
    }
}

/* A signed register read: ldrsh (KVM hands it back zero-extended). */
int32_t bad_signed_read(volatile int16_t *reg);
int32_t bad_signed_read(volatile int16_t *reg)
{
    return *reg;
}

/* Hand-written asm that claims to be an accessor: recorded in .mmio_insns,
 * but post-indexed. */
uint32_t bad_asm_record(uintptr_t addr);
uint32_t bad_asm_record(uintptr_t addr)
{
    uint32_t v;
    __asm__ volatile("1:\tldr %w0, [%1], #4\n\t.pushsection .mmio_insns, \"a\"\n\t.balign 4\n"
                     "\t.long 1b - .\n\t.popsection"
                     : "=&r"(v), "+r"(addr) : : "memory");
    return v;
}

/* The same without a record: only the scan of MMIO code can see it. */
void bad_asm_pair(uintptr_t addr, uint64_t v);
void bad_asm_pair(uintptr_t addr, uint64_t v)
{
    __asm__ volatile("stp %x0, %x0, [%1]" : : "r"(v), "r"(addr) : "memory");
}
