/*
 * The board: QEMU virt's memory map and interrupt numbers, in one place, so
 * that software built for that machine runs unchanged. SPIs are device-tree
 * numbers (INTID = 32 + SPI).
 */
#ifndef ISV_VMM_BOARD_H
#define ISV_VMM_BOARD_H

#include "../devices/testdev.h"     /* TESTDEV_BASE: free in virt's map */
#include "../devices/virtio_mmio.h" /* slots: 0x0a000000 + 0x200*n, SPI 16+n */

#define RAM_BASE          0x40000000ull
#define GIC_DIST_BASE     0x08000000ull
#define GIC_DIST_SIZE     0x00010000ull
#define GIC_REDIST_BASE   0x080a0000ull
#define GIC_REDIST_SIZE   0x00020000ull /* per vCPU: RD_base + SGI_base frames */
#define PL011_BASE        0x09000000ull
#define PL011_SPI         1
#define PL031_BASE        0x09010000ull
#define PL031_SPI         2
#define GIC_NR_IRQS       128 /* SGIs+PPIs+SPIs the vGIC implements */

#endif
