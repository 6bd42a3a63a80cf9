/* Runner self-test: the expected diagnostic appears, but at a line outside the
 * `#ifndef CONTROL` block, so the case must be rejected. */
// REJECT: diagnostic does not point into lines
// EXPECT: mmio: register rw32 of struct cf_regs is not at offset
#include "cf_regs.h"

#ifndef CONTROL
#define ST_OFF 0x10
#else
#define ST_OFF 0x0c
#endif
MMIO_OFFSET(struct cf_regs, rw32, ST_OFF);
