/* Common part of every device model (see device.h). */
#include "device.h"

#include <stdio.h>

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

void device_fini(struct device *dev)
{
    pthread_mutex_destroy(&dev->lock);
}
