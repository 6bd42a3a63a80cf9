/* The test device, through the bus as the VMM drives it. */
#include <criterion/criterion.h>

#include "../../vmm/board.h"
#include "../../devices/testdev.h"
#include "../../vmm/bus.h"

static uint64_t rd(struct bus *b, uint64_t off, unsigned len)
{
    uint64_t v;
    cr_assert_eq(bus_access(b, TESTDEV_BASE + off, len, false, &v, NULL), BUS_OK);
    return v;
}

static void wr(struct bus *b, uint64_t off, unsigned len, uint64_t v)
{
    cr_assert_eq(bus_access(b, TESTDEV_BASE + off, len, true, &v, NULL), BUS_OK);
}

Test(testdev, registers_and_scratch)
{
    struct bus b;
    bus_init(&b);
    struct device *t = testdev_create(TESTDEV_BASE, NULL);
    cr_assert_eq(bus_add(&b, t), 0);

    cr_assert_eq(rd(&b, TESTDEV_REG_ID, 4), TESTDEV_ID);
    cr_assert_eq(rd(&b, TESTDEV_REG_LAST, 8), (TESTDEV_REG_ID << 8) | 4);
    cr_assert_eq(rd(&b, TESTDEV_REG_COUNTER, 8), 0);
    cr_assert_eq(rd(&b, TESTDEV_REG_COUNTER, 8), 1, "reads have a side effect");

    wr(&b, TESTDEV_SCRATCH + 8, 8, 0x8877665544332211ull);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 8, 8), 0x8877665544332211ull);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 9, 1), 0x22);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 10, 2), 0x4433);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 12, 4), 0x88776655);
    wr(&b, TESTDEV_SCRATCH + 11, 1, 0xab);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 8, 8), 0x88776655ab332211ull);
    cr_assert_eq(rd(&b, TESTDEV_REG_LAST, 4), ((TESTDEV_SCRATCH + 8) << 8) | 8);

    /* The last scratch bytes, and an access straddling the end of scratch. */
    wr(&b, TESTDEV_SCRATCH + 0xf8, 8, ~0ull);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 0xf8, 8), ~0ull);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 0xfc, 8), 0, "straddles scratch: reads 0");
    wr(&b, TESTDEV_REG_NOP, 4, 123);
    cr_assert_eq(rd(&b, TESTDEV_REG_NOP, 4), 0);
    t->ops->reset(t);
    cr_assert_eq(rd(&b, TESTDEV_SCRATCH + 8, 8), 0);
    bus_free(&b);
    t->ops->destroy(t);
}
