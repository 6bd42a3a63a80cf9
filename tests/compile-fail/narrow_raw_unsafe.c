/* Must not compile: the raw escape hatch is width-checked too. */
// EXPECT-gcc: conversion from 'uint32_t' \{aka 'unsigned int'\} to 'uint16_t' \{aka 'short unsigned int'\} may change value
// EXPECT-clang: implicit conversion loses integer precision: 'uint32_t' \(aka 'unsigned int'\) to 'uint16_t' \(aka 'unsigned short'\)
#include "cf_regs.h"

CF_CASE(cf_narrow_raw_unsafe)
{
    CF_USE_ARGS();
#ifndef CONTROL
    mmio_write16_unsafe((uintptr_t)x64, x32);
#else
    mmio_write16_unsafe((uintptr_t)x64, (uint16_t)x32);
#endif
}
