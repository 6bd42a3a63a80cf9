/* Must not compile: a 128-bit register (no single-register access exists). */
// EXPECT: mmio: register wide width must be 8, 16, 32 or 64 bits
#include "cf_regs.h"

#ifndef CONTROL
struct bad { MMIO_REG(rw, 128, wide); };
#else
struct bad { MMIO_REG(rw, 64, wide); };
#endif
