/* Runner self-test: the "misuse" is valid code, so the case must be rejected. */
// REJECT: compiled, expected an error
// EXPECT: _Generic|generic association
#include "cf_regs.h"

CF_CASE(st_misuse_compiles)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rw32, 1u);
#else
    mmio_write(&u->rw32, 2u);
#endif
}
