/*
 * Boot console: the PL011 that /chosen/stdout-path names (QEMU virt's
 * 0x09000000 until the device tree has been read).
 */
#include <libfdt.h>

#include "guest.h"
#include "pl011.h"

static uint64_t uart_base = 0x09000000;

void console_init(const void *dtb)
{
    const char *path = NULL;
    int chosen = fdt_path_offset(dtb, "/chosen");
    if (chosen >= 0)
        path = fdt_getprop(dtb, chosen, "stdout-path", NULL);
    int node = -1;
    if (path) {
        /* "serial0:115200n8" names the node before the ':' (maybe an alias). */
        int len = 0;
        while (path[len] && path[len] != ':')
            len++;
        node = fdt_path_offset_namelen(dtb, path, len);
    }
    if (node < 0)
        node = fdt_node_offset_by_compatible(dtb, -1, "arm,pl011");
    uint64_t base, size;
    if (node >= 0 && dt_reg(dtb, node, &base, &size) == 0)
        uart_base = base;
    pl011_init(uart_base);
}

void console_putc(char c)
{
    pl011_putc(uart_base, c);
}

uint64_t console_base(void)
{
    return uart_base;
}
