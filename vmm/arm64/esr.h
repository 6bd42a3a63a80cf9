/*
 * ESR_ELx decoding: exception class, IL, ISS/ISS2, the full data-abort ISS,
 * fault status codes, and one-line formatters. Also the sanitized syndrome KVM
 * hands userspace in kvm_run.arm_nisv.esr_iss (only CM, WnR and FSC survive).
 * Pure C, no KVM headers: the VMM and the host unit tests share it.
 */
#ifndef ISV_ARM64_ESR_H
#define ISV_ARM64_ESR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exception classes (ESR_ELx.EC, bits [31:26]). */
enum esr_ec {
    ESR_EC_UNKNOWN = 0x00,
    ESR_EC_WFX = 0x01,
    ESR_EC_CP15_32 = 0x03,
    ESR_EC_CP15_64 = 0x04,
    ESR_EC_CP14_MR = 0x05,
    ESR_EC_CP14_LS = 0x06,
    ESR_EC_FP_ASIMD = 0x07,
    ESR_EC_CP10_ID = 0x08,
    ESR_EC_PAC = 0x09,
    ESR_EC_OTHER = 0x0a, /* LD64B/ST64B* traps and other newer traps */
    ESR_EC_CP14_64 = 0x0c,
    ESR_EC_BTI = 0x0d,
    ESR_EC_ILL = 0x0e,
    ESR_EC_SVC32 = 0x11,
    ESR_EC_HVC32 = 0x12,
    ESR_EC_SMC32 = 0x13,
    ESR_EC_SYS128 = 0x14,
    ESR_EC_SVC64 = 0x15,
    ESR_EC_HVC64 = 0x16,
    ESR_EC_SMC64 = 0x17,
    ESR_EC_SYS64 = 0x18,
    ESR_EC_SVE = 0x19,
    ESR_EC_ERET = 0x1a,
    ESR_EC_TSTART = 0x1b,
    ESR_EC_FPAC = 0x1c,
    ESR_EC_SME = 0x1d,
    ESR_EC_GPC = 0x1e,
    ESR_EC_IMP_DEF = 0x1f,
    ESR_EC_IABT_LOW = 0x20,
    ESR_EC_IABT_CUR = 0x21,
    ESR_EC_PC_ALIGN = 0x22,
    ESR_EC_DABT_LOW = 0x24,
    ESR_EC_DABT_CUR = 0x25,
    ESR_EC_SP_ALIGN = 0x26,
    ESR_EC_MOPS = 0x27,
    ESR_EC_FP_EXC32 = 0x28,
    ESR_EC_FP_EXC64 = 0x2c,
    ESR_EC_GCS = 0x2d,
    ESR_EC_SERROR = 0x2f,
    ESR_EC_BREAKPT_LOW = 0x30,
    ESR_EC_BREAKPT_CUR = 0x31,
    ESR_EC_SOFTSTP_LOW = 0x32,
    ESR_EC_SOFTSTP_CUR = 0x33,
    ESR_EC_WATCHPT_LOW = 0x34,
    ESR_EC_WATCHPT_CUR = 0x35,
    ESR_EC_BKPT32 = 0x38,
    ESR_EC_VECTOR32 = 0x3a,
    ESR_EC_BRK64 = 0x3c,
    ESR_EC_PROFILING = 0x3d,
};

/* Data-abort ISS bits (also the masks used by the formatters and tests). */
#define ESR_ISS_ISV (1u << 24)
#define ESR_ISS_SAS_SHIFT 22
#define ESR_ISS_SAS (3u << 22)
#define ESR_ISS_SSE (1u << 21)
#define ESR_ISS_SRT_SHIFT 16
#define ESR_ISS_SRT (0x1fu << 16)
#define ESR_ISS_SF (1u << 15)
#define ESR_ISS_AR (1u << 14)
#define ESR_ISS_VNCR (1u << 13)
#define ESR_ISS_SET_SHIFT 11
#define ESR_ISS_SET (3u << 11)
#define ESR_ISS_FNV (1u << 10)
#define ESR_ISS_EA (1u << 9)
#define ESR_ISS_CM (1u << 8)
#define ESR_ISS_S1PTW (1u << 7)
#define ESR_ISS_WNR (1u << 6)
#define ESR_ISS_FSC 0x3fu
/* The bits an instruction determines (what a64_iss_bits() predicts). */
#define ESR_ISS_INSN_MASK (ESR_ISS_ISV | ESR_ISS_SAS | ESR_ISS_SSE | ESR_ISS_SRT | \
                           ESR_ISS_SF | ESR_ISS_AR | ESR_ISS_WNR)
/* What KVM keeps in kvm_run.arm_nisv.esr_iss. */
#define ESR_NISV_MASK (ESR_ISS_CM | ESR_ISS_WNR | ESR_ISS_FSC)

/* The raw fields every ESR has. */
struct esr_info {
    uint64_t raw;
    unsigned ec;          /* bits [31:26] */
    bool il;              /* bit 25: 32-bit instruction (always 1 for A64) */
    uint32_t iss;         /* bits [24:0] */
    uint32_t iss2;        /* bits [55:32] */
    bool res0_nonzero;    /* bits [63:56] are not zero */
    const char *ec_name;  /* short name, e.g. "DABT_LOW" */
    const char *ec_desc;  /* description, e.g. "data abort (lower EL)" */
};

/* Fault status code families (DFSC/IFSC). */
enum esr_fsc_kind {
    ESR_FSC_RESERVED = 0,
    ESR_FSC_ADDR_SIZE,        /* address size fault */
    ESR_FSC_TRANSLATION,      /* translation fault */
    ESR_FSC_ACCESS_FLAG,      /* access flag fault */
    ESR_FSC_PERMISSION,       /* permission fault */
    ESR_FSC_SEA,              /* synchronous external abort, not on a walk */
    ESR_FSC_TAG_CHECK,        /* synchronous tag check fault (MTE) */
    ESR_FSC_SEA_WALK,         /* SEA on a walk or hardware table update */
    ESR_FSC_PARITY,           /* parity/ECC error, not on a walk (no RAS) */
    ESR_FSC_PARITY_WALK,      /* parity/ECC error on a walk (no RAS) */
    ESR_FSC_ALIGNMENT,
    ESR_FSC_GPF_WALK,         /* granule protection fault on a walk (RME) */
    ESR_FSC_GPF,              /* granule protection fault, not on a walk */
    ESR_FSC_TLB_CONFLICT,
    ESR_FSC_ATOMIC_HW_UPDATE, /* unsupported atomic hardware update */
    ESR_FSC_LOCKDOWN,         /* IMPLEMENTATION DEFINED (lockdown) */
    ESR_FSC_EXCL_ATOMIC,      /* IMPLEMENTATION DEFINED (unsupported exclusive/atomic) */
};

struct esr_fsc {
    unsigned code;           /* the 6-bit code */
    enum esr_fsc_kind kind;
    bool has_level;
    int level;               /* -2..3 when has_level */
    const char *desc;        /* e.g. "translation fault" (no level) */
};

/* What bits [12:11] of a data-abort ISS mean for this fault. */
enum esr_b12_11 {
    ESR_B12_11_RES0 = 0,
    ESR_B12_11_SET,  /* synchronous error type (FEAT_RAS), DFSC 0x10 */
    ESR_B12_11_LST,  /* load/store type (FEAT_LS64), translation/AF/permission */
};

/* The data-abort ISS and ISS2 (EC 0x24/0x25), field by field. Fields that the
 * architecture makes RES0 for this ISS (SAS..AR when ISV=0) are zeroed here and
 * res0_nonzero says whether the raw bits were not. */
struct esr_dabt {
    bool isv;
    /* valid only when isv: */
    unsigned sas;           /* 0..3 */
    unsigned access_bytes;  /* 1 << sas */
    bool sse;               /* sign-extend the loaded value */
    unsigned srt;           /* 31 = XZR/WZR, never SP */
    bool sf;                /* 64-bit register (Xt) */
    bool ar;                /* acquire/release */
    /* always present: */
    bool vncr;
    enum esr_b12_11 b12_11_kind;
    unsigned set_lst;       /* raw bits [12:11] */
    bool fnv;               /* FAR not valid (meaningful for DFSC 0x10 only) */
    bool fnv_meaningful;
    bool ea;
    bool cm;
    bool s1ptw;
    bool wnr;
    struct esr_fsc fsc;
    bool res0_nonzero;      /* ISV=0 yet bits [23:14] set */
    /* ISS2 */
    unsigned xs;            /* ST64BV/ST64BV0 status register */
    bool hdbssf, tnd, tagaccess, gcs, assuredonly, overlay, dirtybit;
};

/* The sanitized syndrome of KVM_EXIT_ARM_NISV. */
struct esr_nisv {
    bool cm;
    bool wnr;
    struct esr_fsc fsc;
    bool extra_bits;        /* bits outside CM|WnR|FSC were set (KVM never sets them) */
};

void esr_decode(uint64_t esr, struct esr_info *out);
const char *esr_ec_name(unsigned ec); /* "EC_0x.." style name for unallocated */
const char *esr_ec_desc(unsigned ec);
bool esr_ec_is_dabt(unsigned ec);
bool esr_ec_is_iabt(unsigned ec);

/* Decode a fault status code. false for a reserved code (kind RESERVED). */
bool esr_fsc_decode(unsigned code, struct esr_fsc *out);

/* Decode a data abort. false (and *out zeroed) when EC is not 0x24/0x25. */
bool esr_dabt_decode(uint64_t esr, struct esr_dabt *out);

void esr_nisv_decode(uint64_t esr_iss, struct esr_nisv *out);

/* One-line formatters, snprintf-like: always NUL-terminate when size > 0 and
 * return the length the full line would have. */
size_t esr_format(uint64_t esr, char *buf, size_t size);
size_t esr_fsc_format(unsigned code, char *buf, size_t size);
size_t esr_nisv_format(uint64_t esr_iss, char *buf, size_t size);

#endif
