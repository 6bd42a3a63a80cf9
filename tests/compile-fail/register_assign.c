/* Must not compile: whole-register struct assignment. */
// EXPECT-gcc: assignment of read-only member 'rw32'
// EXPECT-clang: cannot assign to non-static data member 'rw32' with const-qualified data member 'mmio_private_'
#include "cf_regs.h"

CF_CASE(cf_register_assign)
{
    CF_USE_ARGS();
#ifndef CONTROL
    u->rw32 = v->rw32;
#else
    mmio_write(&u->rw32, mmio_read(&v->rw32));
#endif
}
