/* Common part of every device model (see device.h). */
#include "device.h"

#include <stdio.h>

#include <libfdt.h>

void device_init(struct device *dev, const struct device_ops *ops, uint64_t base,
                 uint64_t size, int spi, struct device_host *host)
{
    dev->ops = ops;
    dev->base = base;
    dev->size = size;
    dev->spi = spi;
    dev->host = host;
    dev->reads = dev->writes = 0;
    snprintf(dev->name, sizeof dev->name, "%s@%llx", ops->type, (unsigned long long)base);
    pthread_mutex_init(&dev->lock, NULL);
}

void device_set_irq(struct device *dev, bool level)
{
    if (dev->spi >= 0 && dev->host && dev->host->set_irq)
        dev->host->set_irq(dev->host->ctx, (uint32_t)dev->spi, level);
}

int device_fdt_begin(const struct device *dev, void *fdt, const char *name)
{
    char node[48];
    snprintf(node, sizeof node, "%s@%llx", name, (unsigned long long)dev->base);
    fdt32_t reg[4] = {cpu_to_fdt32(dev->base >> 32), cpu_to_fdt32((uint32_t)dev->base),
                      cpu_to_fdt32(dev->size >> 32), cpu_to_fdt32((uint32_t)dev->size)};
    int err = fdt_begin_node(fdt, node);
    err |= fdt_property(fdt, "reg", reg, sizeof reg);
    if (dev->spi >= 0) { /* <GIC_SPI spi IRQ_TYPE_LEVEL_HIGH> */
        fdt32_t irq[3] = {cpu_to_fdt32(0), cpu_to_fdt32((uint32_t)dev->spi), cpu_to_fdt32(4)};
        err |= fdt_property(fdt, "interrupts", irq, sizeof irq);
    }
    return err;
}

void device_fini(struct device *dev)
{
    pthread_mutex_destroy(&dev->lock);
}
