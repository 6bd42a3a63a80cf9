/*
 * Minimal, bounds-checked ELF64 little-endian reader: a linked (ET_EXEC or
 * ET_DYN) file's section headers and the contents of the sections asked for.
 * Pure C (stdio only), shared by the VMM (--symbols) and the host tools. The
 * file may be hostile: every offset and size is checked against the file,
 * the tables it allocates for are capped, and only what is asked for is read
 * (a 500 MB vmlinux with debug information costs its symbol table, no more).
 */
#ifndef ISV_ELF_SECTION_H
#define ISV_ELF_SECTION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { ELF_ET_EXEC = 2, ELF_ET_DYN = 3, ELF_EM_AARCH64 = 183 };
enum { ELF_SHT_SYMTAB = 2, ELF_SHT_STRTAB = 3, ELF_SHT_NOBITS = 8 };
enum { ELF_SHF_ALLOC = 2, ELF_SHF_EXECINSTR = 4 };

/* An open file: its header fields and section header table. */
struct elf_file {
    FILE *f;
    const char *path;  /* for messages (not copied) */
    uint64_t size;     /* bytes in the file */
    unsigned type, machine;
    unsigned shnum;
    uint8_t *shdrs;    /* shnum headers, 64 bytes each (the ELF64 part) */
    char *shstr;       /* the section name table, NUL-terminated copy */
    uint64_t shstrsize;
};

struct elf_shdr {
    const char *name;  /* "" when its offset is outside the name table */
    unsigned type, link;
    uint64_t flags, addr, offset, size, entsize;
};

struct elf_section {
    uint8_t *data; /* malloc'd copy with a NUL byte after it, caller frees */
    size_t size;
    uint64_t addr; /* sh_addr */
};

/* 0, or -1 with "PATH: why" in err (not a regular file, not ELF64 LE, not
 * linked, bad section header or name table). */
int elf_open(const char *path, struct elf_file *ef, char *err, size_t errlen);
void elf_close(struct elf_file *ef);
/* Section header i, 0 <= i < ef->shnum. */
void elf_get_shdr(const struct elf_file *ef, unsigned i, struct elf_shdr *out);
/* Index of the first section called name, or -1. */
int elf_find_section(const struct elf_file *ef, const char *name);
/* Copy section i's contents (at most max_size bytes, else an error). 0, or -1 with err. */
int elf_load_section(const struct elf_file *ef, unsigned i, size_t max_size,
                     struct elf_section *out, char *err, size_t errlen);

/* One section by name from the file at path: 0 on success; -1 with a message
 * in err (missing section, malformed or unsupported file). */
int elf_read_section(const char *path, const char *name, struct elf_section *out, char *err,
                     size_t errlen);

#endif
