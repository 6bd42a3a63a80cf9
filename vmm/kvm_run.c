/*
 * The run loop, one thread per vCPU: KVM_RUN, decode the exit (exit.c),
 * dispatch MMIO to the bus, put read results back into kvm_run, and re-enter,
 * which completes the access (KVM writes the register and advances the PC).
 * Accesses without a valid syndrome follow --nisv; sign-extending loads get
 * the register fix KVM misses (see fix_sign_extension()). PSCI CPU_ON/OFF and
 * AFFINITY_INFO are KVM's; SYSTEM_OFF/RESET reach us from whichever vCPU
 * made the call.
 *
 * How a run stops: the first event -- a system event, a fatal exit, or a stop
 * signal the main thread takes with sigwaitinfo -- calls vm_stop(), which
 * records its status, sets `stopping`, and kicks every vCPU (immediate_exit,
 * then SIG_KICK, so a thread inside KVM_RUN gets EINTR and one about to enter
 * returns at once). Each thread sees `stopping` and returns; the main thread
 * joins them all before anything is flushed or freed.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "../devices/chardev.h"
#include "audit.h"
#include "config.h"
#include "exit.h"
#include "vcpu.h"
#include "vm.h"

#define NISV_REPORT_LIMIT 8 /* reports under inject/emulate before going quiet */
#define KEEP_RUNNING (-1)   /* handlers return this, or an enum isv_exit to stop */

static int report_unmapped(struct vcpu *c, const struct mmio_access *a, enum bus_status st)
{
    unsigned long long pc = (unsigned long long)vcpu_pc(c);
    if (st == BUS_BAD_WIDTH)
        vm_report(c->vm, "isv: guest MMIO %s of unsupported width %u at 0x%llx (pc 0x%llx): stopping\n",
                a->is_write ? "write" : "read", a->len, (unsigned long long)a->ipa, pc);
    else if (a->is_write)
        vm_report(c->vm, "isv: guest write of %u byte%s (value 0x%llx) to unmapped address 0x%llx (pc 0x%llx): stopping\n",
                a->len, a->len == 1 ? "" : "s", (unsigned long long)a->data,
                (unsigned long long)a->ipa, pc);
    else
        vm_report(c->vm, "isv: guest read of %u byte%s from unmapped address 0x%llx (pc 0x%llx): stopping\n",
                a->len, a->len == 1 ? "" : "s", (unsigned long long)a->ipa, pc);
    return ISV_EXIT_UNMAPPED;
}

/*
 * The sign-extending load that KVM just completed, proven from scratch each
 * time (a cache keyed by PC cannot tell address spaces or ELs apart): the
 * vCPU is in A64 state, the instruction at the PC through the current stage-1
 * tables is an LDRS* of the exit's width into a W or X register, and its
 * address translates to the exit's IPA. 0 with *d and the instruction's PA
 * filled, or -1 (leave the register alone). Runs only for loads whose value
 * has its top bit set, or for every narrow read under --nisv=audit.
 */
static int sext_insn(struct vcpu *c, const struct exit_info *x, uint64_t *pc,
                     struct a64_ldst *d, uint64_t *insn_pa)
{
    uint64_t pstate;
    struct s1_regs s1;
    struct guest_insn insn;
    if (vcpu_get(c, vcpu_reg_pc(), pc) || vcpu_get(c, vcpu_reg_pstate(), &pstate) ||
        vcpu_read_s1(c, &s1) ||
        guest_fetch_insn_rom(&c->vm->ram, &c->vm->rom, &s1, pstate, *pc, &insn))
        return -1;
    *d = insn.d;
    *insn_pa = insn.pa;
    if (!a64_sign_extending_load(d) || d->rt == 31 || d->size != x->mmio.len || d->writeback ||
        (d->rt_kind != A64_REG_W && d->rt_kind != A64_REG_X) ||
        (d->addr != A64_ADDR_OFFSET && d->addr != A64_ADDR_REG))
        return -1;
    struct a64_regs r = {.pc = *pc};
    uint64_t *base = d->rn == 31 ? &r.sp : &r.x[d->rn];
    if (vcpu_get_base(c, d->rn, pstate, base) ||
        (d->addr == A64_ADDR_REG && d->rm != 31 && vcpu_get(c, vcpu_reg_x(d->rm), &r.x[d->rm])))
        return -1;
    uint64_t pa;
    const char *why;
    if (guest_va_to_pa(&c->vm->ram, &s1, a64_address(d, &r), &pa, &why) || pa != x->mmio.ipa)
        return -1;
    return 0;
}

/*
 * KVM on the nested host returns sign-extending MMIO loads zero-extended
 * (reference README). After a read, if the instruction is LDRSB/LDRSH/LDRSW:
 * let KVM complete the access without running the guest (immediate_exit),
 * then write the architecturally correct value into Rt.
 */
static int fix_sign_extension(struct vcpu *c, const struct exit_info *x, uint64_t value)
{
    /* Sign- and zero-extension agree unless the value's top bit is set; only
     * then is it worth the ioctls to learn which instruction loaded it --
     * except under --nisv=audit, which notes every sign-extending load. */
    unsigned len = x->mmio.len;
    bool top = len < 8 && ((value >> (8 * len - 1)) & 1);
    if (len >= 8 || (!top && !c->vm->audit))
        return KEEP_RUNNING;
    uint64_t pc, pa;
    struct a64_ldst d;
    if (sext_insn(c, x, &pc, &d, &pa))
        return KEEP_RUNNING;
    if (c->vm->audit)
        audit_note_sext(c->vm->audit, &c->vm->bus, &x->mmio, pc, pa, d.raw);
    if (!top || !c->vm->fix_sign_extension)
        return KEEP_RUNNING;
    c->run->immediate_exit = 1;
    int r = ioctl(c->fd, KVM_RUN, 0);
    /* Clear it, then look for a stop: vm_stop sets `stopping`, then
     * immediate_exit, so one of the two is seen (both sequentially
     * consistent); a kick is never undone. */
    __atomic_store_n(&c->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
    if (atomic_load(&c->vm->stopping))
        __atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (r == 0 || errno != EINTR) {
        vm_report(c->vm, "isv: completing a sign-extending load at pc 0x%llx: %s\n",
                (unsigned long long)pc, r == 0 ? "the guest ran" : strerror(errno));
        return ISV_EXIT_INTERNAL;
    }
    uint64_t v;
    if (vcpu_get(c, vcpu_reg_x(d.rt), &v) ||
        vcpu_set(c, vcpu_reg_x(d.rt), a64_fix_sign_extension(&d, v))) {
        vm_report(c->vm, "isv: fixing x%u after a sign-extending load: %s\n", d.rt,
                strerror(errno));
        return ISV_EXIT_INTERNAL;
    }
    c->sext_fixed++;
    return KEEP_RUNNING;
}

/* --trace-mmio: one line per device access, after the device handled it.
 * Called only when tracing (vm->trace), so it costs nothing otherwise. */
static void trace_access(struct vcpu *c, enum trace_via via, uint64_t ipa, unsigned len,
                         bool is_write, enum bus_status st, const struct device *dev,
                         uint64_t value, bool have_pc, uint64_t pc)
{
    struct trace_rec r = {.via = via, .vcpu = (int)c->id, .is_write = is_write, .len = len,
                          .ipa = ipa, .status = st, .dev = dev ? dev->name : NULL,
                          .offset = dev ? ipa - dev->base : 0, .value = value,
                          .have_pc = have_pc, .pc = pc};
    trace_log(c->vm->trace, &r);
}

/* A trapped access: KVM_EXIT_MMIO carries no PC, so it costs a
 * KVM_GET_ONE_REG, made only here. */
__attribute__((noinline)) static void trace_mmio(struct vcpu *c, const struct mmio_access *a,
                                                 enum bus_status st, const struct device *dev,
                                                 uint64_t value)
{
    uint64_t pc = 0;
    bool have_pc = vcpu_get(c, vcpu_reg_pc(), &pc) == 0;
    trace_access(c, TRACE_MMIO, a->ipa, a->len, a->is_write, st, dev, value, have_pc, pc);
}

/* An access the NISV emulator made (nisv_observer): the PC is the snapshot's. */
struct nisv_trace {
    struct vcpu *c;
    uint64_t pc;
};

static void trace_nisv(void *ctx, uint64_t pa, unsigned len, bool is_write, uint64_t value,
                       enum bus_status st, struct device *dev)
{
    const struct nisv_trace *t = ctx;
    trace_access(t->c, TRACE_NISV, pa, len, is_write, st, dev, value, true, t->pc);
}

static int handle_mmio(struct vcpu *c, const struct exit_info *x)
{
    struct vm *vm = c->vm;
    struct device *dev;
    uint64_t v = x->mmio.data;
    enum bus_status st = bus_access(&vm->bus, x->mmio.ipa, x->mmio.len, x->mmio.is_write, &v, &dev);
    if (vm->collect_stats)
        stats_mmio(&c->stats, dev, x->mmio.is_write, x->mmio.len,
                   stats_now_ns() - c->exit_start_ns);
    if (vm->trace)
        trace_mmio(c, &x->mmio, st, dev, v);
    if (st != BUS_OK)
        return report_unmapped(c, &x->mmio, st);
    if (!x->mmio.is_write) {
        exit_complete_read(c->run, v);
        if (vm->fix_sign_extension || vm->audit)
            return fix_sign_extension(c, x, v);
    }
    return KEEP_RUNNING;
}

/* The fault the CPU would have raised for an access of the emulated
 * instruction: a data abort taken to EL1, as the CPU enters it. */
static int deliver_fault(struct vcpu *c, const struct vcpu_snapshot *st,
                         const struct nisv_fault *f, char *action, size_t len)
{
    uint64_t vbar = 0;
    int err = vcpu_get_vbar(c, &vbar);
    struct a64_exc_entry e = a64_data_abort_entry(st->pstate, st->regs.pc, st->s1.sctlr, vbar,
                                                  f->va, f->dfsc, f->write);
    if (err || vcpu_enter_exception(c, &e)) {
        snprintf(action, len, "delivering a data abort failed (%s): stopping", strerror(errno));
        return ISV_EXIT_INTERNAL;
    }
    snprintf(action, len, "the CPU would fault: %s %s at 0x%llx (DFSC 0x%02x) delivered to EL1",
             f->what, f->write ? "writing" : "reading", (unsigned long long)f->va, f->dfsc);
    return KEEP_RUNNING;
}

static int handle_nisv(struct vcpu *c, const struct exit_info *x)
{
    struct vm *vm = c->vm;
    struct vcpu_snapshot st;
    struct guest_insn insn;
    char report[1024], why[200], action[240];
    uint64_t t0 = vm->collect_stats ? c->exit_start_ns : 0;

    if (vcpu_snapshot(c, &st)) {
        vm_report(vm, "isv: reading vCPU registers after a no-syndrome abort: %s\n",
                strerror(errno));
        return ISV_EXIT_INTERNAL;
    }
    guest_fetch_insn_rom(&vm->ram, &vm->rom, &st.s1, st.pstate, st.regs.pc, &insn);
    unsigned reason = insn.error ? A64_R_COUNT : (unsigned)insn.d.reason;
    if (vm->collect_stats)
        stats_nisv(&c->stats, reason, insn.error ? "unfetched" : a64_reason_tag(insn.d.reason),
                   stats_now_ns() - t0);
    if (vm->audit)
        audit_note_nisv(vm->audit, &vm->bus, x->nisv_ipa, x->nisv_esr_iss, &insn);

    int rc = KEEP_RUNNING;
    switch (vm->nisv) {
    case NISV_STOP:
        snprintf(action, sizeof action, "stopping (--nisv=stop)");
        rc = ISV_EXIT_NISV;
        break;
    case NISV_INJECT:
        if (vcpu_inject_ext_dabt(c)) {
            snprintf(action, sizeof action, "injecting an external abort failed (%s): stopping",
                     strerror(errno));
            rc = ISV_EXIT_INTERNAL;
            break;
        }
        snprintf(action, sizeof action, "injected an external data abort (--nisv=inject)");
        if (++c->nisv_injected > NISV_REPORT_LIMIT)
            return KEEP_RUNNING;
        break;
    case NISV_EMULATE:
    case NISV_AUDIT: {
        struct nisv_fault f;
        struct nisv_trace tr = {c, st.regs.pc};
        const struct nisv_observer obs = {trace_nisv, &tr};
        int er = nisv_emulate_observed(&st, &insn, &vm->ram, &vm->bus, x->nisv_ipa,
                                       x->nisv_esr_iss, &f, why, sizeof why,
                                       vm->trace ? &obs : NULL);
        if (er == NISV_REFUSED) {
            snprintf(action, sizeof action, "cannot emulate it (%s): stopping", why);
            rc = ISV_EXIT_NISV;
            break;
        }
        if (er == NISV_FAULT) {
            rc = deliver_fault(c, &st, &f, action, sizeof action);
        } else if (vcpu_restore(c, &st)) {
            vm_report(vm, "isv: writing vCPU registers after emulation: %s\n", strerror(errno));
            return ISV_EXIT_INTERNAL;
        } else {
            snprintf(action, sizeof action, "emulated (--nisv=%s)", nisv_policy_name(vm->nisv));
        }
        if (rc != KEEP_RUNNING)
            break;
        *(er == NISV_FAULT ? &c->nisv_faults : &c->nisv_emulated) += 1;
        /* One report budget for both: each is guest-triggered. The audit
         * lists what it emulated at exit instead. */
        if (c->nisv_faults + c->nisv_emulated > NISV_REPORT_LIMIT ||
            (vm->audit && er == NISV_DONE))
            return KEEP_RUNNING;
        break;
    }
    }
    size_t n = nisv_report(x->nisv_ipa, x->nisv_esr_iss, &insn, action, report, sizeof report);
    char sym[200];
    if (n < sizeof report &&
        guest_syms_name(&vm->syms, insn.pc, insn.pa, !insn.error, sym, sizeof sym))
        snprintf(report + n, sizeof report - n, "isv:   symbol: %s\n", sym);
    vm_report(vm, "%s", report);
    return rc;
}

static int handle_system_event(struct vcpu *c, const struct exit_info *x)
{
    switch (x->kind) {
    case EXIT_SHUTDOWN:
        return ISV_EXIT_POWEROFF;
    case EXIT_RESET:
        vm_report(c->vm, "isv: guest requested a reset\n");
        return ISV_EXIT_RESET;
    default:
        vm_report(c->vm, "isv: guest system event %u (crash) on vCPU %u\n", x->event_type, c->id);
        return ISV_EXIT_INTERNAL;
    }
}

static enum stat_kind stat_kind_of(enum exit_kind k)
{
    switch (k) {
    case EXIT_NISV: return STAT_NISV;
    case EXIT_SHUTDOWN:
    case EXIT_RESET:
    case EXIT_SYSTEM_OTHER: return STAT_SYSTEM_EVENT;
    case EXIT_INTR: return STAT_INTR;
    default: return STAT_OTHER;
    }
}

/* One vCPU until it stops the VM or is told to stop: the first returns an
 * enum isv_exit, the second KICKED. */
#define KICKED (-2)
static int vcpu_loop(struct vcpu *c)
{
    struct vm *vm = c->vm;
    int rc = KEEP_RUNNING;
    while (rc == KEEP_RUNNING) {
        /* Checked before each entry: vm_stop sets `stopping` before it sets
         * immediate_exit and signals, so a stop is never slept through. */
        if (atomic_load(&vm->stopping))
            return KICKED;
        int r = ioctl(c->fd, KVM_RUN, 0);
        if (vm->collect_stats) {
            c->exit_start_ns = stats_now_ns();
            c->stats.runs++;
        }
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                if (vm->collect_stats)
                    stats_exit(&c->stats, STAT_INTR, 0);
                continue;
            }
            vm_report(vm, "isv: KVM_RUN on vCPU %u: %s (pc 0x%llx)\n", c->id, strerror(errno),
                      (unsigned long long)vcpu_pc(c));
            return ISV_EXIT_INTERNAL;
        }
        struct exit_info x;
        exit_decode(c->run, &x);
        switch (x.kind) {
        case EXIT_MMIO:
            rc = handle_mmio(c, &x); /* counted there, with its device */
            continue;
        case EXIT_NISV:
            rc = handle_nisv(c, &x); /* counted there, with its reason */
            continue;
        case EXIT_SHUTDOWN:
        case EXIT_RESET:
        case EXIT_SYSTEM_OTHER:
            rc = handle_system_event(c, &x);
            break;
        case EXIT_INTR:
            break;
        case EXIT_FAIL_ENTRY:
            vm_report(vm, "isv: KVM could not enter vCPU %u (hardware reason 0x%llx)\n", c->id,
                      (unsigned long long)x.detail);
            rc = ISV_EXIT_INTERNAL;
            break;
        case EXIT_INTERNAL_ERROR:
            vm_report(vm, "isv: KVM internal error on vCPU %u (suberror %llu)\n", c->id,
                      (unsigned long long)x.detail);
            rc = ISV_EXIT_INTERNAL;
            break;
        case EXIT_UNKNOWN:
            vm_report(vm, "isv: unexpected KVM exit reason %u on vCPU %u (pc 0x%llx)\n", x.reason,
                      c->id, (unsigned long long)vcpu_pc(c));
            rc = ISV_EXIT_INTERNAL;
            break;
        }
        if (vm->collect_stats)
            stats_exit(&c->stats, stat_kind_of(x.kind), stats_now_ns() - c->exit_start_ns);
    }
    return rc;
}

/* Signals: KICK, sent only to vCPU threads, interrupts KVM_RUN (its handler
 * does nothing; the EINTR is the point). WAKE, sent only to the main thread,
 * which blocks it and takes it with sigwaitinfo, says a vCPU stopped the VM. */
#define SIG_KICK SIGUSR1
#define SIG_WAKE SIGUSR2

static void *vcpu_thread(void *arg)
{
    struct vcpu *c = arg;
    if (c->vm->collect_stats)
        c->stats.start_ns = stats_now_ns();
    int rc = vcpu_loop(c);
    if (c->vm->collect_stats)
        c->stats.end_ns = stats_now_ns();
    if (rc != KICKED)
        vm_stop(c->vm, rc);
    return NULL;
}

void vm_stop(struct vm *vm, int rc)
{
    /* Kicks go out under stop_lock, so no kick can reach a thread the main
     * thread has already joined (it takes the lock before joining). */
    pthread_mutex_lock(&vm->stop_lock);
    bool first = !atomic_load(&vm->stopping);
    if (first) {
        vm->stop_rc = rc;
        atomic_store(&vm->stopping, true);
        for (unsigned i = 0; i < vm->ncpus; i++) {
            struct vcpu *c = &vm->vcpus[i];
            if (!c->thread_started)
                continue;
            __atomic_store_n(&c->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
            pthread_kill(c->thread, SIG_KICK);
        }
        if (!pthread_equal(pthread_self(), vm->main_thread))
            pthread_kill(vm->main_thread, SIG_WAKE);
    }
    pthread_mutex_unlock(&vm->stop_lock);
}

static void on_kick(int sig)
{
    (void)sig;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

/* How long the vCPUs get to leave KVM_RUN and their exit handlers after a
 * stop before the VMM gives up on them. */
#define STOP_JOIN_MS 10000

/* Join every vCPU thread. A second stop signal meanwhile, or a thread that
 * does not return in time (stuck in a device), ends the process at once,
 * with what the console holds written out. */
static void join_vcpus(struct vm *vm, const sigset_t *stopset)
{
    /* Any vm_stop still kicking finishes first (see vm_stop). */
    pthread_mutex_lock(&vm->stop_lock);
    pthread_mutex_unlock(&vm->stop_lock);
    uint64_t deadline = stats_now_ns() + STOP_JOIN_MS * 1000000ull;
    for (unsigned i = 0; i < vm->ncpus; i++) {
        struct vcpu *c = &vm->vcpus[i];
        if (!c->thread_started)
            continue;
        for (;;) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 100 * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            if (pthread_timedjoin_np(c->thread, NULL, &ts) == 0)
                break;
            const struct timespec zero = {0, 0};
            int sig = sigtimedwait(stopset, NULL, &zero);
            if (sig > 0 && sig != SIG_WAKE) {
                chardev_emergency();
                trace_emergency(vm->trace);
                fprintf(stderr, "isv: %s again: exiting without waiting for vCPU %u\n",
                        signal_name(sig), i);
                _exit(ISV_EXIT_SIGNAL + sig);
            }
            if (stats_now_ns() > deadline) {
                chardev_emergency();
                trace_emergency(vm->trace);
                fprintf(stderr, "isv: vCPU %u did not stop within %d s: exiting\n", i,
                        STOP_JOIN_MS / 1000);
                _exit(ISV_EXIT_INTERNAL);
            }
        }
    }
}

int vm_run(struct vm *vm)
{
    sigset_t waitset, kick;
    sigemptyset(&waitset);
    sigaddset(&waitset, SIG_WAKE);
    /* Stop signals, unless our parent set them to be ignored (nohup, a
     * background job's SIGINT): a blocked signal is queued even then. */
    static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++) {
        struct sigaction o;
        if (sigaction(stop_signals[i], NULL, &o) == 0 && !(o.sa_flags & SA_SIGINFO) &&
            o.sa_handler == SIG_IGN)
            continue;
        sigaddset(&waitset, stop_signals[i]);
    }
    sigemptyset(&kick);
    sigaddset(&kick, SIG_KICK);
    struct sigaction sa = {.sa_handler = on_kick}; /* no SA_RESTART: KVM_RUN must fail */
    sigemptyset(&sa.sa_mask);
    sigaction(SIG_KICK, &sa, NULL);
    /* vCPU threads inherit this mask: stop signals wait for the main thread;
     * the kick must get through even if our parent blocked it. Stop signals
     * stay blocked to the end: after the join, a second Ctrl-C must not cut
     * short the flushing that follows. */
    pthread_sigmask(SIG_BLOCK, &waitset, NULL);
    pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
    vm->main_thread = pthread_self();

    for (unsigned i = 0; i < vm->ncpus && !atomic_load(&vm->stopping); i++) {
        struct vcpu *c = &vm->vcpus[i];
        int e = pthread_create(&c->thread, NULL, vcpu_thread, c);
        if (e) {
            vm_report(vm, "isv: cannot start the thread of vCPU %u: %s\n", i, strerror(e));
            vm_stop(vm, ISV_EXIT_INTERNAL);
            break;
        }
        char name[16];
        snprintf(name, sizeof name, "vcpu%u", i);
        pthread_setname_np(c->thread, name);
        /* A stop before this point is seen by the thread itself, at the top
         * of its loop; one after it kicks the thread (vm_stop reads this
         * under the same lock). */
        pthread_mutex_lock(&vm->stop_lock);
        c->thread_started = true;
        pthread_mutex_unlock(&vm->stop_lock);
    }

    while (!atomic_load(&vm->stopping)) {
        int sig = sigwaitinfo(&waitset, NULL);
        if (sig < 0 || sig == SIG_WAKE)
            continue;
        vm_stop(vm, ISV_EXIT_SIGNAL + sig);
        vm_report(vm, "isv: %s: stopping the guest\n", signal_name(sig));
    }
    join_vcpus(vm, &waitset);
    return vm->stop_rc;
}
