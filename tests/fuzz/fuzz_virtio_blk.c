/*
 * libFuzzer harness: virtio-blk behind the virtio-mmio transport
 * (virtio_harness.h) on a 64 KiB temporary image. The image is a memfd made
 * once (fsync is free there, and no file is created per input), opened by
 * path for each input as --device virtio-blk,file=PATH does. Flags bit 0:
 * readonly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../devices/virtio_devices.h"
#include "virtio_harness.h"

#define IMAGE_BYTES 0x10000

static char path[64];

static struct device *create(uint64_t base, int spi, struct device_host *host, uint8_t flags)
{
    char err[200];
    if (!path[0]) {
        int fd = memfd_create("isv-fuzz-disk.img", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, IMAGE_BYTES))
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    return virtio_blk_create(base, spi, host, path, flags & 1, err, sizeof err);
}

static const struct vfz_device blk = {.create = create, .option_flags = 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return vfz_run(&blk, data, size);
}
