/*
 * EL1 exception vectors. Every entry saves a full trap frame and calls
 * exception_entry(frame, kind) in C: IRQs go to the registered handler, anything
 * else is reported and the guest stops, so a fault never hangs silently.
 */
    .macro  ventry kind
    .balign 0x80
    sub     sp, sp, #(34 * 8)
    stp     x0, x1, [sp, #(0 * 8)]
    mov     x0, #\kind
    b       save_rest
    .endm

    .text
    .balign 0x800
    .globl vectors
vectors:
    ventry 0    // current EL, SP_EL0: sync
    ventry 1    //                      irq
    ventry 2    //                      fiq
    ventry 3    //                      serror
    ventry 4    // current EL, SP_ELx: sync
    ventry 5    //                      irq
    ventry 6    //                      fiq
    ventry 7    //                      serror
    ventry 8    // lower EL, AArch64
    ventry 9
    ventry 10
    ventry 11
    ventry 12   // lower EL, AArch32
    ventry 13
    ventry 14
    ventry 15

save_rest:
    stp     x2, x3, [sp, #(2 * 8)]
    stp     x4, x5, [sp, #(4 * 8)]
    stp     x6, x7, [sp, #(6 * 8)]
    stp     x8, x9, [sp, #(8 * 8)]
    stp     x10, x11, [sp, #(10 * 8)]
    stp     x12, x13, [sp, #(12 * 8)]
    stp     x14, x15, [sp, #(14 * 8)]
    stp     x16, x17, [sp, #(16 * 8)]
    stp     x18, x19, [sp, #(18 * 8)]
    stp     x20, x21, [sp, #(20 * 8)]
    stp     x22, x23, [sp, #(22 * 8)]
    stp     x24, x25, [sp, #(24 * 8)]
    stp     x26, x27, [sp, #(26 * 8)]
    stp     x28, x29, [sp, #(28 * 8)]
    mrs     x1, elr_el1
    mrs     x2, spsr_el1
    stp     x30, x1, [sp, #(30 * 8)]
    str     x2, [sp, #(32 * 8)]
    mov     x1, x0
    mov     x0, sp
    bl      exception_entry
    ldr     x2, [sp, #(32 * 8)]
    ldp     x30, x1, [sp, #(30 * 8)]
    msr     elr_el1, x1
    msr     spsr_el1, x2
    ldp     x28, x29, [sp, #(28 * 8)]
    ldp     x26, x27, [sp, #(26 * 8)]
    ldp     x24, x25, [sp, #(24 * 8)]
    ldp     x22, x23, [sp, #(22 * 8)]
    ldp     x20, x21, [sp, #(20 * 8)]
    ldp     x18, x19, [sp, #(18 * 8)]
    ldp     x16, x17, [sp, #(16 * 8)]
    ldp     x14, x15, [sp, #(14 * 8)]
    ldp     x12, x13, [sp, #(12 * 8)]
    ldp     x10, x11, [sp, #(10 * 8)]
    ldp     x8, x9, [sp, #(8 * 8)]
    ldp     x6, x7, [sp, #(6 * 8)]
    ldp     x4, x5, [sp, #(4 * 8)]
    ldp     x2, x3, [sp, #(2 * 8)]
    ldp     x0, x1, [sp, #(0 * 8)]
    add     sp, sp, #(34 * 8)
    eret
