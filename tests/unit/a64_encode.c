/* Test-only A64 load/store encoder (see a64_encode.h). */
#include "a64_encode.h"

static uint32_t f(unsigned v, unsigned bits, unsigned pos)
{
    return ((uint32_t)v & ((1u << bits) - 1)) << pos;
}

static uint32_t fs(int v, unsigned bits, unsigned pos) { return f((unsigned)v, bits, pos); }

uint32_t enc_ls_uimm(unsigned size, bool v, unsigned opc, unsigned imm12, unsigned rn, unsigned rt)
{
    return f(size, 2, 30) | 0x39000000u | f(v, 1, 26) | f(opc, 2, 22) | f(imm12, 12, 10) |
           f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_ls_imm9(unsigned size, bool v, unsigned opc, int imm9, unsigned idx, unsigned rn,
                     unsigned rt)
{
    return f(size, 2, 30) | 0x38000000u | f(v, 1, 26) | f(opc, 2, 22) | fs(imm9, 9, 12) |
           f(idx, 2, 10) | f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_ls_regoff(unsigned size, bool v, unsigned opc, unsigned rm, unsigned option, bool s,
                       unsigned rn, unsigned rt)
{
    return f(size, 2, 30) | 0x38200800u | f(v, 1, 26) | f(opc, 2, 22) | f(rm, 5, 16) |
           f(option, 3, 13) | f(s, 1, 12) | f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_ls_pair(unsigned opc, bool v, unsigned idx, bool load, int imm7, unsigned rt2,
                     unsigned rn, unsigned rt)
{
    return f(opc, 2, 30) | 0x28000000u | f(v, 1, 26) | f(idx, 2, 23) | f(load, 1, 22) |
           fs(imm7, 7, 15) | f(rt2, 5, 10) | f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_literal(unsigned opc, bool v, int imm19, unsigned rt)
{
    return f(opc, 2, 30) | 0x18000000u | f(v, 1, 26) | fs(imm19, 19, 5) | f(rt, 5, 0);
}

uint32_t enc_excl(unsigned size, bool o2, bool load, bool o1, unsigned rs, bool o0, unsigned rt2,
                  unsigned rn, unsigned rt)
{
    return f(size, 2, 30) | 0x08000000u | f(o2, 1, 23) | f(load, 1, 22) | f(o1, 1, 21) |
           f(rs, 5, 16) | f(o0, 1, 15) | f(rt2, 5, 10) | f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_atomic(unsigned size, bool v, bool a, bool r, unsigned rs, bool o3, unsigned opc,
                    unsigned rn, unsigned rt)
{
    return f(size, 2, 30) | 0x38200000u | f(v, 1, 26) | f(a, 1, 23) | f(r, 1, 22) |
           f(rs, 5, 16) | f(o3, 1, 15) | f(opc, 3, 12) | f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_rcpc(unsigned size, unsigned opc, int imm9, unsigned rn, unsigned rt)
{
    return f(size, 2, 30) | 0x19000000u | f(opc, 2, 22) | fs(imm9, 9, 12) | f(rn, 5, 5) |
           f(rt, 5, 0);
}

uint32_t enc_pac(bool m, int simm10, bool w, unsigned rn, unsigned rt)
{
    unsigned s = ((unsigned)simm10 >> 9) & 1;
    return 0xf8200400u | f(m, 1, 23) | f(s, 1, 22) | fs(simm10, 9, 12) | f(w, 1, 11) |
           f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_simd_mult(bool q, bool load, bool post, unsigned rm, unsigned opcode, unsigned size,
                       unsigned rn, unsigned rt)
{
    return f(q, 1, 30) | 0x0c000000u | f(post, 1, 23) | f(load, 1, 22) |
           (post ? f(rm, 5, 16) : 0) | f(opcode, 4, 12) | f(size, 2, 10) | f(rn, 5, 5) |
           f(rt, 5, 0);
}

uint32_t enc_simd_single(bool q, bool load, bool r, bool post, unsigned rm, unsigned opcode, bool s,
                         unsigned size, unsigned rn, unsigned rt)
{
    return f(q, 1, 30) | 0x0d000000u | f(post, 1, 23) | f(load, 1, 22) | f(r, 1, 21) |
           (post ? f(rm, 5, 16) : 0) | f(opcode, 3, 13) | f(s, 1, 12) | f(size, 2, 10) |
           f(rn, 5, 5) | f(rt, 5, 0);
}

uint32_t enc_tags(unsigned opc, int imm9, unsigned op2, unsigned rn, unsigned rt)
{
    return 0xd9200000u | f(opc, 2, 22) | fs(imm9, 9, 12) | f(op2, 2, 10) | f(rn, 5, 5) |
           f(rt, 5, 0);
}
