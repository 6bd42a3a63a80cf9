/*
 * Test-only ELF64 writer: a small linked file with .text, .debug_info (a
 * hole of any size: the file is sparse), .symtab, .strtab and .shstrtab, for
 * the ELF readers' tests. Tests doctor its headers afterwards (elf_patch) to
 * make hostile files.
 */
#ifndef ISV_TEST_ELF_BUILD_H
#define ISV_TEST_ELF_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Section indices the writer uses. */
enum { EB_TEXT = 1, EB_DEBUG = 2, EB_SYMTAB = 3, EB_STRTAB = 4, EB_SHSTRTAB = 5, EB_SHNUM = 6 };

struct eb_sym {
    const char *name;
    uint64_t addr;
    unsigned type;  /* STT_*: 0 notype, 1 object, 2 func, 3 section, 4 file */
    unsigned shndx; /* 0: EB_TEXT */
};

struct elf_build {
    unsigned machine;     /* 0: AArch64 (183) */
    unsigned type;        /* 0: ET_EXEC (2) */
    uint64_t text_addr;   /* .text's sh_addr (the lowest allocated address) */
    uint32_t text_size;   /* 0: 64 */
    const struct eb_sym *syms;
    size_t nsyms;
    uint64_t debug_size;  /* bytes of .debug_info, never written (a hole) */
    bool no_symtab;       /* the symbol table's type becomes PROGBITS: stripped */
};

/* Write it to path. 0, or -1. */
int elf_build_write(const char *path, const struct elf_build *b);
/* Overwrite `len` bytes (little-endian value) at field offset `field` of
 * section header `index` in the file at path (e.g. 32 = sh_size). */
int elf_patch_shdr(const char *path, unsigned index, unsigned field, unsigned len, uint64_t value);
/* A fresh path under the temporary directory (caller frees). */
char *elf_tmp_path(const char *tag);

#endif
