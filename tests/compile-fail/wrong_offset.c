/* Must not compile: a register declared at the wrong offset. */
// EXPECT: mmio: register rw32 of struct cf_regs is not at offset 0x10
#include "cf_regs.h"

#ifndef CONTROL
MMIO_OFFSET(struct cf_regs, rw32, 0x10);
#else
MMIO_OFFSET(struct cf_regs, rw32, 0x0c);
#endif
