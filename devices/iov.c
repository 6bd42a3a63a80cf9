/* iovec range helpers (see iov.h). */
#include "iov.h"

#include <string.h>

/* Walk the bytes [off, off+len), calling fn on each contiguous piece. */
static uint64_t walk(const struct iovec *iov, unsigned n, uint64_t off, uint64_t len,
                     void (*fn)(uint8_t *p, size_t k, size_t done, void *arg), void *arg)
{
    uint64_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        size_t k = iov[i].iov_len - off;
        if (k > len - done)
            k = (size_t)(len - done);
        fn((uint8_t *)iov[i].iov_base + off, k, (size_t)done, arg);
        done += k;
        off = 0;
    }
    return done;
}

static void to_buf(uint8_t *p, size_t k, size_t done, void *arg)
{
    memcpy((uint8_t *)arg + done, p, k);
}

static void from_buf(uint8_t *p, size_t k, size_t done, void *arg)
{
    memcpy(p, (const uint8_t *)arg + done, k);
}

static void fill(uint8_t *p, size_t k, size_t done, void *arg)
{
    (void)done;
    memset(p, *(int *)arg, k);
}

size_t iov_to_buf(const struct iovec *iov, unsigned n, uint64_t off, void *buf, size_t len)
{
    return (size_t)walk(iov, n, off, len, to_buf, buf);
}

size_t iov_from_buf(const struct iovec *iov, unsigned n, uint64_t off, const void *buf,
                    size_t len)
{
    return (size_t)walk(iov, n, off, len, from_buf, (void *)buf);
}

uint64_t iov_memset(const struct iovec *iov, unsigned n, uint64_t off, int c, uint64_t len)
{
    return walk(iov, n, off, len, fill, &c);
}

unsigned iov_slice(const struct iovec *iov, unsigned n, uint64_t off, uint64_t len,
                   struct iovec *out, unsigned max)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n && len && k < max; i++) {
        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        uint64_t take = iov[i].iov_len - off;
        if (take > len)
            take = len;
        out[k++] = (struct iovec){.iov_base = (uint8_t *)iov[i].iov_base + off,
                                  .iov_len = (size_t)take};
        len -= take;
        off = 0;
    }
    return k;
}
