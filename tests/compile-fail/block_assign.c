/* Must not compile: whole-block struct assignment (a compiler-chosen copy of device memory). */
// EXPECT-gcc: assignment of read-only location '\*u'
// EXPECT-clang: cannot assign to lvalue with (nested )?const-qualified data member
#include "cf_regs.h"

CF_CASE(cf_block_assign)
{
    CF_USE_ARGS();
#ifndef CONTROL
    *u = *v;
#else
    mmio_write(&u->rw32, mmio_read(&v->rw32));
#endif
}
