/* Must not compile: taking a unique register-array element out of a shared pointer. */
// EXPECT-gcc: initialization discards 'const' qualifier from pointer target type
// EXPECT-clang: initializing '(MMIO_PTR )?mmio_rw32 \*' .*with an expression of type 'const mmio_rw32 \*[^']*' .*discards qualifiers
#include "cf_regs.h"

CF_CASE(cf_shared_elem_to_unique)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_rw32 MMIO_PTR *e = mmio_elem(s, arr, 1); mmio_write(e, 1u);
#else
    mmio_rw32 MMIO_PTR *e = mmio_elem(u, arr, 1); mmio_write(e, 1u);
#endif
}
