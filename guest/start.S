/*
 * Guest entry: the arm64 Linux Image header, then the boot path.
 *
 * The image is a position-independent executable linked at 0: loaders place
 * it at any 2 MiB-aligned base (QEMU uses RAM+2MiB, isv uses RAM), so the first
 * thing we do is apply our own R_AARCH64_RELATIVE relocations.
 * Boot protocol (Documentation/arch/arm64/booting.rst): x0 = DTB, MMU off,
 * entered at EL2 or EL1.
 */
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

    .text
primary_entry:
    mov     x19, x0                 // keep the DTB pointer

    mrs     x1, CurrentEL
    cmp     x1, #(2 << 2)
    b.ne    at_el1
    // Entered at EL2 (e.g. QEMU with virtualization=on): run the guest at EL1.
    mov     x1, #(1 << 31)          // HCR_EL2.RW: EL1 is AArch64
    msr     hcr_el2, x1
    mov     x1, #0x33ff             // CPTR_EL2: no FP/SIMD traps
    msr     cptr_el2, x1
    mrs     x1, cnthctl_el2
    orr     x1, x1, #3              // EL1 may use the physical counter and timer
    msr     cnthctl_el2, x1
    msr     cntvoff_el2, xzr
    mov     x1, #0x3c5              // EL1h, DAIF masked
    msr     spsr_el2, x1
    adr     x1, at_el1
    msr     elr_el2, x1
    eret

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
