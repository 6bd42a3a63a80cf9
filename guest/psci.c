/* PSCI 0.2 power control through the conduit (hvc or smc) the DT names. */
#include <libfdt.h>

#include "guest.h"

enum {
    PSCI_CPU_OFF = 0x84000002,
    PSCI_CPU_ON = 0xc4000003,        /* SMC64 */
    PSCI_AFFINITY_INFO = 0xc4000004, /* SMC64 */
    PSCI_SYSTEM_OFF = 0x84000008,
    PSCI_SYSTEM_RESET = 0x84000009,
};

static bool use_smc;

void psci_init(const void *dtb)
{
    int node = fdt_node_offset_by_compatible(dtb, -1, "arm,psci-0.2");
    if (node < 0)
        node = fdt_node_offset_by_compatible(dtb, -1, "arm,psci");
    const char *method = node >= 0 ? fdt_getprop(dtb, node, "method", NULL) : NULL;
    use_smc = method && method[0] == 's';
}

/* SMCCC 1.0 lets the callee change x4..x17 as well as x0..x3. */
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    if (use_smc)
        __asm__ volatile("smc #0"
                         : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         :
                         : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                           "x14", "x15", "x16", "x17", "memory");
    else
        __asm__ volatile("hvc #0"
                         : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         :
                         : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13",
                           "x14", "x15", "x16", "x17", "memory");
    return (int64_t)x0;
}

int psci_cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context)
{
    return (int)psci_call(PSCI_CPU_ON, mpidr, entry, context);
}

void psci_cpu_off(void)
{
    int rc = (int)psci_call(PSCI_CPU_OFF, 0, 0, 0);
    guest_fail("PSCI CPU_OFF returned %d", rc);
}

int psci_affinity_info(uint64_t mpidr)
{
    return (int)psci_call(PSCI_AFFINITY_INFO, mpidr, 0, 0);
}

void psci_system_off(void)
{
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}

void psci_system_reset(void)
{
    psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
    for (;;)
        __asm__ volatile("wfi");
}
