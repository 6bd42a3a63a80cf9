/*
 * --nisv=audit: what the guest did that a stock KVM host cannot virtualize,
 * noted while it runs (every access is still emulated or fixed) and listed
 * at exit, one line per distinct PC:
 *   - every access without a valid syndrome (KVM_EXIT_ARM_NISV): pairs,
 *     writeback, exclusives, atomics, SIMD/FP, ...: stock VMMs cannot
 *     emulate them;
 *   - every sign-extending MMIO load (LDRSB/LDRSH/LDRSW with a valid
 *     syndrome), whatever the value: mainline KVM completes them
 *     zero-extended, so they are wrong wherever the top bit is set.
 * Pure C (no KVM header): kvm_run.c feeds it, main.c prints it, and
 * tests/unit/test_audit.c tests it.
 *
 * The table is bounded: AUDIT_MAX_PCS entries; accesses at further PCs are
 * counted, not listed, and the listing says so. Its lock (audit.lock) is a
 * leaf: audit_note takes it alone, from any vCPU thread.
 */
#ifndef ISV_VMM_AUDIT_H
#define ISV_VMM_AUDIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bus;
struct guest_insn;
struct guest_syms;
struct mmio_access;

#define AUDIT_MAX_PCS 256

enum audit_kind {
    AUDIT_NISV, /* a data abort without a valid syndrome */
    AUDIT_SEXT, /* a sign-extending load with a valid syndrome */
};

/* One access, as the exit handler saw it. */
struct audit_event {
    enum audit_kind kind;
    uint64_t pc;
    bool fetched;          /* the instruction word is known (else fetch_error) */
    uint64_t pc_pa;        /* its physical address, when fetched */
    uint32_t word;
    const char *fetch_error; /* static storage */
    bool is_write;         /* the syndrome's WnR */
    uint64_t ipa;
    const char *dev;       /* the device at ipa (copied), or NULL */
    uint64_t dev_base;
    unsigned len;          /* AUDIT_SEXT: the access width in bytes */
};

struct audit_entry {
    struct audit_event ev; /* the first access at this PC */
    char dev[40];          /* ev.dev points here */
    uint64_t count;
    bool other_addrs;      /* later accesses at this PC went elsewhere */
};

struct audit {
    pthread_mutex_t lock;
    struct audit_entry v[AUDIT_MAX_PCS];
    size_t n;
    uint64_t total;   /* accesses noted */
    uint64_t dropped; /* of those, at PCs the full table could not take */
};

void audit_init(struct audit *a);
void audit_destroy(struct audit *a);
/* Count an access under its PC (a PC and instruction word make an entry:
 * two address spaces may run different code at one PC). Any thread. */
void audit_note(struct audit *a, const struct audit_event *ev);
/* The exit handlers' shorthands: a data abort without a valid syndrome at
 * ipa (esr_iss: its ISS, for WnR) by insn as guest_fetch_insn left it; a
 * sign-extending load (the trapped access m) by the instruction at pc
 * (physical pa, encoding word). The device comes from the bus. */
void audit_note_nisv(struct audit *a, const struct bus *bus, uint64_t ipa, uint64_t esr_iss,
                     const struct guest_insn *insn);
void audit_note_sext(struct audit *a, const struct bus *bus, const struct mmio_access *m,
                     uint64_t pc, uint64_t pa, uint32_t word);
/* Anything noted (listed or dropped). */
bool audit_found(struct audit *a);

/* One entry's line, "isv: audit: ...\n", PCs named through syms (NULL:
 * none). snprintf-like. */
size_t audit_format(const struct audit_entry *e, const struct guest_syms *syms, char *buf,
                    size_t size);
/* The listing: a summary line, the entries by PC, and what the table had
 * no room for. After the vCPUs stopped. */
void audit_print(struct audit *a, const struct guest_syms *syms, FILE *out);

#endif
