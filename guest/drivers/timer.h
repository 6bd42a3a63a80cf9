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

/* The event stream wakes WFE about every 0.25 ms, so a wait also notices
 * what sends no event (a completion whose interrupt never came, a timeout).
 * CNTKCTL_EL1 is per CPU: each CPU that waits this way turns it on. */
static inline void timer_event_stream_on(void)
{
    uint64_t ticks = timer_freq() / 4000, bit = 0;
    while (bit < 15 && (2ull << (bit + 1)) <= ticks) /* period = 2^(bit+1) ticks */
        bit++;
    uint64_t kctl;
    __asm__ volatile("mrs %0, cntkctl_el1" : "=r"(kctl));
    kctl = (kctl & ~0xf8ull) | 1u << 2 /* EVNTEN */ | bit << 4 /* EVNTI */;
    __asm__ volatile("msr cntkctl_el1, %0\n isb" : : "r"(kctl));
}

static inline uint32_t timer_ms_since(uint64_t start)
{
    return (uint32_t)((timer_now() - start) / (timer_freq() / 1000));
}

#endif
