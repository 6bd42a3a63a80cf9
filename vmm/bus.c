/* MMIO bus: a sorted table of device windows, searched by binary search. */
#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../devices/device.h"

void bus_init(struct bus *bus)
{
    memset(bus, 0, sizeof *bus);
}

void bus_free(struct bus *bus)
{
    free(bus->devs);
    bus_init(bus);
}

/* Last byte of a window; windows are checked not to wrap when added. */
static uint64_t last_byte(const struct device *d)
{
    return d->base + d->size - 1;
}

int bus_add(struct bus *bus, struct device *dev)
{
    if (dev->size == 0 || dev->base + dev->size - 1 < dev->base)
        return -EINVAL;
    size_t i = 0;
    while (i < bus->n && bus->devs[i]->base < dev->base)
        i++;
    if (i > 0 && last_byte(bus->devs[i - 1]) >= dev->base)
        return -EEXIST;
    if (i < bus->n && bus->devs[i]->base <= last_byte(dev))
        return -EEXIST;
    if (bus->n == bus->cap) {
        size_t cap = bus->cap ? bus->cap * 2 : 8;
        struct device **v = realloc(bus->devs, cap * sizeof *v);
        if (!v)
            return -ENOMEM;
        bus->devs = v;
        bus->cap = cap;
    }
    memmove(&bus->devs[i + 1], &bus->devs[i], (bus->n - i) * sizeof *bus->devs);
    bus->devs[i] = dev;
    bus->n++;
    return 0;
}

struct device *bus_find(const struct bus *bus, uint64_t addr, uint64_t len)
{
    if (len == 0 || addr + len - 1 < addr)
        return NULL;
    size_t lo = 0, hi = bus->n;
    while (lo < hi) { /* first window with base > addr */
        size_t mid = lo + (hi - lo) / 2;
        if (bus->devs[mid]->base <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    struct device *d = bus->devs[lo - 1];
    return addr + len - 1 <= last_byte(d) ? d : NULL;
}

enum bus_status bus_access(struct bus *bus, uint64_t addr, unsigned len, bool is_write,
                           uint64_t *value, struct device **devp)
{
    struct device *d = NULL;
    enum bus_status st = BUS_OK;

    if (len != 1 && len != 2 && len != 4 && len != 8)
        st = BUS_BAD_WIDTH;
    else if (!(d = bus_find(bus, addr, len)))
        st = BUS_UNMAPPED;
    if (devp)
        *devp = d;
    if (!is_write)
        *value = 0;
    if (st != BUS_OK)
        return st;

    uint64_t off = addr - d->base;
    pthread_mutex_lock(&d->lock);
    if (is_write) {
        d->writes++;
        uint64_t mask = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
        if (d->ops->write)
            d->ops->write(d, off, len, *value & mask);
    } else {
        d->reads++;
        uint64_t mask = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
        if (d->ops->read)
            *value = d->ops->read(d, off, len) & mask;
    }
    pthread_mutex_unlock(&d->lock);
    return BUS_OK;
}
