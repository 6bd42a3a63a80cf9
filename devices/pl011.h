/* Arm PrimeCell UART (PL011) model: the console at 0x09000000 on QEMU's virt map. */
#ifndef ISV_DEVICES_PL011_H
#define ISV_DEVICES_PL011_H

#include "device.h"

#define PL011_SIZE 0x1000

/* Create a PL011 whose transmitted bytes go to file descriptor `tx_fd`. */
struct device *pl011_create(uint64_t base, int spi, struct device_host *host, int tx_fd);

#endif
