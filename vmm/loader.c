/* arm64 Image loader: validate the header, honour text_offset/image_size. */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int image_load(const char *path, const struct guest_mem *ram, struct image_info *info,
               char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errmsg(err, errlen, "image '%s': %s", path, strerror(errno));
    struct stat st;
    int rc = -1;
    uint8_t hdr[IMAGE_HEADER_SIZE];
    char why[160];

    if (fstat(fd, &st) != 0) {
        errmsg(err, errlen, "image '%s': %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        errmsg(err, errlen, "image '%s': not a regular file", path);
        goto out;
    }
    ssize_t n = pread(fd, hdr, sizeof hdr, 0);
    if (n < 0) {
        errmsg(err, errlen, "image '%s': %s", path, strerror(errno));
        goto out;
    }
    if (image_parse_header(hdr, (size_t)n, (uint64_t)st.st_size, info, why, sizeof why)) {
        errmsg(err, errlen, "image '%s': %s", path, why);
        goto out;
    }
    /* Loaded at RAM base (2 MiB aligned) + text_offset; it must fit in RAM. */
    if (info->text_offset > ram->size || info->image_size > ram->size - info->text_offset) {
        errmsg(err, errlen, "image '%s': needs 0x%llx bytes at offset 0x%llx, more than the %llu MiB of RAM",
             path, (unsigned long long)info->image_size, (unsigned long long)info->text_offset,
             (unsigned long long)(ram->size >> 20));
        goto out;
    }
    info->load_addr = ram->base + info->text_offset;
    uint8_t *dst = guest_mem_ptr(ram, info->load_addr, info->file_size);
    for (uint64_t done = 0; done < info->file_size;) {
        n = pread(fd, dst + done, info->file_size - done, (off_t)done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            errmsg(err, errlen, "image '%s': short read at byte %llu: %s", path,
                 (unsigned long long)done, n < 0 ? strerror(errno) : "file shrank");
            goto out;
        }
        done += (uint64_t)n;
    }
    rc = 0;
out:
    close(fd);
    return rc;
}
