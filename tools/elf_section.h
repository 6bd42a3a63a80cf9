/*
 * Minimal, bounds-checked ELF64 little-endian reader for host tools: fetch one
 * section's bytes and address from a linked (ET_EXEC/ET_DYN) file.
 */
#ifndef ISV_TOOLS_ELF_SECTION_H
#define ISV_TOOLS_ELF_SECTION_H

#include <stddef.h>
#include <stdint.h>

struct elf_section {
    uint8_t *data; /* malloc'd copy, caller frees */
    size_t size;
    uint64_t addr; /* sh_addr */
};

/* 0 on success; -1 with a message in err (missing section, malformed or
 * unsupported file). Never reads outside the file. */
int elf_read_section(const char *path, const char *name, struct elf_section *out, char *err,
                     size_t errlen);

#endif
