/*
 * Stage-1 identity map with 1 GiB blocks (4K granule, 39-bit VA, walk starts at
 * level 1): the first GiB (GIC, UART, virtio-mmio) as Device-nGnRnE, RAM as
 * normal write-back memory. With the MMU off every access is Device memory,
 * where unaligned accesses fault; libfdt and compiled C need normal memory.
 * Only the GiB holding the image is mapped at boot; guest_main maps the rest of
 * RAM once the device tree has been read.
 */
#include "guest.h"

#define GIB (1ull << 30)
enum {
    ATTR_DEVICE = 0, /* MAIR index 0: Device-nGnRnE */
    ATTR_NORMAL = 1, /* MAIR index 1: Normal, inner/outer write-back */
};
#define PTE_BLOCK  (1ull << 0)
#define PTE_AF     (1ull << 10)
#define PTE_SH_IS  (3ull << 8)
#define PTE_PXN    (1ull << 53)
#define PTE_UXN    (1ull << 54)
#define PTE_ATTR(i) ((uint64_t)(i) << 2)

static uint64_t l1_table[512] __attribute__((aligned(4096)));

static inline uint64_t read_id_mmfr0(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(v));
    return v;
}

void mmu_map_ram(uint64_t base, uint64_t size)
{
    for (uint64_t a = base & ~(GIB - 1); a < base + size && a / GIB < 512; a += GIB)
        l1_table[a / GIB] = a | PTE_BLOCK | PTE_AF | PTE_SH_IS | PTE_ATTR(ATTR_NORMAL);
    __asm__ volatile("dsb ishst\n tlbi vmalle1\n dsb ish\n isb" ::: "memory");
}

void mmu_enable(const void *dtb)
{
    extern char _head[];
    (void)dtb;
    l1_table[0] = 0 | PTE_BLOCK | PTE_AF | PTE_ATTR(ATTR_DEVICE) | PTE_PXN | PTE_UXN;
    uint64_t here = (uint64_t)(uintptr_t)_head;
    l1_table[here / GIB] = (here & ~(GIB - 1)) | PTE_BLOCK | PTE_AF | PTE_SH_IS |
                           PTE_ATTR(ATTR_NORMAL);

    uint64_t mair = 0x00ull | (0xffull << 8);
    uint64_t ips = read_id_mmfr0() & 0xf;                /* PARange -> TCR.IPS */
    if (ips > 5)
        ips = 5;
    uint64_t tcr = 25                                    /* T0SZ: 39-bit VA */
                   | (1ull << 8) | (1ull << 10)          /* IRGN0/ORGN0 write-back */
                   | (3ull << 12)                        /* SH0 inner shareable */
                   | (0ull << 14)                        /* TG0 4K */
                   | (1ull << 23)                        /* EPD1: no TTBR1 walks */
                   | (ips << 32);
    __asm__ volatile(
        "msr mair_el1, %0\n"
        "msr tcr_el1, %1\n"
        "msr ttbr0_el1, %2\n"
        "dsb ish\n"
        "isb\n"
        "tlbi vmalle1\n"
        "dsb ish\n"
        "isb\n"
        "mrs x9, sctlr_el1\n"
        "orr x9, x9, #(1 << 0)\n"   /* M */
        "orr x9, x9, #(1 << 2)\n"   /* C */
        "orr x9, x9, #(1 << 12)\n"  /* I */
        "msr sctlr_el1, x9\n"
        "isb\n"
        :
        : "r"(mair), "r"(tcr), "r"((uint64_t)(uintptr_t)l1_table)
        : "x9", "memory");
}
