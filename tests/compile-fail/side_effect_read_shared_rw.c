/* Must not compile: side-effecting read (read-write kind) through a shared pointer. */
// EXPECT-gcc: _Generic' selector of type 'const mmio_rw16 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'const mmio_rw16 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_side_effect_read_shared_rw)
{
    CF_USE_ARGS();
#ifndef CONTROL
    (void)mmio_read(&s->rw16);
#else
    (void)mmio_read(&u->rw16);
#endif
}
