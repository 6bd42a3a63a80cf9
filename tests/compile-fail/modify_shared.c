/* Must not compile: read-modify-write through a shared pointer. */
// EXPECT-gcc: _Generic' selector of type 'const mmio_rpw32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'const mmio_rpw32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_modify_shared)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_modify(&s->rpw32, 1u, 2u);
#else
    mmio_modify(&u->rpw32, 1u, 2u);
#endif
}
