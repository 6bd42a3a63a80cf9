/* Kernel files: format detection, the Image header, gzip inflation, placement. */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "../devices/errmsg.h"

int image_parse_header(const uint8_t *hdr, size_t len, uint64_t file_size,
                       struct image_info *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    if (len < IMAGE_HEADER_SIZE || file_size < IMAGE_HEADER_SIZE)
        return errmsg(err, errlen, "too small to be an arm64 Image (%llu bytes)",
                    (unsigned long long)file_size);
    if (le_bytes_to_u64(hdr + 0x38, 4) != IMAGE_MAGIC)
        return errmsg(err, errlen, "not an arm64 Image (no \"ARM\\x64\" magic at offset 0x38)");
    info->text_offset = le_bytes_to_u64(hdr + 0x08, 8);
    info->image_size = le_bytes_to_u64(hdr + 0x10, 8);
    info->flags = le_bytes_to_u64(hdr + 0x18, 8);
    info->file_size = file_size;
    if (info->image_size == 0) {
        /* Kernels before 3.17: text_offset is unreliable, 0x80000 is the rule. */
        info->text_offset = 0x80000;
        info->image_size = file_size;
    }
    if (info->flags & 1)
        return errmsg(err, errlen, "big-endian Image (header flags bit 0) is not supported");
    if (info->image_size < file_size)
        return errmsg(err, errlen, "header image_size 0x%llx is smaller than the file (0x%llx bytes)",
                    (unsigned long long)info->image_size, (unsigned long long)file_size);
    return 0;
}

const char *kernel_format_name(const struct kernel *k)
{
    if (k->format == KERNEL_IMAGE)
        return k->gzip ? "gzip-compressed arm64 Image" : "arm64 Image";
    return k->gzip ? "gzip-compressed raw binary" : "raw binary";
}

/* Inflate all of fd (a gzip file) into a buffer of at most max bytes. */
static int inflate_file(int fd, const char *path, uint64_t max, uint8_t **out, uint64_t *outlen,
                        char *err, size_t errlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) /* 16: gzip wrapper only */
        return errmsg(err, errlen, "kernel '%s': zlib: cannot initialise", path);
    uint8_t in[65536];
    uint8_t *buf = NULL;
    uint64_t cap = 0, len = 0;
    int zr = Z_OK, rc = -1;
    bool eof = false;
    while (zr != Z_STREAM_END) {
        if (z.avail_in == 0 && !eof) {
            ssize_t n = read(fd, in, sizeof in);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                errmsg(err, errlen, "kernel '%s': %s", path, strerror(errno));
                goto out;
            }
            eof = n == 0;
            z.next_in = in;
            z.avail_in = (uInt)n;
        }
        if (len == cap) {
            if (cap >= max) {
                errmsg(err, errlen, "kernel '%s': inflates to more than %llu MiB (the RAM size); "
                       "not loaded", path, (unsigned long long)(max >> 20));
                goto out;
            }
            uint64_t ncap = cap ? cap * 2 : (1u << 20);
            if (ncap > max)
                ncap = max;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                errmsg(err, errlen, "kernel '%s': out of memory inflating it", path);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        uint64_t room = cap - len;
        z.next_out = buf + len;
        z.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
        uInt before = z.avail_out;
        zr = inflate(&z, Z_NO_FLUSH);
        len += before - z.avail_out;
        if (zr == Z_STREAM_END)
            break;
        if (zr == Z_BUF_ERROR && eof && z.avail_in == 0) {
            errmsg(err, errlen, "kernel '%s': gzip stream ends early (truncated file)", path);
            goto out;
        }
        if (zr != Z_OK && zr != Z_BUF_ERROR) {
            errmsg(err, errlen, "kernel '%s': corrupt gzip stream: %s", path,
                   z.msg ? z.msg : "inflate failed");
            goto out;
        }
    }
    /* Bytes after the end of the stream are ignored, as gzip -d and QEMU do: the
     * stream's own CRC and length have already vouched for what was inflated. */
    *out = buf;
    *outlen = len;
    buf = NULL;
    rc = 0;
out:
    inflateEnd(&z);
    free(buf);
    return rc;
}

int kernel_open(const char *path, uint64_t max_bytes, struct kernel *k, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->fd = -1;
    k->path = path;
    int fd;
    uint64_t size;
    if (open_input_file("kernel", path, &fd, &size, err, errlen))
        return -1;
    uint8_t hdr[IMAGE_HEADER_SIZE] = {0};
    ssize_t n = pread(fd, hdr, sizeof hdr, 0);
    if (n < 0) {
        errmsg(err, errlen, "kernel '%s': %s", path, strerror(errno));
        goto fail;
    }
    const uint8_t *bytes = hdr;
    size_t hlen = (size_t)n;
    if (n >= 2 && hdr[0] == 0x1f && hdr[1] == 0x8b) {
        k->gzip = true;
        if (inflate_file(fd, path, max_bytes, &k->data, &size, err, errlen))
            goto fail;
        close(fd);
        fd = -1;
        if (size == 0) {
            errmsg(err, errlen, "kernel '%s': the gzip stream holds no data", path);
            goto fail;
        }
        bytes = k->data;
        hlen = size < IMAGE_HEADER_SIZE ? (size_t)size : IMAGE_HEADER_SIZE;
    }
    /* The magic decides (a file cut short after it is a broken Image, not a raw binary). */
    if (hlen >= 0x3c && le_bytes_to_u64(bytes + 0x38, 4) == IMAGE_MAGIC) {
        char why[160];
        k->format = KERNEL_IMAGE;
        if (image_parse_header(bytes, hlen, size, &k->info, why, sizeof why)) {
            errmsg(err, errlen, "kernel '%s': %s", path, why);
            goto fail;
        }
    } else {
        k->format = KERNEL_RAW;
        k->info.text_offset = RAW_LOAD_OFFSET;
        k->info.image_size = k->info.file_size = size;
    }
    k->fd = fd;
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    free(k->data);
    k->data = NULL;
    return -1;
}

int open_input_file(const char *what, const char *path, int *fdp, uint64_t *size, char *err,
                    size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errmsg(err, errlen, "%s '%s': %s", what, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        errmsg(err, errlen, "%s '%s': %s", what, path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        errmsg(err, errlen, "%s '%s': not a regular file", what, path);
    } else if (st.st_size == 0) {
        errmsg(err, errlen, "%s '%s': empty file", what, path);
    } else {
        *fdp = fd;
        *size = (uint64_t)st.st_size;
        return 0;
    }
    close(fd);
    return -1;
}

int load_file_at(const char *what, const char *path, int fd, uint64_t size,
                 const struct guest_mem *ram, uint64_t gpa, char *err, size_t errlen)
{
    uint8_t *dst = guest_mem_ptr(ram, gpa, size);
    if (!dst)
        return errmsg(err, errlen, "%s '%s': 0x%llx bytes at 0x%llx leave RAM", what, path,
                      (unsigned long long)size, (unsigned long long)gpa);
    for (uint64_t done = 0; done < size;) {
        ssize_t n = pread(fd, dst + done, size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return errmsg(err, errlen, "%s '%s': short read at byte %llu: %s", what, path,
                          (unsigned long long)done, n < 0 ? strerror(errno) : "file shrank");
        done += (uint64_t)n;
    }
    return 0;
}

int kernel_place(const struct kernel *k, const struct guest_mem *ram, char *err, size_t errlen)
{
    uint64_t len = k->info.file_size;
    if (k->data) {
        uint8_t *dst = guest_mem_ptr(ram, k->info.load_addr, len);
        if (!dst)
            return errmsg(err, errlen, "kernel '%s': 0x%llx bytes at 0x%llx leave RAM", k->path,
                          (unsigned long long)len, (unsigned long long)k->info.load_addr);
        memcpy(dst, k->data, len);
        return 0;
    }
    return load_file_at("kernel", k->path, k->fd, len, ram, k->info.load_addr, err, errlen);
}

void kernel_close(struct kernel *k)
{
    if (k->fd >= 0)
        close(k->fd);
    k->fd = -1;
    free(k->data);
    k->data = NULL;
}
