/* See fdt_node.h. */
#include "fdt_node.h"

#include <criterion/criterion.h>
#include <libfdt.h>

void fdt_one_node(struct device *dev, const struct fdt_refs *refs, void *buf, int size)
{
    cr_assert_eq(fdt_create(buf, size), 0);
    cr_assert_eq(fdt_finish_reservemap(buf), 0);
    cr_assert_eq(fdt_begin_node(buf, ""), 0);
    cr_assert_eq(dev->ops->fdt(dev, buf, refs), 0);
    cr_assert_eq(fdt_end_node(buf), 0);
    cr_assert_eq(fdt_finish(buf), 0);
}
