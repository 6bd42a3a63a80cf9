/* Must not compile: dropping MMIO_PTR to get a dereferenceable pointer (clang noderef only). */
// EXPECT-clang: casting to dereferenceable pointer removes 'noderef' attribute \[-Werror,-Wnoderef\]
// ONLY: clang
#include "cf_regs.h"

CF_CASE(cf_noderef_to_plain)
{
    CF_USE_ARGS();
#ifndef CONTROL
    struct cf_regs *p = u; (void)p;
#else
    struct cf_regs MMIO_PTR *p = u; (void)p;
#endif
}
