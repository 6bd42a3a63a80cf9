/* The Arm generic timer's virtual counter, for timeouts (system registers,
 * no MMIO). */
#ifndef ISV_GUEST_TIMER_H
#define ISV_GUEST_TIMER_H

#include <stdint.h>

static inline uint64_t timer_freq(void)
{
    uint64_t f;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return f ? f : 62500000; /* firmware left it unset: QEMU's default */
}

static inline uint64_t timer_now(void)
{
    uint64_t t;
    /* isb: without it the read may be taken early, before the loop that
     * polls it has done its work. */
    __asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(t)::"memory");
    return t;
}

/* Counter value `ms` milliseconds from now. */
static inline uint64_t timer_deadline(uint32_t ms)
{
    return timer_now() + timer_freq() / 1000 * ms;
}

static inline uint32_t timer_ms_since(uint64_t start)
{
    return (uint32_t)((timer_now() - start) / (timer_freq() / 1000));
}

#endif
