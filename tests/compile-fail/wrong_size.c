/* Must not compile: a register block of the wrong total size. */
// EXPECT: mmio: struct cf_regs is not 0x1000 bytes
#include "cf_regs.h"

#ifndef CONTROL
MMIO_SIZE(struct cf_regs, 0x1000);
#else
MMIO_SIZE(struct cf_regs, 0x40);
#endif
