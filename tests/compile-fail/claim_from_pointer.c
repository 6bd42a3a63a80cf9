/* Must not compile: claiming from a pointer instead of an integer address. */
// EXPECT-gcc: passing argument 1 of 'mmio_claim_check_' makes integer from pointer without a cast
// EXPECT-clang: incompatible pointer to integer conversion passing '(const struct cf_regs|struct cf_regs const) \*[^']*' to parameter of type 'uintptr_t'
#include "cf_regs.h"

CF_CASE(cf_claim_from_pointer)
{
    CF_USE_ARGS();
#ifndef CONTROL
    struct cf_regs MMIO_PTR *w = mmio_claim(struct cf_regs, s); (void)w;
#else
    struct cf_regs MMIO_PTR *w = mmio_claim(struct cf_regs, (uintptr_t)x64); (void)w;
#endif
}
