/* ELF64 section reader (see elf_section.h). Every offset is checked against the file size. */
#include "elf_section.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (512u << 20)

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

static int in_file(uint64_t off, uint64_t len, size_t size)
{
    return off <= size && len <= size - off;
}

int elf_read_section(const char *path, const char *name, struct elf_section *out, char *err,
                     size_t errlen)
{
    memset(out, 0, sizeof(*out));
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, path, "cannot open");
    uint8_t *buf = NULL;
    size_t size = 0;
    int rc = -1;
    long sz = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (sz < 0 || (unsigned long)sz > MAX_FILE || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        fail(err, errlen, path, "cannot size the file, or it is too large");
        goto out;
    }
    buf = malloc((size_t)sz + 1);
    size = buf ? fread(buf, 1, (size_t)sz, f) : 0;
    fclose(f);
    if (!buf || size != (size_t)sz) {
        fail(err, errlen, path, "cannot read the file");
        goto out;
    }
    if (size < 64 || memcmp(buf, "\177ELF", 4) != 0) {
        fail(err, errlen, path, "not an ELF file");
        goto out;
    }
    if (buf[4] != 2 || buf[5] != 1) {
        fail(err, errlen, path, "not a little-endian ELF64 file");
        goto out;
    }
    unsigned type = (unsigned)rd(buf + 16, 2);
    if (type != 2 && type != 3) {
        fail(err, errlen, path, "not a linked executable or shared object (relocations unsupported)");
        goto out;
    }
    uint64_t shoff = rd(buf + 40, 8);
    unsigned shentsize = (unsigned)rd(buf + 58, 2), shnum = (unsigned)rd(buf + 60, 2);
    unsigned shstrndx = (unsigned)rd(buf + 62, 2);
    if (shentsize < 64 || shnum == 0 || shstrndx >= shnum ||
        !in_file(shoff, (uint64_t)shentsize * shnum, size)) {
        fail(err, errlen, path, "bad section header table");
        goto out;
    }
    const uint8_t *strsh = buf + shoff + (uint64_t)shstrndx * shentsize;
    uint64_t stroff = rd(strsh + 24, 8), strsize = rd(strsh + 32, 8);
    if (!in_file(stroff, strsize, size)) {
        fail(err, errlen, path, "bad section name table");
        goto out;
    }
    size_t nlen = strlen(name);
    for (unsigned i = 0; i < shnum; i++) {
        const uint8_t *sh = buf + shoff + (uint64_t)i * shentsize;
        uint64_t noff = rd(sh, 4);
        if (noff >= strsize || strsize - noff < nlen + 1)
            continue;
        if (memcmp(buf + stroff + noff, name, nlen + 1) != 0)
            continue;
        unsigned shtype = (unsigned)rd(sh + 4, 4);
        uint64_t off = rd(sh + 24, 8), len = rd(sh + 32, 8);
        if (shtype == 8) { /* SHT_NOBITS */
            fail(err, errlen, path, "section has no file contents");
            goto out;
        }
        if (!in_file(off, len, size)) {
            fail(err, errlen, path, "section extends beyond the file");
            goto out;
        }
        out->data = malloc(len ? len : 1);
        if (!out->data) {
            fail(err, errlen, path, "out of memory");
            goto out;
        }
        memcpy(out->data, buf + off, len);
        out->size = len;
        out->addr = rd(sh + 16, 8);
        rc = 0;
        goto out;
    }
    snprintf(err, errlen, "%s: no section %s", path, name);
out:
    free(buf);
    return rc;
}
