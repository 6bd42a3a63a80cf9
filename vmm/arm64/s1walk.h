/*
 * Stage-1 (EL1&0) translation table walker: guest virtual -> physical address
 * from SCTLR_EL1, TCR_EL1, TTBR0_EL1/TTBR1_EL1 and a callback that reads guest
 * physical memory. VMSAv8-64 descriptors with 4K/16K/64K granules, start level
 * from TxSZ, table/block/page descriptors, top-byte-ignore, EPDx, big-endian
 * tables (SCTLR_EL1.EE). Faults come back with their level. MMU off = identity.
 * Not covered: FEAT_LPA2 (TCR.DS=1), 52-bit TTBR base addresses. Permissions
 * are the caller's (s1perm.h): the walk returns the leaf descriptor and the
 * hierarchical limits its table descriptors set.
 */
#ifndef ISV_ARM64_S1WALK_H
#define ISV_ARM64_S1WALK_H

#include <stdbool.h>
#include <stdint.h>

struct s1_regs {
    uint64_t sctlr; /* SCTLR_EL1: M (bit 0), EE (bit 25) */
    uint64_t tcr;   /* TCR_EL1 */
    uint64_t ttbr0, ttbr1;
    uint64_t mair;  /* MAIR_EL1: memory types, for alignment checks */
};

/* Read the 64-bit word at guest physical address pa (raw memory order, i.e.
 * little-endian bytes as a host integer on a little-endian host). 0 or -1. */
typedef int (*s1_read_fn)(void *ctx, uint64_t pa, uint64_t *val);

enum s1_fault {
    S1_OK = 0,
    S1_FAULT_TRANSLATION,
    S1_FAULT_ADDR_SIZE,
    S1_FAULT_ACCESS_FLAG,
    S1_FAULT_EXTERNAL,    /* the read callback failed on a table walk */
    S1_FAULT_UNSUPPORTED, /* reserved granule encoding, TCR.DS=1 */
};

struct s1_result {
    enum s1_fault fault;
    int level;              /* level of the fault, or of the leaf */
    uint64_t pa;            /* valid when fault == S1_OK */
    bool mmu_off;
    bool ttbr1;             /* upper VA range */
    unsigned granule_shift; /* 12, 14 or 16 */
    unsigned start_level;
    uint64_t block_size;    /* bytes mapped by the leaf */
    uint64_t desc;          /* leaf descriptor (for attributes/permissions) */
    uint64_t table_limits;  /* OR of the table descriptors' APTable/UXNTable/PXNTable
                               (bits 62:59); 0 when TCR.HPDx disables them */
};

/* Translate va. Returns out->fault (S1_OK on success). */
enum s1_fault s1_translate(const struct s1_regs *regs, uint64_t va, s1_read_fn read, void *ctx,
                           struct s1_result *out);
const char *s1_fault_name(enum s1_fault f);

#endif
