/* Must not compile: reading register storage directly, bypassing the accessors. */
// EXPECT: 'mmio_private_' is unavailable: mmio: register storage is private
#include "cf_regs.h"

CF_CASE(cf_bypass_member_read)
{
    CF_USE_ARGS();
#ifndef CONTROL
    x32 = u->rp32.mmio_private_;
#else
    x32 = mmio_read(&u->rp32);
#endif
}
