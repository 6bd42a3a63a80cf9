/* A virtual machine: KVM handles, guest RAM, the MMIO bus and its devices. */
#ifndef ISV_VMM_VM_H
#define ISV_VMM_VM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../devices/device.h"
#include "../devices/guest_mem.h"
#include "bus.h"
#include "nisv.h"
#include "stats.h"

struct kvm_run;

#define VM_MAX_DEVICES 40
#define GIC_NR_SPIS 96 /* GIC_NR_IRQS - 32 */

struct vm {
    int kvm_fd, vm_fd, vcpu_fd, gic_fd;
    struct kvm_run *run;
    size_t run_size;
    struct guest_mem ram;
    struct bus bus;
    struct device_host host;
    struct device *devs[VM_MAX_DEVICES];
    size_t ndevs;
    struct device *console; /* the PL011: flushed before the VMM reports anything */
    /* Exit policies (command line). */
    enum nisv_policy nisv;
    bool fix_sign_extension;
    uint64_t nisv_emulated, nisv_injected, sext_fixed;
    /* Decoded instructions at recent MMIO-read PCs (for the sign-extension check). */
    struct pc_cache_entry {
        uint64_t pc, pa;
        uint32_t word;
        bool valid, sext;
        struct a64_ldst d;
    } pc_cache[64];
    /* Interrupt lines: irqfd + resamplefd where KVM supports it (see kvm_irq.c). */
    struct irq_line {
        int irqfd, resamplefd; /* -1 when the line uses KVM_IRQ_LINE */
        bool level;
    } irq[GIC_NR_SPIS];
    pthread_t resample_thread;
    bool resample_running;
    int resample_epoll, resample_stop;
    pthread_mutex_t irq_lock;
    bool collect_stats;
    struct exit_stats stats;
    uint64_t exit_start_ns; /* when the current exit came back from KVM_RUN */
};

/* kvm_vm.c: open KVM and check what we need, create the VM with its RAM. */
int vm_create(struct vm *vm, uint64_t ram_bytes, char *err, size_t errlen);
/* 0 if KVM has capability `cap`, else -1 with "KVM lacks NAME, which WHY needs". */
int vm_require_cap(struct vm *vm, int cap, const char *name, const char *why, char *err,
                   size_t errlen);
/* QueueNotify-style doorbell: writes of `len` bytes equal to `datamatch` at
 * `addr` signal `fd` inside KVM, with no exit to userspace. */
int vm_add_ioeventfd(struct vm *vm, uint64_t addr, unsigned len, uint64_t datamatch, int fd,
                     char *err, size_t errlen);
/* Drive SPI `spi` through an irqfd (level semantics via a resample eventfd)
 * instead of KVM_IRQ_LINE. 1 if set up, 0 if KVM lacks resampling, -1 on error. */
int vm_use_irqfd(struct vm *vm, uint32_t spi, char *err, size_t errlen);
/* kvm_irq.c: the device_host set_irq callback, and the lines' life cycle. */
void vm_set_irq(void *ctx, uint32_t spi, bool level);
void vm_irq_init(struct vm *vm);
void vm_irq_fini(struct vm *vm);
/* Print the KVM API version and the capabilities isv relies on. */
void vm_print_kvm_info(FILE *out);
/* Put a device on the bus (and the VM's device list). */
int vm_add_device(struct vm *vm, struct device *dev, char *err, size_t errlen);
/* Create and initialise the vCPU and the in-kernel GICv3. */
int vm_create_vcpu_and_gic(struct vm *vm, char *err, size_t errlen);
/* Boot registers per the arm64 boot protocol: PC = entry, x0 = DTB. */
int vm_set_boot_regs(struct vm *vm, uint64_t entry, uint64_t dtb, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Let the guest's console output reach its backend before a VMM message, so
 * the two appear in the order they happened. */
void vm_flush_console(struct vm *vm);
/* kvm_run.c: run the vCPU until the guest stops; returns an enum isv_exit. */
int vm_run(struct vm *vm);

#endif
