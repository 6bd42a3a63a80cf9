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

/* The symbol table and its string table (sh_link), both capped. */
static int load_tables(const struct elf_file *ef, struct elf_section *sym,
                       struct elf_section *str, char *err, size_t errlen)
{
    int symi = -1;
    for (unsigned i = 0; i < ef->shnum && symi < 0; i++) {
        struct elf_shdr s;
        elf_get_shdr(ef, i, &s);
        if (s.type == ELF_SHT_SYMTAB)
            symi = (int)i;
    }
    if (symi < 0) {
        snprintf(err, errlen, "%s: no symbol table (.symtab): a stripped file?", ef->path);
        return -1;
    }
    struct elf_shdr s;
    elf_get_shdr(ef, (unsigned)symi, &s);
    struct elf_shdr l = {0};
    if (s.link < ef->shnum)
        elf_get_shdr(ef, s.link, &l);
    if (s.link == 0 || s.link >= ef->shnum || l.type != ELF_SHT_STRTAB) {
        snprintf(err, errlen, "%s: the symbol table links to no string table", ef->path);
        return -1;
    }
    if (elf_load_section(ef, (unsigned)symi, ELF_SYMS_MAX_TABLE, sym, err, errlen))
        return -1;
    if (elf_load_section(ef, s.link, ELF_SYMS_MAX_TABLE, str, err, errlen)) {
        free(sym->data);
        return -1;
    }
    return 0;
}

/* Sort keys: qsort has no context argument, so each carries its address. */
struct key {
    uint64_t addr;
    uint32_t i;
};

static int by_addr(const void *a, const void *b)
{
    const struct key *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i; /* then table order: the lookup's tie rules need it */
}

/* s->by_addr from s->v; -1 when out of memory. */
static int sort_by_addr(struct elf_syms *s)
{
    struct key *k = malloc((s->n ? s->n : 1) * sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; i < s->n; i++)
        k[i] = (struct key){s->v[i].addr, (uint32_t)i};
    qsort(k, s->n, sizeof *k, by_addr);
    for (size_t i = 0; i < s->n; i++)
        s->by_addr[i] = k[i].i;
    free(k);
    return 0;
}

int elf_syms_load(const char *path, struct elf_syms *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    struct elf_file ef;
    if (elf_open(path, &ef, err, errlen))
        return -1;
    out->machine = ef.machine;
    for (unsigned i = 0; i < ef.shnum; i++) {
        struct elf_shdr s;
        elf_get_shdr(&ef, i, &s);
        if ((s.flags & ELF_SHF_ALLOC) && s.size && (!out->have_base || s.addr < out->base)) {
            out->base = s.addr;
            out->have_base = true;
        }
    }
    struct elf_section sym, str;
    int rc = load_tables(&ef, &sym, &str, err, errlen);
    elf_close(&ef);
    if (rc)
        return -1;
    size_t n = sym.size / SYM_SIZE; /* < 2^32 by the cap */
    out->v = calloc(n ? n : 1, sizeof(*out->v));
    out->by_addr = calloc(n ? n : 1, sizeof(*out->by_addr));
    if (!out->v || !out->by_addr) {
        snprintf(err, errlen, "%s: out of memory", path);
        free(sym.data);
        free(str.data);
        elf_syms_free(out);
        return -1;
    }
    /* The string table is kept (NUL-terminated by elf_load_section). */
    out->strtab = (char *)str.data;
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
    if (sort_by_addr(out)) {
        snprintf(err, errlen, "%s: out of memory", path);
        elf_syms_free(out);
        return -1;
    }
    return 0;
}

void elf_syms_free(struct elf_syms *s)
{
    free(s->v);
    free(s->by_addr);
    free(s->strtab);
    memset(s, 0, sizeof(*s));
}

/* First position in by_addr whose symbol's address is >= addr. */
static size_t lower_bound(const struct elf_syms *s, uint64_t addr)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[s->by_addr[mid]].addr < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t elf_syms_name(const struct elf_syms *s, uint64_t addr, char *buf, size_t size)
{
    const struct elf_sym *exact = NULL, *below = NULL;
    size_t i = lower_bound(s, addr);
    /* At addr: the first label in table order, else the first function. */
    for (size_t j = i; j < s->n && s->v[s->by_addr[j]].addr == addr; j++) {
        const struct elf_sym *e = &s->v[s->by_addr[j]];
        if (!exact)
            exact = e;
        if (e->type != STT_FUNC) {
            exact = e;
            break;
        }
    }
    if (!exact && i > 0) {
        /* Below it: of the symbols at the nearest address, the last function
         * in table order, else the first symbol. */
        uint64_t at = s->v[s->by_addr[i - 1]].addr;
        for (size_t j = lower_bound(s, at); j < i; j++) {
            const struct elf_sym *e = &s->v[s->by_addr[j]];
            if (!below || e->type == STT_FUNC)
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
