/*
 * A tiny image for the syndrome-oracle self-check (tests/oracle/run.sh): one
 * labelled instruction per trace record. Registers are the ones measured in
 * the nested host (reference README, suite-oracle runs), so the ESRs in
 * run.sh are real values, not the decoder's own output.
 */
    .text
    .globl insn_ldrsb_w1
insn_ldrsb_w1:  ldrsb w1, [x0]
    .globl insn_ldrsw_x4
insn_ldrsw_x4:  ldrsw x4, [x0]
    .globl insn_str_w5
insn_str_w5:    str w5, [x0]
    .globl insn_ldp_w2
insn_ldp_w2:    ldp w2, w3, [x0]
    .globl insn_str_xzr
insn_str_xzr:   str xzr, [x0]
    .globl insn_stp_x9
insn_stp_x9:    stp x9, x10, [x0]
    .globl insn_ldxr_x9
insn_ldxr_x9:   ldxr x9, [x0]
    .globl insn_nop
insn_nop:       nop
    .globl _start
_start:
                mov x1, x0
                ldr x9, [x0]        // named _start+0x4
                ret

    // insn_str_w5 as an accessor-library record (PC-relative, like mmio.h's).
    .pushsection .mmio_insns, "a"
    .balign 4
    .long insn_str_w5 - .
    .popsection
