/* Must not compile: writing a read-pure register. */
// EXPECT-gcc: _Generic' selector of type 'mmio_rp32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'mmio_rp32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_write_read_pure)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rp32, 1u);
#else
    mmio_write(&u->rpw32, 1u);
#endif
}
