/* Must not compile: even the unsafe write refuses a shared pointer. */
// EXPECT-gcc: _Generic' selector of type 'const mmio_rw32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'const mmio_rw32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_write_unsafe_shared)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write_unsafe(&s->rw32, 1u);
#else
    mmio_write_unsafe(&u->rp32, 1u);
#endif
}
