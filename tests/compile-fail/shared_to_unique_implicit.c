/* Must not compile: converting a shared pointer to a unique one without a cast. */
// EXPECT-gcc: initialization discards 'const' qualifier from pointer target type
// EXPECT-clang: initializing '(MMIO_PTR )?struct cf_regs \*' with an expression of type '(const struct cf_regs|struct cf_regs const) \*[^']*' discards qualifiers
#include "cf_regs.h"

CF_CASE(cf_shared_to_unique_implicit)
{
    CF_USE_ARGS();
#ifndef CONTROL
    struct cf_regs MMIO_PTR *w = s; (void)mmio_read(&w->rp32);
#else
    const struct cf_regs MMIO_PTR *w = u; (void)mmio_read(&w->rp32);
#endif
}
