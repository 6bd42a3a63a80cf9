/*
 * The board: QEMU virt's memory map and interrupt numbers, all in this one
 * file, so that software built for that machine runs unchanged. SPIs are
 * device-tree numbers (INTID = 32 + SPI). Device models take their base and
 * SPI from here through their create functions; none of them knows the map.
 */
#ifndef ISV_VMM_BOARD_H
#define ISV_VMM_BOARD_H

#include <stdint.h>

/* RAM: one block from 0x40000000; 256 GiB of IPA space above it. */
#define RAM_BASE          0x40000000ull
#define MEM_MIN_MIB       16
#define MEM_MAX_MIB       (256u * 1024)
#define MEM_DEFAULT_MIB   128

/* Flash: bank 0 holds --bios firmware (read-only here; the reset PC is its
 * first byte), bank 1 the UEFI variable store (a CFI flash, --uefi-vars). */
#define FLASH0_BASE       0x00000000ull
#define FLASH1_BASE       0x04000000ull
#define FLASH_BANK_SIZE   0x04000000ull
/* Bank 1 without --uefi-vars: erased flash for one run, as big as EDK2's
 * ArmVirtQemu store needs (variables, FTW working and spare: 3 x 256 KiB). */
#define FLASH1_VOLATILE_SIZE 0x00100000ull

/* GICv3 (vmm/gic.h owns it): distributor, then one redistributor per vCPU
 * (RD_base + SGI_base frames) in a region that holds 123 of them. QEMU puts
 * CPUs beyond that in a second region in high memory; isv does not. */
#define GIC_DIST_BASE     0x08000000ull
#define GIC_DIST_SIZE     0x00010000ull
#define GIC_REDIST_BASE   0x080a0000ull
#define GIC_REDIST_REGION 0x00f60000ull
#define GIC_REDIST_SIZE   0x00020000ull /* per vCPU */
#define GIC_NR_IRQS       128           /* SGIs+PPIs+SPIs the vGIC implements */

#define PL011_BASE        0x09000000ull
#define PL011_SPI         1
#define PL031_BASE        0x09010000ull
#define PL031_SPI         2

/* virtio-mmio: slot n at 0x0a000000 + 0x200*n with SPI 16+n. */
#define VIRTIO_MMIO_BASE     0x0a000000ull
#define VIRTIO_MMIO_STRIDE   0x200ull
#define VIRTIO_MMIO_SPI_BASE 16
#define VIRTIO_MMIO_SLOTS    32

static inline uint64_t virtio_mmio_slot_base(unsigned n)
{
    return VIRTIO_MMIO_BASE + (uint64_t)n * VIRTIO_MMIO_STRIDE;
}
static inline int virtio_mmio_slot_spi(unsigned n)
{
    return VIRTIO_MMIO_SPI_BASE + (int)n;
}

/* The isv test device: a page that is free in virt's map. */
#define TESTDEV_BASE      0x0b000000ull

#endif
