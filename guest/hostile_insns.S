/*
 * Instructions the hostile suite aims at devices, each a function
 *     void hform_NAME(uint64_t addr, uint64_t io[4])
 * that makes one access to `addr` (x0): x9, x10 and x11 come from io[0],
 * io[1], io[3] and go back there afterwards, x0 (the base after any
 * writeback) to io[2]. None has a valid instruction syndrome except ldar and
 * stlr: exclusives, LSE atomics and SIMD&FP reach the VMM as
 * KVM_EXIT_ARM_NISV. The safe MMIO library never emits any of them.
 * Also: hostile_text_pad, a page of brk #0 in .text for rings placed inside
 * the kernel image.
 */
    .arch_extension lse
    .arch_extension fp
    .arch_extension simd

    .macro hform name, insn:vararg
    .text
    .balign 16
    .globl hform_\name
    .type hform_\name, %function
hform_\name:
    ldp     x9, x10, [x1]
    ldr     x11, [x1, #24]
    .globl hform_insn_\name
hform_insn_\name:
    \insn
    stp     x9, x10, [x1]
    str     x0, [x1, #16]
    str     x11, [x1, #24]
    ret
    .size hform_\name, . - hform_\name
    .endm

    // Exclusives.
    hform ldxr_w,   ldxr w9, [x0]
    hform stxr_w,   stxr w11, w9, [x0]
    hform ldaxr_x,  ldaxr x9, [x0]
    hform stlxr_x,  stlxr w11, x9, [x0]
    hform ldxp_x,   ldxp x9, x10, [x0]
    hform stxp_x,   stxp w11, x9, x10, [x0]
    // LSE atomics (FEAT_LSE).
    hform ldadd_w,  ldadd w10, w9, [x0]
    hform swp_w,    swp w10, w9, [x0]
    hform cas_w,    cas w9, w10, [x0]
    hform stadd_w,  stadd w10, [x0]
    hform ldsetal_x, ldsetal x10, x9, [x0]
    // SIMD&FP (CPACR_EL1.FPEN is on, start.S); v0/v1 are caller-saved.
    hform ldr_q,    ldr q0, [x0]
    hform str_q,    str q0, [x0]
    hform ldr_s,    ldr s0, [x0]
    hform ld1_4s,   ld1 {v0.4s}, [x0]
    hform ldp_q,    ldp q0, q1, [x0]
    // Load-acquire / store-release: ISV=1, single registers.
    hform ldar_w,   ldar w9, [x0]
    hform stlr_w,   stlr w9, [x0]

    .text
    .balign 4096
    .globl hostile_text_pad
    .type hostile_text_pad, %object
hostile_text_pad:
    .rept 1024
    brk     #0
    .endr
    .size hostile_text_pad, . - hostile_text_pad
