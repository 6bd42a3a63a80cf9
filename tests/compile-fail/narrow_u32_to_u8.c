/* Must not compile: writing a 32-bit value to an 8-bit register. */
// EXPECT-gcc: conversion from 'uint32_t' \{aka 'unsigned int'\} to 'uint8_t' \{aka 'unsigned char'\} may change value
// EXPECT-clang: implicit conversion loses integer precision: 'uint32_t' \(aka 'unsigned int'\) to 'uint8_t' \(aka 'unsigned char'\)
#include "cf_regs.h"

CF_CASE(cf_narrow_u32_to_u8)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rw8, x32);
#else
    mmio_write(&u->rw8, (uint8_t)x32);
#endif
}
