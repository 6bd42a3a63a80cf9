/*
 * --bios: the firmware image for flash bank 0 and where it starts. As QEMU
 * virt does, the image fills the bank from its first byte, the rest of the
 * 64 MiB reads as zero, the vCPU starts at the image's first byte with the
 * MMU off, and the device tree lies at the base of RAM (where EDK2's
 * ArmVirtQemu looks for it).
 */
#ifndef ISV_VMM_FIRMWARE_H
#define ISV_VMM_FIRMWARE_H

#include "../devices/guest_mem.h"

/* Read `path` into a new bank-sized host buffer: rom->{host,base,size}.
 * 0, or -1 with "--bios 'PATH': reason". */
int firmware_load(const char *path, struct guest_mem *rom, char *err, size_t errlen);
void firmware_free(struct guest_mem *rom);
/* --uefi-vars: an absent `path` becomes a copy of `template` (Debian's empty
 * store, which must be one bank); an existing one is left as it is. 1 if
 * created, 0 if it existed, -1 with "--uefi-vars 'PATH': reason". */
int uefi_vars_prepare(const char *path, const char *template, char *err, size_t errlen);

/* Flash bank 1's bytes. With --uefi-vars they are the file itself, mapped
 * shared: what the guest programs is in the page cache at once (a killed
 * VMM loses nothing), and on disk after flash_store_close. Without it, a
 * volatile, erased (0xFF) store for one run. */
struct flash_store {
    uint8_t *mem;
    uint64_t size;
    const char *path; /* NULL: volatile */
    int fd;           /* with path: open, holding an exclusive flock */
};
/* path NULL: volatile. A file must be exactly one bank (64 MiB, as QEMU
 * requires and Debian's template is); it is locked against a second VMM
 * (flock, as virtio-blk locks its image) and its blocks allocated, so that a
 * full disk is an error here rather than a SIGBUS when the guest programs a
 * hole of a sparse file. 0, or -1 with "--uefi-vars 'PATH': why". */
int flash_store_open(struct flash_store *st, const char *path, char *err, size_t errlen);
/* Write the store back to its file (msync; after the vCPUs stopped). 0, or
 * -1 with err: the variables the guest set may not be on disk. */
int flash_store_sync(struct flash_store *st, char *err, size_t errlen);
void flash_store_close(struct flash_store *st);

#endif
