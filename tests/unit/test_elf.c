/* The shared ELF reader (vmm/elf): symbols and their names, and hostile or
 * huge files, written by tests/unit/elf_build.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../vmm/elf/elf_section.h"
#include "../../vmm/elf/elf_syms.h"
#include "elf_build.h"

enum { NOTYPE = 0, OBJECT = 1, FUNC = 2, SECTION = 3, FILE_ = 4 };

static char *write_elf(const char *tag, const struct elf_build *b)
{
    char *p = elf_tmp_path(tag);
    cr_assert_not_null(p);
    cr_assert_eq(elf_build_write(p, b), 0);
    return p;
}

static void done(char *path)
{
    unlink(path);
    free(path);
}

static const char *name_of(const struct elf_syms *s, uint64_t addr)
{
    static char buf[128];
    elf_syms_name(s, addr, buf, sizeof buf);
    return buf;
}

static const struct eb_sym basic[] = {
    {"main", 0x1000, FUNC, 0},   {"helper", 0x1040, FUNC, 0}, {"loop", 0x1048, NOTYPE, 0},
    {"table", 0x2000, OBJECT, 0}, {"$x", 0x1000, NOTYPE, 0},   {".text", 0x1000, SECTION, 0},
    {"file.c", 0, FILE_, 0xfff1},
};

Test(elf_syms, names_exact_below_and_labels)
{
    struct elf_build b = {.text_addr = 0x1000, .syms = basic, .nsyms = 7};
    char *p = write_elf("basic", &b);
    struct elf_syms s;
    char err[256];
    cr_assert_eq(elf_syms_load(p, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.n, 4, "mapping, section and file symbols are dropped");
    cr_assert_eq(s.machine, ELF_EM_AARCH64);
    cr_assert(s.have_base);
    cr_assert_eq(s.base, 0x1000);
    cr_assert_str_eq(name_of(&s, 0x1000), "main");
    cr_assert_str_eq(name_of(&s, 0x1004), "main+0x4");
    cr_assert_str_eq(name_of(&s, 0x1044), "helper+0x4");
    cr_assert_str_eq(name_of(&s, 0x1048), "loop", "a label at the address wins");
    cr_assert_str_eq(name_of(&s, 0x104c), "loop+0x4");
    cr_assert_str_eq(name_of(&s, 0x2010), "table+0x10");
    cr_assert_str_eq(name_of(&s, 0xfff), "?");
    elf_syms_free(&s);
    done(p);
}

/* The old linear lookup, the reference for the sorted one. */
static void ref_name(const struct eb_sym *v, size_t n, uint64_t addr, char *buf, size_t size)
{
    const struct eb_sym *exact = NULL, *below = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct eb_sym *e = &v[i];
        if (e->addr == addr) {
            if (!exact || (exact->type == FUNC && e->type != FUNC))
                exact = e;
        } else if (e->addr < addr && (!below || e->addr > below->addr ||
                                      (e->addr == below->addr && e->type == FUNC))) {
            below = e;
        }
    }
    if (exact)
        snprintf(buf, size, "%s", exact->name);
    else if (below)
        snprintf(buf, size, "%s+0x%llx", below->name, (unsigned long long)(addr - below->addr));
    else
        snprintf(buf, size, "?");
}

Test(elf_syms, sorted_lookup_matches_the_linear_rules)
{
    enum { N = 3000 };
    static struct eb_sym v[N];
    static char names[N][16];
    srand(7);
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "s%d", i);
        /* Few distinct addresses: many ties of functions and labels. */
        v[i] = (struct eb_sym){names[i], 0x10000 + 16 * (uint64_t)(rand() % 400),
                               rand() % 3 ? FUNC : NOTYPE, 0};
    }
    struct elf_build b = {.text_addr = 0x10000, .syms = v, .nsyms = N};
    char *p = write_elf("many", &b);
    struct elf_syms s;
    char err[256], want[64];
    cr_assert_eq(elf_syms_load(p, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.n, N);
    for (uint64_t a = 0xfff0; a < 0x10000 + 16 * 410; a += 4) {
        ref_name(v, N, a, want, sizeof want);
        cr_assert_str_eq(name_of(&s, a), want, "at 0x%llx", (unsigned long long)a);
    }
    elf_syms_free(&s);
    done(p);
}

/* A vmlinux carries hundreds of megabytes of debug information: only the
 * symbol and string tables may be read (a sparse file: the hole is never
 * read, and a whole-file reader would refuse it over 512 MiB). */
Test(elf_syms, huge_file_reads_the_tables_only)
{
    struct eb_sym ks[] = {{"_text", 0xffff800008000000ull, NOTYPE, 0},
                          {"start_kernel", 0xffff800008010000ull, FUNC, 0}};
    struct elf_build b = {.text_addr = 0xffff800008000000ull, .syms = ks, .nsyms = 2,
                          .debug_size = 3ull << 30};
    char *p = write_elf("huge", &b);
    struct elf_syms s;
    char err[256];
    cr_assert_eq(elf_syms_load(p, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.base, 0xffff800008000000ull);
    cr_assert_str_eq(name_of(&s, 0xffff800008010abcull), "start_kernel+0xabc");
    elf_syms_free(&s);
    done(p);
}

static void load_fails(const char *path, const char *why)
{
    struct elf_syms s;
    char err[256] = "";
    cr_assert_eq(elf_syms_load(path, &s, err, sizeof err), -1, "%s loaded", path);
    cr_assert(strstr(err, why), "error '%s' lacks '%s'", err, why);
    cr_assert(strncmp(err, path, strlen(path)) == 0, "error '%s' does not name the file", err);
    cr_assert_null(s.v);
}

Test(elf_syms, hostile_tables)
{
    struct elf_build b = {.text_addr = 0x1000, .syms = basic, .nsyms = 4};
    char *p = write_elf("hostile", &b);

    cr_assert_eq(elf_patch_shdr(p, EB_SYMTAB, 32, 8, (uint64_t)ELF_SYMS_MAX_TABLE + 24), 0);
    load_fails(p, "extends beyond the file");
    done(p);

    /* Over the cap, inside the file: refused before any allocation. */
    b.debug_size = (uint64_t)ELF_SYMS_MAX_TABLE + (1u << 20);
    p = write_elf("hostile-cap", &b);
    cr_assert_eq(elf_patch_shdr(p, EB_SYMTAB, 32, 8, (uint64_t)ELF_SYMS_MAX_TABLE + 24), 0);
    load_fails(p, "too large");
    done(p);

    b.debug_size = 0;
    p = write_elf("hostile-off", &b);
    cr_assert_eq(elf_patch_shdr(p, EB_SYMTAB, 24, 8, ~0ull - 8), 0);
    load_fails(p, "extends beyond the file");
    done(p);

    p = write_elf("hostile-link", &b);
    cr_assert_eq(elf_patch_shdr(p, EB_SYMTAB, 40, 4, EB_TEXT), 0);
    load_fails(p, "links to no string table");
    cr_assert_eq(elf_patch_shdr(p, EB_SYMTAB, 40, 4, 999), 0);
    load_fails(p, "links to no string table");
    done(p);

    p = write_elf("hostile-shnum", &b);
    {
        /* e_shoff past the end of the file. */
        FILE *f = fopen(p, "r+b");
        cr_assert_not_null(f);
        fseek(f, 40, SEEK_SET);
        uint8_t big[8] = {0, 0, 0, 0, 0, 0, 0, 0x40};
        fwrite(big, 1, 8, f);
        fclose(f);
    }
    load_fails(p, "bad section header table");
    done(p);
}

Test(elf_syms, names_outside_the_string_table_are_dropped)
{
    struct elf_build b = {.text_addr = 0x1000, .syms = basic, .nsyms = 4};
    char *p = write_elf("names", &b);
    /* Cut the string table in the middle of "helper": its name runs to the
     * end unterminated, and "loop" and "table" point past it. */
    cr_assert_eq(elf_patch_shdr(p, EB_STRTAB, 32, 8, 1 + 5 + 3), 0);
    struct elf_syms s;
    char err[256];
    cr_assert_eq(elf_syms_load(p, &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.n, 2);
    cr_assert_str_eq(name_of(&s, 0x1000), "main");
    cr_assert_str_eq(name_of(&s, 0x1040), "hel", "kept inside the table, NUL-terminated");
    cr_assert_str_eq(name_of(&s, 0x2000), "hel+0xfc0");
    elf_syms_free(&s);
    done(p);
}

Test(elf_syms, not_loadable)
{
    struct elf_build b = {.text_addr = 0x1000, .syms = basic, .nsyms = 4, .no_symtab = true};
    char *p = write_elf("stripped", &b);
    load_fails(p, "no symbol table");
    done(p);

    b = (struct elf_build){.type = 1 /* ET_REL */, .syms = basic, .nsyms = 4};
    p = write_elf("rel", &b);
    load_fails(p, "relocations unsupported");
    done(p);

    p = elf_tmp_path("text");
    FILE *f = fopen(p, "w");
    fputs("not an ELF file at all, but long enough to hold a header of sixty-four bytes\n", f);
    fclose(f);
    load_fails(p, "not an ELF file");
    done(p);

    load_fails("/nonexistent/isv.elf", "No such file");
    load_fails("/tmp", "not a regular file");
}

Test(elf_section, read_by_name)
{
    struct elf_build b = {.text_addr = 0x1000, .text_size = 128, .syms = basic, .nsyms = 4};
    char *p = write_elf("section", &b);
    struct elf_section s;
    char err[256];
    cr_assert_eq(elf_read_section(p, ".text", &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.size, 128);
    cr_assert_eq(s.addr, 0x1000);
    free(s.data);
    cr_assert_eq(elf_read_section(p, ".mmio_insns", &s, err, sizeof err), -1);
    cr_assert(strstr(err, "no section .mmio_insns"), "%s", err);
    done(p);
}
