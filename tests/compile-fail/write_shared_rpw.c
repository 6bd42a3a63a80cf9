/* Must not compile: write through a shared pointer (read-pure-write kind). */
// EXPECT-gcc: _Generic' selector of type 'const mmio_rpw32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'const mmio_rpw32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_write_shared_rpw)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&s->rpw32, 1u);
#else
    mmio_write(&u->rpw32, 1u);
#endif
}
