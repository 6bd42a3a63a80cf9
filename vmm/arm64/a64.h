/*
 * A64 load/store decoder. Classifies every encoding of the "Loads and Stores"
 * group (op0 = x1x0) into its encoding class (unallocated ones included),
 * predicts the data-abort syndrome (ISV=1 plus SAS/SSE/SRT/SF/AR/WnR) for the
 * single-register forms, says why every other form is not virtualizable, and
 * gives the operand detail an emulator needs. Plus a disassembly-like formatter.
 * Pure C, no KVM headers.
 */
#ifndef ISV_ARM64_A64_H
#define ISV_ARM64_A64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Encoding classes of the Loads and Stores group (Arm ARM "Index by encoding"). */
enum a64_class {
    A64_CLS_NOT_LDST = 0,    /* outside the Loads and Stores group */
    A64_CLS_UNALLOCATED,     /* inside it, but unallocated / reserved / UNDEFINED */
    /* op0 = xx00 */
    A64_CLS_SIMD_MULT,       /* Advanced SIMD load/store multiple structures (+post-indexed) */
    A64_CLS_SIMD_SINGLE,     /* Advanced SIMD load/store single structure (+post-indexed) */
    A64_CLS_CASP,            /* compare and swap pair */
    A64_CLS_EXCL_PAIR,       /* load/store exclusive pair */
    A64_CLS_EXCL,            /* load/store exclusive register */
    A64_CLS_ORDERED,         /* load/store ordered (LDAR/STLR/LDLAR/STLLR) */
    A64_CLS_CAS,             /* compare and swap */
    A64_CLS_LSUI_EXCL,       /* load/store exclusive register (unprivileged), FEAT_LSUI */
    A64_CLS_LSUI_CAS,        /* compare and swap (unprivileged), FEAT_LSUI */
    A64_CLS_LSUI_CASP,       /* compare and swap pair (unprivileged), FEAT_LSUI */
    /* op0 = xx01 */
    A64_CLS_RCW_CAS,         /* RCW compare and swap, FEAT_THE */
    A64_CLS_RCW_CASP,        /* RCW compare and swap pair, FEAT_THE */
    A64_CLS_ATOMIC128,       /* 128-bit atomic memory operations, FEAT_LSE128 */
    A64_CLS_LSUI_ATOMIC,     /* atomic memory operations (unprivileged), FEAT_LSUI */
    A64_CLS_GCS,             /* GCS load/store */
    A64_CLS_TAGS,            /* load/store memory tags (MTE) */
    A64_CLS_ORDERED_PAIR,    /* LDIAPP/STILP, FEAT_LRCPC3 */
    A64_CLS_ORDERED_WB,      /* LDAPR post-index / STLR pre-index, FEAT_LRCPC3 */
    A64_CLS_RCPC_UNSCALED,   /* LDAPUR/STLUR (unscaled immediate), FEAT_LRCPC2 */
    A64_CLS_RCPC_SIMD,       /* LDAPUR/STLUR SIMD&FP, FEAT_LRCPC3 */
    A64_CLS_LITERAL,         /* load register (literal) */
    A64_CLS_MOPS,            /* memory copy and memory set */
    /* op0 = xx10 */
    A64_CLS_PAIR_NOALLOC,    /* load/store no-allocate pair (offset) */
    A64_CLS_PAIR_POST,       /* load/store register pair (post-indexed) */
    A64_CLS_PAIR_OFFSET,     /* load/store register pair (offset) */
    A64_CLS_PAIR_PRE,        /* load/store register pair (pre-indexed) */
    /* op0 = xx11 */
    A64_CLS_UNSCALED,        /* load/store register (unscaled immediate) */
    A64_CLS_IMM_POST,        /* load/store register (immediate post-indexed) */
    A64_CLS_UNPRIV,          /* load/store register (unprivileged) */
    A64_CLS_IMM_PRE,         /* load/store register (immediate pre-indexed) */
    A64_CLS_ATOMIC,          /* atomic memory operations (LSE, LDAPR, LS64, RCW) */
    A64_CLS_REG_OFFSET,      /* load/store register (register offset) */
    A64_CLS_PAC,             /* load/store register (pac): LDRAA/LDRAB */
    A64_CLS_UIMM,            /* load/store register (unsigned immediate) */
    A64_CLS_COUNT
};

/* Why an access is not reported with ISV=1 (or A64_OK when it is). */
enum a64_reason {
    A64_OK = 0,
    A64_R_NOT_LDST,      /* not a load/store */
    A64_R_UNALLOCATED,   /* unallocated/reserved encoding: UNDEFINED, never accesses memory */
    A64_R_PREFETCH,      /* PRFM/PRFUM: never aborts */
    A64_R_SIMD_STRUCT,   /* Advanced SIMD load/store multiple/single structures */
    A64_R_SIMD_FP,       /* SIMD&FP register transfer */
    A64_R_EXCLUSIVE,     /* load/store exclusive */
    A64_R_ATOMIC,        /* atomic read-modify-write (LSE, CAS, SWP, RCW) */
    A64_R_LS64,          /* LD64B/ST64B/ST64BV/ST64BV0 */
    A64_R_TAG,           /* MTE tag access */
    A64_R_MOPS,          /* memory copy/set */
    A64_R_GCS,           /* guarded control stack access */
    A64_R_PAIR,          /* two registers */
    A64_R_WRITEBACK,     /* base register writeback (pre/post-index) */
    A64_R_COUNT
};

enum a64_access {
    A64_ACC_NONE = 0,  /* prefetch, or no access (unallocated) */
    A64_ACC_LOAD,
    A64_ACC_STORE,
    A64_ACC_RMW,       /* atomic read-modify-write */
    A64_ACC_COPY,      /* MOPS copy/set */
};

/* What kind of register Rt (and Rt2) names. */
enum a64_regkind {
    A64_REG_NONE = 0,
    A64_REG_W,   /* 31 = WZR */
    A64_REG_X,   /* 31 = XZR */
    A64_REG_B, A64_REG_H, A64_REG_S, A64_REG_D, A64_REG_Q,
    A64_REG_VLIST, /* SIMD structure register list */
    A64_REG_PRFOP, /* Rt is a prefetch operation */
};

enum a64_addr {
    A64_ADDR_NONE = 0,
    A64_ADDR_OFFSET,    /* [Xn|SP{, #imm}] */
    A64_ADDR_PRE,       /* [Xn|SP, #imm]!  (writeback) */
    A64_ADDR_POST,      /* [Xn|SP], #imm   (writeback) */
    A64_ADDR_POST_REG,  /* [Xn|SP], Xm     (writeback by register, SIMD structures) */
    A64_ADDR_REG,       /* [Xn|SP, Rm{, extend/shift}] */
    A64_ADDR_LITERAL,   /* PC + imm */
    A64_ADDR_MOPS,      /* MOPS operand registers */
};

/* Register-offset extend (the encoding's option field). */
enum a64_extend {
    A64_EXT_UXTW = 2,
    A64_EXT_LSL = 3, /* UXTX */
    A64_EXT_SXTW = 6,
    A64_EXT_SXTX = 7,
};

/* The instruction-syndrome part of a data-abort ISS. */
struct a64_iss {
    bool isv;
    unsigned sas;  /* log2 of the access size */
    bool sse;      /* sign-extending load */
    unsigned srt;  /* transfer register; 31 = XZR/WZR */
    bool sf;       /* 64-bit register */
    bool ar;       /* acquire/release */
    bool wnr;      /* write (also meaningful with ISV=0) */
    bool wnr_known; /* false for read-modify-write forms */
};

struct a64_ldst {
    uint32_t raw;
    enum a64_class cls;
    char mnemonic[16];         /* lower-case, e.g. "ldrsb"; "unallocated" */
    enum a64_reason reason;    /* primary reason, A64_OK when ISV=1 */
    unsigned reasons;          /* every applicable reason, bit (1u << enum a64_reason) */
    struct a64_iss iss;        /* predicted syndrome */
    enum a64_access access;

    enum a64_regkind rt_kind;
    unsigned rt, rt2, rs, rn, rm; /* rn 31 = SP; rt/rt2/rs/rm 31 = ZR */
    bool has_rt2, has_rs;      /* rs: status (STXR), compare (CAS) or source (LSE) */

    unsigned size;             /* bytes per register / per element (structures) */
    bool sign_extend;          /* load sign-extends into the W or X register */
    bool acquire, release, unpriv, exclusive;

    enum a64_addr addr;
    int64_t imm;               /* offset (OFFSET/PRE/LITERAL), writeback amount (POST) */
    enum a64_extend ext;       /* ADDR_REG */
    unsigned shift;            /* ADDR_REG: left shift applied to the extended Rm */
    bool writeback;

    /* SIMD structures */
    unsigned nregs, selem;     /* registers in the list, elements per structure */
    bool q;                    /* 128-bit arrangement */
    int lane;                  /* single structure lane, -1 otherwise */
    bool replicate;            /* LDnR */
};

/* True when the word is in the Loads and Stores group. */
bool a64_is_ldst(uint32_t insn);
/* Decode any 32-bit word; never fails (see cls / reason). */
void a64_decode(uint32_t insn, struct a64_ldst *out);

const char *a64_class_name(enum a64_class cls);
const char *a64_reason_tag(enum a64_reason r);  /* short tag, e.g. "writeback" */
const char *a64_reason_desc(enum a64_reason r); /* one sentence */

/* ISS bits [24:14] and WnR as ESR_EL2 would carry them (DFSC etc. zero). */
uint32_t a64_iss_bits(const struct a64_iss *iss);
/* True for an ISV=1 access that loads a sign-extended value (KVM on the nested
 * host zero-extends these: the caller must fix Rt, see emulate.h). */
bool a64_sign_extending_load(const struct a64_ldst *d);

/* Disassembly-like text ("ldr w1, [x0, #8]"). pc resolves literal addresses.
 * snprintf-like return. */
size_t a64_format(const struct a64_ldst *d, uint64_t pc, char *buf, size_t size);

#endif
