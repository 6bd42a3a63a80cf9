/* virtio-rng against fake guest memory. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../vmm/board.h"
#include "../../devices/virtio_devices.h"
#include "../../devices/virtio_mmio.h"
#include "vtest.h"

#define F_N VIRTQ_DESC_F_NEXT
#define F_W VIRTQ_DESC_F_WRITE

static struct vt_host h;
static struct vt_queue q;
static struct device *dev;

static void setup(void)
{
    char err[200];
    vt_host_init(&h, 8 << 20);
    vt_queue_layout(&q, &h, 0, 8);
    dev = virtio_rng_create(VIRTIO_MMIO_BASE, VIRTIO_MMIO_SPI_BASE, &h.host, err, sizeof err);
    cr_assert(dev, "%s", err);
}

static void teardown(void)
{
    dev->ops->destroy(dev);
    vt_host_fini(&h);
}

TestSuite(virtio_rng, .init = setup, .fini = teardown);

static bool all_zero(uint64_t gpa, size_t len)
{
    const uint8_t *p = vt_ptr(&h, gpa);
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return false;
    return true;
}

static uint32_t complete(void)
{
    uint32_t id, len;
    vt_notify(dev, 0);
    cr_assert(vt_used_next(&q, &id, &len), "request not completed");
    return len;
}

Test(virtio_rng, identity)
{
    cr_assert_eq(vt_rd32(dev, 0x08), VIRTIO_ID_RNG);
    vt_wr32(dev, 0x14, 0);
    cr_assert_eq(vt_rd32(dev, 0x10), 1u << VIRTIO_F_INDIRECT_DESC, "no device-specific features");
    vt_wr32(dev, 0x30, 0);
    cr_assert_eq(vt_rd32(dev, 0x34), VIRTQ_MAX_CHAIN);
    vt_wr32(dev, 0x30, 1);
    cr_assert_eq(vt_rd32(dev, 0x34), 0, "one queue");
}

Test(virtio_rng, fills_the_buffer_with_fresh_bytes)
{
    vt_bring_up(dev, &q, 1, 0);
    vt_desc(&q, q.desc, 0, VT_DATA, 256, F_W, 0);
    vt_avail(&q, 0);
    cr_assert_eq(complete(), 256);
    cr_assert_not(all_zero(VT_DATA, 256));
    uint8_t first[256];
    memcpy(first, vt_ptr(&h, VT_DATA), 256);
    vt_avail(&q, 0);
    cr_assert_eq(complete(), 256);
    cr_assert_neq(memcmp(first, vt_ptr(&h, VT_DATA), 256), 0, "a second request differs");
}

Test(virtio_rng, several_segments)
{
    vt_bring_up(dev, &q, 1, 0);
    vt_desc(&q, q.desc, 0, VT_DATA, 100, F_W | F_N, 1);
    vt_desc(&q, q.desc, 1, VT_DATA + 0x1000, 50, F_W, 0);
    vt_avail(&q, 0);
    cr_assert_eq(complete(), 150);
    cr_assert_not(all_zero(VT_DATA, 100));
    cr_assert_not(all_zero(VT_DATA + 0x1000, 50));
    cr_assert(all_zero(VT_DATA + 100, 16), "nothing outside the buffers");
}

Test(virtio_rng, large_buffer_is_capped)
{
    vt_bring_up(dev, &q, 1, 0);
    vt_desc(&q, q.desc, 0, VT_DATA, 1 << 20, F_W, 0);
    vt_avail(&q, 0);
    cr_assert_eq(complete(), 65536, "the device may return less than offered");
    cr_assert_not(all_zero(VT_DATA + 65536 - 256, 256));
    cr_assert(all_zero(VT_DATA + 65536, (1 << 20) - 65536), "the rest untouched");
}

Test(virtio_rng, readable_buffer_gets_nothing)
{
    vt_bring_up(dev, &q, 1, 0);
    vt_desc(&q, q.desc, 0, VT_DATA, 64, 0, 0);
    vt_avail(&q, 0);
    cr_assert_eq(complete(), 0);
    cr_assert(all_zero(VT_DATA, 64), "device-readable memory is never written");
    cr_assert_eq(vt_rd32(dev, 0x70) & VIRTIO_STATUS_NEEDS_RESET, 0);
}
