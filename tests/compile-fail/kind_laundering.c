/* Must not compile: turning a read-pure register into a write-only one by pointer conversion. */
// EXPECT-gcc: initialization of 'mmio_wo32 \*' from incompatible pointer type 'mmio_rp32 \*'
// EXPECT-clang: incompatible pointer types initializing '(MMIO_PTR )?mmio_wo32 \*' .*with an expression of type 'mmio_rp32 \*
#include "cf_regs.h"

CF_CASE(cf_kind_laundering)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_wo32 MMIO_PTR *w = &u->rp32; mmio_write(w, 1u);
#else
    mmio_wo32 MMIO_PTR *w = &u->wo32; mmio_write(w, 1u);
#endif
}
