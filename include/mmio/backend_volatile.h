/*
 * Volatile backend for architectures other than AArch64 (host builds): one
 * volatile access of the register's width per operation. Nothing here is
 * about virtualisation; it exists so drivers and tests build and run on the
 * host with the same API, types and rules as on the guest.
 *
 * Internal: included through <mmio.h>.
 */
#ifndef MMIO_BACKEND_VOLATILE_H
#define MMIO_BACKEND_VOLATILE_H

#include <stdint.h>

#include "compiler.h"

#define MMIO_BACKEND_NAME "volatile"

/* Addresses arrive as integers, so no const is cast away here. */
MMIO_INLINE_ uint8_t mmio_impl_ld8_(uintptr_t a) { return *(const volatile uint8_t *)a; }
MMIO_INLINE_ uint16_t mmio_impl_ld16_(uintptr_t a) { return *(const volatile uint16_t *)a; }
MMIO_INLINE_ uint32_t mmio_impl_ld32_(uintptr_t a) { return *(const volatile uint32_t *)a; }
MMIO_INLINE_ uint64_t mmio_impl_ld64_(uintptr_t a) { return *(const volatile uint64_t *)a; }
MMIO_INLINE_ void mmio_impl_st8_(uintptr_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
MMIO_INLINE_ void mmio_impl_st16_(uintptr_t a, uint16_t v) { *(volatile uint16_t *)a = v; }
MMIO_INLINE_ void mmio_impl_st32_(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
MMIO_INLINE_ void mmio_impl_st64_(uintptr_t a, uint64_t v) { *(volatile uint64_t *)a = v; }

/* Full fences: stronger than rmb/wmb need, and portable. */
#if defined(__GNUC__)
#define MMIO_FENCE_() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#else
#include <stdatomic.h>
#define MMIO_FENCE_() atomic_thread_fence(memory_order_seq_cst)
#endif
MMIO_INLINE_ void mmio_impl_rmb_(void) { MMIO_FENCE_(); }
MMIO_INLINE_ void mmio_impl_wmb_(void) { MMIO_FENCE_(); }
MMIO_INLINE_ void mmio_impl_mb_(void) { MMIO_FENCE_(); }

#endif
