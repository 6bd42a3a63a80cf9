/* Must not compile: ordered write through a shared pointer. */
// EXPECT-gcc: _Generic' selector of type 'const mmio_rw64 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'const mmio_rw64 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_ordered_write_shared)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write_ordered(&s->rw64, x64);
#else
    mmio_write_ordered(&u->rw64, x64);
#endif
}
