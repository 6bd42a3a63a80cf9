/*
 * CFI NOR flash with the Intel/Sharp command set (CFI primary command set
 * 0x0001; commands as in Intel's StrataFlash P30/J3 datasheets), as QEMU
 * virt's flash bank 1 (the UEFI variable store): a 32-bit bank built of two
 * x16 chips side by side, 256 KiB sectors. That is the part EDK2's
 * VirtNorFlashDxe is written for: it sends every command in both 16-bit
 * halves (0x00FF00FF) and wants every status in both halves.
 *
 * The window is the backing: `size` bytes the caller owns (the VMM maps the
 * --uefi-vars file shared, so programs and erases land in it). In read-array
 * mode the model asks the host to map them read-only into the guest
 * (device_host.map_rom), so reads run at memory speed and only writes trap;
 * every command that leaves read-array unmaps first, and reads then come here.
 * Without map_rom, or when it fails, the model serves array reads itself.
 *
 * Reads, per mode. Every 16-bit half of the bus answers as one chip would:
 *   read array  the backing's bytes
 *   status      0x00SR in each half (0x00800080 when idle, bit 7 = ready)
 *   ID (0x90)   word (offset within the sector) >> 2: 0 manufacturer 0x0089
 *               (Intel), 1 device 0x0018 (the codes QEMU's virt gives its
 *               flash), 2 block lock status 0 (unlocked), others 0
 *   query 0x98  the CFI table byte at word (offset within the sector) >> 2,
 *               0x00QQ in each half; 0 past the table
 * A read of any width is the bytes those 32-bit words hold at its addresses,
 * so a 16-bit read of either half sees one chip and an 8-byte read spans two
 * words. Reads change nothing.
 *
 * The CFI table describes one chip, as CFI requires when the data repeats in
 * every half (a reader such as Linux's cfi_probe then finds 2 interleaved x16
 * chips and multiplies): device size 2^(log2(size) - 1), size / 256 KiB
 * erase blocks of 128 KiB, a 64-byte write buffer, x16 interface. Interleaved,
 * that is the bank: 2^26 bytes, 256 sectors of 256 KiB and a 128-byte buffer
 * for the 64 MiB store. A size that is not a power of two reports the next
 * power up (CFI sizes are powers of two); the block count stays exact.
 *
 * Writes: the command is the written value's low byte, whatever the width
 * and offset (EDK2's CREATE_DUAL_CMD puts it there too). An 8-byte write is
 * two 4-byte writes, low address first; 1- and 2-byte writes are one bus
 * cycle with their bytes. All operations finish at once: status bit 7 is
 * always 1.
 *   0xFF, 0xF0   read array (0xF0 is the JEDEC reset a CFI probe sends)
 *   0x70         read status            0x90  read ID         0x98  CFI query
 *   0x50         clear status: error bits to 0, the read mode stays (QEMU's
 *                goes to read array; EDK2 sends 0xFF before it reads data)
 *   0x40, 0x10   word program: the next write's bytes are programmed
 *   0x20, 0xD0   block erase of the sector holding the confirm's address
 *   0xE8         buffered program: then the word count N-1 (low 16 bits, at
 *                most 31), N data writes of 1-4 bytes each within 128 bytes
 *                from the first one's address, count and data in the 0xE8's
 *                sector, then 0xD0 at any address (EDK2 confirms at the
 *                bank's base). The data is held in the buffer and programmed
 *                at the confirm
 *   0x60 + 0x01/0xD0/0x2F/0x03  lock, unlock, lock-down, set read configuration:
 *                accepted and ignored (blocks are always unlocked; QEMU does
 *                the same, and EDK2 only unlocks)
 *   0xB0, 0xD0   suspend, resume: nothing is ever in progress, so no-ops
 * After a program, erase or lock command reads return status until the next
 * command. Program ANDs the data into the old bytes, as NOR can only clear
 * bits (QEMU's pflash overwrites instead; EDK2 erases before any 0->1, as
 * real NOR needs). A wrong second cycle, a bad buffered sequence or an unknown
 * command sets SR.5 and SR.4 (command sequence error), discards the sequence
 * (nothing is programmed) and puts the flash in status mode.
 *
 * ops->reset: read-array mode (mapped), status 0x80; the statistics stay.
 * ops->fdt: flash@<base>, compatible "cfi-flash", bank-width <4>.
 */
#ifndef ISV_DEVICES_CFI_FLASH_H
#define ISV_DEVICES_CFI_FLASH_H

#include "device.h"

#define CFI_FLASH_SECTOR   0x40000u /* erase sector of the bank (128 KiB per chip) */
#define CFI_FLASH_BUFFER   128u     /* write buffer of the bank (32 words per chip) */
#define CFI_FLASH_MAX_SIZE ((uint64_t)CFI_FLASH_SECTOR << 16) /* CFI's 16-bit block count */
#define CFI_FLASH_MFR_ID   0x0089u
#define CFI_FLASH_DEV_ID   0x0018u

/* Status register bits (one chip's; the bus reads them in both halves). */
#define CFI_SR_READY       0x80u /* SR.7: write state machine ready */
#define CFI_SR_ERASE_ERR   0x20u /* SR.5: erase error; with SR.4, a sequence error */
#define CFI_SR_PROGRAM_ERR 0x10u /* SR.4: program error */
#define CFI_SR_SEQ_ERR     (CFI_SR_ERASE_ERR | CFI_SR_PROGRAM_ERR)

enum cfi_flash_mode {
    CFI_MODE_READ_ARRAY,
    CFI_MODE_STATUS,
    CFI_MODE_ID,
    CFI_MODE_QUERY,
    CFI_MODE_PROGRAM,    /* 0x40/0x10 given: the next write is the data */
    CFI_MODE_ERASE,      /* 0x20 given: the next write must be 0xD0 */
    CFI_MODE_LOCK,       /* 0x60 given: the next write is the lock command */
    CFI_MODE_BUF_COUNT,  /* 0xE8 given: the next write is the word count */
    CFI_MODE_BUF_DATA,   /* taking the data words */
    CFI_MODE_BUF_CONFIRM /* all data in: the next write must be 0xD0 */
};

struct cfi_flash_info {
    enum cfi_flash_mode mode;
    uint8_t status;          /* one chip's status register */
    bool mapped;             /* the backing is mapped into the guest now */
    uint64_t programs;       /* word and buffered programs done */
    uint64_t erases;         /* sectors erased */
    uint64_t seq_errors;     /* invalid command sequences (SR.5 and SR.4 set) */
    uint64_t and_conflicts;  /* programs with a byte (not 0xFF) wanting a 0 bit set */
    uint64_t maps, unmaps, map_failures; /* map_rom calls that worked, failed */
};

/* A flash bank at `base` over `size` bytes of `backing` (the caller's; it must
 * outlive the device). size: a nonzero multiple of CFI_FLASH_SECTOR, at most
 * CFI_FLASH_MAX_SIZE. Maps the backing (read-array mode) before returning.
 * NULL with a one-line error in err. */
struct device *cfi_flash_create(uint64_t base, uint8_t *backing, uint64_t size,
                                struct device_host *host, char *err, size_t errlen);
/* The mode and counters, under the device's lock. */
void cfi_flash_info(struct device *dev, struct cfi_flash_info *out);

#endif
