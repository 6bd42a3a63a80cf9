/*
 * ARM PrimeCell PL031 real-time clock (TRM DDI 0224), as on QEMU virt at
 * 0x09010000, SPI 2. A 32-bit seconds counter that follows the host's clock
 * (CLOCK_REALTIME, so the guest's `date` is the host's), loadable, with a
 * match interrupt raised by a timer thread at the second the counter reaches
 * the match register.
 *
 *   0x000 DR    RO  counter value                  0x010 IMSC RW bit 0: interrupt enabled
 *   0x004 MR    RW  match value                    0x014 RIS  RO bit 0: match happened
 *   0x008 LR    RW  writes load the counter;       0x018 MIS  RO RIS & IMSC
 *                   reads the last value loaded    0x01c ICR  WO 1 clears RIS
 *   0x00c CR    RW  bit 0 start: once 1, stays 1 until reset (the counter,
 *                   the host clock, runs regardless, as a battery-backed RTC)
 *   0xfe0..0xffc    PeriphID0-3 0x31 0x10 0x14 0x00, PCellID0-3 0x0d 0xf0 0x05 0xb1
 * Registers are 32 bits: a narrower read returns its part of the register, a
 * 64-bit access is two register accesses; narrower writes are ignored (the
 * APB bus has none). Other offsets read 0 and ignore writes. The interrupt
 * line is level: high while MIS is set.
 */
#ifndef ISV_DEVICES_PL031_H
#define ISV_DEVICES_PL031_H

#include "device.h"

#define PL031_SIZE 0x1000

enum {
    PL031_DR = 0x000, PL031_MR = 0x004, PL031_LR = 0x008, PL031_CR = 0x00c,
    PL031_IMSC = 0x010, PL031_RIS = 0x014, PL031_MIS = 0x018, PL031_ICR = 0x01c,
    PL031_ID = 0xfe0,
};

/* The clock the counter follows: nanoseconds since the Unix epoch. */
typedef uint64_t (*pl031_clock_fn)(void *ctx);

/* clock NULL: the host's CLOCK_REALTIME, and a thread raises match
 * interrupts. With a clock (unit tests), no thread: call pl031_poll(). */
struct device *pl031_create(uint64_t base, int spi, struct device_host *host,
                            pl031_clock_fn clock, void *clock_ctx);
/* Raise the match interrupt if the counter has reached the match value since
 * it was armed (what the thread does at the deadline). Takes the lock. */
void pl031_poll(struct device *dev);

#endif
