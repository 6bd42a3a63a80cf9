/* Must not compile: writing a constant that does not fit an 8-bit register. */
// EXPECT-gcc: conversion from 'int' to 'uint8_t' \{aka 'unsigned char'\} changes value from '511' to '255'
// EXPECT-clang: implicit conversion from 'int' to 'uint8_t' \(aka 'unsigned char'\) changes value from 511 to 255
#include "cf_regs.h"

CF_CASE(cf_narrow_constant)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rw8, 0x1ff);
#else
    mmio_write(&u->rw8, 0xff);
#endif
}
