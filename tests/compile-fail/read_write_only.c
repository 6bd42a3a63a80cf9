/* Must not compile: reading a write-only register. */
// EXPECT-gcc: _Generic' selector of type 'mmio_wo32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'mmio_wo32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_read_write_only)
{
    CF_USE_ARGS();
#ifndef CONTROL
    (void)mmio_read(&u->wo32);
#else
    (void)mmio_read(&u->rw32);
#endif
}
