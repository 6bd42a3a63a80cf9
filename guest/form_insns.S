/*
 * Load/store forms for the trap-decoding tests, each a function
 *     void form_NAME(uint64_t addr, uint64_t io[3])
 * that performs exactly one access to `addr` (x0) with the instruction its
 * name says. Inputs for stores come from io[0], io[1]; loaded values go to
 * io[0], io[1]; the base register after the access goes to io[2] (it differs
 * from addr only for writeback forms). Registers x9/x10 carry the data.
 *
 * These are the forms naive C produces (pairs, writeback, sign extension,
 * SIMD, exclusives): most have no valid instruction syndrome (ISV=0), so KVM
 * hands them to the VMM as KVM_EXIT_ARM_NISV. The safe MMIO library never
 * emits any of them. Each access carries the label form_insn_NAME so the
 * syndrome oracle can find the instruction.
 */
    .macro form name, insn:vararg
    .text
    .balign 16
    .globl form_\name
    .type form_\name, %function
form_\name:
    ldp     x9, x10, [x1]
    .globl form_insn_\name
form_insn_\name:
    \insn
    stp     x9, x10, [x1]
    str     x0, [x1, #16]
    ret
    .size form_\name, . - form_\name
    .endm

    // ISV=1: the library's forms, plus an immediate offset.
    form ldrb,      ldrb w9, [x0]
    form ldrh,      ldrh w9, [x0]
    form ldr_w,     ldr w9, [x0]
    form ldr_x,     ldr x9, [x0]
    form ldr_w_off, ldr w9, [x0, #8]
    form strb,      strb w9, [x0]
    form strh,      strh w9, [x0]
    form str_w,     str w9, [x0]
    form str_x,     str x9, [x0]
    form str_xzr,   str xzr, [x0]
    // ISV=1 but sign-extending: KVM fills Rt zero-extended on the nested host.
    form ldrsb_w,   ldrsb w9, [x0]
    form ldrsb_x,   ldrsb x9, [x0]
    form ldrsh_w,   ldrsh w9, [x0]
    form ldrsh_x,   ldrsh x9, [x0]
    form ldrsw,     ldrsw x9, [x0]
    // ISV=0: pairs.
    form ldp_w,     ldp w9, w10, [x0]
    form ldp_x,     ldp x9, x10, [x0]
    form stp_w,     stp w9, w10, [x0]
    form stp_x,     stp x9, x10, [x0]
    form ldpsw,     ldpsw x9, x10, [x0]
    // ISV=0: base writeback.
    form ldr_x_post, ldr x9, [x0], #8
    form ldr_w_pre,  ldr w9, [x0, #4]!
    form str_w_post, str w9, [x0], #4
    form str_x_pre,  str x9, [x0, #-8]!
    form ldrb_post,  ldrb w9, [x0], #1
    form ldrsh_pre,  ldrsh x9, [x0, #2]!
    form ldp_x_post, ldp x9, x10, [x0], #16
    form stp_w_pre,  stp w9, w10, [x0, #8]!
    // ISV=0, not emulated: exclusive.
    form ldxr,      ldxr x9, [x0]
