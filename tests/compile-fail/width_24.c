/* Must not compile: a 24-bit register. */
// EXPECT: mmio: register odd width must be 8, 16, 32 or 64 bits
#include "cf_regs.h"

#ifndef CONTROL
struct bad { MMIO_REG(rw, 24, odd); };
#else
struct bad { MMIO_REG(rw, 32, odd); };
#endif
