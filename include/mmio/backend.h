/*
 * Picks the one backend this translation unit uses. Each provides the same
 * internal primitives on integer addresses:
 *   mmio_impl_ld{8,16,32,64}_(addr), mmio_impl_st{8,16,32,64}_(addr, v),
 *   mmio_impl_rmb_(), mmio_impl_wmb_(), mmio_impl_mb_(), MMIO_BACKEND_NAME.
 *
 *   MMIO_BACKEND_RECORD defined   recording backend (tests, any architecture)
 *   __aarch64__                   single-instruction inline asm (the guest)
 *   otherwise                     volatile accesses (host builds)
 *
 * There is deliberately no way to pick the volatile backend on AArch64:
 * compilers may turn volatile accesses into forms a hypervisor cannot emulate.
 *
 * Internal: included through <mmio.h>.
 */
#ifndef MMIO_BACKEND_H
#define MMIO_BACKEND_H

#if defined(MMIO_BACKEND_RECORD)
#include "backend_record.h"
#elif defined(__aarch64__)
#include "backend_aarch64.h"
#else
#include "backend_volatile.h"
#endif

#endif
