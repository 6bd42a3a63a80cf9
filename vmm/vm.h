/*
 * A virtual machine: KVM handles, guest RAM, the MMIO bus and its devices,
 * the interrupt controller, and the vCPUs (vcpu.h), one thread each.
 *
 * Sharing while the VM runs:
 *   - the bus, the device list, RAM's mapping and the exit policies are
 *     written during setup only and read-only afterwards (no lock);
 *   - a device's state is behind its dev->lock (devices/device.h);
 *   - irq_lock guards the interrupt lines (kvm_irq.c);
 *   - stop_lock guards the stop state; report_lock keeps each VMM report whole
 *     and in order with the guest's console output.
 * Lock order (outer first): report_lock -> dev->lock -> chardev lock,
 * irq_lock or rom_lock (leaves; devices/device.h); stop_lock is taken alone. Nothing calls into a
 * device with irq_lock or stop_lock held. audit->lock (--nisv=audit, audit.h)
 * is taken alone too, by exit handlers after the device access, and by the
 * main thread for the listing after the join.
 */
#ifndef ISV_VMM_VM_H
#define ISV_VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../devices/device.h"
#include "../devices/guest_mem.h"
#include "bus.h"
#include "firmware.h"
#include "gic.h"
#include "guest_syms.h"
#include "nisv.h"
#include "stats.h"
#include "trace.h"
#include "vcpu.h"

#define VM_MAX_DEVICES 40

struct audit;

struct vm {
    int kvm_fd, vm_fd;
    size_t run_size;            /* bytes of each vCPU's kvm_run mapping */
    struct vcpu *vcpus;
    unsigned ncpus;
    struct irqchip gic;
    struct guest_mem ram;
    /* --bios: the firmware, read-only at flash bank 0 (size 0 without it).
     * Guest code may run from it, so instruction fetches look here too
     * (guest_fetch_insn_rom). */
    struct guest_mem rom;
    /* --bios: flash bank 1's bytes (the UEFI variable store). */
    struct flash_store vars;
    /* Memory slots of devices in ROM mode (device_host.map_rom), by device;
     * rom_lock (a leaf) guards the table. */
    struct romd_slot {
        struct device *dev;
        uint32_t slot;
        bool mapped;
    } romd[4];
    unsigned nromd;
    pthread_mutex_t rom_lock;
    struct bus bus;
    struct device_host host;
    struct device *devs[VM_MAX_DEVICES];
    size_t ndevs;
    struct device *console; /* the PL011: flushed before the VMM reports anything */
    /* Exit policies (command line). */
    enum nisv_policy nisv;
    bool fix_sign_extension;
    bool collect_stats;
    struct audit *audit;   /* --nisv=audit (audit.h), else NULL */
    struct guest_syms syms; /* --symbols: names guest PCs (loaded: false without it) */
    struct trace *trace; /* --trace-mmio (trace.h), or NULL; its lock is taken alone */
    /* Interrupt lines: irqfd + resamplefd where KVM supports it (see kvm_irq.c). */
    struct irq_line {
        int irqfd, resamplefd; /* -1 when the line uses KVM_IRQ_LINE */
        bool level;
    } irq[GIC_NR_SPIS];
    pthread_t resample_thread;
    bool resample_running;
    int resample_epoll, resample_stop;
    pthread_mutex_t irq_lock;
    /* Stopping (kvm_run.c): the first event decides the exit status. */
    pthread_mutex_t stop_lock;
    atomic_bool stopping;
    int stop_rc;
    pthread_t main_thread;
    pthread_mutex_t report_lock;
};

/* kvm_vm.c: open KVM and check what we need, create the VM with its RAM. */
int vm_create(struct vm *vm, uint64_t ram_bytes, char *err, size_t errlen);
/* 0 if KVM has capability `cap`, else -1 with "KVM lacks NAME, which WHY needs". */
int vm_require_cap(struct vm *vm, int cap, const char *name, const char *why, char *err,
                   size_t errlen);
/* Map rom (the --bios image) read-only at its base: the guest runs from it
 * at memory speed, its writes exit as MMIO to the bank's device. */
int vm_add_rom(struct vm *vm, const struct guest_mem *rom, char *err, size_t errlen);
/* The device_host map_rom callback (devices/device.h). */
int vm_map_rom(void *ctx, struct device *dev, void *host, uint64_t len);
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
/* kvm_vcpu.c: create n vCPUs (PSCI 0.2; all but vCPU 0 powered off, for the
 * guest to start with CPU_ON) and read back their MPIDRs. Then the vGIC. */
int vm_create_vcpus(struct vm *vm, unsigned n, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Let the guest's console output reach its backend before a VMM message, so
 * the two appear in the order they happened. */
void vm_flush_console(struct vm *vm);
/* A VMM report on stderr, after the console is flushed, written whole (one
 * write) so reports from different vCPUs never interleave. Several lines are
 * fine; the text should end in '\n'. */
void vm_report(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* kvm_run.c: run every vCPU on its own thread until the first stop event
 * (guest power-off or reset from any vCPU, a fatal exit, SIGINT/SIGTERM/
 * SIGHUP); kick the rest out of KVM_RUN, join them all, return the first
 * event's status (an enum isv_exit, or 128 + signal number). */
int vm_run(struct vm *vm);
/* Record a stop (the first one wins) and kick every vCPU. Any thread. */
void vm_stop(struct vm *vm, int rc);

#endif
