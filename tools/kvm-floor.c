/*
 * kvm-floor: the cost floor for `make bench`. A minimal KVM VMM that boots
 * the same guest Image as isv (same RAM size and base, one vCPU with PSCI
 * 0.2, the in-kernel vGICv3, the same device tree built by vmm/fdt_build.c
 * with bare PL011 and virtio-mmio slot 0 nodes; vmm/loader.c loads the
 * Image) but answers every MMIO exit with nothing else:
 *   - reads return 0 (no bus, no device, no decode, no sign-extension check);
 *   - a write to the PL011 data register goes to stdout, one write(2) per
 *     byte, so the guest's output is visible; every other write is dropped;
 *   - PSCI SYSTEM_OFF (exit 0) and SYSTEM_RESET (exit 2) stop it.
 * What it omits on purpose, compared with isv: exit decoding into typed
 * exits, the MMIO bus lookup and device locks, device models (the PL011's
 * FIFO/interrupt state, the virtio-mmio transport), the sign-extension fix's
 * extra KVM_GET_ONE_REG per read, NISV handling (KVM_CAP_ARM_NISV_TO_USER is
 * not enabled), interrupts, statistics and the console's writer thread.
 * So the time per exit it measures is KVM_RUN's round trip plus a switch.
 *
 * usage: kvm-floor [--append ARGS] IMAGE
 * exit status: 0 powered off, 1 setup error, 2 reset, 5 anything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libfdt.h>
#include <linux/kvm.h>

#include "../vmm/board.h"
#include "../devices/device.h"
#include "../devices/virtio_mmio.h"
#include "../vmm/config.h"
#include "../vmm/fdt_build.h"
#include "../vmm/boot.h"

#define RAM_BYTES ((uint64_t)MEM_DEFAULT_MIB << 20) /* isv's default */
#define PL011_DR PL011_BASE
#define CORE_REG(x) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
                     (offsetof(struct kvm_regs, x) / sizeof(__u32)))

static int die(const char *what)
{
    fprintf(stderr, "kvm-floor: %s: %s\n", what, strerror(errno));
    return 1;
}

/* ---- device-tree nodes for the two windows the guest uses ---- */

static int reg_prop(void *fdt, uint64_t base, uint64_t size)
{
    fdt32_t reg[4] = {cpu_to_fdt32(base >> 32), cpu_to_fdt32((uint32_t)base),
                      cpu_to_fdt32(size >> 32), cpu_to_fdt32((uint32_t)size)};
    return fdt_property(fdt, "reg", reg, sizeof reg);
}

static int pl011_node(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    (void)refs;
    int err = fdt_begin_node(fdt, dev->name);
    err |= fdt_property(fdt, "compatible", "arm,pl011\0arm,primecell", 23);
    err |= reg_prop(fdt, dev->base, dev->size);
    return err | fdt_end_node(fdt);
}

static int virtio_node(struct device *dev, void *fdt, const struct fdt_refs *refs)
{
    (void)refs;
    int err = fdt_begin_node(fdt, dev->name);
    err |= fdt_property_string(fdt, "compatible", "virtio,mmio");
    err |= reg_prop(fdt, dev->base, dev->size);
    return err | fdt_end_node(fdt);
}

/* Only .type (the stdout-path) and .fdt are used: nothing is on a bus. */
static const struct device_ops pl011_ops = {.type = "pl011", .fdt = pl011_node};
static const struct device_ops virtio_ops = {.type = "virtio_mmio", .fdt = virtio_node};

/* ---- setup ---- */

static int gic_attr(int fd, uint32_t group, uint64_t attr, void *addr)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uintptr_t)addr};
    return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

static int set_reg(int vcpu, uint64_t id, uint64_t v)
{
    struct kvm_one_reg r = {.id = id, .addr = (uintptr_t)&v};
    return ioctl(vcpu, KVM_SET_ONE_REG, &r);
}

static struct kvm_run *setup(const char *image, const char *append, int *vcpu_out)
{
    char err[512];
    int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0)
        return die("/dev/kvm"), NULL;
    int vm = ioctl(kvm, KVM_CREATE_VM, 0);
    if (vm < 0)
        return die("KVM_CREATE_VM"), NULL;
    void *mem = mmap(NULL, RAM_BYTES, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return die("guest RAM"), NULL;
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = RAM_BASE, .memory_size = RAM_BYTES,
        .userspace_addr = (uintptr_t)mem};
    if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return die("KVM_SET_USER_MEMORY_REGION"), NULL;

    struct guest_mem ram = {.host = mem, .base = RAM_BASE, .size = RAM_BYTES};
    struct boot_layout img;
    if (boot_load(image, NULL, &ram, &img, err, sizeof err)) {
        fprintf(stderr, "kvm-floor: %s\n", err);
        return NULL;
    }
    struct device uart = {.ops = &pl011_ops, .base = PL011_BASE, .size = 0x1000, .spi = -1};
    struct device slot0 = {.ops = &virtio_ops, .base = VIRTIO_MMIO_BASE,
                           .size = VIRTIO_MMIO_SIZE, .spi = -1};
    snprintf(uart.name, sizeof uart.name, "pl011@%llx", (unsigned long long)uart.base);
    snprintf(slot0.name, sizeof slot0.name, "virtio_mmio@%llx", (unsigned long long)slot0.base);
    struct device *devs[] = {&uart, &slot0};
    uint64_t dtb = img.dtb;
    void *fdt = guest_mem_ptr(&ram, dtb, FDT_MAX_SIZE);
    struct fdt_params fp = {.ram_base = RAM_BASE, .ram_size = RAM_BYTES, .ncpus = 1,
                            .bootargs = append, .devs = devs, .ndevs = 2, .console = &uart};
    if (!fdt || fdt_build(fdt, FDT_MAX_SIZE, &fp, err, sizeof err)) {
        fprintf(stderr, "kvm-floor: device tree: %s\n", fdt ? err : "no room");
        return NULL;
    }

    int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
    if (vcpu < 0)
        return die("KVM_CREATE_VCPU"), NULL;
    int sz = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz < (int)sizeof(struct kvm_run))
        return die("KVM_GET_VCPU_MMAP_SIZE"), NULL;
    struct kvm_run *run = mmap(NULL, (size_t)sz, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
    if (run == MAP_FAILED)
        return die("mmap kvm_run"), NULL;
    struct kvm_vcpu_init init;
    if (ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init) < 0)
        return die("KVM_ARM_PREFERRED_TARGET"), NULL;
    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
    if (ioctl(vcpu, KVM_ARM_VCPU_INIT, &init) < 0)
        return die("KVM_ARM_VCPU_INIT"), NULL;

    /* The same in-kernel GICv3 as isv, so the guest runs the same way. */
    struct kvm_create_device gic = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    uint64_t dist = GIC_DIST_BASE, redist = GIC_REDIST_BASE;
    uint32_t nr_irqs = GIC_NR_IRQS;
    if (ioctl(vm, KVM_CREATE_DEVICE, &gic) < 0 ||
        gic_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
        gic_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) ||
        gic_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs) ||
        gic_attr(gic.fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
        return die("GICv3"), NULL;

    if (set_reg(vcpu, CORE_REG(regs.pstate), 0x3c5) || /* EL1h, DAIF masked */
        set_reg(vcpu, CORE_REG(regs.pc), img.entry) ||
        set_reg(vcpu, CORE_REG(regs.regs[0]), dtb))
        return die("KVM_SET_ONE_REG"), NULL;
    *vcpu_out = vcpu;
    return run;
}

/* ---- the loop: nothing but the answer ---- */

static int run_loop(int vcpu, struct kvm_run *run)
{
    for (;;) {
        if (ioctl(vcpu, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return die("KVM_RUN"), 5;
        }
        switch (run->exit_reason) {
        case KVM_EXIT_MMIO:
            if (!run->mmio.is_write)
                memset(run->mmio.data, 0, sizeof run->mmio.data);
            else if (run->mmio.phys_addr == PL011_DR && write(1, run->mmio.data, 1) < 0)
                return die("stdout"), 5;
            continue;
        case KVM_EXIT_SYSTEM_EVENT:
            return run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN ? 0
                   : run->system_event.type == KVM_SYSTEM_EVENT_RESET  ? 2
                                                                        : 5;
        default:
            fprintf(stderr, "kvm-floor: unexpected exit reason %u\n", run->exit_reason);
            return 5;
        }
    }
}

int main(int argc, char **argv)
{
    const char *append = "", *image = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--append") == 0 && i + 1 < argc)
            append = argv[++i];
        else if (argv[i][0] != '-' && !image)
            image = argv[i];
        else {
            fprintf(stderr, "usage: kvm-floor [--append ARGS] IMAGE\n");
            return 1;
        }
    }
    if (!image) {
        fprintf(stderr, "usage: kvm-floor [--append ARGS] IMAGE\n");
        return 1;
    }
    int vcpu;
    struct kvm_run *run = setup(image, append, &vcpu);
    return run ? run_loop(vcpu, run) : 1;
}
