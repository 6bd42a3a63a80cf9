/* ELF64 symbol table reader (see elf_syms.h). */
#include "elf_syms.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_section.h"

#define SYM_SIZE 24 /* sizeof(Elf64_Sym) */
enum { STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2 };

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int elf_syms_load(const char *path, struct elf_syms *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct elf_section sym, str;
    if (elf_read_section(path, ".symtab", &sym, err, errlen) != 0)
        return -1;
    if (elf_read_section(path, ".strtab", &str, err, errlen) != 0) {
        free(sym.data);
        return -1;
    }
    size_t n = sym.size / SYM_SIZE;
    out->v = calloc(n ? n : 1, sizeof(*out->v));
    /* Keep the string table NUL-terminated even if the file's is not. */
    out->strtab = malloc(str.size + 1);
    if (!out->v || !out->strtab) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(sym.data);
        free(str.data);
        elf_syms_free(out);
        return -1;
    }
    memcpy(out->strtab, str.data, str.size);
    out->strtab[str.size] = '\0';
    out->strsize = str.size;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = sym.data + i * SYM_SIZE;
        uint64_t noff = rd(e, 4);
        unsigned info = e[4], type = info & 0xf;
        if (noff == 0 || noff >= str.size || rd(e + 6, 2) == 0 /* SHN_UNDEF */)
            continue;
        if (type != STT_NOTYPE && type != STT_OBJECT && type != STT_FUNC)
            continue;
        const char *name = out->strtab + noff;
        if (name[0] == '$' || name[0] == '\0')
            continue;
        out->v[out->n++] = (struct elf_sym){rd(e + 8, 8), name, type, info >> 4};
    }
    free(sym.data);
    free(str.data);
    return 0;
}

void elf_syms_free(struct elf_syms *s)
{
    free(s->v);
    free(s->strtab);
    memset(s, 0, sizeof(*s));
}

size_t elf_syms_name(const struct elf_syms *s, uint64_t addr, char *buf, size_t size)
{
    const struct elf_sym *exact = NULL, *below = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const struct elf_sym *e = &s->v[i];
        if (e->addr == addr) {
            /* A label on the instruction says more than the function it is in. */
            if (!exact || (exact->type == STT_FUNC && e->type != STT_FUNC))
                exact = e;
        } else if (e->addr < addr && (!below || e->addr > below->addr ||
                                      (e->addr == below->addr && e->type == STT_FUNC))) {
            below = e;
        }
    }
    int n;
    if (exact)
        n = snprintf(buf, size, "%s", exact->name);
    else if (below)
        n = snprintf(buf, size, "%s+0x%" PRIx64, below->name, addr - below->addr);
    else
        n = snprintf(buf, size, "?");
    return n < 0 ? 0 : (size_t)n;
}
