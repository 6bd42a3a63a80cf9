/* isv test device: see testdev.h for the register map. */
#include "testdev.h"

#include <stdlib.h>

#include <libfdt.h>

struct testdev {
    struct device dev;
    uint64_t counter, last;
    uint8_t scratch[TESTDEV_SCRATCH_SIZE];
};

static uint64_t testdev_read(struct device *dev, uint64_t off, unsigned len)
{
    struct testdev *t = (struct testdev *)dev;
    uint64_t v = 0;
    if (off >= TESTDEV_SCRATCH && off + len <= TESTDEV_SCRATCH + TESTDEV_SCRATCH_SIZE) {
        for (unsigned i = 0; i < len; i++)
            v |= (uint64_t)t->scratch[off - TESTDEV_SCRATCH + i] << (8 * i);
    } else if (off == TESTDEV_REG_ID) {
        v = TESTDEV_ID;
    } else if (off == TESTDEV_REG_COUNTER) {
        v = t->counter++;
    } else if (off == TESTDEV_REG_LAST) {
        return t->last;
    }
    t->last = off << 8 | len;
    return v;
}

static void testdev_write(struct device *dev, uint64_t off, unsigned len, uint64_t val)
{
    struct testdev *t = (struct testdev *)dev;
    if (off >= TESTDEV_SCRATCH && off + len <= TESTDEV_SCRATCH + TESTDEV_SCRATCH_SIZE)
        for (unsigned i = 0; i < len; i++)
            t->scratch[off - TESTDEV_SCRATCH + i] = (uint8_t)(val >> (8 * i));
    t->last = off << 8 | len;
}

static void testdev_reset(struct device *dev)
{
    struct testdev *t = (struct testdev *)dev;
    t->counter = t->last = 0;
    for (unsigned i = 0; i < TESTDEV_SCRATCH_SIZE; i++)
        t->scratch[i] = 0;
}

static int testdev_fdt(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    (void)refs;
    int err = device_fdt_begin(dev, fdt, "testdev");
    err |= fdt_property_string(fdt, "compatible", "isv,testdev");
    return err | fdt_end_node(fdt);
}

static void testdev_destroy(struct device *dev)
{
    device_fini(dev);
    free(dev);
}

static const struct device_ops testdev_ops = {
    .type = "testdev",
    .read = testdev_read,
    .write = testdev_write,
    .reset = testdev_reset,
    .fdt = testdev_fdt,
    .destroy = testdev_destroy,
};

struct device *testdev_create(uint64_t base, struct device_host *host)
{
    struct testdev *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    device_init(&t->dev, &testdev_ops, base, TESTDEV_SIZE, -1, host);
    return &t->dev;
}
