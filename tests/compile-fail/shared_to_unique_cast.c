/* Must not compile: casting a shared pointer back to a unique one. */
// EXPECT-gcc: cast discards 'const' qualifier from pointer target type \[-Werror=cast-qual\]
// EXPECT-clang: cast from 'const struct cf_regs \*' to 'struct cf_regs \*' drops const qualifier \[-Werror,-Wcast-qual\]
#include "cf_regs.h"

CF_CASE(cf_shared_to_unique_cast)
{
    CF_USE_ARGS();
#ifndef CONTROL
    struct cf_regs MMIO_PTR *w = (struct cf_regs MMIO_PTR *)s; mmio_write(&w->rw32, 1u);
#else
    struct cf_regs MMIO_PTR *w = u; mmio_write(&w->rw32, 1u);
#endif
}
