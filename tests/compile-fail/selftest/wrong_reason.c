/* Runner self-test: the misuse fails, but not with the expected diagnostic
 * (a misspelt member, not a permission error), so it must be rejected. */
// REJECT: failed, but no error matches
// EXPECT-gcc: _Generic' selector of type 'mmio_rp32 \*' is not compatible
// EXPECT-clang: controlling expression type 'mmio_rp32 \*
#include "cf_regs.h"

CF_CASE(st_wrong_reason)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rp23, 1u);
#else
    mmio_write(&u->rw32, 1u);
#endif
}
