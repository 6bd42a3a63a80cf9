/*
 * isv: parse the command line, build the VM (RAM, devices, vCPUs, vGIC), load
 * the kernel and initrd (boot.c lays them out), write the device tree, and run
 * the vCPUs (kvm_run.c) until the guest stops.
 * The process exit status says how it stopped (enum isv_exit).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <libfdt.h>
#include <sys/random.h>

#include "../devices/errmsg.h"
#include "../devices/cfi_flash.h"
#include "../devices/flash_rom.h"
#include "../devices/virtio_mmio.h"
#include "audit.h"
#include "boot.h"
#include "config.h"
#include "device_table.h"
#include "fdt_build.h"
#include "firmware.h"
#include "vm.h"

#define ISV_VERSION "0.1"

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
        uint64_t addr = dev->base + VIRTIO_MMIO_QUEUE_NOTIFY;
        if (fd < 0)
            continue;
        /* Traced, KVM signals the trace's relay, which logs and forwards to fd. */
        if (vm->trace && (fd = trace_relay(vm->trace, fd, dev->name, addr, q, err, errlen)) < 0)
            return -1;
        if (vm_add_ioeventfd(vm, addr, 4, q, fd, err, errlen))
            return -1;
    }
    return vm_use_irqfd(vm, (uint32_t)dev->spi, err, errlen) < 0 ? -1 : 0;
}

/* --trace-mmio stopped (a write failed): said like any other VMM report. */
static void trace_report(void *ctx, const char *msg)
{
    vm_report(ctx, "%s", msg);
}

static int add_device(struct vm *vm, struct device *dev, char *err, size_t errlen)
{
    if (vm_add_device(vm, dev, err, errlen)) {
        dev->ops->destroy(dev);
        return -1;
    }
    return 0;
}

/* The board devices of the table, then the --device list in order (virtio
 * devices take slots 0, 1, ...). */
static int add_devices(struct vm *vm, const struct config *cfg, char *err, size_t errlen)
{
    struct board_ctx b = {.host = &vm->host, .cfg = cfg};
    for (size_t i = 0; i < device_table_len; i++) {
        if (!device_table[i].board)
            continue;
        struct device *dev = device_table[i].create(device_table[i].name, &b, err, errlen);
        if (!dev || add_device(vm, dev, err, errlen))
            return -1;
        if (device_table[i].console)
            vm->console = dev;
    }
    if (cfg->bios) {
        struct device *dev = flash_rom_create(&vm->rom, &vm->host, err, errlen);
        if (!dev || add_device(vm, dev, err, errlen))
            return -1;
        dev = cfi_flash_create(FLASH1_BASE, vm->vars.mem, vm->vars.size, &vm->host, err, errlen);
        if (!dev || add_device(vm, dev, err, errlen))
            return -1;
    }
    for (size_t i = 0; i < cfg->ndevices; i++) {
        struct device *dev = device_table_create(cfg->devices[i], &b, err, errlen);
        if (!dev || add_device(vm, dev, err, errlen))
            return -1;
    }
    return 0;
}

/* --bios: the firmware in flash bank 0, entered at its first byte with the
 * device tree at the base of RAM; it loads any kernel itself. */
static int firmware_setup(struct vm *vm, const struct config *cfg, struct boot_layout *bl,
                          char *err, size_t errlen)
{
    if (firmware_load(cfg->bios, &vm->rom, err, errlen) || vm_add_rom(vm, &vm->rom, err, errlen))
        return -1;
    if (cfg->uefi_vars) {
        int made = uefi_vars_prepare(cfg->uefi_vars, cfg->uefi_vars_template, err, errlen);
        if (made < 0)
            return -1;
        if (made && cfg->verbose)
            fprintf(stderr, "isv: boot: --uefi-vars '%s' created from '%s'\n", cfg->uefi_vars,
                    cfg->uefi_vars_template);
    }
    if (flash_store_open(&vm->vars, cfg->uefi_vars, err, errlen))
        return -1;
    *bl = (struct boot_layout){.entry = vm->rom.base, .dtb = vm->ram.base, .format = "firmware"};
    return 0;
}

/* Seeds for /chosen: early entropy for the kernel's RNG and for KASLR. */
static void boot_seeds(struct fdt_params *fp)
{
    if (getrandom(fp->rng_seed, sizeof fp->rng_seed, GRND_NONBLOCK) == (ssize_t)sizeof fp->rng_seed &&
        getrandom(&fp->kaslr_seed, sizeof fp->kaslr_seed, GRND_NONBLOCK) == (ssize_t)sizeof fp->kaslr_seed)
        fp->have_seeds = true;
}

_Static_assert(FDT_MAX_SIZE <= BOOT_DTB_MAX, "the DTB buffer must fit in its reserved block");

/* --symbols (names PCs where the kernel image was loaded; a bad file stops
 * here) and --nisv=audit's table. */
static int audit_setup(struct vm *vm, const struct config *cfg, const struct boot_layout *bl,
                       char *err, size_t errlen)
{
    if (cfg->symbols && guest_syms_load(&vm->syms, cfg->symbols, bl->kernel_start,
                                        bl->kernel_end, err, errlen))
        return -1;
    if (cfg->nisv == NISV_AUDIT) {
        if (!(vm->audit = malloc(sizeof *vm->audit)))
            return errmsg(err, errlen, "out of memory");
        audit_init(vm->audit);
    }
    return 0;
}

static int setup(struct vm *vm, const struct config *cfg, char *err, size_t errlen)
{
    struct boot_layout bl;
    if (vm_create(vm, cfg->mem_bytes, err, errlen))
        return -1;
    if (cfg->trace_mmio &&
        !(vm->trace = trace_open(cfg->trace_mmio, trace_report, vm, err, errlen)))
        return -1;
    if (cfg->nisv == NISV_INJECT &&
        vm_require_cap(vm, KVM_CAP_ARM_INJECT_EXT_DABT, "KVM_CAP_ARM_INJECT_EXT_DABT",
                       "--nisv=inject", err, errlen))
        return -1;
    if (cfg->bios ? firmware_setup(vm, cfg, &bl, err, errlen)
                  : boot_load(cfg->image, cfg->initrd, &vm->ram, &bl, err, errlen))
        return -1;
    if (audit_setup(vm, cfg, &bl, err, errlen))
        return -1;
    if (add_devices(vm, cfg, err, errlen))
        return -1;

    /* Every vCPU exists before the vGIC is initialised (KVM's rule), and the
     * device tree names the CPUs by the MPIDRs KVM gave them. */
    if (vm_create_vcpus(vm, cfg->ncpus, err, errlen))
        return -1;
    uint64_t *mpidr = calloc(vm->ncpus, sizeof *mpidr);
    if (!mpidr)
        return errmsg(err, errlen, "out of memory");
    for (unsigned i = 0; i < vm->ncpus; i++)
        mpidr[i] = vm->vcpus[i].mpidr;

    void *fdt = guest_mem_ptr(&vm->ram, bl.dtb, FDT_MAX_SIZE);
    struct fdt_params fp = {
        .ram_base = vm->ram.base,
        .ram_size = vm->ram.size,
        .ncpus = vm->ncpus,
        .mpidr = mpidr,
        .bootargs = cfg->append,
        .devs = vm->devs,
        .ndevs = vm->ndevs,
        .console = vm->console,
        .initrd_start = bl.initrd_start,
        .initrd_end = bl.initrd_end,
    };
    boot_seeds(&fp);
    int rc = fdt_build(fdt, FDT_MAX_SIZE, &fp, err, errlen);
    free(mpidr);
    if (rc)
        return -1;
    if (cfg->dtb_out && write_file(cfg->dtb_out, fdt, fdt_totalsize(fdt), err, errlen))
        return -1;
    if (cfg->verbose) {
        if (cfg->bios)
            fprintf(stderr, "isv: boot: firmware '%s' in flash bank 0 at 0x%llx, entry 0x%llx, "
                    "dtb 0x%llx; variables in bank 1 at 0x%llx: %s\n", cfg->bios,
                    (unsigned long long)vm->rom.base, (unsigned long long)bl.entry,
                    (unsigned long long)bl.dtb, (unsigned long long)FLASH1_BASE,
                    cfg->uefi_vars ? cfg->uefi_vars : "volatile (no --uefi-vars)");
        else
            boot_layout_print(stderr, cfg->image, cfg->initrd, &bl);
        for (unsigned i = 0; i < vm->ncpus; i++)
            fprintf(stderr, "isv: vcpu %u: MPIDR 0x%llx%s\n", i,
                    (unsigned long long)vm->vcpus[i].mpidr, i ? " (off until PSCI CPU_ON)" : "");
        for (size_t i = 0; i < vm->ndevs; i++)
            fprintf(stderr, "isv: device: %s (0x%llx bytes, SPI %d)\n", vm->devs[i]->name,
                    (unsigned long long)vm->devs[i]->size, vm->devs[i]->spi);
    }
    /* irqfds need an initialised vGIC, so virtio is wired last. */
    for (size_t i = 0; i < vm->ndevs; i++)
        if (virtio_mmio_is(vm->devs[i]) && wire_virtio(vm, vm->devs[i], err, errlen))
            return -1;
    return vcpu_set_boot_regs(&vm->vcpus[0], bl.entry, bl.dtb, err, errlen);
}

/* What the run leaves to say: NISV and sign-extension counts and --stats,
 * summed over the vCPUs (and per vCPU). */
static void print_summary(struct vm *vm, bool stats)
{
    uint64_t emulated = 0, injected = 0, faults = 0, fixed = 0;
    struct exit_stats all = {0};
    for (unsigned i = 0; i < vm->ncpus; i++) {
        const struct vcpu *c = &vm->vcpus[i];
        emulated += c->nisv_emulated;
        injected += c->nisv_injected;
        faults += c->nisv_faults;
        fixed += c->sext_fixed;
        stats_merge(&all, &c->stats);
    }
    if (emulated)
        fprintf(stderr, "isv: emulated %llu instruction%s without a valid syndrome\n",
                (unsigned long long)emulated, emulated == 1 ? "" : "s");
    if (injected)
        fprintf(stderr, "isv: injected %llu external data abort%s\n",
                (unsigned long long)injected, injected == 1 ? "" : "s");
    if (faults)
        fprintf(stderr, "isv: delivered %llu fault%s the CPU would have raised for an emulated "
                        "instruction\n", (unsigned long long)faults, faults == 1 ? "" : "s");
    if (!stats)
        return;
    stats_print(&all, stderr);
    for (unsigned i = 0; i < vm->ncpus; i++)
        stats_print_vcpu(&vm->vcpus[i].stats, i, stderr);
    fprintf(stderr, "isv: stats:   sign-extending loads fixed: %llu\n", (unsigned long long)fixed);
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
        cli_print_usage(stdout);
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
        /* TIME counts from here; the ioeventfd relay starts with the run. */
        if (vm.trace && trace_start(vm.trace, err, sizeof err)) {
            fprintf(stderr, "isv: error: %s\n", err);
            rc = ISV_EXIT_SETUP;
        } else {
            rc = vm_run(&vm);
        }
        vm_flush_console(&vm);
        char serr[300];
        if (flash_store_sync(&vm.vars, serr, sizeof serr)) {
            fprintf(stderr, "isv: %s\n", serr);
            if (rc == ISV_EXIT_POWEROFF || rc == ISV_EXIT_RESET)
                rc = ISV_EXIT_INTERNAL;
        }
        if (cfg.verbose && rc > ISV_EXIT_SIGNAL) /* stopped from outside: where was it? */
            for (unsigned i = 0; i < vm.ncpus; i++) {
                char where[256];
                vcpu_describe(&vm.vcpus[i], where, sizeof where);
                fprintf(stderr, "isv: vcpu %u at stop: %s\n", i, where);
            }
        print_summary(&vm, cfg.stats);
        /* A finding turns a clean power-off into 6; any other status wins. */
        if (vm.audit) {
            audit_print(vm.audit, &vm.syms, stderr);
            if (rc == ISV_EXIT_POWEROFF && audit_found(vm.audit))
                rc = ISV_EXIT_AUDIT;
        }
    }
    trace_close(vm.trace); /* the vCPUs have stopped (or never ran) */
    vm_destroy(&vm);
    if (vm.audit) {
        audit_destroy(vm.audit);
        free(vm.audit);
    }
    guest_syms_free(&vm.syms);
    return rc;
}
