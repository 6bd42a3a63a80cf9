/* libFuzzer harness: virtio-rng behind the virtio-mmio transport (virtio_harness.h). */
#include "../../devices/virtio_devices.h"
#include "virtio_harness.h"

static struct device *create(uint64_t base, int spi, struct device_host *host, uint8_t flags)
{
    char err[200];
    (void)flags;
    return virtio_rng_create(base, spi, host, err, sizeof err);
}

static const struct vfz_device rng = {.create = create};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return vfz_run(&rng, data, size);
}
