/*
 * KVM setup: /dev/kvm checks, the VM with its RAM slot, one vCPU (the host's
 * preferred target, PSCI 0.2), the in-kernel vGICv3 at QEMU virt's addresses,
 * and interrupt lines driven with KVM_IRQ_LINE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "../devices/pl011.h"
#include "config.h"
#include "vm.h"
#include "../devices/errmsg.h"

static const struct {
    int cap;
    const char *name;
} required_caps[] = {
    {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
    {KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG"},
    {KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL"},
    {KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2"},
    {KVM_CAP_ARM_NISV_TO_USER, "KVM_CAP_ARM_NISV_TO_USER"},
    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
};

int vm_require_cap(struct vm *vm, int cap, const char *name, const char *why, char *err,
                   size_t errlen)
{
    if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) > 0)
        return 0;
    return errmsg(err, errlen, "KVM lacks %s, which %s needs", name, why);
}

int vm_create(struct vm *vm, uint64_t ram_bytes, char *err, size_t errlen)
{
    memset(vm, 0, sizeof *vm);
    vm->vm_fd = vm->vcpu_fd = vm->gic_fd = -1;
    bus_init(&vm->bus);
    vm_irq_init(vm);
    vm->host.set_irq = vm_set_irq;
    vm->host.ctx = vm;
    vm->host.mem = &vm->ram;

    vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (vm->kvm_fd < 0)
        return errmsg(err, errlen, "cannot open /dev/kvm: %s", strerror(errno));
    int api = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION)
        return errmsg(err, errlen, "KVM API version %d, need %d", api, KVM_API_VERSION);
    for (size_t i = 0; i < sizeof required_caps / sizeof *required_caps; i++)
        if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0)
            return errmsg(err, errlen, "KVM lacks %s, which isv needs", required_caps[i].name);

    vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
    if (vm->vm_fd < 0)
        return errmsg(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
    /* Accesses without a valid syndrome come to us instead of failing KVM_RUN. */
    struct kvm_enable_cap cap = {.cap = KVM_CAP_ARM_NISV_TO_USER};
    if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
        return errmsg(err, errlen, "enabling KVM_CAP_ARM_NISV_TO_USER: %s", strerror(errno));

    void *mem = mmap(NULL, ram_bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return errmsg(err, errlen, "cannot allocate %llu MiB of guest RAM: %s",
                    (unsigned long long)(ram_bytes >> 20), strerror(errno));
    vm->ram = (struct guest_mem){.host = mem, .base = RAM_BASE, .size = ram_bytes};
    struct kvm_userspace_memory_region region = {
        .slot = 0,
        .guest_phys_addr = RAM_BASE,
        .memory_size = ram_bytes,
        .userspace_addr = (uintptr_t)mem,
    };
    if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return errmsg(err, errlen, "KVM_SET_USER_MEMORY_REGION (%llu MiB at 0x%llx): %s",
                    (unsigned long long)(ram_bytes >> 20), (unsigned long long)RAM_BASE,
                    strerror(errno));
    return 0;
}

int vm_add_device(struct vm *vm, struct device *dev, char *err, size_t errlen)
{
    if (vm->ndevs == VM_MAX_DEVICES)
        return errmsg(err, errlen, "too many devices (at most %d)", VM_MAX_DEVICES);
    int rc = bus_add(&vm->bus, dev);
    if (rc)
        return errmsg(err, errlen, "%s: window 0x%llx+0x%llx %s", dev->name,
                    (unsigned long long)dev->base, (unsigned long long)dev->size,
                    rc == -EEXIST ? "overlaps another device" : "is invalid");
    vm->devs[vm->ndevs++] = dev;
    return 0;
}

static int gic_attr(int fd, uint32_t group, uint64_t attr, void *addr)
{
    struct kvm_device_attr a = {.group = group, .attr = attr, .addr = (uintptr_t)addr};
    return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

int vm_create_vcpu_and_gic(struct vm *vm, char *err, size_t errlen)
{
    vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
    if (vm->vcpu_fd < 0)
        return errmsg(err, errlen, "KVM_CREATE_VCPU: %s", strerror(errno));
    int sz = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (sz < (int)sizeof(struct kvm_run))
        return errmsg(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
    vm->run_size = (size_t)sz;
    vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
    if (vm->run == MAP_FAILED) {
        vm->run = NULL;
        return errmsg(err, errlen, "mmap kvm_run: %s", strerror(errno));
    }
    struct kvm_vcpu_init init;
    if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
        return errmsg(err, errlen, "KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
    init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
    if (ioctl(vm->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0)
        return errmsg(err, errlen, "KVM_ARM_VCPU_INIT: %s", strerror(errno));

    struct kvm_create_device gic = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
    if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &gic) < 0)
        return errmsg(err, errlen, "creating the in-kernel GICv3: %s", strerror(errno));
    vm->gic_fd = gic.fd;
    uint64_t dist = GIC_DIST_BASE, redist = GIC_REDIST_BASE;
    uint32_t nr_irqs = GIC_NR_IRQS;
    if (gic_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist) ||
        gic_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist) ||
        gic_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs) ||
        gic_attr(vm->gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
        return errmsg(err, errlen, "configuring the GICv3: %s", strerror(errno));
    return 0;
}

int vm_add_ioeventfd(struct vm *vm, uint64_t addr, unsigned len, uint64_t datamatch, int fd,
                     char *err, size_t errlen)
{
    struct kvm_ioeventfd req = {.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
                                .flags = KVM_IOEVENTFD_FLAG_DATAMATCH};
    if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &req) < 0)
        return errmsg(err, errlen, "KVM_IOEVENTFD at 0x%llx: %s", (unsigned long long)addr,
                    strerror(errno));
    return 0;
}

void vm_flush_console(struct vm *vm)
{
    if (vm->console)
        pl011_flush(vm->console, 1000);
}

void vm_print_kvm_info(FILE *out)
{
    static const struct {
        int cap;
        const char *name;
    } caps[] = {
        {KVM_CAP_USER_MEMORY, "USER_MEMORY"}, {KVM_CAP_ONE_REG, "ONE_REG"},
        {KVM_CAP_DEVICE_CTRL, "DEVICE_CTRL"}, {KVM_CAP_IRQCHIP, "IRQCHIP"},
        {KVM_CAP_ARM_PSCI_0_2, "ARM_PSCI_0_2"}, {KVM_CAP_ARM_NISV_TO_USER, "ARM_NISV_TO_USER"},
        {KVM_CAP_ARM_INJECT_EXT_DABT, "ARM_INJECT_EXT_DABT"}, {KVM_CAP_IOEVENTFD, "IOEVENTFD"},
        {KVM_CAP_IRQFD, "IRQFD"}, {KVM_CAP_IRQFD_RESAMPLE, "IRQFD_RESAMPLE"},
        {KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT"}, {KVM_CAP_ARM_VM_IPA_SIZE, "ARM_VM_IPA_SIZE"},
        {KVM_CAP_MAX_VCPUS, "MAX_VCPUS"},
    };
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(out, "isv: /dev/kvm: %s\n", strerror(errno));
        return;
    }
    fprintf(out, "KVM API version %d\n", ioctl(fd, KVM_GET_API_VERSION, 0));
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        fprintf(out, "  KVM_CAP_%-20s %d\n", caps[i].name,
                ioctl(fd, KVM_CHECK_EXTENSION, caps[i].cap));
    close(fd);
}

void vm_destroy(struct vm *vm)
{
    /* Devices first: their threads may still raise interrupts until they stop. */
    for (size_t i = 0; i < vm->ndevs; i++)
        if (vm->devs[i]->ops->destroy)
            vm->devs[i]->ops->destroy(vm->devs[i]);
    vm->ndevs = 0;
    vm_irq_fini(vm);
    bus_free(&vm->bus);
    if (vm->run)
        munmap(vm->run, vm->run_size);
    if (vm->ram.host)
        munmap(vm->ram.host, vm->ram.size);
    if (vm->gic_fd >= 0)
        close(vm->gic_fd);
    if (vm->vcpu_fd >= 0)
        close(vm->vcpu_fd);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
}
