/* virtcheck self-test: an accessor-style object with only MMIO-safe accesses. */
	.macro mmio insn:vararg
1:	\insn
	.pushsection .mmio_insns, "a"
	.long 1b - .
	.popsection
	.endm
	.text
	.globl _start
	.type _start, %function
_start:
	mmio ldr w1, [x0]
	mmio ldrb w2, [x0, #3]
	mmio strh wzr, [x0, #2]
	mmio str x3, [x0, x1]
	mmio ldar w4, [x0]
	ret
