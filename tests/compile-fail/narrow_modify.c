/* Must not compile: read-modify-write with a mask wider than the register. */
// EXPECT-gcc: conversion from 'uint32_t' \{aka 'unsigned int'\} to 'uint16_t' \{aka 'short unsigned int'\} may change value
// EXPECT-clang: implicit conversion loses integer precision: 'uint32_t' \(aka 'unsigned int'\) to 'uint16_t' \(aka 'unsigned short'\)
#include "cf_regs.h"

CF_CASE(cf_narrow_modify)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_modify(&u->rw16, 0u, x32);
#else
    mmio_modify(&u->rw16, 0u, (uint16_t)x32);
#endif
}
