/* Stage-1 walker tests (vmm/arm64/s1walk.h) with fake page tables. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../vmm/arm64/s1walk.h"

#define PMEM_SIZE (1u << 20) /* fake guest physical memory at PA 0 */
static uint8_t pmem[PMEM_SIZE];
static unsigned reads;

static int rd(void *ctx, uint64_t pa, uint64_t *v)
{
    (void)ctx;
    reads++;
    if (pa > PMEM_SIZE - 8 || (pa & 7))
        return -1;
    memcpy(v, pmem + pa, 8);
    return 0;
}

static void put(uint64_t pa, uint64_t desc) { memcpy(pmem + pa, &desc, 8); }

#define VALID 1ull
#define TABLE 3ull             /* table (levels 0-2) or page (level 3) */
#define AF (1ull << 10)
#define BLOCK (VALID | AF)
#define PAGE (TABLE | AF)

/* TCR helpers */
#define T0SZ(n) ((uint64_t)(n))
#define T1SZ(n) ((uint64_t)(n) << 16)
#define TG0_4K 0ull
#define TG0_64K (1ull << 14)
#define TG0_16K (2ull << 14)
#define TG1_4K (2ull << 30)
#define IPS_48 (5ull << 32)
#define IPS_32 (0ull << 32)
#define TBI0 (1ull << 37)
#define EPD0 (1ull << 7)

static void setup(void)
{
    memset(pmem, 0, sizeof(pmem));
    reads = 0;
}
TestSuite(s1walk, .init = setup);

static struct s1_result walk(uint64_t tcr, uint64_t ttbr0, uint64_t ttbr1, uint64_t va)
{
    struct s1_regs regs = {.sctlr = 1, .tcr = tcr, .ttbr0 = ttbr0, .ttbr1 = ttbr1};
    struct s1_result r;
    s1_translate(&regs, va, rd, NULL, &r);
    return r;
}

Test(s1walk, mmu_off_is_identity)
{
    struct s1_regs regs = {.sctlr = 0, .tcr = ~0ull};
    struct s1_result r;
    cr_assert_eq(s1_translate(&regs, 0xffff123456789abcull, rd, NULL, &r), S1_OK);
    cr_assert(r.mmu_off && r.pa == 0xffff123456789abcull);
    cr_assert_eq(reads, 0);
}

/* 4K granule, 48-bit VA: four levels, L0 -> L1 -> L2 -> L3 page. */
Test(s1walk, granule_4k_four_levels)
{
    uint64_t va = (1ull << 39) * 1 + (1ull << 30) * 2 + (1ull << 21) * 3 + (1ull << 12) * 4 + 0x123;
    put(0x1000 + 1 * 8, 0x2000 | TABLE);
    put(0x2000 + 2 * 8, 0x3000 | TABLE);
    put(0x3000 + 3 * 8, 0x4000 | TABLE);
    put(0x4000 + 4 * 8, 0xabcd000 | PAGE);
    struct s1_result r = walk(T0SZ(16) | TG0_4K | IPS_48, 0x1000, 0, va);
    cr_assert_eq(r.fault, S1_OK, "%s", s1_fault_name(r.fault));
    cr_assert_eq(r.pa, 0xabcd123);
    cr_assert(r.start_level == 0 && r.level == 3 && r.block_size == 4096 && r.granule_shift == 12);
    cr_assert_eq(reads, 4);
}

/* 4K granule, 39-bit VA starts at level 1; 1 GiB and 2 MiB blocks. */
Test(s1walk, granule_4k_blocks)
{
    put(0x1000 + 0 * 8, 0x40000000ull | BLOCK);      /* L1: 1 GiB block */
    put(0x1000 + 1 * 8, 0x2000 | TABLE);
    put(0x2000 + 5 * 8, 0x80000000ull | BLOCK);      /* L2: 2 MiB block */
    struct s1_result r = walk(T0SZ(25) | IPS_48, 0x1000, 0, 0x12345678);
    cr_assert(r.fault == S1_OK && r.start_level == 1 && r.level == 1);
    cr_assert_eq(r.pa, 0x40000000ull + 0x12345678);
    cr_assert_eq(r.block_size, 1ull << 30);
    r = walk(T0SZ(25) | IPS_48, 0x1000, 0, (1ull << 30) + 5 * (1ull << 21) + 0x1234);
    cr_assert(r.fault == S1_OK && r.level == 2 && r.pa == 0x80001234ull);
    /* a block at level 0 is not allowed with 4K */
    put(0x1000, 0x0 | BLOCK);
    r = walk(T0SZ(16) | IPS_48, 0x1000, 0, 0x1000);
    cr_assert(r.fault == S1_FAULT_TRANSLATION && r.level == 0);
}

/* 16K granule: 47-bit VA starts at level 1, 48-bit at level 0 (2-entry table). */
Test(s1walk, granule_16k)
{
    uint64_t va = (1ull << 36) * 3 + (1ull << 25) * 7 + (1ull << 14) * 9 + 0x3abc;
    put(0x4000 + 3 * 8, 0x8000 | TABLE);
    put(0x8000 + 7 * 8, 0xc000 | TABLE);
    put(0xc000 + 9 * 8, 0x12340000ull | PAGE);
    struct s1_result r = walk(T0SZ(17) | TG0_16K | IPS_48, 0x4000, 0, va);
    cr_assert_eq(r.fault, S1_OK, "%s", s1_fault_name(r.fault));
    cr_assert(r.start_level == 1 && r.granule_shift == 14 && r.block_size == 16384);
    cr_assert_eq(r.pa, 0x12343abcull);
    put(0x10000 + 1 * 8, 0x4000 | TABLE); /* L0 entry 1 for VA bit 47 */
    r = walk(T0SZ(16) | TG0_16K | IPS_48, 0x10000, 0, va | (1ull << 47));
    cr_assert(r.fault == S1_OK && r.start_level == 0 && r.pa == 0x12343abcull);
    /* 16K allows blocks only at level 2 (32 MiB) */
    put(0xc000 + 10 * 8, 0x2000000ull | BLOCK);
    put(0x8000 + 8 * 8, 0x4000000ull | BLOCK);
    r = walk(T0SZ(17) | TG0_16K | IPS_48, 0x4000, 0, (1ull << 36) * 3 + (1ull << 25) * 8 + 5);
    cr_assert(r.fault == S1_OK && r.level == 2 && r.pa == 0x4000005ull && r.block_size == 1ull << 25);
}

/* 64K granule: 42-bit VA starts at level 2; 512 MiB blocks at level 2. */
Test(s1walk, granule_64k)
{
    uint64_t va = (1ull << 29) * 2 + (1ull << 16) * 3 + 0xfedc;
    put(0x10000 + 2 * 8, 0x20000 | TABLE);
    put(0x20000 + 3 * 8, 0x7770000ull | PAGE);
    struct s1_result r = walk(T0SZ(22) | TG0_64K | IPS_48, 0x10000, 0, va);
    cr_assert_eq(r.fault, S1_OK, "%s", s1_fault_name(r.fault));
    cr_assert(r.start_level == 2 && r.granule_shift == 16 && r.pa == 0x777fedcull);
    put(0x10000 + 1 * 8, 0x20000000ull | BLOCK);
    r = walk(T0SZ(22) | TG0_64K | IPS_48, 0x10000, 0, (1ull << 29) + 0x1234567);
    cr_assert(r.fault == S1_OK && r.level == 2 && r.pa == 0x21234567ull);
}

/* The upper range uses TTBR1 with the TG1 encoding; neither range faults. */
Test(s1walk, ttbr1_and_ranges)
{
    uint64_t va = 0xffff000000000000ull | ((1ull << 30) + 0x42);
    put(0x1000 + 0 * 8, 0x2000 | TABLE);          /* L0 index 0 */
    put(0x2000 + 1 * 8, 0x80000000ull | BLOCK);   /* L1 block */
    struct s1_result r = walk(T1SZ(16) | TG1_4K | T0SZ(16) | IPS_48, 0, 0x1000, va);
    cr_assert(r.fault == S1_OK && r.ttbr1 && r.pa == 0x80000042ull);
    r = walk(T1SZ(16) | TG1_4K | T0SZ(16) | IPS_48, 0, 0x1000, 0x00ff000000000000ull);
    cr_assert(r.fault == S1_FAULT_TRANSLATION && r.level == 0);
    cr_assert_eq(reads, 2);
}

Test(s1walk, top_byte_ignore_and_epd)
{
    put(0x1000, 0x40000000ull | BLOCK);
    uint64_t tagged = 0x5a00000000001234ull;
    struct s1_result r = walk(T0SZ(25) | IPS_48 | TBI0, 0x1000, 0, tagged);
    cr_assert(r.fault == S1_OK && r.pa == 0x40001234ull);
    r = walk(T0SZ(25) | IPS_48, 0x1000, 0, tagged);
    cr_assert(r.fault == S1_FAULT_TRANSLATION && r.level == 0);
    r = walk(T0SZ(25) | IPS_48 | EPD0, 0x1000, 0, 0x1234);
    cr_assert(r.fault == S1_FAULT_TRANSLATION && r.level == 0);
}

Test(s1walk, faults_with_level)
{
    uint64_t tcr = T0SZ(16) | IPS_48;
    put(0x1000, 0x2000 | TABLE);
    put(0x2000, 0x3000 | TABLE);
    /* L2 entry invalid */
    struct s1_result r = walk(tcr, 0x1000, 0, 0x0);
    cr_assert(r.fault == S1_FAULT_TRANSLATION && r.level == 2);
    /* L3 descriptor 0b01 is reserved */
    put(0x3000, 0x4000 | TABLE);
    put(0x4000, 0x5000 | BLOCK);
    r = walk(tcr, 0x1000, 0, 0x0);
    cr_assert(r.fault == S1_FAULT_TRANSLATION && r.level == 3);
    /* access flag clear */
    put(0x4000, 0x5000 | TABLE);
    r = walk(tcr, 0x1000, 0, 0x0);
    cr_assert(r.fault == S1_FAULT_ACCESS_FLAG && r.level == 3);
    r = walk(tcr | (1ull << 39), 0x1000, 0, 0x0); /* TCR.HA: hardware sets AF */
    cr_assert(r.fault == S1_OK && r.pa == 0x5000);
    /* output address beyond IPS (32 bits) */
    put(0x4000, 0x100000000ull | PAGE);
    r = walk(T0SZ(16) | IPS_32, 0x1000, 0, 0x0);
    cr_assert(r.fault == S1_FAULT_ADDR_SIZE && r.level == 3);
    /* table address beyond IPS */
    put(0x2000, 0x200000000ull | TABLE);
    r = walk(T0SZ(16) | IPS_32, 0x1000, 0, 0x0);
    cr_assert(r.fault == S1_FAULT_ADDR_SIZE && r.level == 1);
    /* the walk reads outside memory: external abort at that level */
    put(0x2000, 0xfff00000ull | TABLE);
    r = walk(tcr, 0x1000, 0, 0x0);
    cr_assert(r.fault == S1_FAULT_EXTERNAL && r.level == 2);
    /* reserved TG0 encoding */
    r = walk(tcr | (3ull << 14), 0x1000, 0, 0x0);
    cr_assert_eq(r.fault, S1_FAULT_UNSUPPORTED);
}

Test(s1walk, big_endian_tables)
{
    uint64_t d = 0x40000000ull | BLOCK, be = __builtin_bswap64(d);
    put(0x1000, be);
    struct s1_regs regs = {.sctlr = 1 | (1ull << 25), .tcr = T0SZ(25) | IPS_48, .ttbr0 = 0x1000};
    struct s1_result r;
    cr_assert_eq(s1_translate(&regs, 0x1234, rd, NULL, &r), S1_OK);
    cr_assert_eq(r.pa, 0x40001234ull);
}

/* Garbage registers, addresses and tables never crash and terminate. */
Test(s1walk, never_crashes)
{
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (unsigned i = 0; i < PMEM_SIZE; i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t d = (x & 0x000ffff8ull) | (x >> 62); /* mostly in-range addresses */
        put(i, d);
    }
    for (unsigned n = 0; n < 200000; n++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        struct s1_regs regs = {.sctlr = 1, .tcr = x, .ttbr0 = x & 0xffff8, .ttbr1 = x >> 44};
        struct s1_result r;
        reads = 0;
        enum s1_fault f = s1_translate(&regs, x * 0x9e3779b97f4a7c15ull, rd, NULL, &r);
        cr_assert(f == r.fault && reads <= 4);
        cr_assert(f != S1_OK || (r.level >= 0 && r.level <= 3 && r.block_size));
    }
}
