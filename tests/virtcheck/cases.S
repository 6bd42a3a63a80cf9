/* virtcheck self-test: one load/store per symbol. good_* must pass, bad_* and
 * stack_* must be flagged with the tag in expected-scan.txt. */
	.arch armv8.1-a
	.macro fn name
	.globl \name
	.type \name, %function
\name:
	.endm
	/* what the accessor library records: the instruction's PC-relative offset */
	.macro mmio insn:vararg
1:	\insn
	.pushsection .mmio_insns, "a"
	.long 1b - .
	.popsection
	.endm

	.text
fn _start
	add x0, x0, #1
	ret
fn good_ldr
	mmio ldr w1, [x0]
fn good_str_off
	mmio str w1, [x0, #8]
fn good_strb_wzr
	mmio strb wzr, [x0, #1]
fn good_ldar
	mmio ldar x2, [x0]
fn good_stlr
	mmio stlr w2, [x0]
fn good_ldur
	mmio ldur w3, [x0, #-4]
fn good_ldr_reg
	mmio ldr x4, [x0, x1, lsl #3]
fn good_ldtr
	mmio ldtr w5, [x0]
fn good_ldrh
	mmio ldrh w6, [x0, #2]
fn good_prfm
	prfm pldl1keep, [x0]
fn bad_ldp
	mmio ldp x2, x3, [x0]
fn bad_stp
	stp w2, w3, [x0, #8]
fn bad_ldr_post
	ldr w1, [x0], #4
fn bad_str_post
	str w1, [x0], #8
fn bad_ldr_pre
	ldr x1, [x0, #8]!
fn bad_str_pre
	str w1, [x0, #-4]!
fn bad_ldrsb
	mmio ldrsb w1, [x0]
fn bad_ldrsw
	ldrsw x4, [x0, #4]
fn bad_ld1
	ld1 {v0.4s}, [x0]
fn bad_ldxr
	ldxr w1, [x0]
fn bad_ldadd
	ldadd w1, w2, [x0]
fn bad_ldr_q
	ldr q0, [x0]
fn stack_pair
	stp x29, x30, [sp, #-16]!
fn stack_ldr_post
	ldr x1, [sp], #16
fn good_stack_ldr
	ldr x1, [sp, #8]
	.word 0x29400c02 /* data in code: an ldp encoding that must not be reported */

	.section .vc_other, "ax"
fn other_ldp
	ldp w0, w1, [x2]
fn other_ldr
	ldr w0, [x2]
