/*
 * C side of the vectors: IRQs go to the registered handler; every other
 * exception is reported with its syndrome and the guest stops with a PSCI
 * SYSTEM_RESET, which the VMM reports as a distinct exit (and plain QEMU with
 * -no-reboot exits on), so a fault never hangs silently.
 */
#include "guest.h"

static const char *const kind_names[16] = {
    "sync (SP_EL0)", "irq (SP_EL0)", "fiq (SP_EL0)", "serror (SP_EL0)",
    "sync", "irq", "fiq", "serror",
    "sync (lower EL)", "irq (lower EL)", "fiq (lower EL)", "serror (lower EL)",
    "sync (AArch32)", "irq (AArch32)", "fiq (AArch32)", "serror (AArch32)",
};

static irq_handler_fn irq_handler;
static exc_hook_fn exc_hook;
static bool catch_aborts;
static volatile bool abort_armed, abort_seen;
static volatile uint64_t abort_esr;

void abort_catch(bool on)
{
    catch_aborts = on;
}

void abort_expect(void)
{
    abort_armed = catch_aborts;
    abort_seen = false;
}

bool abort_taken(uint64_t *esr)
{
    abort_armed = false;
    *esr = abort_esr;
    return abort_seen;
}

void irq_set_handler(irq_handler_fn fn)
{
    irq_handler = fn;
}

void exc_set_hook(exc_hook_fn fn)
{
    exc_hook = fn;
}

void guest_fail(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    kprintf("isv-guest: FATAL: %s\n", buf);
    psci_system_reset();
}

void exception_entry(struct trap_frame *f, uint64_t kind);
void exception_entry(struct trap_frame *f, uint64_t kind)
{
    if ((kind == 1 || kind == 5) && irq_handler) {
        irq_handler();
        return;
    }
    uint64_t esr, far;
    __asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
    __asm__ volatile("mrs %0, far_el1" : "=r"(far));
    if (exc_hook && exc_hook(f, kind, esr, far))
        return;
    if (kind == 4 && ((esr >> 26) & 0x3f) == 0x25 && abort_armed) {
        /* An abort a test asked for: note it and skip the instruction. */
        abort_esr = esr;
        abort_seen = true;
        abort_armed = false;
        f->elr += 4;
        return;
    }
    guest_fail("unexpected exception: %s, ESR_EL1 0x%lx (EC 0x%lx), ELR 0x%lx, FAR 0x%lx",
               kind_names[kind & 15], (unsigned long)esr, (unsigned long)(esr >> 26) & 0x3f,
               (unsigned long)f->elr, (unsigned long)far);
}
