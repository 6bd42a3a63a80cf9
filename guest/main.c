/* Guest C entry: find the console and RAM in the device tree, greet, run the
 * self-test named by isv.test=, power off. */
#include <libfdt.h>

#include "drivers/virtio_mmio.h"
#include "guest.h"

static void map_all_ram(const void *dtb)
{
    int node = -1;
    while ((node = fdt_node_offset_by_prop_value(dtb, node, "device_type", "memory",
                                                 sizeof "memory")) >= 0) {
        uint64_t base, size;
        if (dt_reg(dtb, node, &base, &size) == 0)
            mmu_map_ram(base, size);
    }
}

static unsigned current_el(void)
{
    uint64_t el;
    __asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
    return (unsigned)(el >> 2) & 3;
}

void guest_main(const void *dtb);
void guest_main(const void *dtb)
{
    if (fdt_check_header(dtb) != 0) {
        console_init(NULL);
        guest_fail("no valid device tree at %p", dtb);
    }
    console_init(dtb);
    psci_init(dtb);
    map_all_ram(dtb);

    kprintf("Hello from the isv guest: AArch64 EL%u, PL011 at 0x%lx, device tree at %p\n",
            current_el(), (unsigned long)console_base(), dtb);

    char name[32];
    int rc = 0;
    if (dt_bootarg(dtb, "isv.test", name, sizeof name))
        rc = run_guest_test(dtb, name);
    else if (virtio_mmio_probe(dtb) > 0) /* no test named: use the devices we were given */
        rc = run_guest_test(dtb, memcpy(name, "virtio", sizeof "virtio"));
    if (rc != 0)
        guest_fail("test %s failed", name);
    kprintf("isv guest: powering off\n");
    psci_system_off();
}
