/*
 * Guest self-tests, selected with isv.test=NAME on the kernel command line
 * (the VMM's --append). Each prints what it does so the host can check it.
 */
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

struct guest_test {
    const char *name;
    int (*fn)(void);
};

static const struct guest_test tests[] = {
    {"unmapped", test_unmapped},
    {"fault", test_fault},
};

int run_guest_test(const void *dtb, const char *name)
{
    (void)dtb;
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (strcmp(tests[i].name, name) == 0)
            return tests[i].fn();
    kprintf("isv guest: unknown test '%s'\n", name);
    return 1;
}
