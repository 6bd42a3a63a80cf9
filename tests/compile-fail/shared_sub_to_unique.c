/* Must not compile: taking a unique sub-block out of a shared pointer. */
// EXPECT-gcc: initialization discards 'const' qualifier from pointer target type
// EXPECT-clang: initializing '(MMIO_PTR )?struct cf_sub \*' with an expression of type '(const struct cf_sub|struct cf_sub const) \*[^']*' discards qualifiers
#include "cf_regs.h"

CF_CASE(cf_shared_sub_to_unique)
{
    CF_USE_ARGS();
#ifndef CONTROL
    struct cf_sub MMIO_PTR *q = &s->sub[1]; mmio_write(&q->ctl, 1u);
#else
    struct cf_sub MMIO_PTR *q = &u->sub[1]; mmio_write(&q->ctl, 1u);
#endif
}
