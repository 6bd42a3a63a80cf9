/*
 * Recording backend, for tests: selected by defining MMIO_BACKEND_RECORD
 * before including <mmio.h>. Every access and barrier is appended to the
 * active recorder (address, width, direction, value), then performed either
 * on plain memory (a fake register block in RAM) or, when the recorder has
 * device callbacks, by the callbacks instead (a fake device; the address need
 * not be backed by memory then).
 *
 *   static struct mmio_recorder rec;        // zero-initialised
 *   mmio_record_start(&rec);
 *   ... driver code ...
 *   mmio_record_stop();
 *   // rec.count events in rec.ev[]; rec.overflow if more than MMIO_RECORD_CAP
 *
 * The active-recorder pointer is one weak global shared by every translation
 * unit built with this backend (ELF; gcc and clang).
 *
 * Internal: included through <mmio.h>.
 */
#ifndef MMIO_BACKEND_RECORD_H
#define MMIO_BACKEND_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

#define MMIO_BACKEND_NAME "record"

#ifndef MMIO_RECORD_CAP
#define MMIO_RECORD_CAP 256
#endif

enum mmio_event_kind { MMIO_EV_READ = 1, MMIO_EV_WRITE, MMIO_EV_BARRIER };
/* Barrier events carry which barrier in `value`. */
enum mmio_barrier_kind { MMIO_BARRIER_RMB = 1, MMIO_BARRIER_WMB, MMIO_BARRIER_MB };

struct mmio_event {
    enum mmio_event_kind kind;
    unsigned width;  /* bytes: 1, 2, 4, 8; 0 for barriers */
    uintptr_t addr;  /* 0 for barriers */
    uint64_t value;  /* value read or written; barrier kind for barriers */
};

struct mmio_recorder {
    /* Optional fake device: when `read` is set it answers every read, when
     * `write` is set it receives every write; memory is then not touched. */
    uint64_t (*read)(void *ctx, uintptr_t addr, unsigned width);
    void (*write)(void *ctx, uintptr_t addr, unsigned width, uint64_t value);
    void *ctx;
    size_t count;   /* events recorded */
    bool overflow;  /* more than MMIO_RECORD_CAP events happened */
    struct mmio_event ev[MMIO_RECORD_CAP];
};

/* The recorder being filled, or NULL (accesses still happen, unlogged). */
extern struct mmio_recorder *mmio_recorder_active;
__attribute__((weak)) struct mmio_recorder *mmio_recorder_active;

/* Start logging into r (clearing its log; callbacks and ctx are kept). */
static inline void mmio_record_start(struct mmio_recorder *r)
{
    r->count = 0;
    r->overflow = false;
    mmio_recorder_active = r;
}

static inline void mmio_record_stop(void) { mmio_recorder_active = NULL; }

static inline void mmio_record_push_(enum mmio_event_kind kind, unsigned width, uintptr_t addr,
                                     uint64_t value)
{
    struct mmio_recorder *r = mmio_recorder_active;
    if (!r)
        return;
    if (r->count == MMIO_RECORD_CAP) {
        r->overflow = true;
        return;
    }
    r->ev[r->count++] = (struct mmio_event){ kind, width, addr, value };
}

static inline uint64_t mmio_record_load_(uintptr_t a, unsigned width)
{
    struct mmio_recorder *r = mmio_recorder_active;
    uint64_t v;
    if (r && r->read)
        v = r->read(r->ctx, a, width);
    else if (width == 1)
        v = *(const volatile uint8_t *)a;
    else if (width == 2)
        v = *(const volatile uint16_t *)a;
    else if (width == 4)
        v = *(const volatile uint32_t *)a;
    else
        v = *(const volatile uint64_t *)a;
    /* What a real load of this width could return. */
    if (width < 8)
        v &= (UINT64_C(1) << (8 * width)) - 1;
    mmio_record_push_(MMIO_EV_READ, width, a, v);
    return v;
}

static inline void mmio_record_store_(uintptr_t a, unsigned width, uint64_t v)
{
    struct mmio_recorder *r = mmio_recorder_active;
    mmio_record_push_(MMIO_EV_WRITE, width, a, v);
    if (r && r->write)
        r->write(r->ctx, a, width, v);
    else if (width == 1)
        *(volatile uint8_t *)a = (uint8_t)v;
    else if (width == 2)
        *(volatile uint16_t *)a = (uint16_t)v;
    else if (width == 4)
        *(volatile uint32_t *)a = (uint32_t)v;
    else
        *(volatile uint64_t *)a = v;
}

MMIO_INLINE_ uint8_t mmio_impl_ld8_(uintptr_t a) { return (uint8_t)mmio_record_load_(a, 1); }
MMIO_INLINE_ uint16_t mmio_impl_ld16_(uintptr_t a) { return (uint16_t)mmio_record_load_(a, 2); }
MMIO_INLINE_ uint32_t mmio_impl_ld32_(uintptr_t a) { return (uint32_t)mmio_record_load_(a, 4); }
MMIO_INLINE_ uint64_t mmio_impl_ld64_(uintptr_t a) { return mmio_record_load_(a, 8); }
MMIO_INLINE_ void mmio_impl_st8_(uintptr_t a, uint8_t v) { mmio_record_store_(a, 1, v); }
MMIO_INLINE_ void mmio_impl_st16_(uintptr_t a, uint16_t v) { mmio_record_store_(a, 2, v); }
MMIO_INLINE_ void mmio_impl_st32_(uintptr_t a, uint32_t v) { mmio_record_store_(a, 4, v); }
MMIO_INLINE_ void mmio_impl_st64_(uintptr_t a, uint64_t v) { mmio_record_store_(a, 8, v); }

MMIO_INLINE_ void mmio_impl_rmb_(void)
{
    mmio_record_push_(MMIO_EV_BARRIER, 0, 0, MMIO_BARRIER_RMB);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
MMIO_INLINE_ void mmio_impl_wmb_(void)
{
    mmio_record_push_(MMIO_EV_BARRIER, 0, 0, MMIO_BARRIER_WMB);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
MMIO_INLINE_ void mmio_impl_mb_(void)
{
    mmio_record_push_(MMIO_EV_BARRIER, 0, 0, MMIO_BARRIER_MB);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif
