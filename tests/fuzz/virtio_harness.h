/*
 * The shared part of the virtio fuzz harnesses: a device on a real MMIO bus
 * over 64 KiB of guest RAM, driven by a byte program of register accesses,
 * RAM writes and driver shortcuts (virtio_harness.c has the opcodes).
 *
 * Determinism: the worker thread runs only when woken, and the program calls
 * virtio_mmio_sync() (the VMM's own "wait for the worker") after every access
 * that can wake it, so the worker never runs while the program writes RAM.
 *
 * Speed: creating a device (its worker thread, eventfds, epoll) costs about
 * 100 us, ten times a typical input, so a device lives across inputs and each
 * input starts with a guest reset (Status = 0), as a rebooting guest's driver
 * does. What a reset keeps (log budgets, disk contents) carries over, as it
 * does in the VMM. A new device is made for the first input, when the flags
 * byte has both top bits set (so creation and teardown stay covered), when
 * the device options in the flags change, and after an input that left
 * state a reset does not clear (extra() says so).
 */
#ifndef ISV_FUZZ_VIRTIO_HARNESS_H
#define ISV_FUZZ_VIRTIO_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../devices/device.h"
#include "fuzz_input.h"

#define VFZ_RAM_BASE 0x40000000ull
#define VFZ_RAM_SIZE 0x10000ull

struct vfz_device {
    /* A new device at base/spi, or NULL (the harness then aborts: setup must
     * not fail). flags: the input's first byte, for device options. */
    struct device *(*create)(uint64_t base, int spi, struct device_host *host, uint8_t flags);
    uint8_t option_flags; /* flags bits that are device options (compared) */
    /* Device-specific opcode (e.g. console input); reads its operands from f.
     * true: the device now holds state a reset does not clear. */
    bool (*extra)(struct device *dev, struct fz *f);
    /* After destroy: release what create made for this input. Optional. */
    void (*cleanup)(void);
};

int vfz_run(const struct vfz_device *d, const uint8_t *data, size_t size);

#endif
