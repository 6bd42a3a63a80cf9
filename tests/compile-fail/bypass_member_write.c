/* Must not compile: writing register storage directly, bypassing the accessors. */
// EXPECT: 'mmio_private_' is unavailable: mmio: register storage is private
#include "cf_regs.h"

CF_CASE(cf_bypass_member_write)
{
    CF_USE_ARGS();
#ifndef CONTROL
    *(volatile uint32_t *)&v->rw32.mmio_private_ = x32;
#else
    mmio_write(&v->rw32, x32);
#endif
}
