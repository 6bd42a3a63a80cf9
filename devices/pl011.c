/*
 * PL011 model, transmit path (Arm DDI0183): DR writes go to the backend at once,
 * so the FIFO is never full and the transmitter never busy; the ID registers
 * identify an r1p5 PL011 so the AMBA bus and amba-pl011 accept it.
 */
#include "pl011.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libfdt.h>

enum {
    UARTDR = 0x000, UARTFR = 0x018, UARTCR = 0x030, UARTIFLS = 0x034,
    FR_RXFE = 1u << 4, FR_TXFE = 1u << 7,
};

static const uint8_t pl011_id[8] = {0x11, 0x10, 0x34, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

struct pl011 {
    struct device dev;
    int tx_fd;
    uint32_t cr, ifls;
};

static void tx_byte(struct pl011 *u, uint8_t c)
{
    ssize_t r;
    do
        r = write(u->tx_fd, &c, 1);
    while (r < 0 && errno == EINTR);
}

static uint64_t pl011_read(struct device *dev, uint64_t off, unsigned len)
{
    struct pl011 *u = (struct pl011 *)dev;
    (void)len;
    if (off >= 0xfe0 && off < 0x1000 && (off & 3) == 0)
        return pl011_id[(off - 0xfe0) >> 2];
    switch (off) {
    case UARTFR: return FR_TXFE | FR_RXFE;
    case UARTCR: return u->cr;
    case UARTIFLS: return u->ifls;
    default: return 0;
    }
}

static void pl011_write(struct device *dev, uint64_t off, unsigned len, uint64_t val)
{
    struct pl011 *u = (struct pl011 *)dev;
    (void)len;
    switch (off) {
    case UARTDR: tx_byte(u, (uint8_t)val); break;
    case UARTCR: u->cr = (uint32_t)val & 0xffff; break;
    case UARTIFLS: u->ifls = (uint32_t)val & 0x3f; break;
    default: break;
    }
}

static void pl011_reset(struct device *dev)
{
    struct pl011 *u = (struct pl011 *)dev;
    u->cr = 0x300;
    u->ifls = 0x12;
}

static int pl011_fdt(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    char name[32];
    int err = 0;
    snprintf(name, sizeof name, "pl011@%llx", (unsigned long long)dev->base);
    err |= fdt_begin_node(fdt, name);
    err |= fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell", 23);
    fdt32_t reg[4] = {cpu_to_fdt32(dev->base >> 32), cpu_to_fdt32((uint32_t)dev->base),
                      cpu_to_fdt32(dev->size >> 32), cpu_to_fdt32((uint32_t)dev->size)};
    err |= fdt_property(fdt, "reg", reg, sizeof reg);
    if (dev->spi >= 0) {
        fdt32_t irq[3] = {cpu_to_fdt32(0), cpu_to_fdt32((uint32_t)dev->spi), cpu_to_fdt32(4)};
        err |= fdt_property(fdt, "interrupts", irq, sizeof irq);
    }
    fdt32_t clk[2] = {cpu_to_fdt32(refs->apb_pclk), cpu_to_fdt32(refs->apb_pclk)};
    err |= fdt_property(fdt, "clocks", clk, sizeof clk);
    err |= fdt_property(fdt, "clock-names", "uartclk\0apb_pclk", 17);
    err |= fdt_end_node(fdt);
    return err;
}

static void pl011_destroy(struct device *dev)
{
    device_fini(dev);
    free(dev);
}

static const struct device_ops pl011_ops = {
    .type = "pl011",
    .read = pl011_read,
    .write = pl011_write,
    .reset = pl011_reset,
    .fdt = pl011_fdt,
    .destroy = pl011_destroy,
};

struct device *pl011_create(uint64_t base, int spi, struct device_host *host, int tx_fd)
{
    struct pl011 *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    device_init(&u->dev, &pl011_ops, base, PL011_SIZE, spi, host);
    u->tx_fd = tx_fd;
    pl011_reset(&u->dev);
    return &u->dev;
}
