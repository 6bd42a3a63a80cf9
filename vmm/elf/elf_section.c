/* ELF64 section reader (see elf_section.h). */
#include "elf_section.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EHDR_SIZE 64
#define SHDR_SIZE 64                  /* the ELF64 part of each header we keep */
#define MAX_SHENTSIZE 1024            /* 64 in practice; larger is allowed by the spec */
#define MAX_NAMES (16u << 20)         /* section name table */
#define MAX_FILE_SECTION (512u << 20) /* elf_read_section's cap */

static uint64_t rd(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int fail(char *err, size_t errlen, const char *path, const char *msg)
{
    snprintf(err, errlen, "%s: %s", path, msg);
    return -1;
}

static int in_file(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/* Read len bytes at off (checked against the file first). */
static int read_at(FILE *f, uint64_t off, void *buf, size_t len)
{
    if (len == 0)
        return 0;
    if (off > (uint64_t)INT64_MAX || fseeko(f, (off_t)off, SEEK_SET) != 0)
        return -1;
    return fread(buf, 1, len, f) == len ? 0 : -1;
}

int elf_open(const char *path, struct elf_file *ef, char *err, size_t errlen)
{
    memset(ef, 0, sizeof *ef);
    ef->path = path;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, path, strerror(errno));
    ef->f = f;
    struct stat st;
    /* Directories, FIFOs and devices have no size to check offsets against. */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        elf_close(ef);
        return fail(err, errlen, path, "not a regular file");
    }
    ef->size = (uint64_t)st.st_size;
    uint8_t h[EHDR_SIZE];
    if (ef->size < EHDR_SIZE || read_at(f, 0, h, sizeof h) || memcmp(h, "\177ELF", 4) != 0) {
        elf_close(ef);
        return fail(err, errlen, path, "not an ELF file");
    }
    const char *why = NULL;
    ef->type = (unsigned)rd(h + 16, 2);
    ef->machine = (unsigned)rd(h + 18, 2);
    uint64_t shoff = rd(h + 40, 8);
    unsigned shentsize = (unsigned)rd(h + 58, 2), shnum = (unsigned)rd(h + 60, 2);
    unsigned shstrndx = (unsigned)rd(h + 62, 2);
    if (h[4] != 2 || h[5] != 1)
        why = "not a little-endian ELF64 file";
    else if (ef->type != ELF_ET_EXEC && ef->type != ELF_ET_DYN)
        why = "not a linked executable or shared object (relocations unsupported)";
    /* shnum 0 is also how ELF spells more than 65279 sections: not supported. */
    else if (shentsize < SHDR_SIZE || shentsize > MAX_SHENTSIZE || shnum == 0 ||
             shstrndx >= shnum || !in_file(shoff, (uint64_t)shentsize * shnum, ef->size))
        why = "bad section header table";
    if (why) {
        elf_close(ef);
        return fail(err, errlen, path, why);
    }
    ef->shnum = shnum;
    ef->shdrs = malloc((size_t)shnum * SHDR_SIZE);
    if (!ef->shdrs) {
        elf_close(ef);
        return fail(err, errlen, path, "out of memory");
    }
    for (unsigned i = 0; i < shnum; i++)
        if (read_at(f, shoff + (uint64_t)i * shentsize, ef->shdrs + (size_t)i * SHDR_SIZE,
                    SHDR_SIZE)) {
            elf_close(ef);
            return fail(err, errlen, path, "cannot read the section header table");
        }
    const uint8_t *strsh = ef->shdrs + (size_t)shstrndx * SHDR_SIZE;
    uint64_t stroff = rd(strsh + 24, 8), strsize = rd(strsh + 32, 8);
    if (rd(strsh + 4, 4) == ELF_SHT_NOBITS || strsize > MAX_NAMES ||
        !in_file(stroff, strsize, ef->size)) {
        elf_close(ef);
        return fail(err, errlen, path, "bad section name table");
    }
    ef->shstr = malloc(strsize + 1);
    if (!ef->shstr || read_at(f, stroff, ef->shstr, strsize)) {
        elf_close(ef);
        return fail(err, errlen, path, "cannot read the section name table");
    }
    ef->shstr[strsize] = '\0'; /* names stay inside it even if the file's is unterminated */
    ef->shstrsize = strsize;
    return 0;
}

void elf_close(struct elf_file *ef)
{
    if (ef->f)
        fclose(ef->f);
    free(ef->shdrs);
    free(ef->shstr);
    memset(ef, 0, sizeof *ef);
}

void elf_get_shdr(const struct elf_file *ef, unsigned i, struct elf_shdr *out)
{
    const uint8_t *sh = ef->shdrs + (size_t)i * SHDR_SIZE;
    uint64_t noff = rd(sh, 4);
    *out = (struct elf_shdr){
        .name = noff < ef->shstrsize ? ef->shstr + noff : "",
        .type = (unsigned)rd(sh + 4, 4),
        .flags = rd(sh + 8, 8),
        .addr = rd(sh + 16, 8),
        .offset = rd(sh + 24, 8),
        .size = rd(sh + 32, 8),
        .link = (unsigned)rd(sh + 40, 4),
        .entsize = rd(sh + 56, 8),
    };
}

int elf_find_section(const struct elf_file *ef, const char *name)
{
    for (unsigned i = 0; i < ef->shnum; i++) {
        struct elf_shdr s;
        elf_get_shdr(ef, i, &s);
        if (strcmp(s.name, name) == 0)
            return (int)i;
    }
    return -1;
}

int elf_load_section(const struct elf_file *ef, unsigned i, size_t max_size,
                     struct elf_section *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct elf_shdr s;
    elf_get_shdr(ef, i, &s);
    if (s.type == ELF_SHT_NOBITS)
        return fail(err, errlen, ef->path, "section has no file contents");
    if (!in_file(s.offset, s.size, ef->size))
        return fail(err, errlen, ef->path, "section extends beyond the file");
    if (s.size > max_size)
        return fail(err, errlen, ef->path, "section too large");
    out->data = malloc((size_t)s.size + 1);
    if (!out->data)
        return fail(err, errlen, ef->path, "out of memory");
    if (read_at(ef->f, s.offset, out->data, (size_t)s.size)) {
        free(out->data);
        out->data = NULL;
        return fail(err, errlen, ef->path, "cannot read a section");
    }
    out->data[s.size] = 0;
    out->size = (size_t)s.size;
    out->addr = s.addr;
    return 0;
}

int elf_read_section(const char *path, const char *name, struct elf_section *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct elf_file ef;
    if (elf_open(path, &ef, err, errlen))
        return -1;
    int i = elf_find_section(&ef, name), rc = -1;
    if (i < 0)
        snprintf(err, errlen, "%s: no section %s", path, name);
    else
        rc = elf_load_section(&ef, (unsigned)i, MAX_FILE_SECTION, out, err, errlen);
    elf_close(&ef);
    return rc;
}
