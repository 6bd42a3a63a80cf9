/* Small conveniences over libfdt for the guest. */
#include <libfdt.h>

#include "guest.h"

int strncmp(const char *a, const char *b, size_t n);

const char *dt_bootargs(const void *dtb)
{
    int chosen = fdt_path_offset(dtb, "/chosen");
    const char *args = chosen >= 0 ? fdt_getprop(dtb, chosen, "bootargs", NULL) : NULL;
    return args ? args : "";
}

const char *dt_bootarg(const void *dtb, const char *key, char *buf, size_t len)
{
    size_t klen = strlen(key);
    for (const char *p = dt_bootargs(dtb); *p;) {
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = (size_t)(end - p) - klen - 1;
            if (n >= len)
                n = len - 1;
            memcpy(buf, p + klen + 1, n);
            buf[n] = '\0';
            return buf;
        }
        p = end;
    }
    return NULL;
}

/* First reg entry of `node`, using the parent's #address-cells/#size-cells. */
int dt_reg(const void *dtb, int node, uint64_t *base, uint64_t *size)
{
    int parent = fdt_parent_offset(dtb, node);
    int ac = parent >= 0 ? fdt_address_cells(dtb, parent) : 2;
    int sc = parent >= 0 ? fdt_size_cells(dtb, parent) : 1;
    int len;
    const fdt32_t *reg = fdt_getprop(dtb, node, "reg", &len);
    if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < (ac + sc) * 4)
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < ac; i++)
        v = (v << 32) | fdt32_to_cpu(reg[i]);
    *base = v;
    v = 0;
    for (int i = 0; i < sc; i++)
        v = (v << 32) | fdt32_to_cpu(reg[ac + i]);
    *size = v;
    return 0;
}
