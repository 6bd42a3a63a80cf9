/* Must not compile: read-modify-write of a write-only register (it needs a read). */
// EXPECT-gcc: _Generic' selector of type 'mmio_wo32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'mmio_wo32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_modify_write_only)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_modify(&u->wo32, 1u, 2u);
#else
    mmio_modify(&u->rw32, 1u, 2u);
#endif
}
