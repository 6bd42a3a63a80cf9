/*
 * Where the kernel, the initrd and the device tree go in guest RAM: computed
 * here and nowhere else (Linux Documentation/arch/arm64/booting.rst):
 *   - an Image at RAM base (2 MiB aligned) + text_offset, image_size bytes;
 *     the DTB in the next 2 MiB block of its own after it (8-byte aligned,
 *     at most 2 MiB, in no 2 MiB block shared with anything needing other
 *     attributes); the initrd in the 2 MiB block after that;
 *   - a raw binary at RAM base + 0x80000, which declares no size: as QEMU
 *     does, the initrd goes at RAM base + min(RAM/2, 128 MiB) and the DTB
 *     after it, well above anything the binary could use;
 *   - the initrd must lie in one 1 GiB-aligned window of at most 32 GiB that
 *     also covers the kernel (RAM base is 1 GiB aligned, so: below base+32 GiB).
 */
#ifndef ISV_VMM_BOOT_H
#define ISV_VMM_BOOT_H

#include <stdint.h>
#include <stdio.h>

#include "loader.h"

#define SZ_2M (2ull << 20)
#define BOOT_DTB_MAX SZ_2M /* booting.rst: a DTB is at most 2 MiB */

struct boot_layout {
    uint64_t kernel_start, kernel_end; /* [start, end): image_size bytes, BSS included */
    uint64_t entry;
    uint64_t dtb;                      /* BOOT_DTB_MAX bytes reserved */
    uint64_t initrd_start, initrd_end; /* equal when there is no initrd */
    const char *format;                /* the kernel's, from kernel_format_name() */
};

/* Fill `l` for kernel `k` (its info.load_addr is set too) and an initrd of
 * initrd_size bytes (0: none) named `initrd` in messages. 0, or -1 with a
 * one-line message. */
int boot_layout_compute(uint64_t ram_base, uint64_t ram_size, struct kernel *k,
                        const char *initrd, uint64_t initrd_size, struct boot_layout *l,
                        char *err, size_t errlen);
/* Load kernel and initrd (NULL: none) into RAM and lay them out. 0, or -1. */
int boot_load(const char *kernel, const char *initrd, const struct guest_mem *ram,
              struct boot_layout *l, char *err, size_t errlen);
/* The --verbose lines: format, and each region's addresses and size. */
void boot_layout_print(FILE *out, const char *kernel, const char *initrd,
                       const struct boot_layout *l);

#endif
