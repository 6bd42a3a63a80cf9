/* MMIO bus: registration, lookup at window boundaries, overlap rejection,
 * unmapped and odd-width accesses, little-endian data handling. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "../../devices/device.h"
#include "../../devices/le.h"
#include "../../vmm/bus.h"

struct recdev {
    struct device dev;
    uint64_t last_off, last_val;
    unsigned last_len;
    int reads, writes;
};

static uint64_t rec_read(struct device *d, uint64_t off, unsigned len)
{
    struct recdev *r = (struct recdev *)d;
    r->reads++;
    r->last_off = off;
    r->last_len = len;
    return 0x1122334455667788ull + off; /* distinguishable per offset */
}

static void rec_write(struct device *d, uint64_t off, unsigned len, uint64_t v)
{
    struct recdev *r = (struct recdev *)d;
    r->writes++;
    r->last_off = off;
    r->last_len = len;
    r->last_val = v;
}

static const struct device_ops rec_ops = {.type = "rec", .read = rec_read, .write = rec_write};

static void mk(struct recdev *r, uint64_t base, uint64_t size)
{
    memset(r, 0, sizeof *r);
    device_init(&r->dev, &rec_ops, base, size, -1, NULL);
}

Test(bus, lookup_hits_window_boundaries_only)
{
    struct bus b;
    struct recdev a, c;
    bus_init(&b);
    mk(&a, 0x1000, 0x100);
    mk(&c, 0x3000, 0x1000);
    cr_assert_eq(bus_add(&b, &c.dev), 0);
    cr_assert_eq(bus_add(&b, &a.dev), 0);
    cr_assert_eq(bus_find(&b, 0x1000, 4), &a.dev);
    cr_assert_eq(bus_find(&b, 0x10fc, 4), &a.dev);
    cr_assert_eq(bus_find(&b, 0x10ff, 1), &a.dev);
    cr_assert_null(bus_find(&b, 0x10fd, 4), "access straddling the window end");
    cr_assert_null(bus_find(&b, 0x0fff, 1));
    cr_assert_null(bus_find(&b, 0x1100, 1));
    cr_assert_eq(bus_find(&b, 0x3ff8, 8), &c.dev);
    cr_assert_null(bus_find(&b, 0x2fff, 2), "access straddling the window start");
    cr_assert_null(bus_find(&b, UINT64_MAX, 8), "address overflow");
    cr_assert_null(bus_find(&b, 0x1000, 0));
    bus_free(&b);
}

Test(bus, overlaps_rejected)
{
    struct bus b;
    struct recdev a, x1, x2, x3, ok, zero, wrap;
    bus_init(&b);
    mk(&a, 0x1000, 0x1000);
    mk(&x1, 0x1fff, 0x10);  /* overlaps the last byte */
    mk(&x2, 0x0800, 0x801); /* overlaps the first byte */
    mk(&x3, 0x1400, 0x10);  /* inside */
    mk(&ok, 0x2000, 0x10);  /* adjacent: fine */
    mk(&zero, 0x5000, 0);
    mk(&wrap, UINT64_MAX - 0xf, 0x20);
    cr_assert_eq(bus_add(&b, &a.dev), 0);
    cr_assert_eq(bus_add(&b, &x1.dev), -EEXIST);
    cr_assert_eq(bus_add(&b, &x2.dev), -EEXIST);
    cr_assert_eq(bus_add(&b, &x3.dev), -EEXIST);
    cr_assert_eq(bus_add(&b, &a.dev), -EEXIST, "the same window twice");
    cr_assert_eq(bus_add(&b, &ok.dev), 0);
    cr_assert_eq(bus_add(&b, &zero.dev), -EINVAL);
    cr_assert_eq(bus_add(&b, &wrap.dev), -EINVAL);
    cr_assert_eq(b.n, 2);
    bus_free(&b);
}

Test(bus, many_devices_sorted_lookup)
{
    struct bus b;
    static struct recdev d[32];
    bus_init(&b);
    for (int i = 31; i >= 0; i--) { /* reverse order exercises insertion */
        mk(&d[i], 0x0a000000 + 0x200 * (uint64_t)i, 0x200);
        cr_assert_eq(bus_add(&b, &d[i].dev), 0);
    }
    for (int i = 0; i < 32; i++) {
        cr_assert_eq(bus_find(&b, 0x0a000000 + 0x200 * (uint64_t)i + 0x1fc, 4), &d[i].dev);
        cr_assert_eq(bus_find(&b, 0x0a000000 + 0x200 * (uint64_t)i, 1), &d[i].dev);
    }
    cr_assert_null(bus_find(&b, 0x0a004000, 4));
    bus_free(&b);
}

Test(bus, access_dispatches_by_value)
{
    struct bus b;
    struct recdev a;
    struct device *hit;
    uint64_t v = 0xddccbbaa12345678ull;
    bus_init(&b);
    mk(&a, 0x9000000, 0x1000);
    bus_add(&b, &a.dev);

    cr_assert_eq(bus_access(&b, 0x9000010, 4, true, &v, &hit), BUS_OK);
    cr_assert_eq(hit, &a.dev);
    cr_assert_eq(a.last_off, 0x10);
    cr_assert_eq(a.last_len, 4);
    cr_assert_eq(a.last_val, 0x12345678, "only len bytes are taken: %llx",
                 (unsigned long long)a.last_val);

    cr_assert_eq(bus_access(&b, 0x9000008, 2, false, &v, NULL), BUS_OK);
    uint64_t expect = 0x1122334455667788ull + 8;
    cr_assert_eq(v, expect & 0xffff, "a read is cut to its width: %llx", (unsigned long long)v);
    cr_assert_eq(a.dev.reads, 1);
    cr_assert_eq(a.dev.writes, 1);
    bus_free(&b);
}

Test(bus, unmapped_and_bad_width)
{
    struct bus b;
    struct recdev a;
    struct device *hit = (struct device *)1;
    uint64_t v = 0xeeeeeeeeeeeeeeeeull;
    bus_init(&b);
    mk(&a, 0x1000, 0x100);
    bus_add(&b, &a.dev);
    cr_assert_eq(bus_access(&b, 0x2000, 4, false, &v, &hit), BUS_UNMAPPED);
    cr_assert_null(hit);
    cr_assert_eq(v, 0, "an unmapped read returns zero, never stale data");
    cr_assert_eq(bus_access(&b, 0x1000, 3, false, &v, &hit), BUS_BAD_WIDTH);
    cr_assert_eq(bus_access(&b, 0x1000, 16, true, &v, &hit), BUS_BAD_WIDTH);
    cr_assert_eq(a.reads + a.writes, 0, "the device saw none of these");
    bus_free(&b);
}

Test(bus, le_helpers_roundtrip)
{
    uint8_t p[8];
    for (unsigned len = 1; len <= 8; len *= 2) {
        u64_to_le_bytes(0x0102030405060708ull, p, len);
        uint64_t mask = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
        cr_assert_eq(le_bytes_to_u64(p, len), 0x0102030405060708ull & mask);
        cr_assert_eq(p[0], 0x08);
    }
}
