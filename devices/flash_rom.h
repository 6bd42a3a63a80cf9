/*
 * Flash bank 0 with --bios: the firmware image, read-only. The VMM maps its
 * bytes into the guest as a KVM read-only slot, so the guest's fetches and
 * loads run at memory speed; this model sees only what leaves that path:
 * writes (ignored, as by write-protected flash, with a few warnings) and
 * loads the VMM emulates (an access without a valid syndrome).
 */
#ifndef ISV_DEVICES_FLASH_ROM_H
#define ISV_DEVICES_FLASH_ROM_H

#include "device.h"
#include "guest_mem.h"

/* A read-only window of rom->size bytes at rom->base showing rom->host
 * (owned by the caller, which must outlive the device). */
struct device *flash_rom_create(const struct guest_mem *rom, struct device_host *host,
                                char *err, size_t errlen);
/* Writes the guest made to it (they change nothing). */
uint64_t flash_rom_ignored_writes(struct device *dev);

#endif
