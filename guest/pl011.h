/* Guest PL011 driver (polled transmit). */
#ifndef ISV_GUEST_PL011_H
#define ISV_GUEST_PL011_H

#include <stdint.h>

void pl011_init(uint64_t base);
void pl011_putc(uint64_t base, char c);

#endif
