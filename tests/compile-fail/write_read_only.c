/* Must not compile: writing a read-only register. */
// EXPECT-gcc: _Generic' selector of type 'mmio_ro32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'mmio_ro32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_write_read_only)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->ro32, 1u);
#else
    mmio_write(&u->rw32, 1u);
#endif
}
