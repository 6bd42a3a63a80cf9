/*
 * Interrupt lines into the in-kernel vGIC. Every device line is level
 * triggered (the device tree says so). By default a line is driven with
 * KVM_IRQ_LINE. A line can instead use an irqfd with a resample eventfd
 * (KVM_IRQFD_FLAG_RESAMPLE): asserting is a write to an eventfd, injected by
 * KVM without an ioctl on the device's thread; KVM lowers the line when the
 * guest EOIs it and signals the resamplefd, and the resample thread here
 * asserts it again if the device still holds it high.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vm.h"
#include "../devices/thread.h"
#include "../devices/errmsg.h"

static void kick(int fd)
{
    uint64_t one = 1;
    while (write(fd, &one, sizeof one) < 0 && errno == EINTR)
        ;
}

void vm_set_irq(void *ctx, uint32_t spi, bool level)
{
    struct vm *vm = ctx;
    if (spi >= GIC_NR_SPIS)
        return;
    struct irq_line *l = &vm->irq[spi];
    pthread_mutex_lock(&vm->irq_lock);
    bool rise = level && !l->level;
    l->level = level;
    if (l->irqfd >= 0) {
        /* Lowering is KVM's job (on EOI, then resample); raising is a kick. */
        if (rise)
            kick(l->irqfd);
    } else {
        struct kvm_irq_level irq = {
            .irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + spi),
            .level = level,
        };
        if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0)
            fprintf(stderr, "isv: KVM_IRQ_LINE spi %u: %s\n", spi, strerror(errno));
    }
    pthread_mutex_unlock(&vm->irq_lock);
}

static void *resample_main(void *arg)
{
    struct vm *vm = arg;
    for (;;) {
        struct epoll_event ev[8];
        int n = epoll_wait(vm->resample_epoll, ev, 8, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return NULL;
        for (int i = 0; i < n; i++) {
            uint32_t spi = ev[i].data.u32;
            if (spi == UINT32_MAX)
                return NULL; /* stop */
            uint64_t cnt;
            if (read(vm->irq[spi].resamplefd, &cnt, sizeof cnt) < 0)
                continue;
            pthread_mutex_lock(&vm->irq_lock);
            if (vm->irq[spi].level)
                kick(vm->irq[spi].irqfd);
            pthread_mutex_unlock(&vm->irq_lock);
        }
    }
}

int vm_use_irqfd(struct vm *vm, uint32_t spi, char *err, size_t errlen)
{
    if (spi >= GIC_NR_SPIS)
        return errmsg(err, errlen, "SPI %u is beyond the vGIC's %d", spi, GIC_NR_SPIS);
    if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD) <= 0 ||
        ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE) <= 0)
        return 0;
    if (vm->resample_epoll < 0) {
        vm->resample_epoll = epoll_create1(EPOLL_CLOEXEC);
        vm->resample_stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
        if (vm->resample_epoll < 0 || vm->resample_stop < 0 ||
            epoll_ctl(vm->resample_epoll, EPOLL_CTL_ADD, vm->resample_stop, &ev) < 0)
            return errmsg(err, errlen, "irqfd resampling: %s", strerror(errno));
    }
    struct irq_line *l = &vm->irq[spi];
    int irqfd = eventfd(0, EFD_CLOEXEC), rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct kvm_irqfd req = {.fd = (uint32_t)irqfd, .gsi = spi, .flags = KVM_IRQFD_FLAG_RESAMPLE,
                            .resamplefd = (uint32_t)rfd};
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = spi};
    if (irqfd < 0 || rfd < 0 || ioctl(vm->vm_fd, KVM_IRQFD, &req) < 0 ||
        epoll_ctl(vm->resample_epoll, EPOLL_CTL_ADD, rfd, &ev) < 0) {
        int e = errno;
        if (irqfd >= 0)
            close(irqfd);
        if (rfd >= 0)
            close(rfd);
        return errmsg(err, errlen, "irqfd for SPI %u: %s", spi, strerror(e));
    }
    pthread_mutex_lock(&vm->irq_lock);
    l->irqfd = irqfd;
    l->resamplefd = rfd;
    if (l->level)
        kick(irqfd);
    pthread_mutex_unlock(&vm->irq_lock);
    if (!vm->resample_running) {
        if (thread_start(&vm->resample_thread, resample_main, vm, "irq-resample") != 0)
            return errmsg(err, errlen, "cannot start the irqfd resample thread");
        vm->resample_running = true;
    }
    return 1;
}

void vm_irq_init(struct vm *vm)
{
    for (unsigned i = 0; i < GIC_NR_SPIS; i++)
        vm->irq[i] = (struct irq_line){.irqfd = -1, .resamplefd = -1};
    vm->resample_epoll = vm->resample_stop = -1;
    pthread_mutex_init(&vm->irq_lock, NULL);
}

void vm_irq_fini(struct vm *vm)
{
    if (vm->resample_running) {
        kick(vm->resample_stop);
        pthread_join(vm->resample_thread, NULL);
        vm->resample_running = false;
    }
    for (unsigned i = 0; i < GIC_NR_SPIS; i++) {
        if (vm->irq[i].irqfd >= 0)
            close(vm->irq[i].irqfd);
        if (vm->irq[i].resamplefd >= 0)
            close(vm->irq[i].resamplefd);
        vm->irq[i].irqfd = vm->irq[i].resamplefd = -1;
    }
    if (vm->resample_epoll >= 0)
        close(vm->resample_epoll);
    if (vm->resample_stop >= 0)
        close(vm->resample_stop);
    vm->resample_epoll = vm->resample_stop = -1;
}
