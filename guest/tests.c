/*
 * Guest self-tests, selected with isv.test=NAME on the kernel command line
 * (the VMM's --append). Each prints what it does so the host can check it.
 */
#include <libfdt.h>

#include "guest.h"

int strcmp(const char *a, const char *b);

/* An address no QEMU-virt device or RAM occupies. */
#define UNMAPPED_ADDR 0x0c000000ull

static int test_unmapped(void)
{
    kprintf("isv guest: reading unmapped address 0x%lx\n", (unsigned long)UNMAPPED_ADDR);
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(UNMAPPED_ADDR) : "memory");
    kprintf("isv guest: unmapped read returned 0x%x\n", v);
    return 0;
}

static int test_fault(void)
{
    kprintf("isv guest: executing an undefined instruction\n");
    __asm__ volatile(".inst 0x00000000");
    return 0;
}

static const void *test_dtb;

static inline uint64_t ld(uint64_t a, unsigned len)
{
    uint64_t v;
    switch (len) {
    case 1: { uint8_t b; __asm__ volatile("ldrb %w0, [%1]" : "=r"(b) : "r"(a) : "memory"); v = b; break; }
    case 2: { uint16_t h; __asm__ volatile("ldrh %w0, [%1]" : "=r"(h) : "r"(a) : "memory"); v = h; break; }
    case 4: { uint32_t w; __asm__ volatile("ldr %w0, [%1]" : "=r"(w) : "r"(a) : "memory"); v = w; break; }
    default: __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
    }
    return v;
}

static inline void st(uint64_t a, unsigned len, uint64_t v)
{
    switch (len) {
    case 1: __asm__ volatile("strb %w0, [%1]" : : "r"(v), "r"(a) : "memory"); break;
    case 2: __asm__ volatile("strh %w0, [%1]" : : "r"(v), "r"(a) : "memory"); break;
    case 4: __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory"); break;
    default: __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
    }
}

/* Every access width against the test device's registers and scratch memory. */
static int test_testdev(void)
{
    int node = fdt_node_offset_by_compatible(test_dtb, -1, "isv,testdev");
    uint64_t base, size;
    if (node < 0 || dt_reg(test_dtb, node, &base, &size) != 0) {
        kprintf("isv guest: no isv,testdev in the device tree\n");
        return 1;
    }
    int bad = 0;
    uint32_t id = (uint32_t)ld(base, 4);
    kprintf("isv guest: testdev at 0x%lx, id 0x%x\n", (unsigned long)base, id);
    bad |= id != 0x54565349;
    uint64_t c0 = ld(base + 8, 8), c1 = ld(base + 8, 8);
    bad |= c1 != c0 + 1;
    for (unsigned len = 1; len <= 8; len *= 2) {
        uint64_t pattern = 0x0123456789abcdefull ^ (len * 0x1111111111111111ull);
        uint64_t mask = len == 8 ? ~0ull : (1ull << (8 * len)) - 1;
        uint64_t at = base + 0x100 + 16 * len;
        st(at, len, pattern);
        uint64_t got = ld(at, len);
        kprintf("isv guest: testdev %u-byte scratch write/read: %s\n", len,
                got == (pattern & mask) ? "ok" : "MISMATCH");
        bad |= got != (pattern & mask);
    }
    return bad;
}

struct guest_test {
    const char *name;
    int (*fn)(void);
};

static const struct guest_test tests[] = {
    {"unmapped", test_unmapped},
    {"fault", test_fault},
    {"testdev", test_testdev},
};

int run_guest_test(const void *dtb, const char *name)
{
    test_dtb = dtb;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (strcmp(tests[i].name, name) == 0)
            return tests[i].fn();
    kprintf("isv guest: unknown test '%s'\n", name);
    return 1;
}
