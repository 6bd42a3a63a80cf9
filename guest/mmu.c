/*
 * Stage-1 identity map with 1 GiB blocks (4K granule, 39-bit VA, walk starts at
 * level 1): the first GiB (GIC, UART, virtio-mmio) as Device-nGnRnE, RAM as
 * normal write-back memory. With the MMU off every access is Device memory,
 * where unaligned accesses fault; libfdt and compiled C need normal memory.
 * Only the GiB holding the image is mapped at boot; guest_main maps the rest of
 * RAM once the device tree has been read. The registers are set by mmu_on
 * (start.S), which the secondary CPUs call too, with these same tables.
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

uint64_t mmu_l1_table[512] __attribute__((aligned(4096)));

void mmu_map_ram(uint64_t base, uint64_t size)
{
    for (uint64_t a = base & ~(GIB - 1); a < base + size && a / GIB < 512; a += GIB)
        mmu_l1_table[a / GIB] = a | PTE_BLOCK | PTE_AF | PTE_SH_IS | PTE_ATTR(ATTR_NORMAL);
    __asm__ volatile("dsb ishst\n tlbi vmalle1is\n dsb ish\n isb" ::: "memory");
}

void mmu_enable(const void *dtb)
{
    extern char _head[];
    (void)dtb;
    mmu_l1_table[0] = 0 | PTE_BLOCK | PTE_AF | PTE_ATTR(ATTR_DEVICE) | PTE_PXN | PTE_UXN;
    uint64_t here = (uint64_t)(uintptr_t)_head;
    mmu_l1_table[here / GIB] = (here & ~(GIB - 1)) | PTE_BLOCK | PTE_AF | PTE_SH_IS |
                           PTE_ATTR(ATTR_NORMAL);

    mmu_on((uint64_t)(uintptr_t)mmu_l1_table);
}
