/*
 * Symbols of a linked ELF64 (its SHT_SYMTAB section and the string table it
 * links to, read with elf_section.h), for naming code addresses: the VMM's
 * --symbols and the host tools' reports. Pure C. The file may be hostile:
 * the two tables are capped (ELF_SYMS_MAX_TABLE each) and every name offset
 * is checked; nothing else of the file is read, so a vmlinux with hundreds of
 * megabytes of debug information costs its symbol table only.
 */
#ifndef ISV_ELF_SYMS_H
#define ISV_ELF_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per table (.symtab, .strtab): 64 MiB is 2.8 million symbols, ten times a
 * distribution vmlinux. */
#define ELF_SYMS_MAX_TABLE (64u << 20)

struct elf_sym {
    uint64_t addr;
    const char *name; /* points into the owning table's string copy */
    unsigned type;    /* STT_* */
    unsigned bind;    /* STB_* */
};

struct elf_syms {
    struct elf_sym *v;  /* in symbol-table order */
    size_t n;
    uint32_t *by_addr;  /* indices into v, by address (then table order) */
    char *strtab;
    size_t strsize;
    unsigned machine;   /* e_machine (ELF_EM_AARCH64 ...) */
    /* The lowest address of an allocated section: where the first byte of
     * the loaded image (e.g. an Image made from this vmlinux) belongs. */
    uint64_t base;
    bool have_base;
};

/* 0, or -1 with "PATH: why" in err (not a linked ELF64, no symbol table: a
 * stripped file, a table over the cap or outside the file). Keeps only
 * named code/data symbols: no undefined, section, file or mapping ($x, $d)
 * symbols. */
int elf_syms_load(const char *path, struct elf_syms *out, char *err, size_t errlen);
void elf_syms_free(struct elf_syms *s);

/* Name addr as "sym" (a symbol at exactly that address; labels win over the
 * function they sit in) or "sym+0xOFF" (nearest symbol below; of several at
 * that address a function); "?" if none. snprintf-like return. */
size_t elf_syms_name(const struct elf_syms *s, uint64_t addr, char *buf, size_t size);

#endif
