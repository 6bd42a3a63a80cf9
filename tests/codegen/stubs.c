/*
 * What the drivers call in the rest of the guest (libfdt, guest.h), so that
 * `make check-codegen` can link them into a PIE on their own. Never run;
 * not scanned (only functions defined by the checked sources are).
 */
#include <libfdt.h>
#include <stddef.h>

#include "guest.h"

void guest_fail(const char *fmt, ...)
{
    (void)fmt;
    for (;;)
        ;
}

void irq_set_handler(irq_handler_fn fn)
{
    (void)fn;
}

const void *fdt_getprop(const void *fdt, int node, const char *name, int *len)
{
    (void)fdt, (void)node, (void)name, (void)len;
    return NULL;
}

int fdt_node_offset_by_compatible(const void *fdt, int start, const char *compatible)
{
    (void)fdt, (void)start, (void)compatible;
    return -1;
}

int kprintf(const char *fmt, ...)
{
    (void)fmt;
    return 0;
}

void *memset(void *dst, int c, size_t n)
{
    (void)c, (void)n;
    return dst;
}

const char *fdt_get_name(const void *fdt, int node, int *len)
{
    (void)fdt, (void)node, (void)len;
    return NULL;
}

int dt_reg(const void *dtb, int node, uint64_t *base, uint64_t *size)
{
    (void)dtb, (void)node, (void)base, (void)size;
    return -1;
}
