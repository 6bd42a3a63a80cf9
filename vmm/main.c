/*
 * isv: parse the command line, build the VM (RAM, devices, vCPU, vGIC), load
 * the Image, place the device tree after it, and run until the guest stops.
 * The process exit status says how it stopped (enum isv_exit).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "../devices/chardev.h"
#include "../devices/pl011.h"
#include "../devices/testdev.h"
#include "../devices/virtio_mmio.h"
#include "../devices/virtio_spec.h"
#include "config.h"
#include "fdt_build.h"
#include "loader.h"
#include "vm.h"

#define ISV_VERSION "0.1"
#define SZ_2M (2ull << 20)

static int write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, buf, len) != (ssize_t)len) {
        snprintf(err, errlen, "--dump-dtb '%s': cannot write it", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return close(fd);
}

/* A virtio device's doorbells (one ioeventfd per queue) and its interrupt. */
static int wire_virtio(struct vm *vm, struct device *dev, char *err, size_t errlen)
{
    for (unsigned q = 0; q < virtio_mmio_num_queues(dev); q++) {
        int fd = virtio_mmio_queue_eventfd(dev, q);
        if (fd >= 0 && vm_add_ioeventfd(vm, dev->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, q, fd, err,
                                        errlen))
            return -1;
    }
    return vm_use_irqfd(vm, (uint32_t)dev->spi, err, errlen) < 0 ? -1 : 0;
}

/* The --device list, in order; virtio devices take slots 0, 1, ... */
static int add_devices(struct vm *vm, const struct config *cfg, char *err, size_t errlen)
{
    bool have_testdev = false;
    unsigned slot = 0;
    for (size_t i = 0; i < cfg->ndevices; i++) {
        const char *spec = cfg->devices[i];
        struct device *dev = NULL;
        char why[300];
        if (strcmp(spec, "testdev") == 0) {
            if (have_testdev) {
                snprintf(err, errlen, "--device testdev: given more than once");
                return -1;
            }
            have_testdev = true;
            dev = testdev_create(TESTDEV_BASE, &vm->host);
            if (!dev) {
                snprintf(err, errlen, "--device testdev: out of memory");
                return -1;
            }
        } else if (strncmp(spec, "virtio-", 7) == 0) {
            struct virtio_spec vs;
            if (virtio_spec_parse(spec, &vs, why, sizeof why)) {
                snprintf(err, errlen, "--device %s: %s", spec, why);
                return -1;
            }
            if (vs.kind == VIRTIO_KIND_CONSOLE && !vs.path[0] && strcmp(cfg->console, "stdio") == 0) {
                snprintf(err, errlen,
                         "--device %s: stdio is already the PL011's (--console stdio); give the "
                         "virtio console file=PATH or move the PL011 (--console null|file:...)",
                         spec);
                return -1;
            }
            if (slot == VIRTIO_MMIO_SLOTS) {
                snprintf(err, errlen, "--device %s: all %d virtio-mmio slots are taken", spec,
                         VIRTIO_MMIO_SLOTS);
                return -1;
            }
            dev = virtio_spec_create(&vs, virtio_mmio_slot_base(slot), virtio_mmio_slot_spi(slot),
                                     &vm->host, why, sizeof why);
            if (!dev) {
                snprintf(err, errlen, "--device %s: %s", spec, why);
                return -1;
            }
            slot++;
        } else {
            snprintf(err, errlen,
                     "--device '%s': unknown device (known: testdev, virtio-blk, virtio-rng, virtio-console)",
                     spec);
            return -1;
        }
        if (vm_add_device(vm, dev, err, errlen)) {
            dev->ops->destroy(dev);
            return -1;
        }
    }
    return 0;
}

static int setup(struct vm *vm, const struct config *cfg, char *err, size_t errlen)
{
    struct image_info img;
    if (vm_create(vm, cfg->mem_bytes, err, errlen))
        return -1;
    if (cfg->nisv == NISV_INJECT &&
        vm_require_cap(vm, KVM_CAP_ARM_INJECT_EXT_DABT, "KVM_CAP_ARM_INJECT_EXT_DABT",
                       "--nisv=inject", err, errlen))
        return -1;
    if (image_load(cfg->image, &vm->ram, &img, err, errlen))
        return -1;

    char why[256];
    struct chardev *cd = chardev_open(cfg->console, why, sizeof why);
    if (!cd) {
        snprintf(err, errlen, "--console %s: %s", cfg->console, why);
        return -1;
    }
    struct device *uart = pl011_create(PL011_BASE, PL011_SPI, &vm->host, cd);
    if (!uart) {
        chardev_close(cd);
        snprintf(err, errlen, "cannot create the PL011");
        return -1;
    }
    if (vm_add_device(vm, uart, err, errlen)) {
        uart->ops->destroy(uart);
        return -1;
    }
    vm->console = uart;

    if (add_devices(vm, cfg, err, errlen))
        return -1;

    /* The DTB goes at the next 2 MiB boundary after the image (8-byte aligned, < 2 MiB). */
    uint64_t dtb = (img.load_addr + img.image_size + SZ_2M - 1) & ~(SZ_2M - 1);
    void *fdt = guest_mem_ptr(&vm->ram, dtb, FDT_MAX_SIZE);
    if (!fdt) {
        snprintf(err, errlen, "image '%s' leaves no room for the device tree in %llu MiB of RAM",
                 cfg->image, (unsigned long long)(vm->ram.size >> 20));
        return -1;
    }
    struct fdt_params fp = {
        .ram_base = vm->ram.base,
        .ram_size = vm->ram.size,
        .ncpus = 1,
        .bootargs = cfg->append,
        .devs = vm->devs,
        .ndevs = vm->ndevs,
        .console = uart,
    };
    if (fdt_build(fdt, FDT_MAX_SIZE, &fp, err, errlen))
        return -1;
    if (cfg->dtb_out && write_file(cfg->dtb_out, fdt, FDT_MAX_SIZE, err, errlen))
        return -1;
    if (vm_create_vcpu_and_gic(vm, err, errlen))
        return -1;
    /* irqfds need an initialised vGIC, so virtio is wired last. */
    for (size_t i = 0; i < vm->ndevs; i++)
        if (virtio_mmio_is(vm->devs[i]) && wire_virtio(vm, vm->devs[i], err, errlen))
            return -1;
    return vm_set_boot_regs(vm, img.load_addr, dtb, err, errlen);
}

int main(int argc, char **argv)
{
    struct config cfg;
    char err[512];

    if (cli_parse(argc, argv, &cfg, err, sizeof err)) {
        fprintf(stderr, "isv: error: %s\n", err);
        return ISV_EXIT_SETUP;
    }
    if (cfg.help) {
        fputs(cli_usage, stdout);
        return 0;
    }
    if (cfg.kvm_info) {
        vm_print_kvm_info(stdout);
        return 0;
    }
    if (cfg.version) {
        printf("isv %s\n", ISV_VERSION);
        return 0;
    }

    struct vm vm;
    int rc;
    if (setup(&vm, &cfg, err, sizeof err)) {
        fprintf(stderr, "isv: error: %s\n", err);
        rc = ISV_EXIT_SETUP;
    } else {
        vm.collect_stats = cfg.stats;
        vm.nisv = cfg.nisv;
        vm.fix_sign_extension = cfg.sext_fix;
        rc = vm_run(&vm);
        vm_flush_console(&vm);
        if (vm.nisv_emulated)
            fprintf(stderr, "isv: emulated %llu instruction%s without a valid syndrome\n",
                    (unsigned long long)vm.nisv_emulated, vm.nisv_emulated == 1 ? "" : "s");
        if (vm.nisv_injected)
            fprintf(stderr, "isv: injected %llu external data abort%s\n",
                    (unsigned long long)vm.nisv_injected, vm.nisv_injected == 1 ? "" : "s");
        if (cfg.stats) {
            stats_print(&vm.stats, stderr);
            fprintf(stderr, "isv: stats:   sign-extending loads fixed: %llu\n",
                    (unsigned long long)vm.sext_fixed);
        }
    }
    vm_destroy(&vm);
    return rc;
}
