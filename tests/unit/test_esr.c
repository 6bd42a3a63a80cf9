/* ESR decoder and formatter tests (vmm/arm64/esr.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../vmm/arm64/esr.h"

static uint64_t dabt(uint32_t iss) { return ((uint64_t)ESR_EC_DABT_LOW << 26) | (1u << 25) | iss; }

static const char *fmt(uint64_t esr)
{
    static char buf[512];
    size_t n = esr_format(esr, buf, sizeof(buf));
    cr_assert_eq(n, strlen(buf), "return value %zu vs %zu for %llx", n, strlen(buf),
                 (unsigned long long)esr);
    return buf;
}

Test(esr, raw_fields)
{
    struct esr_info e;
    esr_decode(0x0000abcd93850045ull, &e);
    cr_assert_eq(e.ec, 0x24);
    cr_assert(e.il);
    cr_assert_eq(e.iss, 0x1850045);
    cr_assert_eq(e.iss2, 0xabcd);
    cr_assert(!e.res0_nonzero);
    cr_assert_str_eq(e.ec_name, "DABT_LOW");
    esr_decode(0xff00000000000000ull, &e);
    cr_assert(e.res0_nonzero);
    cr_assert_eq(e.ec, 0);
    cr_assert(!e.il);
}

Test(esr, exception_class_names)
{
    static const struct { unsigned ec; const char *name; } v[] = {
        {0x00, "UNKNOWN"}, {0x01, "WFx"}, {0x07, "FP_ASIMD"}, {0x16, "HVC64"},
        {0x17, "SMC64"}, {0x18, "SYS64"}, {0x20, "IABT_LOW"}, {0x24, "DABT_LOW"},
        {0x25, "DABT_CUR"}, {0x2f, "SERROR"}, {0x3c, "BRK64"}, {0x02, "UNALLOCATED"},
        {0x10, "UNALLOCATED"}, {0x23, "UNALLOCATED"}, {0x3f, "UNALLOCATED"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        cr_assert_str_eq(esr_ec_name(v[i].ec), v[i].name, "EC 0x%x", v[i].ec);
    unsigned named = 0;
    for (unsigned ec = 0; ec < 64; ec++)
        named += strcmp(esr_ec_name(ec), "UNALLOCATED") != 0;
    cr_assert_eq(named, 49, "allocated EC count %u", named);
    cr_assert_str_eq(esr_ec_name(64), "UNALLOCATED");
}

/* Every fault status code: kind and level. */
Test(esr, every_fsc)
{
    struct { enum esr_fsc_kind kind; int level; bool has_level; } want[64];
    for (unsigned c = 0; c < 64; c++)
        want[c].kind = ESR_FSC_RESERVED, want[c].has_level = false, want[c].level = 0;
#define L(c, k, l) want[c].kind = k, want[c].level = l, want[c].has_level = true
#define N(c, k) want[c].kind = k
    for (int l = 0; l < 4; l++) {
        L(0x00 + l, ESR_FSC_ADDR_SIZE, l);
        L(0x04 + l, ESR_FSC_TRANSLATION, l);
        L(0x08 + l, ESR_FSC_ACCESS_FLAG, l);
        L(0x0c + l, ESR_FSC_PERMISSION, l);
        L(0x14 + l, ESR_FSC_SEA_WALK, l);
        L(0x1c + l, ESR_FSC_PARITY_WALK, l);
        L(0x24 + l, ESR_FSC_GPF_WALK, l);
    }
    N(0x10, ESR_FSC_SEA);
    N(0x11, ESR_FSC_TAG_CHECK);
    L(0x12, ESR_FSC_SEA_WALK, -2);
    L(0x13, ESR_FSC_SEA_WALK, -1);
    N(0x18, ESR_FSC_PARITY);
    L(0x1b, ESR_FSC_PARITY_WALK, -1);
    N(0x21, ESR_FSC_ALIGNMENT);
    L(0x22, ESR_FSC_GPF_WALK, -2);
    L(0x23, ESR_FSC_GPF_WALK, -1);
    N(0x28, ESR_FSC_GPF);
    L(0x29, ESR_FSC_ADDR_SIZE, -1);
    L(0x2a, ESR_FSC_TRANSLATION, -2);
    L(0x2b, ESR_FSC_TRANSLATION, -1);
    L(0x2c, ESR_FSC_ADDR_SIZE, -2);
    N(0x30, ESR_FSC_TLB_CONFLICT);
    N(0x31, ESR_FSC_ATOMIC_HW_UPDATE);
    N(0x34, ESR_FSC_LOCKDOWN);
    N(0x35, ESR_FSC_EXCL_ATOMIC);
#undef L
#undef N
    for (unsigned c = 0; c < 64; c++) {
        struct esr_fsc f;
        bool ok = esr_fsc_decode(c, &f);
        cr_assert_eq(ok, want[c].kind != ESR_FSC_RESERVED, "code 0x%02x", c);
        cr_assert_eq(f.code, c);
        cr_assert_eq(f.kind, want[c].kind, "code 0x%02x kind %d", c, f.kind);
        cr_assert_eq(f.has_level, want[c].has_level, "code 0x%02x", c);
        cr_assert_eq(f.level, want[c].level, "code 0x%02x level %d", c, f.level);
        cr_assert(f.desc && *f.desc);
    }
    char buf[96];
    esr_fsc_format(0x07, buf, sizeof(buf));
    cr_assert_str_eq(buf, "translation fault level 3");
    esr_fsc_format(0x2b, buf, sizeof(buf));
    cr_assert_str_eq(buf, "translation fault level -1");
    esr_fsc_format(0x3f, buf, sizeof(buf));
    cr_assert_str_eq(buf, "reserved fault status code 0x3f");
}

/* Each ISS field in isolation: set only its bits, check only it changes. */
Test(esr, dabt_fields_one_by_one)
{
    struct esr_dabt d;
    cr_assert(!esr_dabt_decode(0x5a000000ull /* HVC64 */, &d));
    cr_assert(esr_dabt_decode(0x96000000ull, &d)); /* DABT_CUR */

    cr_assert(esr_dabt_decode(dabt(ESR_ISS_ISV | (3u << 22)), &d));
    cr_assert(d.isv && d.sas == 3 && d.access_bytes == 8 && !d.sse && d.srt == 0 && !d.sf);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_ISV | ESR_ISS_SSE), &d));
    cr_assert(d.sse && d.sas == 0 && d.access_bytes == 1);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_ISV | (17u << 16)), &d));
    cr_assert_eq(d.srt, 17);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_ISV | ESR_ISS_SF), &d));
    cr_assert(d.sf && !d.ar);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_ISV | ESR_ISS_AR), &d));
    cr_assert(d.ar && !d.sf);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_VNCR), &d));
    cr_assert(d.vncr && !d.isv);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_FNV | 0x10), &d));
    cr_assert(d.fnv && d.fnv_meaningful);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_FNV | 0x04), &d));
    cr_assert(d.fnv && !d.fnv_meaningful);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_EA), &d));
    cr_assert(d.ea && !d.cm && !d.s1ptw && !d.wnr);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_CM), &d));
    cr_assert(d.cm && !d.ea);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_S1PTW), &d));
    cr_assert(d.s1ptw && !d.wnr);
    cr_assert(esr_dabt_decode(dabt(ESR_ISS_WNR), &d));
    cr_assert(d.wnr && !d.s1ptw);
    cr_assert(esr_dabt_decode(dabt(0x2a), &d));
    cr_assert(d.fsc.kind == ESR_FSC_TRANSLATION && d.fsc.level == -2);

    /* SET for an SEA, LST for translation/AF/permission, RES0 otherwise. */
    cr_assert(esr_dabt_decode(dabt((2u << 11) | 0x10), &d));
    cr_assert(d.b12_11_kind == ESR_B12_11_SET && d.set_lst == 2);
    cr_assert(esr_dabt_decode(dabt((1u << 11) | 0x0d), &d));
    cr_assert(d.b12_11_kind == ESR_B12_11_LST && d.set_lst == 1);
    cr_assert(esr_dabt_decode(dabt((1u << 11) | 0x21), &d));
    cr_assert(d.b12_11_kind == ESR_B12_11_RES0);

    /* ISS2 fields */
    uint64_t e = dabt(0x04) | ((uint64_t)5 << 32) | (1ull << 37) | (1ull << 38) | (1ull << 39) |
                 (1ull << 40) | (1ull << 41) | (1ull << 42) | (1ull << 43);
    cr_assert(esr_dabt_decode(e, &d));
    cr_assert(d.xs == 5 && d.dirtybit && d.overlay && d.assuredonly && d.gcs && d.tagaccess &&
              d.tnd && d.hdbssf);
    cr_assert(esr_dabt_decode(dabt(0x04) | (1ull << 40), &d));
    cr_assert(d.gcs && !d.overlay && !d.tagaccess && d.xs == 0);
}

/* ISV=0: the instruction-syndrome bits are RES0 and are not reported. */
Test(esr, isv0_fields_res0)
{
    struct esr_dabt d;
    cr_assert(esr_dabt_decode(dabt((3u << 22) | ESR_ISS_SSE | (5u << 16) | ESR_ISS_SF | 0x05), &d));
    cr_assert(!d.isv);
    cr_assert(d.sas == 0 && !d.sse && d.srt == 0 && !d.sf && !d.ar && d.access_bytes == 0);
    cr_assert(d.res0_nonzero);
    cr_assert(esr_dabt_decode(0x92000005ull, &d));
    cr_assert(!d.res0_nonzero && !d.isv);
    cr_assert(strstr(fmt(dabt((3u << 22) | 5)), "RES0 syndrome bits set") != NULL);
}

/* The syndromes measured on the nested host. */
Test(esr, measured_syndromes)
{
    struct esr_dabt d;
    cr_assert(esr_dabt_decode(0x93210005ull, &d));
    cr_assert(d.isv && d.sas == 0 && d.sse && d.srt == 1 && !d.sf && !d.wnr);
    cr_assert_str_eq(fmt(0x93210005ull),
                     "data abort (lower EL), read, 8-bit sign-extended into w1, translation fault level 1");
    cr_assert(esr_dabt_decode(0x93a48005ull, &d));
    cr_assert(d.isv && d.sas == 2 && d.sse && d.srt == 4 && d.sf);
    cr_assert_str_eq(fmt(0x93a48005ull),
                     "data abort (lower EL), read, 32-bit sign-extended into x4, translation fault level 1");
    cr_assert(esr_dabt_decode(0x93850045ull, &d));
    cr_assert(d.isv && d.sas == 2 && !d.sse && d.srt == 5 && !d.sf && d.wnr);
    cr_assert_str_eq(fmt(0x93850045ull),
                     "data abort (lower EL), write, 32-bit from w5, translation fault level 1");
    cr_assert(esr_dabt_decode(0x92000005ull, &d));
    cr_assert(!d.isv && !d.wnr);
    cr_assert_str_eq(fmt(0x92000005ull),
                     "data abort (lower EL), read, no instruction syndrome (ISV=0), translation fault level 1");
    cr_assert_str_eq(fmt(0x82000005ull), "instruction abort (lower EL), translation fault level 1");
}

Test(esr, zero_register_and_flags)
{
    cr_assert_str_eq(fmt(dabt(ESR_ISS_ISV | (2u << 22) | (31u << 16) | ESR_ISS_WNR | 0x06)),
                     "data abort (lower EL), write, 32-bit from wzr, translation fault level 2");
    cr_assert_str_eq(fmt(dabt(ESR_ISS_ISV | (3u << 22) | (31u << 16) | ESR_ISS_SF | ESR_ISS_AR | 0x0f)),
                     "data abort (lower EL), read, 64-bit into xzr, acquire/release, permission fault level 3");
    cr_assert_str_eq(fmt(dabt(ESR_ISS_CM | ESR_ISS_WNR | 0x05)),
                     "data abort (lower EL), cache maintenance/AT, no instruction syndrome (ISV=0), "
                     "translation fault level 1");
    cr_assert_str_eq(fmt(dabt(ESR_ISS_S1PTW | 0x07)),
                     "data abort (lower EL), read, no instruction syndrome (ISV=0), translation fault "
                     "level 3, on stage-1 table walk (S1PTW)");
    cr_assert_str_eq(fmt(dabt(ESR_ISS_FNV | ESR_ISS_EA | 0x10)),
                     "data abort (lower EL), read, no instruction syndrome (ISV=0), synchronous external "
                     "abort, error type recoverable (UER), FAR not valid, EA");
}

Test(esr, other_classes)
{
    cr_assert_str_eq(fmt(0x5a000000ull | 0x1234), "HVC from AArch64: #0x1234");
    cr_assert_str_eq(fmt((0x18ull << 26) | (1u << 25) | (3u << 20) | (0u << 17) | (0u << 14) |
                         (1u << 10) | (2u << 5) | (0u << 1) | 1),
                     "trapped MSR/MRS/system instruction: mrs x2, s3_0_c1_c0_0");
    cr_assert_str_eq(fmt((0x01ull << 26) | (1u << 25) | 1), "trapped WFI/WFE/WFIT/WFET: wfe");
    cr_assert_str_eq(fmt((0x3full << 26) | (1u << 25) | 7),
                     "unallocated exception class (EC 0x3f), ISS 0x0000007");
    cr_assert_str_eq(fmt((0x07ull << 26)), "trapped SVE/SIMD/FP access, ISS 0x0000000, 16-bit instruction (IL=0)");
}

Test(esr, nisv)
{
    struct esr_nisv n;
    esr_nisv_decode(0x5, &n);
    cr_assert(!n.cm && !n.wnr && n.fsc.kind == ESR_FSC_TRANSLATION && n.fsc.level == 1 && !n.extra_bits);
    esr_nisv_decode(0x146, &n);
    cr_assert(n.cm && n.wnr && n.fsc.level == 2);
    esr_nisv_decode(0x1000005, &n);
    cr_assert(n.extra_bits);
    char buf[200];
    size_t len = esr_nisv_format(0x5, buf, sizeof(buf));
    cr_assert_str_eq(buf, "data abort without syndrome (KVM_EXIT_ARM_NISV), read, translation fault level 1");
    cr_assert_eq(len, strlen(buf));
    esr_nisv_format(0x4d, buf, sizeof(buf));
    cr_assert_str_eq(buf, "data abort without syndrome (KVM_EXIT_ARM_NISV), write, permission fault level 1");
    esr_nisv_format(ESR_ISS_ISV | 0x5, buf, sizeof(buf));
    cr_assert(strstr(buf, "unexpected bits 0x1000000") != NULL, "%s", buf);
}

Test(esr, truncation)
{
    char full[256], small[16];
    size_t n = esr_format(0x93850045ull, full, sizeof(full));
    memset(small, 'x', sizeof(small));
    size_t m = esr_format(0x93850045ull, small, sizeof(small));
    cr_assert_eq(n, m);
    cr_assert_eq(small[15], '\0');
    cr_assert(strncmp(small, full, 15) == 0);
    cr_assert_eq(esr_format(0x93850045ull, NULL, 0), n);
}

/* Any 64-bit value formats without crashing and with a consistent length. */
Test(esr, never_crashes)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    char buf[512], nbuf[256];
    for (unsigned i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t esr = i < 64 ? ((uint64_t)i << 26) | (x & 0x3ffffff) : x;
        size_t n = esr_format(esr, buf, sizeof(buf));
        cr_assert_eq(n, strlen(buf));
        struct esr_dabt d;
        esr_dabt_decode(esr, &d);
        cr_assert(d.fsc.desc != NULL || !esr_ec_is_dabt((esr >> 26) & 0x3f));
        n = esr_nisv_format(x, nbuf, sizeof(nbuf));
        cr_assert_eq(n, strlen(nbuf));
    }
}
