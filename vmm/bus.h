/*
 * The MMIO bus: maps guest-physical windows to device models.
 *
 * Windows may not overlap (rejected when added). An access must lie entirely
 * inside one window; anything else is reported as unmapped. Data travels as the
 * little-endian bytes KVM puts in kvm_run.mmio.data.
 */
#ifndef ISV_VMM_BUS_H
#define ISV_VMM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct device;

struct bus {
    struct device **devs; /* sorted by base */
    size_t n, cap;
};

enum bus_status {
    BUS_OK = 0,
    BUS_UNMAPPED,  /* no device window holds [addr, addr+len) */
    BUS_BAD_WIDTH, /* len is not 1, 2, 4 or 8 */
};

void bus_init(struct bus *bus);
void bus_free(struct bus *bus); /* frees the table, not the devices */
/* 0, or -EINVAL (empty/overflowing window) / -EEXIST (overlap) / -ENOMEM. */
int bus_add(struct bus *bus, struct device *dev);
/* The device whose window holds all of [addr, addr+len), or NULL. */
struct device *bus_find(const struct bus *bus, uint64_t addr, uint64_t len);
/* Perform one access. A write stores *value (its low len bytes); a read sets
 * *value, zero-extended (0 when unmapped). *devp (optional) receives the
 * device or NULL. */
enum bus_status bus_access(struct bus *bus, uint64_t addr, unsigned len, bool is_write,
                           uint64_t *value, struct device **devp);

#endif
