/* Loading an arm64 Linux `Image` (Documentation/arch/arm64/booting.rst) into guest RAM. */
#ifndef ISV_VMM_LOADER_H
#define ISV_VMM_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "../devices/guest_mem.h"

#define IMAGE_HEADER_SIZE 64
#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 0x38 */

struct image_info {
    uint64_t text_offset; /* load offset from a 2 MiB-aligned base */
    uint64_t image_size;  /* bytes the image occupies, BSS included */
    uint64_t file_size;
    uint64_t flags;
    uint64_t load_addr;   /* guest-physical address of the first byte (= entry point) */
};

/* Validate the 64-byte header of a file of `file_size` bytes. 0, or -1 with err. */
int image_parse_header(const uint8_t *hdr, size_t len, uint64_t file_size,
                       struct image_info *info, char *err, size_t errlen);
/* Read `path` and place it at RAM base + text_offset. 0, or -1 with err. */
int image_load(const char *path, const struct guest_mem *ram, struct image_info *info,
               char *err, size_t errlen);

#endif
