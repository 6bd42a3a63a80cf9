/* Helpers for byte ranges scattered over an iovec array (virtqueue chains). */
#ifndef ISV_DEVICES_IOV_H
#define ISV_DEVICES_IOV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Copy up to len bytes starting `off` bytes into the iovecs out to buf;
 * returns the bytes copied (fewer when the iovecs end first). */
size_t iov_to_buf(const struct iovec *iov, unsigned n, uint64_t off, void *buf, size_t len);
/* The reverse: copy buf into the iovecs at `off`. */
size_t iov_from_buf(const struct iovec *iov, unsigned n, uint64_t off, const void *buf,
                    size_t len);
/* Fill len bytes at `off` with c; returns the bytes filled. */
uint64_t iov_memset(const struct iovec *iov, unsigned n, uint64_t off, int c, uint64_t len);
/* Describe bytes [off, off+len) of (iov, n) in out[0..max); returns the number
 * of entries used. The range must lie inside the iovecs. */
unsigned iov_slice(const struct iovec *iov, unsigned n, uint64_t off, uint64_t len,
                   struct iovec *out, unsigned max);

#endif
