/*
 * Symbols of a linked ELF64 (from .symtab/.strtab, read with elf_section.h),
 * for naming code addresses in host tools' reports.
 */
#ifndef ISV_TOOLS_ELF_SYMS_H
#define ISV_TOOLS_ELF_SYMS_H

#include <stddef.h>
#include <stdint.h>

struct elf_sym {
    uint64_t addr;
    const char *name; /* points into the owning table's string copy */
    unsigned type;    /* STT_* */
    unsigned bind;    /* STB_* */
};

struct elf_syms {
    struct elf_sym *v;
    size_t n;
    char *strtab;
    size_t strsize;
};

/* 0, or -1 with a message in err (no .symtab: a stripped file). Keeps only
 * named code/data symbols: no section, file or mapping ($x, $d) symbols. */
int elf_syms_load(const char *path, struct elf_syms *out, char *err, size_t errlen);
void elf_syms_free(struct elf_syms *s);

/* Name addr as "sym" (a symbol at exactly that address; labels win over the
 * function they sit in) or "sym+0xOFF" (nearest symbol below); "?" if none.
 * snprintf-like return. */
size_t elf_syms_name(const struct elf_syms *s, uint64_t addr, char *buf, size_t size);

#endif
