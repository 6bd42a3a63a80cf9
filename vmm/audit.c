/* The --nisv=audit table (see audit.h). */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "../devices/device.h"
#include "arm64/a64.h"
#include "arm64/esr.h"
#include "bus.h"
#include "exit.h"
#include "guest_syms.h"
#include "nisv.h"

void audit_init(struct audit *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
}

void audit_destroy(struct audit *a)
{
    pthread_mutex_destroy(&a->lock);
}

static bool same_insn(const struct audit_event *x, const struct audit_event *y)
{
    return x->pc == y->pc && x->kind == y->kind && x->fetched == y->fetched &&
           (!x->fetched || x->word == y->word);
}

void audit_note(struct audit *a, const struct audit_event *ev)
{
    pthread_mutex_lock(&a->lock);
    a->total++;
    struct audit_entry *e = NULL;
    for (size_t i = 0; i < a->n && !e; i++)
        if (same_insn(&a->v[i].ev, ev))
            e = &a->v[i];
    if (e) {
        e->count++;
        if (ev->ipa != e->ev.ipa)
            e->other_addrs = true;
    } else if (a->n < AUDIT_MAX_PCS) {
        e = &a->v[a->n++];
        *e = (struct audit_entry){.ev = *ev, .count = 1};
        if (ev->dev) {
            snprintf(e->dev, sizeof e->dev, "%s", ev->dev);
            e->ev.dev = e->dev;
        }
    } else {
        a->dropped++;
    }
    pthread_mutex_unlock(&a->lock);
}

static void set_dev(struct audit_event *ev, const struct bus *bus, unsigned len)
{
    const struct device *dev = bus_find(bus, ev->ipa, len);
    if (dev) {
        ev->dev = dev->name;
        ev->dev_base = dev->base;
    }
}

void audit_note_nisv(struct audit *a, const struct bus *bus, uint64_t ipa, uint64_t esr_iss,
                     const struct guest_insn *insn)
{
    struct audit_event ev = {.kind = AUDIT_NISV, .pc = insn->pc, .fetched = !insn->error,
                             .pc_pa = insn->pa, .word = insn->word,
                             .fetch_error = insn->error, .is_write = esr_iss & ESR_ISS_WNR,
                             .ipa = ipa};
    set_dev(&ev, bus, 1);
    audit_note(a, &ev);
}

void audit_note_sext(struct audit *a, const struct bus *bus, const struct mmio_access *m,
                     uint64_t pc, uint64_t pa, uint32_t word)
{
    struct audit_event ev = {.kind = AUDIT_SEXT, .pc = pc, .fetched = true, .pc_pa = pa,
                             .word = word, .ipa = m->ipa, .len = m->len};
    set_dev(&ev, bus, m->len);
    audit_note(a, &ev);
}

bool audit_found(struct audit *a)
{
    pthread_mutex_lock(&a->lock);
    bool found = a->total > 0;
    pthread_mutex_unlock(&a->lock);
    return found;
}

/* "8-bit read", "2x64-bit write", "32-bit read-modify-write", ... */
static void access_text(const struct audit_event *ev, const struct a64_ldst *d, char *buf,
                        size_t size)
{
    if (ev->kind == AUDIT_SEXT) {
        snprintf(buf, size, "%u-bit read", 8 * ev->len);
        return;
    }
    const char *dir = ev->is_write ? "write" : "read";
    if (!d) {
        snprintf(buf, size, "%s of unknown width", dir);
        return;
    }
    switch (d->access) {
    case A64_ACC_LOAD: dir = "read"; break;
    case A64_ACC_STORE: dir = "write"; break;
    case A64_ACC_RMW: dir = "read-modify-write"; break;
    case A64_ACC_COPY: dir = ev->is_write ? "copy/set write" : "copy/set read"; break;
    default: break;
    }
    if (d->rt_kind == A64_REG_VLIST)
        snprintf(buf, size, "%u-register SIMD %s", d->nregs, dir);
    else if (d->size == 0)
        snprintf(buf, size, "%s", dir);
    else if (d->has_rt2)
        snprintf(buf, size, "2x%u-bit %s", 8 * d->size, dir);
    else
        snprintf(buf, size, "%u-bit %s", 8 * d->size, dir);
}

/* Every reason the instruction has, the primary one first: "pair+writeback".
 * A sign-extending load is named too: rewritten without its ISV=0 form it
 * would still be wrong on KVM. */
static void reason_tags(const struct a64_ldst *d, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s", a64_reason_tag(d->reason));
    for (unsigned r = 1; r < A64_R_COUNT; r++) {
        if (r == (unsigned)d->reason || !(d->reasons & (1u << r)) || n < 0 || (size_t)n >= size)
            continue;
        n += snprintf(buf + n, size - (size_t)n, "+%s", a64_reason_tag((enum a64_reason)r));
    }
    if (d->sign_extend && d->access == A64_ACC_LOAD && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "+sign-extend");
}

/* What to write instead, by the primary reason. */
static const char *advice(const struct audit_event *ev, const struct a64_ldst *d)
{
    if (ev->kind == AUDIT_SEXT)
        return "a zero-extending ldrb/ldrh/ldr, then sign-extend in a register "
               "(sxtb/sxth/sxtw), e.g. (int8_t)mmio_read() of <mmio.h>";
    switch (d ? d->reason : A64_OK) {
    case A64_R_PAIR:
        return "one single-register ldr/str per register, without writeback "
               "(mmio_read()/mmio_write() of <mmio.h>)";
    case A64_R_WRITEBACK:
        return "a single-register ldr/str without writeback, the pointer moved by its own "
               "add (mmio_read()/mmio_write() of <mmio.h>)";
    case A64_R_EXCLUSIVE:
    case A64_R_ATOMIC:
        return "a plain single-register ldr/str: no exclusive or atomic on a device "
               "register, a lock around read-modify-write (mmio_read()/mmio_write() of "
               "<mmio.h>)";
    case A64_R_SIMD_FP:
    case A64_R_SIMD_STRUCT:
        return "a single general-purpose-register ldr/str: no SIMD/FP, memcpy or vector "
               "code on MMIO (mmio_read()/mmio_write() of <mmio.h>)";
    case A64_R_MOPS:
        return "a loop of single-register ldr/str: no memcpy/memset (MOPS) on MMIO "
               "(mmio_read()/mmio_write() of <mmio.h>)";
    default:
        return "a single-register ldr/str without writeback (mmio_read()/mmio_write() of "
               "<mmio.h>)";
    }
}

size_t audit_format(const struct audit_entry *e, const struct guest_syms *syms, char *buf,
                    size_t size)
{
    const struct audit_event *ev = &e->ev;
    struct a64_ldst d;
    if (ev->fetched)
        a64_decode(ev->word, &d);
    const struct a64_ldst *dp = ev->fetched ? &d : NULL;

    char sym[200], where[96], acc[48], insn[128], why[200];
    char name[190];
    const char *several = e->other_addrs ? " (first of several addresses)" : "";
    sym[0] = '\0';
    if (guest_syms_name(syms, ev->pc, ev->pc_pa, ev->fetched, name, sizeof name))
        snprintf(sym, sizeof sym, " <%s>", name);
    if (ev->dev)
        snprintf(where, sizeof where, "%s+0x%llx%s", ev->dev,
                 (unsigned long long)(ev->ipa - ev->dev_base), several);
    else
        snprintf(where, sizeof where, "IPA 0x%llx (no device)%s", (unsigned long long)ev->ipa,
                 several);
    access_text(ev, dp, acc, sizeof acc);
    if (dp) {
        char dis[96];
        a64_format(dp, ev->pc, dis, sizeof dis);
        snprintf(insn, sizeof insn, "%08x %s", ev->word, dis);
    } else {
        snprintf(insn, sizeof insn, "instruction not fetched (%s)",
                 ev->fetch_error ? ev->fetch_error : "unknown");
    }
    if (ev->kind == AUDIT_SEXT) {
        snprintf(why, sizeof why, "sign-extend: sign-extending load: KVM returns the value "
                                  "zero-extended");
    } else if (dp) {
        char tags[64];
        reason_tags(dp, tags, sizeof tags);
        snprintf(why, sizeof why, "%s: %s", tags, a64_reason_desc(dp->reason));
    } else {
        snprintf(why, sizeof why, "no valid syndrome (the instruction is not known)");
    }
    int n = snprintf(buf, size, "isv: audit: pc 0x%llx%s: %llu access%s, %s, %s: %s; why: %s; "
                                "use: %s\n",
                     (unsigned long long)ev->pc, sym, (unsigned long long)e->count,
                     e->count == 1 ? "" : "es", where, acc, insn, why, advice(ev, dp));
    if (n < 0)
        return 0;
    if ((size_t)n >= size && size >= 2)
        buf[size - 2] = '\n'; /* cut short: still a whole line */
    return (size_t)n;
}

static int by_pc(const void *x, const void *y)
{
    const struct audit_entry *a = x, *b = y;
    if (a->ev.pc != b->ev.pc)
        return a->ev.pc < b->ev.pc ? -1 : 1;
    if (a->ev.kind != b->ev.kind)
        return a->ev.kind < b->ev.kind ? -1 : 1;
    return a->ev.word < b->ev.word ? -1 : a->ev.word > b->ev.word;
}

void audit_print(struct audit *a, const struct guest_syms *syms, FILE *out)
{
    pthread_mutex_lock(&a->lock);
    if (a->total == 0) {
        fprintf(out, "isv: audit: clean: no access without a valid syndrome, no "
                     "sign-extending MMIO load\n");
        pthread_mutex_unlock(&a->lock);
        return;
    }
    qsort(a->v, a->n, sizeof *a->v, by_pc);
    for (size_t i = 0; i < a->n; i++) /* dev points into the entry, which moved */
        if (a->v[i].ev.dev)
            a->v[i].ev.dev = a->v[i].dev;
    size_t pcs = a->n;
    fprintf(out, "isv: audit: %llu access%s at %zu%s PC%s not virtualizable on a stock KVM host "
                 "(--nisv=audit):\n",
            (unsigned long long)a->total, a->total == 1 ? "" : "es", pcs,
            a->dropped ? " or more" : "", pcs == 1 && !a->dropped ? "" : "s");
    char line[1024];
    for (size_t i = 0; i < a->n; i++) {
        audit_format(&a->v[i], syms, line, sizeof line);
        fputs(line, out);
    }
    if (a->dropped)
        fprintf(out, "isv: audit: table full (%d PCs): %llu more access%s at other PCs not "
                     "listed\n",
                AUDIT_MAX_PCS, (unsigned long long)a->dropped, a->dropped == 1 ? "" : "es");
    pthread_mutex_unlock(&a->lock);
}
