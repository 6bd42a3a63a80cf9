/* A device tree holding one device's node under an empty root, as
 * fdt_build.c would emit it, for the device tests to look the node up. */
#ifndef ISV_TEST_FDT_NODE_H
#define ISV_TEST_FDT_NODE_H

#include "../../devices/device.h"

/* Build it in buf (size bytes) from dev->ops->fdt, asserting every step. */
void fdt_one_node(struct device *dev, const struct fdt_refs *refs, void *buf, int size);

#endif
