/*
 * KVM setup: /dev/kvm checks, the VM with its RAM slot and devices, ioeventfd
 * doorbells, VMM reports, and teardown. vCPUs are created in kvm_vcpu.c, the
 * vGIC in kvm_gic.c, interrupt lines are driven in kvm_irq.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "../devices/pl011.h"
#include "config.h"
#include "firmware.h"
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

/* Slot 0 is RAM, 1 the --bios ROM, 2.. devices in ROM mode. */
enum { SLOT_RAM, SLOT_ROM, SLOT_ROMD_FIRST };

static int set_region(struct vm *vm, uint32_t slot, uint64_t gpa, void *host, uint64_t len,
                      bool readonly)
{
    struct kvm_userspace_memory_region region = {
        .slot = slot,
        .flags = readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa,
        .memory_size = len,
        .userspace_addr = (uintptr_t)host,
    };
    return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

int vm_create(struct vm *vm, uint64_t ram_bytes, char *err, size_t errlen)
{
    memset(vm, 0, sizeof *vm);
    vm->vm_fd = vm->gic.fd = -1;
    pthread_mutex_init(&vm->stop_lock, NULL);
    pthread_mutex_init(&vm->report_lock, NULL);
    pthread_mutex_init(&vm->rom_lock, NULL);
    bus_init(&vm->bus);
    vm_irq_init(vm);
    vm->host.set_irq = vm_set_irq;
    vm->host.ctx = vm;
    vm->host.mem = &vm->ram;
    vm->host.map_rom = vm_map_rom;

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
    if (set_region(vm, SLOT_RAM, RAM_BASE, mem, ram_bytes, false) < 0)
        return errmsg(err, errlen, "KVM_SET_USER_MEMORY_REGION (%llu MiB at 0x%llx): %s",
                    (unsigned long long)(ram_bytes >> 20), (unsigned long long)RAM_BASE,
                    strerror(errno));
    return 0;
}

int vm_add_rom(struct vm *vm, const struct guest_mem *rom, char *err, size_t errlen)
{
    if (vm_require_cap(vm, KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM", "--bios", err, errlen))
        return -1;
    if (set_region(vm, SLOT_ROM, rom->base, rom->host, rom->size, true) < 0)
        return errmsg(err, errlen, "KVM_SET_USER_MEMORY_REGION (firmware ROM at 0x%llx): %s",
                      (unsigned long long)rom->base, strerror(errno));
    return 0;
}

int vm_map_rom(void *ctx, struct device *dev, void *host, uint64_t len)
{
    struct vm *vm = ctx;
    pthread_mutex_lock(&vm->rom_lock);
    unsigned i;
    for (i = 0; i < vm->nromd && vm->romd[i].dev != dev; i++)
        ;
    if (i == vm->nromd) {
        if (!host || i == sizeof vm->romd / sizeof *vm->romd) {
            pthread_mutex_unlock(&vm->rom_lock);
            return host ? -1 : 0; /* out of slots: the device serves its reads */
        }
        vm->romd[i] = (struct romd_slot){.dev = dev, .slot = SLOT_ROMD_FIRST + i};
        vm->nromd++;
    }
    /* KVM changes no live slot's memory: delete it, then add the new one. */
    struct romd_slot *r = &vm->romd[i];
    int rc = 0;
    if (r->mapped) {
        rc = set_region(vm, r->slot, dev->base, NULL, 0, true);
        r->mapped = rc < 0;
    }
    if (host && rc == 0) {
        rc = set_region(vm, r->slot, dev->base, host, len, true);
        r->mapped = rc == 0;
    }
    pthread_mutex_unlock(&vm->rom_lock);
    return rc < 0 ? -1 : 0;
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

void vm_report(struct vm *vm, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1;
    if (len && buf[len - 1] != '\n')
        buf[len - 1] = '\n'; /* cut short: still a whole line */
    pthread_mutex_lock(&vm->report_lock);
    vm_flush_console(vm);
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDERR_FILENO, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    pthread_mutex_unlock(&vm->report_lock);
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
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *c = &vm->vcpus[i];
        if (c->run)
            munmap(c->run, vm->run_size);
        if (c->fd >= 0)
            close(c->fd);
    }
    free(vm->vcpus);
    vm->vcpus = NULL;
    vm->ncpus = 0;
    if (vm->ram.host)
        munmap(vm->ram.host, vm->ram.size);
    firmware_free(&vm->rom);
    flash_store_close(&vm->vars);
    gic_destroy(&vm->gic);
    pthread_mutex_destroy(&vm->stop_lock);
    pthread_mutex_destroy(&vm->report_lock);
    pthread_mutex_destroy(&vm->rom_lock);
    if (vm->vm_fd >= 0)
        close(vm->vm_fd);
    if (vm->kvm_fd >= 0)
        close(vm->kvm_fd);
}
