/* Must not compile: whole-block copy out of device memory (clang noderef only; gcc cannot see it). */
// EXPECT-clang: dereferencing u; was declared with a 'noderef' type \[-Werror,-Wnoderef\]
// ONLY: clang
#include "cf_regs.h"

CF_CASE(cf_block_copy_out)
{
    CF_USE_ARGS();
#ifndef CONTROL
    struct cf_regs t = *u; (void)t;
#else
    uint32_t t = mmio_read(&u->rw32); (void)t;
#endif
}
