/*
 * Compiler plumbing for the MMIO library: attributes, diagnostics and the few
 * GNU extensions the checks need, each guarded so that a compiler without it
 * still builds the library (it only loses that check).
 *
 * Internal: included through <mmio.h>. Names ending in '_' are not API.
 */
#ifndef MMIO_COMPILER_H
#define MMIO_COMPILER_H

#if !defined(__STDC_VERSION__) || __STDC_VERSION__ < 201112L
#error "mmio.h needs C11 (_Generic, _Static_assert, _Alignas)"
#endif

#ifdef __has_attribute
#define MMIO_HAS_ATTRIBUTE_(a) __has_attribute(a)
#else
#define MMIO_HAS_ATTRIBUTE_(a) 0
#endif

#define MMIO_CAT2_(a, b) a##b
#define MMIO_CAT_(a, b) MMIO_CAT2_(a, b)
#define MMIO_STR2_(x) #x
#define MMIO_STR_(x) MMIO_STR2_(x)

/* Accessors must become one instruction at every optimisation level, -O0 too. */
#if MMIO_HAS_ATTRIBUTE_(always_inline)
#define MMIO_INLINE_ static inline __attribute__((always_inline))
#else
#define MMIO_INLINE_ static inline
#endif

#if MMIO_HAS_ATTRIBUTE_(noreturn) && MMIO_HAS_ATTRIBUTE_(cold)
#define MMIO_NORETURN_ __attribute__((noreturn, cold))
#else
#define MMIO_NORETURN_ _Noreturn
#endif

/*
 * The storage member of every register wrapper carries MMIO_PRIVATE_ so that
 * naming it (u->dr.mmio_private_) is diagnosed: a hard error with the
 * `unavailable` attribute (gcc >= 12, clang), a deprecation warning (an error
 * under -Werror) otherwise. The library itself never names the member.
 */
#if MMIO_HAS_ATTRIBUTE_(unavailable)
#define MMIO_PRIVATE_ __attribute__((unavailable("mmio: register storage is private; use mmio_read/mmio_write")))
#elif MMIO_HAS_ATTRIBUTE_(deprecated)
#define MMIO_PRIVATE_ __attribute__((deprecated("mmio: register storage is private; use mmio_read/mmio_write")))
#else
#define MMIO_PRIVATE_
#endif

/*
 * MMIO_PTR goes between a register-block type and the '*' of every pointer to
 * device registers:  struct pl011_regs MMIO_PTR *uart.
 * On clang it is `noderef`: dereferencing such a pointer other than through the
 * accessors (whole-block copies `*u`, whole-register copies `u->dr`) and
 * converting it to a plain pointer are diagnosed (-Wnoderef, on by default).
 * Projections (&u->dr, &u->arr[i]) keep the attribute. gcc has no equivalent;
 * there it expands to nothing. Define MMIO_NO_NODEREF to turn it off.
 */
#if MMIO_HAS_ATTRIBUTE_(noderef) && !defined(MMIO_NO_NODEREF)
#define MMIO_PTR __attribute__((noderef))
#else
#define MMIO_PTR
#endif

/*
 * MMIO_STRICT_CONVERSION_(stmt): run one accessor call with -Wconversion
 * promoted to an error, whatever the build flags, so a value that does not fit
 * the register (uint64_t into a 32-bit register, a negative int) cannot be
 * written by accident. Needs statement expressions (gcc, clang); elsewhere the
 * check falls back to the caller's own -Wconversion.
 */
#if defined(__GNUC__)
#if defined(__clang__)
#define MMIO_CONV_PRAGMAS_ _Pragma("GCC diagnostic error \"-Wconversion\"")
#else
#define MMIO_CONV_PRAGMAS_ \
    _Pragma("GCC diagnostic error \"-Wconversion\"") \
    _Pragma("GCC diagnostic error \"-Wsign-conversion\"") \
    _Pragma("GCC diagnostic error \"-Woverflow\"")
#endif
#define MMIO_STRICT_CONVERSION_(stmt) __extension__({ \
    _Pragma("GCC diagnostic push") MMIO_CONV_PRAGMAS_ stmt; _Pragma("GCC diagnostic pop") })
#else
#define MMIO_STRICT_CONVERSION_(stmt) (stmt)
#endif

/*
 * MMIO_IS_ICE_(x): 1 if x is an integer constant expression, else 0, itself
 * an integer constant expression (the null-pointer-constant trick Linux uses
 * in __is_constexpr). Used to reject constant out-of-range indices at compile
 * time while variable ones are checked at run time.
 */
#if defined(__GNUC__)
#define MMIO_IS_ICE_(x) \
    (__extension__(sizeof(int) == sizeof(*(1 ? ((void *)((long)(x) * 0l)) : (int *)1))))
#define MMIO_ICE_OR_ZERO_(x) __builtin_choose_expr(MMIO_IS_ICE_(x), (x), 0)
#else
#define MMIO_IS_ICE_(x) 0
#define MMIO_ICE_OR_ZERO_(x) 0
#endif

#endif
