/*
 * Arm PrimeCell UART (PL011, DDI0183) model: the console at 0x09000000 on
 * QEMU's virt map, with a host character backend (chardev.h) behind it.
 *
 * Identity: PeriphID0-3 = 0x11 0x10 0x34 0x00 (part 0x011, designer 0x41 Arm,
 * revision 3 = r1p5), PCellID0-3 = 0x0d 0xf0 0x05 0xb1. Revision 3 is what
 * makes Linux (get_fifosize_arm: rev < 3 ? 16 : 32) use 32-entry FIFOs, which
 * is the depth modelled here.
 *
 * Behaviour in brief (details in pl011.c):
 * - Transmit: bytes leave the TX FIFO for the backend's output ring as soon as
 *   UARTEN and TXE are set (and CTS, if CTSEn), so BUSY/TXFF are only seen
 *   while the transmitter is disabled or the host output has stalled with a
 *   full ring. The TX interrupt follows the TRM: it fires when the FIFO drains
 *   through the TXIFLSEL level (FEN=0: when the holding register empties), not
 *   merely because TXIM was unmasked.
 * - Receive: the backend's reader thread offers bytes; the model takes what
 *   fits (UARTEN, RXE and not loopback), and the backend holds back the rest,
 *   so input is never dropped. RX fires when the fill reaches the RXIFLSEL
 *   trigger (FEN=0: any character) and clears when reads take it below; RT
 *   fires after 32 bit periods (at the latched baud rate) without a new
 *   character while the FIFO is not empty, and clears when it empties.
 * - FEN switches between the FIFOs and the 1-character holding registers and
 *   keeps what they hold; a fill above the new depth reads as full.
 * - Loopback (LBE) feeds transmitted bytes (which still reach the backend),
 *   breaks (LCR_H.BRK) and the modem outputs back to the receiver; backend input
 *   waits meanwhile. An overrun is possible only there (the backend is
 *   flow-controlled): the character is lost, OE is raised, the next one stored
 *   carries DR.OE. FE/PE never occur on this error-free virtual line.
 * - Modem inputs read as a ready terminal: CTS, DSR, DCD asserted, RI not.
 * - The SPI is level-triggered: (RIS & IMSC) != 0, re-evaluated after every
 *   access and every backend event; set_irq is called when the level changes.
 * - Accesses: 8-, 16- and 32-bit at a register's offset are normal (a narrow
 *   read returns the low bytes, a narrow write is zero-extended: an APB slave
 *   has no byte strobes). 64-bit accesses are split into two 32-bit ones,
 *   low word first (as QEMU does); unaligned ones read 0 and are ignored.
 *   Both are counted and traced (first few only).
 *   Reserved offsets (incl. the test registers 0x80-0x8c) read 0; writes to them
 *   and to read-only registers are ignored and counted.
 */
#ifndef ISV_DEVICES_PL011_H
#define ISV_DEVICES_PL011_H

#include "device.h"

struct chardev;

#define PL011_SIZE 0x1000
#define PL011_FIFO_DEPTH 32
#define PL011_UARTCLK_HZ 24000000u /* the 24 MHz apb_pclk the DT node refers to */

/* What creation and ops->reset leave the UART in. */
enum pl011_boot {
    /* The TRM reset values and then what boot firmware leaves for a console:
     * UARTEN|TXE|RXE, 115200 8N1 (IBRD 13, FBRD 1, latched), FIFOs enabled.
     * Earlycon writes without programming the UART, so this is the default. */
    PL011_BOOT_CONSOLE,
    /* The TRM reset values alone (CR 0x300: UART disabled, bytes written stay in
     * the TX FIFO until the guest enables it). */
    PL011_BOOT_RESET,
};

struct pl011_stats {
    uint64_t tx_bytes;        /* handed to the backend */
    uint64_t rx_bytes;        /* taken from the backend into the RX FIFO */
    uint64_t tx_dropped;      /* DR writes while the TX FIFO was full (guest ignored TXFF) */
    uint64_t rx_overruns;     /* characters lost to a full RX FIFO (loopback only:
                                 the backend is flow-controlled, never overrun) */
    uint64_t reserved_writes; /* writes to reserved offsets */
    uint64_t readonly_writes; /* writes to FR, RIS, MIS, the ID registers */
    uint64_t odd_accesses;    /* unaligned or 64-bit accesses */
    uint64_t rx_flushed;      /* received bytes a reset discarded before the guest read them */
    uint32_t divisor;         /* latched 64 * IBRD + FBRD */
    uint32_t baud;            /* UARTCLK * 4 / divisor, 0 while the divisor is invalid */
    bool irq;                 /* current interrupt line level */
};

/* Create a PL011 at `base` (window PL011_SIZE) on SPI `spi`. It takes ownership
 * of `cd` (NULL: output discarded, no input) and starts its threads; state is
 * PL011_BOOT_CONSOLE. NULL on failure (cd is then still the caller's).
 * ops->destroy must be called without dev->lock: it joins the backend threads,
 * which take that lock. */
struct device *pl011_create(uint64_t base, int spi, struct device_host *host, struct chardev *cd);

/* Choose the boot state and reset into it. Takes dev->lock, like ops->reset
 * (a reset sends what the TX FIFO holds first and empties both FIFOs). */
void pl011_set_boot(struct device *dev, enum pl011_boot boot);

/* For every VMM exit path (guest crash, VMM error, normal shutdown): hand
 * everything the guest wrote -- including bytes a disabled transmitter still
 * holds -- to the backend and wait until it is written, at most timeout_ms.
 * Call it without dev->lock; it may be called repeatedly. true when nothing is
 * left undelivered. ops->destroy flushes too and then closes the backend. */
bool pl011_flush(struct device *dev, int timeout_ms);

/* Snapshot of the counters (takes dev->lock). */
void pl011_get_stats(struct device *dev, struct pl011_stats *st);

/* The backend's entry points (the chardev sink is built from them); exposed so
 * tests can drive reception deterministically. They take dev->lock.
 * pl011_receive returns how many bytes the RX FIFO took; pl011_rx_idle reports
 * a receive-timeout period without a new character. */
size_t pl011_receive(struct device *dev, const uint8_t *buf, size_t n);
void pl011_rx_idle(struct device *dev);

#endif
