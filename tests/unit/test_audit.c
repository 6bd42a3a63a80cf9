/* The --nisv=audit table (vmm/audit.c): one entry per PC, counts, the
 * bounded table's overflow, each reason's line, PCs named by --symbols
 * (vmm/guest_syms.c), and notes from several threads at once. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../devices/testdev.h"
#include "../../vmm/audit.h"
#include "../../vmm/board.h"
#include "../../vmm/bus.h"
#include "../../vmm/exit.h"
#include "../../vmm/guest_syms.h"
#include "../../vmm/nisv.h"
#include "elf_build.h"

/* Encodings (binutils' disassembly alongside). */
#define LDP_X6_X7     0xa9401c66u /* ldp x6, x7, [x3] */
#define LDRB_POST     0x38401509u /* ldrb w9, [x8], #1 */
#define LDRSB_W5      0x39ffc025u /* ldrsb w5, [x1, #4080] */
#define LDXR_X9       0xc85f7c09u /* ldxr x9, [x0] */
#define LDADD_W       0xb8210002u /* ldadd w1, w2, [x0] */
#define LDR_Q0        0x3dc00020u /* ldr q0, [x1] */
#define LD1_2REG      0x4c40a000u /* ld1 {v0.16b, v1.16b}, [x0] */
#define STP_W_PRE     0x29812809u /* stp w9, w10, [x0, #8]! */
#define LDRSH_PRE     0x78802c09u /* ldrsh x9, [x0, #2]! */

static struct audit a;

static void setup(void)
{
    audit_init(&a);
}

static void teardown(void)
{
    audit_destroy(&a);
}

TestSuite(audit, .init = setup, .fini = teardown);

static struct audit_event nisv_ev(uint64_t pc, uint32_t word, uint64_t ipa)
{
    return (struct audit_event){.kind = AUDIT_NISV, .pc = pc, .fetched = true, .pc_pa = pc,
                                .word = word, .ipa = ipa, .dev = "testdev@b000000",
                                .dev_base = TESTDEV_BASE};
}

static const char *line_of(const struct audit_entry *e, const struct guest_syms *g)
{
    static char buf[1024];
    audit_format(e, g, buf, sizeof buf);
    return buf;
}

/* The listing, as text (audit_print into a memory stream). */
static char *listing(const struct guest_syms *g)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    audit_print(&a, g, f);
    fclose(f);
    return text;
}

static void has(const char *text, const char *what)
{
    cr_assert(strstr(text, what), "'%s' lacks '%s'", text, what);
}

Test(audit, one_entry_per_pc_with_counts)
{
    cr_assert_not(audit_found(&a));
    for (int i = 0; i < 3; i++) {
        struct audit_event e = nisv_ev(0x40001000, LDP_X6_X7, TESTDEV_BASE + 0x100);
        audit_note(&a, &e);
    }
    struct audit_event e = nisv_ev(0x40000800, LDRB_POST, TESTDEV_BASE + 0x104);
    audit_note(&a, &e);
    cr_assert(audit_found(&a));
    cr_assert_eq(a.n, 2);
    cr_assert_eq(a.total, 4);
    cr_assert_eq(a.v[0].count, 3);
    cr_assert_not(a.v[0].other_addrs);

    char *t = listing(NULL);
    has(t, "isv: audit: 4 accesses at 2 PCs not virtualizable on a stock KVM host (--nisv=audit):\n");
    /* By PC: the ldrb (lower) first. */
    const char *ldrb = strstr(t, "pc 0x40000800"), *ldp = strstr(t, "pc 0x40001000");
    cr_assert(ldrb && ldp && ldrb < ldp, "%s", t);
    has(t, "pc 0x40001000: 3 accesses, testdev@b000000+0x100, 2x64-bit read: a9401c66 ldp x6, x7, [x3]; ");
    has(t, "pc 0x40000800: 1 access, testdev@b000000+0x104, 8-bit read: 38401509 ldrb w9, [x8], #1; ");
    free(t);
}

Test(audit, same_pc_other_address_and_other_instruction)
{
    struct audit_event e = nisv_ev(0x40001000, LDRB_POST, TESTDEV_BASE + 0x100);
    audit_note(&a, &e);
    e.ipa += 1;
    audit_note(&a, &e);
    cr_assert_eq(a.n, 1);
    cr_assert(a.v[0].other_addrs);
    has(line_of(&a.v[0], NULL), "testdev@b000000+0x100 (first of several addresses), ");
    /* Another address space may run another instruction at the same PC. */
    e.word = LDP_X6_X7;
    audit_note(&a, &e);
    cr_assert_eq(a.n, 2);
}

Test(audit, bounded_table_counts_the_overflow)
{
    for (uint64_t i = 0; i < AUDIT_MAX_PCS + 10; i++) {
        struct audit_event e = nisv_ev(0x40000000 + 4 * i, LDP_X6_X7, TESTDEV_BASE);
        audit_note(&a, &e);
    }
    /* Listed PCs still count. */
    struct audit_event e = nisv_ev(0x40000000, LDP_X6_X7, TESTDEV_BASE);
    audit_note(&a, &e);
    cr_assert_eq(a.n, AUDIT_MAX_PCS);
    cr_assert_eq(a.dropped, 10);
    cr_assert_eq(a.v[0].count, 2);
    char *t = listing(NULL);
    has(t, "isv: audit: 267 accesses at 256 or more PCs not virtualizable");
    has(t, "\nisv: audit: table full (256 PCs): 10 more accesses at other PCs not listed\n");
    size_t lines = 0;
    for (const char *c = t; *c; c++)
        lines += *c == '\n';
    cr_assert_eq(lines, 1 + AUDIT_MAX_PCS + 1);
    free(t);
}

Test(audit, clean)
{
    char *t = listing(NULL);
    cr_assert_str_eq(t, "isv: audit: clean: no access without a valid syndrome, no "
                        "sign-extending MMIO load\n");
    free(t);
}

static const char *one(struct audit_event e)
{
    audit_note(&a, &e);
    return line_of(&a.v[a.n - 1], NULL);
}

Test(audit, each_reason)
{
    const char *l = one(nisv_ev(0x40000000, LDP_X6_X7, TESTDEV_BASE));
    has(l, "why: pair: load/store pair: ISV=0; use: one single-register ldr/str per register, "
           "without writeback (mmio_read()/mmio_write() of <mmio.h>)\n");

    l = one(nisv_ev(0x40000004, LDRB_POST, TESTDEV_BASE));
    has(l, "why: writeback: base register writeback (pre/post-index): ISV=0; use: a "
           "single-register ldr/str without writeback, the pointer moved by its own add");

    l = one(nisv_ev(0x40000008, STP_W_PRE, TESTDEV_BASE));
    has(l, "2x32-bit write: 29812809 stp w9, w10, [x0, #8]!; why: pair+writeback: load/store pair");

    l = one(nisv_ev(0x4000000a, LDRSH_PRE, TESTDEV_BASE));
    has(l, "16-bit read: 78802c09 ldrsh x9, [x0, #2]!; why: writeback+sign-extend: base register "
           "writeback");

    l = one(nisv_ev(0x4000000c, LDXR_X9, TESTDEV_BASE));
    has(l, "64-bit read: c85f7c09 ldxr x9, [x0]; why: exclusive: load/store exclusive: ISV=0; "
           "use: a plain single-register ldr/str: no exclusive or atomic");

    l = one(nisv_ev(0x40000010, LDADD_W, TESTDEV_BASE));
    has(l, "32-bit read-modify-write: b8210002 ldadd w1, w2, [x0]; why: atomic: atomic "
           "read-modify-write: ISV=0; use: a plain single-register ldr/str");

    l = one(nisv_ev(0x40000014, LDR_Q0, TESTDEV_BASE));
    has(l, "128-bit read: 3dc00020 ldr q0, [x1]; why: simd-fp: SIMD&FP register transfer: "
           "ISV=0; use: a single general-purpose-register ldr/str: no SIMD/FP");

    l = one(nisv_ev(0x40000018, LD1_2REG, TESTDEV_BASE));
    has(l, "2-register SIMD read: 4c40a000 ld1 {v0.16b, v1.16b}, [x0]; why: simd-struct:");

    struct audit_event s = {.kind = AUDIT_SEXT, .pc = 0x4000001c, .fetched = true,
                            .pc_pa = 0x4000001c, .word = LDRSB_W5, .ipa = PL011_BASE + 0xff0,
                            .dev = "pl011@9000000", .dev_base = PL011_BASE, .len = 1};
    l = one(s);
    has(l, "isv: audit: pc 0x4000001c: 1 access, pl011@9000000+0xff0, 8-bit read: 39ffc025 "
           "ldrsb w5, [x1, #4080]; why: sign-extend: sign-extending load: KVM returns the "
           "value zero-extended; use: a zero-extending ldrb/ldrh/ldr, then sign-extend in a "
           "register (sxtb/sxth/sxtw), e.g. (int8_t)mmio_read() of <mmio.h>\n");

    struct audit_event u = {.kind = AUDIT_NISV, .pc = 0x40000020, .fetched = false,
                            .fetch_error = "the PC is not in guest RAM", .is_write = true,
                            .ipa = 0x0c000000};
    l = one(u);
    has(l, "isv: audit: pc 0x40000020: 1 access, IPA 0xc000000 (no device), write of unknown "
           "width: instruction not fetched (the PC is not in guest RAM); why: no valid "
           "syndrome (the instruction is not known); use: a single-register ldr/str");
}

Test(audit, notes_from_the_exit_handlers_name_the_device)
{
    struct bus bus;
    bus_init(&bus);
    struct device *td = testdev_create(TESTDEV_BASE, NULL);
    cr_assert_eq(bus_add(&bus, td), 0);

    struct guest_insn insn = {.pc = 0x40002000, .pa = 0x40002000, .word = LDP_X6_X7};
    a64_decode(insn.word, &insn.d);
    audit_note_nisv(&a, &bus, TESTDEV_BASE + 0x108, 0 /* read */, &insn);
    struct mmio_access m = {.ipa = TESTDEV_BASE + 0x10, .len = 2};
    audit_note_sext(&a, &bus, &m, 0x40002004, 0x40002004, 0x79c00402 /* ldrsh w2, [x0, #2] */);
    struct guest_insn bad = {.pc = 0x40002008, .error = "the PC is not 4-byte aligned"};
    audit_note_nisv(&a, &bus, 0x0c000000, 1u << 6 /* WnR */, &bad);
    bus_free(&bus);
    td->ops->destroy(td); /* the table keeps its own copy of the name */

    cr_assert_eq(a.n, 3);
    has(line_of(&a.v[0], NULL), "testdev@b000000+0x108, 2x64-bit read: a9401c66 ldp x6, x7, [x3]");
    has(line_of(&a.v[1], NULL), "testdev@b000000+0x10, 16-bit read: 79c00402 ldrsh w2, [x0, #2]; "
                                "why: sign-extend");
    has(line_of(&a.v[2], NULL), "IPA 0xc000000 (no device), write of unknown width: instruction "
                                "not fetched (the PC is not 4-byte aligned)");
}

struct worker {
    unsigned id;
};

static void *noter(void *arg)
{
    const struct worker *w = arg;
    for (unsigned i = 0; i < 20000; i++) {
        struct audit_event e = nisv_ev(0x40000000 + 4 * ((i + w->id) % 8), LDP_X6_X7,
                                       TESTDEV_BASE);
        audit_note(&a, &e);
    }
    return NULL;
}

Test(audit, several_threads)
{
    pthread_t t[4];
    struct worker w[4];
    for (unsigned i = 0; i < 4; i++) {
        w[i].id = i;
        cr_assert_eq(pthread_create(&t[i], NULL, noter, &w[i]), 0);
    }
    for (unsigned i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    cr_assert_eq(a.n, 8);
    cr_assert_eq(a.total, 80000);
    uint64_t sum = 0;
    for (size_t i = 0; i < a.n; i++) {
        cr_assert_eq(a.v[i].count, 10000);
        sum += a.v[i].count;
    }
    cr_assert_eq(sum, 80000);
}

/* --symbols: the guest's ELF linked at 0, its image loaded at RAM base. */
static const struct eb_sym guest_syms_tab[] = {
    {"_start", 0x0, 2, 0},
    {"pl011_init", 0x1000, 2, 0},
    {"virtio_mmio_read_config", 0x2000, 2, 0},
};

static char *guest_elf(unsigned machine)
{
    char *p = elf_tmp_path("guest");
    struct elf_build b = {.machine = machine, .type = 3 /* ET_DYN */, .text_addr = 0,
                          .text_size = 0x3000, .syms = guest_syms_tab, .nsyms = 3};
    cr_assert_eq(elf_build_write(p, &b), 0);
    return p;
}

Test(audit, symbols_name_pcs_by_physical_address)
{
    char *p = guest_elf(0);
    struct guest_syms g;
    char err[512];
    cr_assert_eq(guest_syms_load(&g, p, RAM_BASE, RAM_BASE + 0x3000, err, sizeof err), 0, "%s",
                 err);
    /* The PC is a VA the guest chose (here a high alias); the PA decides. */
    struct audit_event e = nisv_ev(0xffff000000001050ull, LDP_X6_X7, TESTDEV_BASE);
    e.pc_pa = RAM_BASE + 0x1050;
    audit_note(&a, &e);
    e = nisv_ev(RAM_BASE + 0x2044, LDRB_POST, TESTDEV_BASE);
    audit_note(&a, &e);
    e = nisv_ev(RAM_BASE + 0x2000, LDRB_POST, TESTDEV_BASE);
    audit_note(&a, &e);
    e = nisv_ev(RAM_BASE + 0x5000, LDRB_POST, TESTDEV_BASE); /* outside the image */
    audit_note(&a, &e);

    char *t = listing(&g);
    has(t, "pc 0xffff000000001050 <pl011_init+0x50>: 1 access");
    has(t, "pc 0x40002044 <virtio_mmio_read_config+0x44>: 1 access");
    has(t, "pc 0x40002000 <virtio_mmio_read_config>: 1 access");
    has(t, "pc 0x40005000: 1 access");
    free(t);
    guest_syms_free(&g);

    /* Without an image (--bios): the PC is the ELF address. */
    cr_assert_eq(guest_syms_load(&g, p, 0, 0, err, sizeof err), 0, "%s", err);
    char name[64];
    cr_assert_gt(guest_syms_name(&g, 0x1008, 0, false, name, sizeof name), 0);
    cr_assert_str_eq(name, "pl011_init+0x8");
    guest_syms_free(&g);
    unlink(p);
    free(p);
}

Test(audit, bad_symbols_files)
{
    struct guest_syms g;
    char err[512];
    cr_assert_eq(guest_syms_load(&g, "/nonexistent/guest.elf", RAM_BASE, RAM_BASE + 0x1000, err,
                                 sizeof err), -1);
    cr_assert_str_eq(err, "--symbols /nonexistent/guest.elf: No such file or directory");

    char *p = guest_elf(62 /* x86-64 */);
    cr_assert_eq(guest_syms_load(&g, p, RAM_BASE, RAM_BASE + 0x1000, err, sizeof err), -1);
    has(err, ": not an AArch64 ELF file");
    cr_assert(strncmp(err, "--symbols ", 10) == 0, "%s", err);
    cr_assert_null(strchr(err, '\n'));
    unlink(p);
    free(p);

    p = elf_tmp_path("stripped");
    struct elf_build b = {.type = 3, .syms = guest_syms_tab, .nsyms = 3, .no_symtab = true};
    cr_assert_eq(elf_build_write(p, &b), 0);
    cr_assert_eq(guest_syms_load(&g, p, RAM_BASE, RAM_BASE + 0x1000, err, sizeof err), -1);
    has(err, ": no symbol table (.symtab): a stripped file?");
    unlink(p);
    free(p);
}
