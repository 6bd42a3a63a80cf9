/* Must not compile: side-effecting read (read-only kind) through a shared pointer. */
// EXPECT-gcc: _Generic' selector of type 'const mmio_ro32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'const mmio_ro32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_side_effect_read_shared_ro)
{
    CF_USE_ARGS();
#ifndef CONTROL
    (void)mmio_read(&s->ro32);
#else
    (void)mmio_read(&u->ro32);
#endif
}
