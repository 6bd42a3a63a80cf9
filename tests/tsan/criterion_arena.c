/*
 * Linked into the ThreadSanitizer unit-test binary only (mk/tsan.mk).
 *
 * Criterion (2.4) hands each test's sandbox a shared-memory arena that its
 * BoxFort layer maps at a random free address: base = 0x200000000000 +
 * (rand_r() & 0x3fffff) * 16 MiB, checked page by page with mincore and tried
 * 10 times. Under TSan nearly all of that range is TSan's shadow or its
 * protected gaps, so only ~2% of the bases are free: the runner panics with
 * "Could not initialize inheritable arena: Resource temporarily unavailable"
 * (Snaipe/Criterion#274), or a test's spawn fails. libcriterion is the only
 * caller of rand_r in this binary, so this definition (which the executable's
 * symbol wins over libc's and libtsan's) returns the highest r whose base is
 * unmapped, descending from call to call: always a free slot in an
 * application range, whatever the architecture's TSan layout is.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define BXF_BASE 0x200000000000ull
#define BXF_STEP (1ull << 24)
#define BXF_MASK 0x3fffffu
#define COARSE 0x1000u /* 64 GiB: the first search steps over TSan's regions */

static unsigned cursor = BXF_MASK + 1; /* every r below it is a candidate */

static int unmapped(unsigned r)
{
    unsigned char v;
    return mincore((void *)(uintptr_t)(BXF_BASE + r * BXF_STEP), (size_t)getpagesize(), &v) < 0 &&
           errno == ENOMEM;
}

int rand_r(unsigned *seed)
{
    int saved = errno;
    if (cursor == BXF_MASK + 1) { /* first call: the top of the highest free region */
        unsigned r = BXF_MASK + 1;
        while (r >= COARSE && !unmapped(r - COARSE))
            r -= COARSE;
        cursor = r;
    }
    while (cursor > 0) {
        unsigned r = --cursor;
        if (unmapped(r)) {
            errno = saved;
            return (int)r;
        }
    }
    errno = saved;
    /* Nothing free (never seen): an ordinary generator; BoxFort then fails as it would. */
    *seed = *seed * 1103515245u + 12345u;
    return (int)((*seed >> 1) & 0x7fffffff);
}
