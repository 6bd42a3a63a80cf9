/* Must not compile: writing a signed int to an unsigned register. */
// EXPECT-gcc: conversion to 'uint32_t' \{aka 'unsigned int'\} from 'int' may change the sign of the result
// EXPECT-clang: implicit conversion changes signedness: 'int' to 'uint32_t' \(aka 'unsigned int'\)
#include "cf_regs.h"

CF_CASE(cf_narrow_signed)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rw32, i);
#else
    mmio_write(&u->rw32, (uint32_t)i);
#endif
}
