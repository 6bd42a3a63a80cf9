/* Test-only ELF64 writer (see elf_build.h). */
#include "elf_build.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void put(uint8_t *p, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    return pwrite(fd, buf, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

static void shdr(uint8_t *h, uint32_t name, uint32_t type, uint64_t flags, uint64_t addr,
                 uint64_t off, uint64_t size, uint32_t link, uint32_t info, uint64_t entsize)
{
    put(h, 4, name);
    put(h + 4, 4, type);
    put(h + 8, 8, flags);
    put(h + 16, 8, addr);
    put(h + 24, 8, off);
    put(h + 32, 8, size);
    put(h + 40, 4, link);
    put(h + 44, 4, info);
    put(h + 48, 8, 8);
    put(h + 56, 8, entsize);
}

int elf_build_write(const char *path, const struct elf_build *b)
{
    static const char shstr[] = "\0.text\0.debug_info\0.symtab\0.strtab\0.shstrtab";
    enum { N_TEXT = 1, N_DEBUG = 7, N_SYMTAB = 19, N_STRTAB = 27, N_SHSTRTAB = 35 };
    uint32_t text_size = b->text_size ? b->text_size : 64;

    /* String and symbol tables. */
    size_t strsize = 1, symsize = 24 * (b->nsyms + 1);
    for (size_t i = 0; i < b->nsyms; i++)
        strsize += strlen(b->syms[i].name) + 1;
    char *str = calloc(1, strsize);
    uint8_t *sym = calloc(1, symsize);
    if (!str || !sym) {
        free(str);
        free(sym);
        return -1;
    }
    size_t at = 1;
    for (size_t i = 0; i < b->nsyms; i++) {
        uint8_t *e = sym + 24 * (i + 1);
        put(e, 4, at);
        e[4] = (uint8_t)(1u << 4 | (b->syms[i].type & 0xf)); /* STB_GLOBAL */
        put(e + 6, 2, b->syms[i].shndx ? b->syms[i].shndx : EB_TEXT);
        put(e + 8, 8, b->syms[i].addr);
        size_t n = strlen(b->syms[i].name) + 1;
        memcpy(str + at, b->syms[i].name, n);
        at += n;
    }

    /* Layout: header, .text, .strtab, .symtab, .shstrtab, the hole, headers. */
    uint64_t text_off = 64, str_off = text_off + text_size;
    uint64_t sym_off = (str_off + strsize + 7) & ~7ull;
    uint64_t shstr_off = sym_off + symsize;
    uint64_t debug_off = shstr_off + sizeof shstr;
    uint64_t sh_off = (debug_off + b->debug_size + 7) & ~7ull;

    uint8_t eh[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    put(eh + 16, 2, b->type ? b->type : 2);
    put(eh + 18, 2, b->machine ? b->machine : 183);
    put(eh + 20, 4, 1);
    put(eh + 24, 8, b->text_addr);
    put(eh + 40, 8, sh_off);
    put(eh + 52, 2, 64);
    put(eh + 58, 2, 64);
    put(eh + 60, 2, EB_SHNUM);
    put(eh + 62, 2, EB_SHSTRTAB);

    uint8_t sh[64 * EB_SHNUM] = {0};
    shdr(sh + 64 * EB_TEXT, N_TEXT, 1, 6, b->text_addr, text_off, text_size, 0, 0, 0);
    shdr(sh + 64 * EB_DEBUG, N_DEBUG, 1, 0, 0, debug_off, b->debug_size, 0, 0, 0);
    shdr(sh + 64 * EB_SYMTAB, N_SYMTAB, b->no_symtab ? 1 : 2, 0, 0, sym_off, symsize, EB_STRTAB,
         1, 24);
    shdr(sh + 64 * EB_STRTAB, N_STRTAB, 3, 0, 0, str_off, strsize, 0, 0, 0);
    shdr(sh + 64 * EB_SHSTRTAB, N_SHSTRTAB, 3, 0, 0, shstr_off, sizeof shstr, 0, 0, 0);

    uint8_t *text = calloc(1, text_size);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = fd >= 0 && text && !pwrite_all(fd, eh, sizeof eh, 0) &&
                     !pwrite_all(fd, text, text_size, text_off) &&
                     !pwrite_all(fd, str, strsize, str_off) &&
                     !pwrite_all(fd, sym, symsize, sym_off) &&
                     !pwrite_all(fd, shstr, sizeof shstr, shstr_off) &&
                     !pwrite_all(fd, sh, sizeof sh, sh_off)
                 ? 0
                 : -1;
    if (fd >= 0)
        close(fd);
    free(text);
    free(str);
    free(sym);
    return rc;
}

int elf_patch_shdr(const char *path, unsigned index, unsigned field, unsigned len, uint64_t value)
{
    int fd = open(path, O_RDWR);
    if (fd < 0)
        return -1;
    uint8_t eh[64], v[8];
    int rc = -1;
    if (pread(fd, eh, sizeof eh, 0) == (ssize_t)sizeof eh) {
        uint64_t shoff = 0;
        for (unsigned i = 0; i < 8; i++)
            shoff |= (uint64_t)eh[40 + i] << (8 * i);
        put(v, len, value);
        rc = pwrite_all(fd, v, len, shoff + 64ull * index + field);
    }
    close(fd);
    return rc;
}

char *elf_tmp_path(const char *tag)
{
    static unsigned seq;
    const char *dir = getenv("TMPDIR");
    char *p = malloc(4096);
    if (p)
        snprintf(p, 4096, "%s/isv-elf-%d-%u-%s", dir && *dir ? dir : "/tmp", (int)getpid(),
                 seq++, tag);
    return p;
}
