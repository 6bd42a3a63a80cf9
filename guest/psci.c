/* PSCI 0.2 power control through the conduit (hvc or smc) the DT names. */
#include <libfdt.h>

#include "guest.h"

enum { PSCI_SYSTEM_OFF = 0x84000008, PSCI_SYSTEM_RESET = 0x84000009 };

static bool use_smc;

void psci_init(const void *dtb)
{
    int node = fdt_node_offset_by_compatible(dtb, -1, "arm,psci-0.2");
    if (node < 0)
        node = fdt_node_offset_by_compatible(dtb, -1, "arm,psci");
    const char *method = node >= 0 ? fdt_getprop(dtb, node, "method", NULL) : NULL;
    use_smc = method && method[0] == 's';
}

static void psci_call(uint64_t fn)
{
    register uint64_t x0 __asm__("x0") = fn;
    if (use_smc)
        __asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
}

void psci_system_off(void)
{
    psci_call(PSCI_SYSTEM_OFF);
    for (;;)
        __asm__ volatile("wfi");
}

void psci_system_reset(void)
{
    psci_call(PSCI_SYSTEM_RESET);
    for (;;)
        __asm__ volatile("wfi");
}
