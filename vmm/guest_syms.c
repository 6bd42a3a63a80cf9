/* Guest PCs named from an ELF's symbols (see guest_syms.h). */
#include "guest_syms.h"

#include <stdio.h>
#include <string.h>

#include "elf/elf_section.h"

int guest_syms_load(struct guest_syms *g, const char *path, uint64_t image_start,
                    uint64_t image_end, char *err, size_t errlen)
{
    memset(g, 0, sizeof *g);
    char why[400];
    if (elf_syms_load(path, &g->syms, why, sizeof why)) {
        /* why starts with the path: say which option it came from. */
        snprintf(err, errlen, "--symbols %s", why);
        return -1;
    }
    const char *bad = NULL;
    if (g->syms.machine != ELF_EM_AARCH64)
        bad = "not an AArch64 ELF file";
    else if (g->syms.n == 0)
        bad = "its symbol table names no code or data";
    else if (image_end > image_start && !g->syms.have_base)
        bad = "no allocated section: nothing of it is loaded";
    if (bad) {
        snprintf(err, errlen, "--symbols %s: %s", path, bad);
        elf_syms_free(&g->syms);
        return -1;
    }
    g->loaded = true;
    g->have_image = image_end > image_start;
    g->image_start = image_start;
    g->image_end = image_end;
    return 0;
}

void guest_syms_free(struct guest_syms *g)
{
    if (g->loaded)
        elf_syms_free(&g->syms);
    memset(g, 0, sizeof *g);
}

size_t guest_syms_name(const struct guest_syms *g, uint64_t pc, uint64_t pa, bool pa_known,
                       char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (!g || !g->loaded)
        return 0;
    uint64_t addr = pc;
    if (g->have_image) {
        if (!pa_known || pa < g->image_start || pa >= g->image_end)
            return 0;
        addr = pa - g->image_start + g->syms.base;
    }
    char name[256];
    elf_syms_name(&g->syms, addr, name, sizeof name);
    if (strcmp(name, "?") == 0)
        return 0;
    int n = snprintf(buf, size, "%s", name);
    return n < 0 ? 0 : (size_t)n;
}
