/*
 * Test-only A64 load/store encoder, written from the encoding tables
 * independently of vmm/arm64/a64.c: each function packs one encoding class.
 * Arguments are field values; out-of-range values are masked to the field.
 */
#ifndef ISV_TEST_A64_ENCODE_H
#define ISV_TEST_A64_ENCODE_H

#include <stdbool.h>
#include <stdint.h>

/* Load/store register, unsigned immediate: size 111 V 01 opc imm12 Rn Rt. */
uint32_t enc_ls_uimm(unsigned size, bool v, unsigned opc, unsigned imm12, unsigned rn, unsigned rt);
/* Load/store register, 9-bit signed immediate: idx 0 unscaled, 1 post, 2 unprivileged, 3 pre. */
uint32_t enc_ls_imm9(unsigned size, bool v, unsigned opc, int imm9, unsigned idx, unsigned rn,
                     unsigned rt);
/* Load/store register, register offset: option 010 UXTW, 011 LSL, 110 SXTW, 111 SXTX. */
uint32_t enc_ls_regoff(unsigned size, bool v, unsigned opc, unsigned rm, unsigned option, bool s,
                       unsigned rn, unsigned rt);
/* Load/store pair: idx 0 no-allocate, 1 post, 2 offset, 3 pre; imm7 is the scaled field. */
uint32_t enc_ls_pair(unsigned opc, bool v, unsigned idx, bool load, int imm7, unsigned rt2,
                     unsigned rn, unsigned rt);
/* Load register (literal): imm19 in words. */
uint32_t enc_literal(unsigned opc, bool v, int imm19, unsigned rt);
/* Exclusive / ordered / CAS group: size 001000 o2 L o1 Rs o0 Rt2 Rn Rt. */
uint32_t enc_excl(unsigned size, bool o2, bool load, bool o1, unsigned rs, bool o0, unsigned rt2,
                  unsigned rn, unsigned rt);
/* Atomic memory operations: size 111 V 00 A R 1 Rs o3 opc 00 Rn Rt. */
uint32_t enc_atomic(unsigned size, bool v, bool a, bool r, unsigned rs, bool o3, unsigned opc,
                    unsigned rn, unsigned rt);
/* LDAPR/STLR unscaled immediate: size 011001 opc 0 imm9 00 Rn Rt. */
uint32_t enc_rcpc(unsigned size, unsigned opc, int imm9, unsigned rn, unsigned rt);
/* LDRAA/LDRAB: 11 111 0 00 M S 1 imm9 W 1 Rn Rt, simm10 = S:imm9 (in units of 8). */
uint32_t enc_pac(bool m, int simm10, bool w, unsigned rn, unsigned rt);
/* SIMD multiple structures: 0 Q 001100 post L 0 Rm opcode size Rn Rt (Rm only if post). */
uint32_t enc_simd_mult(bool q, bool load, bool post, unsigned rm, unsigned opcode, unsigned size,
                       unsigned rn, unsigned rt);
/* SIMD single structure: 0 Q 001101 post L R Rm opcode S size Rn Rt. */
uint32_t enc_simd_single(bool q, bool load, bool r, bool post, unsigned rm, unsigned opcode, bool s,
                         unsigned size, unsigned rn, unsigned rt);
/* Memory tags: 11011001 opc 1 imm9 op2 Rn Rt. */
uint32_t enc_tags(unsigned opc, int imm9, unsigned op2, unsigned rn, unsigned rt);

#endif
