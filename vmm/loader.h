/*
 * Reading a guest kernel file, in the formats QEMU and kvmtool accept for
 * arm64 (Linux Documentation/arch/arm64/booting.rst for the Image header):
 *   - an arm64 Image ("ARM\x64" magic at 0x38): placed at a 2 MiB-aligned
 *     base + text_offset, image_size bytes reserved;
 *   - a raw binary (no magic): placed at RAM base + 0x80000, entered at its
 *     first byte; it declares no size, so the boot layout keeps clear above;
 *   - either of them gzip-compressed (Ubuntu's vmlinuz), inflated with zlib,
 *     the output capped so a bomb or a corrupt stream is one error line.
 * Opening reads the header (or inflates everything); placing copies into RAM.
 */
#ifndef ISV_VMM_LOADER_H
#define ISV_VMM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../devices/guest_mem.h"

#define IMAGE_HEADER_SIZE 64
#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 0x38 */
#define RAW_LOAD_OFFSET 0x80000u /* where QEMU and kvmtool put a raw binary */

enum kernel_format { KERNEL_IMAGE, KERNEL_RAW };

struct image_info {
    uint64_t text_offset; /* load offset from a 2 MiB-aligned base */
    uint64_t image_size;  /* bytes the image occupies, BSS included */
    uint64_t file_size;   /* bytes of kernel (after inflating) */
    uint64_t flags;
    uint64_t load_addr;   /* guest-physical address of the first byte (= entry point) */
};

struct kernel {
    enum kernel_format format;
    bool gzip;
    struct image_info info; /* raw: text_offset 0x80000, image_size = file_size */
    int fd;                 /* the file, when not compressed */
    uint8_t *data;          /* the inflated bytes, when compressed */
    const char *path;
};

/* Validate the 64-byte header of a file of `file_size` bytes. 0, or -1 with err. */
int image_parse_header(const uint8_t *hdr, size_t len, uint64_t file_size,
                       struct image_info *info, char *err, size_t errlen);
/* "arm64 Image", "gzip-compressed raw binary", ... */
const char *kernel_format_name(const struct kernel *k);
/* Open `path`, detect its format, and for gzip inflate at most `max_bytes`.
 * 0, or -1 with a one-line message. */
int kernel_open(const char *path, uint64_t max_bytes, struct kernel *k, char *err, size_t errlen);
/* Copy the kernel's bytes to k->info.load_addr, which the caller set (the
 * whole file must be inside RAM). 0, or -1 with err. */
int kernel_place(const struct kernel *k, const struct guest_mem *ram, char *err, size_t errlen);
void kernel_close(struct kernel *k);

/* Open `path` for reading as a non-empty regular file: its fd and size, or -1
 * with "WHAT 'PATH': reason". */
int open_input_file(const char *what, const char *path, int *fd, uint64_t *size, char *err,
                    size_t errlen);
/* Read all of file `path` (size `size`, known) to guest address `gpa`. */
int load_file_at(const char *what, const char *path, int fd, uint64_t size,
                 const struct guest_mem *ram, uint64_t gpa, char *err, size_t errlen);

#endif
