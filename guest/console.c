/*
 * Boot console: the PL011 that /chosen/stdout-path names (QEMU virt's
 * 0x09000000 until the device tree has been read).
 */
#include <libfdt.h>

#include "pl011.h" /* guest/drivers or guest/naive: see guest.mk */
#include "guest.h"

static struct pl011 uart;
static int uart_node = -1;

void console_init(const void *dtb)
{
    uint64_t base = 0x09000000, size;
    if (dtb) {
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
        if (node >= 0 && dt_reg(dtb, node, &base, &size) == 0)
            uart_node = node;
    }
    pl011_init(&uart, (uintptr_t)base);
}

void console_putc(char c)
{
    pl011_putc(&uart, (uint8_t)c);
}

uint64_t console_base(void)
{
    return (uint64_t)(uintptr_t)uart.regs;
}

struct pl011 *console_uart(void)
{
    return &uart;
}

int console_node(void)
{
    return uart_node;
}
