/* Must not compile: writing a 64-bit value to a 32-bit register. */
// EXPECT-gcc: conversion from 'uint64_t' \{aka 'long unsigned int'\} to 'uint32_t' \{aka 'unsigned int'\} may change value
// EXPECT-clang: implicit conversion loses integer precision: 'uint64_t' \(aka 'unsigned long'\) to 'uint32_t' \(aka 'unsigned int'\)
#include "cf_regs.h"

CF_CASE(cf_narrow_u64_to_u32)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write(&u->rw32, x64);
#else
    mmio_write(&u->rw32, (uint32_t)x64);
#endif
}
