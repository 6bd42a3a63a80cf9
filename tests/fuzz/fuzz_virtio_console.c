/*
 * libFuzzer harness: virtio-console behind the virtio-mmio transport
 * (virtio_harness.h). Output goes to /dev/null; input comes from a pipe the
 * program feeds. Flags bit 0: no input at all (as with file=PATH). EXTRA
 * opcode: n:u8, then n bytes into the pipe (n == 255: close it, i.e. EOF),
 * then a sync, so the worker has taken what it can before the next opcode.
 * Input survives a reset, so the next input gets a new device.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../devices/virtio_devices.h"
#include "../../devices/virtio_mmio.h"
#include "virtio_harness.h"

static int null_fd = -1, in_wr = -1;

static struct device *create(uint64_t base, int spi, struct device_host *host, uint8_t flags)
{
    char err[200];
    int p[2] = {-1, -1};
    if (null_fd < 0 && (null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
        abort();
    if (!(flags & 1) && pipe2(p, O_CLOEXEC))
        abort();
    if (p[1] >= 0 && fcntl(p[1], F_SETFL, O_NONBLOCK)) /* the program never blocks */
        abort();
    struct device *dev = virtio_console_create(base, spi, host, p[0], null_fd, err, sizeof err);
    if (p[0] >= 0)
        close(p[0]); /* the device has its own copy */
    in_wr = p[1];
    return dev;
}

static bool extra(struct device *dev, struct fz *f)
{
    const uint8_t *p;
    uint8_t n = fz_u8(f);
    if (in_wr < 0)
        return false;
    if (n == 255) {
        close(in_wr);
        in_wr = -1;
    } else {
        size_t k = fz_bytes(f, n, &p);
        if (write(in_wr, p, k) < 0) {
            /* a full pipe: the rest is lost, as a writer that gives up would lose it */
        }
    }
    virtio_mmio_sync(dev);
    return true; /* input a reset does not discard, or EOF */
}

static void cleanup(void)
{
    if (in_wr >= 0)
        close(in_wr);
    in_wr = -1;
}

static const struct vfz_device console = {.create = create, .option_flags = 1, .extra = extra,
                                          .cleanup = cleanup};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return vfz_run(&console, data, size);
}
