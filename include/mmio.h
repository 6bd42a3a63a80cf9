/*
 * Safe MMIO accessors: the one header guest (and host test) code includes.
 *
 * Registers are typed by kind and width (mmio_rw32, mmio_rp8, ...), grouped
 * into register-block structs with checked offsets; device pointers are
 * unique (may write and do side-effecting reads) or shared (pure reads only);
 * every access is a single instruction a hypervisor can emulate. Misuse is a
 * compile error. See include/README.md for the rules, the claim contract and
 * a worked PL011 example.
 *
 * Freestanding: needs only <stddef.h>, <stdint.h>, <stdbool.h>.
 */
#ifndef MMIO_H
#define MMIO_H

#include "mmio/compiler.h"
#include "mmio/regs.h"
#include "mmio/backend.h"
#include "mmio/access.h"
#include "mmio/claim.h"

#endif
