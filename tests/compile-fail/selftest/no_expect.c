/* Runner self-test: no EXPECT line, so any failure would pass unchecked; the
 * case must be rejected. */
// REJECT: no EXPECT regex
#include "cf_regs.h"

CF_CASE(st_no_expect)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rp32, 1u);
#else
    mmio_write(&u->rw32, 1u);
#endif
}
