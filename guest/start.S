/*
 * Guest entry: the arm64 Linux Image header, then the boot path.
 *
 * The image is a position-independent executable linked at 0: loaders place
 * it at any 2 MiB-aligned base (QEMU uses RAM+2MiB, isv uses RAM), so the first
 * thing we do is apply our own R_AARCH64_RELATIVE relocations.
 * Boot protocol (Documentation/arch/arm64/booting.rst): x0 = DTB, MMU off,
 * entered at EL2 or EL1.
 */
#include "smp.h"

#define R_AARCH64_RELATIVE 1027

    .section .head, "ax"
    .globl _head
_head:
    b       primary_entry           // code0
    .long   0                       // code1
    .quad   0                       // text_offset
    .quad   _image_size             // image_size, from the linker script
    .quad   0xa                     // flags: little-endian, 4K pages, anywhere in RAM
    .quad   0, 0, 0                 // res2..res4
    .ascii  "ARM\x64"               // magic
    .long   0                       // res5

/* Boot at EL2 (e.g. QEMU with virtualization=on, for the boot CPU and for
 * CPU_ON alike): run the guest at EL1, continuing at \el1. Clobbers x1. */
    .macro  drop_to_el1 el1
    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    \el1
    mov     x1, #(1 << 31)          // HCR_EL2.RW: EL1 is AArch64
    msr     hcr_el2, x1
    mov     x1, #0x33ff             // CPTR_EL2: no FP/SIMD traps
    msr     cptr_el2, x1
    mrs     x1, cnthctl_el2
    orr     x1, x1, #3              // EL1 may use the physical counter and timer
    msr     cnthctl_el2, x1
    msr     cntvoff_el2, xzr        // every CPU: the same virtual count
    mov     x1, #0x3c5              // EL1h, DAIF masked
    msr     spsr_el2, x1
    adr     x1, \el1
    msr     elr_el2, x1
    eret
    .endm

    .text
primary_entry:
    mov     x19, x0                 // keep the DTB pointer
    drop_to_el1 at_el1

at_el1:
    // Apply RELATIVE relocations: *(base + off) = base + addend.
    adrp    x20, _head
    add     x20, x20, :lo12:_head
    adrp    x1, __rela_start
    add     x1, x1, :lo12:__rela_start
    adrp    x2, __rela_end
    add     x2, x2, :lo12:__rela_end
1:  cmp     x1, x2
    b.hs    2f
    ldr     x3, [x1]                // r_offset
    ldr     x4, [x1, #8]            // r_info
    ldr     x5, [x1, #16]           // r_addend
    add     x1, x1, #24
    cmp     w4, #R_AARCH64_RELATIVE
    b.ne    1b                      // the link step rejects any other kind
    add     x5, x5, x20
    str     x5, [x20, x3]
    b       1b
2:
    // Zero BSS (byte stores: the MMU is still off, so no unaligned tricks).
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
3:  cmp     x1, x2
    b.hs    4f
    str     xzr, [x1]
    add     x1, x1, #8
    b       3b
4:
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1
    adrp    x1, vectors
    add     x1, x1, :lo12:vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)          // CPACR_EL1.FPEN: libfdt may use FP/SIMD registers
    msr     cpacr_el1, x1
    msr     tpidr_el1, xzr          // logical CPU 0 (smp.h)
    isb
    mov     x0, x19
    bl      mmu_enable
    mov     x0, x19
    bl      guest_main
    b       guest_halt

    .globl guest_halt
guest_halt:
    wfi
    b       guest_halt

/*
 * PSCI CPU_ON lands here (smp.c): MMU off, x0 = the context id, which is
 * the logical CPU number. Until the MMU and caches are on nothing but
 * registers is touched: memory the other CPUs use is cached, and an
 * uncached access would not see it. Only then the stack, which is
 * smp_stacks[cpu - 1], and C.
 */
    .globl secondary_entry
secondary_entry:
    mov     x19, x0
    drop_to_el1 secondary_el1

secondary_el1:
    cbz     x19, guest_halt         // 0 is the boot CPU's
    cmp     x19, #SMP_MAX_CPUS
    b.hs    guest_halt
    adrp    x1, vectors
    add     x1, x1, :lo12:vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)          // CPACR_EL1.FPEN, as for the boot CPU
    msr     cpacr_el1, x1
    msr     tpidr_el1, x19
    isb
    adrp    x0, mmu_l1_table        // the tables the boot CPU built
    add     x0, x0, :lo12:mmu_l1_table
    bl      mmu_on
    adrp    x1, smp_stacks
    add     x1, x1, :lo12:smp_stacks
    mov     x2, #SMP_STACK_SIZE
    madd    x1, x19, x2, x1         // top of smp_stacks[cpu - 1]
    mov     sp, x1
    mov     x0, x19
    bl      smp_secondary_main
    b       guest_halt

/*
 * mmu_on(ttbr0): translation on with the identity map mmu.c built, data
 * and instruction caches on. Uses no memory (the secondaries call it with
 * the MMU off and no stack yet); clobbers x0..x2.
 *   MAIR: index 0 Device-nGnRnE, index 1 Normal inner/outer write-back.
 *   TCR: T0SZ 25 (39-bit VA), IRGN0/ORGN0 write-back, SH0 inner shareable,
 *        TG0 4K, EPD1 (no TTBR1 walks), IPS = PARange (at most 48 bits).
 */
    .globl mmu_on
mmu_on:
    mov     x1, #0xff00
    msr     mair_el1, x1
    mrs     x1, id_aa64mmfr0_el1
    and     x1, x1, #0xf
    cmp     x1, #5
    mov     x2, #5
    csel    x1, x1, x2, ls
    lsl     x1, x1, #32
    mov     x2, #(25 | (1 << 8) | (1 << 10) | (3 << 12))
    orr     x2, x2, #(1 << 23)
    orr     x1, x1, x2
    msr     tcr_el1, x1
    msr     ttbr0_el1, x0
    dsb     ish
    isb
    tlbi    vmalle1
    dsb     ish
    isb
    mrs     x1, sctlr_el1
    orr     x1, x1, #(1 << 0)       // M
    orr     x1, x1, #(1 << 2)       // C
    orr     x1, x1, #(1 << 12)      // I
    msr     sctlr_el1, x1
    isb
    ret
