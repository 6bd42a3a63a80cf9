/* Must not compile: whole-register copy out of device memory (clang noderef only). */
// EXPECT-clang: dereferencing u; was declared with a 'noderef' type \[-Werror,-Wnoderef\]
// ONLY: clang
#include "cf_regs.h"

CF_CASE(cf_register_copy_out)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_rw32 t = u->rw32; (void)t;
#else
    uint32_t t = mmio_read(&u->rw32); (void)t;
#endif
}
