/* Runner self-test: the control has a typo, so the case must be rejected even
 * though the misuse fails with the expected diagnostic. */
// REJECT: control -O[0-9s] does not compile cleanly
// EXPECT-gcc: _Generic' selector of type 'mmio_rp32 \*' is not compatible
// EXPECT-clang: controlling expression type 'mmio_rp32 \*
#include "cf_regs.h"

CF_CASE(st_control_broken)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rp32, 1u);
#else
    mmio_write(&u->rw23, 1u);
#endif
}
