/* Must not compile: write through a shared pointer (write-only kind). */
// EXPECT-gcc: _Generic' selector of type 'const mmio_wo32 \*' is not compatible with any association
// EXPECT-clang: controlling expression type 'const mmio_wo32 \*( __attribute__\(\(noderef\)\))?'( \(aka '[^']*'\))? not compatible with any generic association type
#include "cf_regs.h"

CF_CASE(cf_write_shared_wo)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&s->wo32, 1u);
#else
    mmio_write(&u->wo32, 1u);
#endif
}
