/*
 * isv test device ("isv,testdev"): the worked example of adding a device, and
 * a target for guest tests of access widths and instruction emulation.
 *
 *   0x000  ID       read-pure   0x54565349 ("ISVT")
 *   0x008  COUNTER  read-only   each read returns the number of earlier reads (side effect)
 *   0x010  LAST     read-pure   offset<<8 | width of the last access outside this register
 *   0x018  NOP      write-only  writes ignored (benchmarks); reads 0
 *   0x100..0x1ff    SCRATCH     256 bytes of memory: any width, little-endian
 * Other offsets read 0 and ignore writes.
 */
#ifndef ISV_DEVICES_TESTDEV_H
#define ISV_DEVICES_TESTDEV_H

#include "device.h"

#define TESTDEV_SIZE 0x1000
#define TESTDEV_ID   0x54565349u

enum {
    TESTDEV_REG_ID = 0x000,
    TESTDEV_REG_COUNTER = 0x008,
    TESTDEV_REG_LAST = 0x010,
    TESTDEV_REG_NOP = 0x018,
    TESTDEV_SCRATCH = 0x100,
    TESTDEV_SCRATCH_SIZE = 0x100,
};

struct device *testdev_create(uint64_t base, struct device_host *host);

#endif
