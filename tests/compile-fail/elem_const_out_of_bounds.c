/* Must not compile: constant register-array index past the end. */
// EXPECT: mmio: constant register index out of bounds
#include "cf_regs.h"

CF_CASE(cf_elem_const_out_of_bounds)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(mmio_elem(u, arr, 4), 1u);
#else
    mmio_write(mmio_elem(u, arr, 3), 1u);
#endif
}
