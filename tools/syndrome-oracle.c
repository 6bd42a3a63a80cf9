/*
 * syndrome-oracle: check the A64 decoder's syndrome prediction against the
 * ESR_EL2 the CPU (model) really reported, as recorded by KVM's
 * kvm_guest_fault tracepoint.
 *
 *   syndrome-oracle --load ADDR [--ram BASE:SIZE] [--require SYM[,SYM...]]
 *                   [--require-prefix PREFIX] ELF TRACE
 *
 * TRACE ("-" = stdin) is any text holding tracefs lines of kvm_guest_fault;
 * other lines are ignored. ELF is the guest as linked (vaddr = pc - ADDR).
 * Every data abort whose IPA is outside RAM (an MMIO trap) is checked: the
 * instruction at pc is decoded and the ESR it must produce is compared with the
 * real one, field by field:
 *   - EC = data abort from a lower EL, IL = 1, ISS2 = 0;
 *   - ISV as predicted; with ISV=1 also SAS, SSE, SRT, SF, AR; with ISV=0
 *     ISS[23:14] must be 0 (RES0);
 *   - WnR as predicted for every plain load/store, ISV or not (the Arm ARM
 *     defines WnR for all data aborts; only atomic read-modify-writes report
 *     whichever access faulted, so those are not compared);
 *   - the fault itself: an MMIO IPA has no stage-2 mapping, so DFSC must be a
 *     translation fault (any level: the level depends on KVM's tables, not on
 *     the instruction), and S1PTW, CM, EA, FnV, SET/LST and VNCR are 0.
 * One row per distinct (pc, ESR); a required symbol with no MMIO trap at its
 * address fails the run, so an empty or truncated trace cannot pass.
 * Exit status: 0 all match, 1 a mismatch or a required symbol missing (or no
 * MMIO trap at all), 2 usage or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/arm64/a64.h"
#include "../vmm/arm64/esr.h"
#include "../vmm/config.h"
#include "../vmm/elf/elf_section.h"
#include "../vmm/elf/elf_syms.h"
#include "kvm_trace.h"

struct row {
    uint64_t pc, esr;
    unsigned hits;
    bool lib; /* pc is recorded in .mmio_insns: an accessor-library access */
};

struct rows {
    struct row *v;
    size_t n, cap;
};

struct image {
    struct elf_section text, mmio;
    bool have_mmio;
    struct elf_syms syms;
    uint64_t load;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        perror("syndrome-oracle");
        exit(2);
    }
    return p;
}

static void add_hit(struct rows *r, uint64_t pc, uint64_t esr)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].pc == pc && r->v[i].esr == esr) {
            r->v[i].hits++;
            return;
        }
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    r->v[r->n++] = (struct row){pc, esr, 1, false};
}

/* The instruction word at a guest pc, from .text. */
static bool fetch(const struct image *im, uint64_t pc, uint32_t *word)
{
    if (pc < im->load)
        return false;
    uint64_t va = pc - im->load, t = im->text.addr;
    if (va < t || va - t > im->text.size || im->text.size - (va - t) < 4 || va % 4)
        return false;
    const uint8_t *p = im->text.data + (va - t);
    *word = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return true;
}

static bool in_mmio_insns(const struct image *im, uint64_t pc)
{
    if (!im->have_mmio)
        return false;
    for (size_t i = 0; i + 4 <= im->mmio.size; i += 4) {
        const uint8_t *p = im->mmio.data + i;
        int32_t rel = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                                (uint32_t)p[3] << 24);
        if (im->mmio.addr + i + (uint64_t)(int64_t)rel + im->load == pc)
            return true;
    }
    return false;
}

/* Appends "; what" to the verdict. */
static void note(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(char *why, size_t size, const char *fmt, ...)
{
    size_t len = strlen(why);
    if (len + 3 >= size)
        return;
    if (len) {
        strcpy(why + len, "; ");
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why + len, size - len, fmt, ap);
    va_end(ap);
}

#define CMP(name, real, pred) \
    do { \
        if ((unsigned)(real) != (unsigned)(pred)) \
            note(why, size, name " real %u predicted %u", (unsigned)(real), (unsigned)(pred)); \
    } while (0)

/* Compare a real ESR with what the decoded instruction must produce. Empty
 * `why` = match. */
static void judge(const struct a64_ldst *d, uint64_t esr, char *why, size_t size)
{
    why[0] = '\0';
    struct esr_info e;
    esr_decode(esr, &e);
    if (e.ec != ESR_EC_DABT_LOW) {
        note(why, size, "EC 0x%02x, predicted 0x%02x (data abort, lower EL)", e.ec,
             ESR_EC_DABT_LOW);
        return;
    }
    if (d->reason == A64_R_NOT_LDST || d->reason == A64_R_UNALLOCATED ||
        d->reason == A64_R_PREFETCH) {
        note(why, size, "the decoder says this instruction makes no data access (%s)",
             a64_reason_tag(d->reason));
        return;
    }
    struct esr_dabt a;
    esr_dabt_decode(esr, &a);
    const struct a64_iss *p = &d->iss;
    CMP("IL", e.il, 1);
    if (e.iss2 || e.res0_nonzero)
        note(why, size, "ESR[63:32] 0x%" PRIx64 ", predicted 0", esr >> 32);
    CMP("ISV", a.isv, p->isv);
    if (a.isv && p->isv) {
        CMP("SAS", a.sas, p->sas);
        CMP("SSE", a.sse, p->sse);
        CMP("SRT", a.srt, p->srt);
        CMP("SF", a.sf, p->sf);
        CMP("AR", a.ar, p->ar);
    }
    if (!a.isv && a.res0_nonzero)
        note(why, size, "ISS[23:14] 0x%x with ISV=0, predicted 0 (RES0)",
             (unsigned)(esr >> 14) & 0x3ff);
    if (p->wnr_known)
        CMP("WnR", a.wnr, p->wnr);
    if (a.fsc.kind != ESR_FSC_TRANSLATION)
        note(why, size, "DFSC 0x%02x (%s), predicted a translation fault", a.fsc.code,
             a.fsc.desc);
    CMP("S1PTW", a.s1ptw, 0);
    CMP("CM", a.cm, 0);
    CMP("EA", a.ea, 0);
    CMP("FnV", a.fnv, 0);
    CMP("SET/LST", a.set_lst, 0);
    CMP("VNCR", a.vncr, 0);
}

static void fmt_iss(char *buf, size_t size, bool isv, unsigned sas, bool sse, unsigned srt,
                    bool sf, bool ar, int wnr)
{
    char w[8];
    snprintf(w, sizeof(w), wnr < 0 ? "?" : "%d", wnr);
    if (isv)
        snprintf(buf, size, "ISV=1 SAS=%u SSE=%d SRT=%-2u SF=%d AR=%d WnR=%s", sas, sse, srt, sf,
                 ar, w);
    else
        snprintf(buf, size, "ISV=0 WnR=%s", w);
}

struct required {
    char **names;
    size_t n, cap;
};

static void require(struct required *r, const char *name, size_t len)
{
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->names[i]) == len && strncmp(r->names[i], name, len) == 0)
            return;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 32;
        r->names = xrealloc(r->names, r->cap * sizeof(*r->names));
    }
    char *s = xrealloc(NULL, len + 1);
    memcpy(s, name, len);
    s[len] = '\0';
    r->names[r->n++] = s;
}

static const struct elf_sym *sym_by_name(const struct elf_syms *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].name, name) == 0)
            return &s->v[i];
    return NULL;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end)
        return -1;
    *v = x;
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: syndrome-oracle --load ADDR [--ram BASE:SIZE] [--require SYM[,SYM...]] "
                    "[--require-prefix PREFIX] ELF TRACE\n");
}

static int load_image(const char *elf, struct image *im)
{
    char err[256];
    if (elf_read_section(elf, ".text", &im->text, err, sizeof(err)) != 0 ||
        elf_syms_load(elf, &im->syms, err, sizeof(err)) != 0) {
        fprintf(stderr, "syndrome-oracle: %s\n", err);
        return -1;
    }
    /* Optional: an image without accessor-library code has no records. */
    im->have_mmio = elf_read_section(elf, ".mmio_insns", &im->mmio, err, sizeof(err)) == 0;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"load", required_argument, NULL, 'a'},
        {"ram", required_argument, NULL, 'm'},
        {"require", required_argument, NULL, 'r'},
        {"require-prefix", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct image im = {0};
    bool have_load = false;
    uint64_t ram_base = RAM_BASE, ram_size = (uint64_t)MEM_DEFAULT_MIB << 20;
    struct required req = {0};
    /* Kept as given until the arguments are known to be valid (nothing to free before). */
    const char *lists[16], *prefixes[16];
    size_t nlist = 0, nprefix = 0;
    int c;
    while ((c = getopt_long(argc, argv, "a:m:r:R:h", opts, NULL)) != -1) {
        switch (c) {
        case 'a':
            if (parse_u64(optarg, &im.load)) {
                fprintf(stderr, "syndrome-oracle: --load: bad address '%s'\n", optarg);
                return 2;
            }
            have_load = true;
            break;
        case 'm': {
            char *colon = strchr(optarg, ':');
            if (!colon) {
                usage();
                return 2;
            }
            *colon = '\0';
            if (parse_u64(optarg, &ram_base) || parse_u64(colon + 1, &ram_size)) {
                fprintf(stderr, "syndrome-oracle: --ram: expected BASE:SIZE\n");
                return 2;
            }
            break;
        }
        case 'r':
        case 'R':
            if (nlist == 16 || nprefix == 16) {
                fprintf(stderr, "syndrome-oracle: too many --require/--require-prefix\n");
                return 2;
            }
            if (c == 'r')
                lists[nlist++] = optarg;
            else
                prefixes[nprefix++] = optarg;
            break;
        default: usage(); return 2;
        }
    }
    if (!have_load || optind != argc - 2) {
        usage();
        return 2;
    }
    const char *elf = argv[optind], *trace = argv[optind + 1];
    int status = 2;
    struct rows rows = {0};
    if (load_image(elf, &im) != 0)
        goto out;
    for (size_t i = 0; i < nlist; i++)
        for (const char *p = lists[i]; *p;) {
            size_t n = strcspn(p, ",");
            if (n)
                require(&req, p, n);
            p += n + (p[n] == ',');
        }
    for (size_t i = 0; i < nprefix; i++) {
        size_t before = req.n, plen = strlen(prefixes[i]);
        for (size_t j = 0; j < im.syms.n; j++)
            if (strncmp(im.syms.v[j].name, prefixes[i], plen) == 0)
                require(&req, im.syms.v[j].name, strlen(im.syms.v[j].name));
        if (req.n == before && plen) {
            /* A prefix that names nothing would make the requirement vacuous. */
            fprintf(stderr, "syndrome-oracle: --require-prefix %s: no such symbol in %s\n",
                    prefixes[i], elf);
            goto out;
        }
    }

    FILE *f = strcmp(trace, "-") == 0 ? stdin : fopen(trace, "r");
    if (!f) {
        fprintf(stderr, "syndrome-oracle: %s: %s\n", trace, strerror(errno));
        goto out;
    }
    unsigned long traps = 0, ram = 0, other = 0, malformed = 0, lost = 0;
    char line[4096];
    while (fgets(line, sizeof(line), f)) {
        unsigned long inbuf, written;
        if (kvm_trace_entries(line, &inbuf, &written)) {
            lost += written > inbuf ? written - inbuf : 0;
            continue;
        }
        struct kvm_fault ev;
        enum kvm_trace_line k = kvm_trace_parse(line, &ev);
        if (k == KVM_TRACE_MALFORMED) {
            malformed++;
            fprintf(stderr, "syndrome-oracle: warning: unparsable event line: %s", line);
            continue;
        }
        if (k != KVM_TRACE_FAULT)
            continue;
        struct esr_info e;
        esr_decode(ev.esr, &e);
        if (!esr_ec_is_dabt(e.ec)) {
            other++; /* instruction aborts while KVM maps RAM, etc. */
            continue;
        }
        if (ev.ipa >= ram_base && ev.ipa - ram_base < ram_size) {
            ram++; /* KVM faulting guest RAM in: not an MMIO trap */
            continue;
        }
        traps++;
        add_hit(&rows, ev.pc, ev.esr);
    }
    if (f != stdin)
        fclose(f);

    printf("%-24s %-4s %5s  %-26s %-12s %-52s %-52s %s\n", "INSTRUCTION AT", "LIB", "HITS",
           "DISASSEMBLY", "REAL ESR", "REAL ISS", "PREDICTED ISS", "VERDICT");
    unsigned ok = 0, bad = 0;
    for (size_t i = 0; i < rows.n; i++) {
        struct row *r = &rows.v[i];
        r->lib = in_mmio_insns(&im, r->pc);
        char sym[128], text[96], real[64], pred[64], why[512];
        elf_syms_name(&im.syms, r->pc - im.load, sym, sizeof(sym));
        uint32_t word;
        struct a64_ldst d;
        struct esr_dabt a;
        esr_dabt_decode(r->esr, &a);
        fmt_iss(real, sizeof(real), a.isv, a.sas, a.sse, a.srt, a.sf, a.ar, a.wnr);
        if (fetch(&im, r->pc, &word)) {
            a64_decode(word, &d);
            a64_format(&d, r->pc, text, sizeof(text));
            if (d.reason == A64_R_NOT_LDST)
                snprintf(text, sizeof(text), ".inst 0x%08x", word);
            fmt_iss(pred, sizeof(pred), d.iss.isv, d.iss.sas, d.iss.sse, d.iss.srt, d.iss.sf,
                    d.iss.ar, d.iss.wnr_known ? d.iss.wnr : -1);
            size_t pl = strlen(pred);
            snprintf(pred + pl, sizeof(pred) - pl, " (0x%07x)", a64_iss_bits(&d.iss));
            judge(&d, r->esr, why, sizeof(why));
        } else {
            snprintf(text, sizeof(text), "?");
            snprintf(pred, sizeof(pred), "?");
            snprintf(why, sizeof(why), "pc is not in the ELF's .text (wrong --load or ELF?)");
        }
        bool match = why[0] == '\0';
        ok += match;
        bad += !match;
        char esrs[24], real2[80];
        snprintf(esrs, sizeof(esrs), "0x%" PRIx64, r->esr);
        snprintf(real2, sizeof(real2), "%s DFSC=0x%02x", real, a.fsc.code);
        printf("%-24s %-4s %5u  %-26s %-12s %-52s %-52s %s%s\n", sym, r->lib ? "lib" : "-",
               r->hits, text, esrs, real2, pred, match ? "match" : "MISMATCH: ", why);
    }

    unsigned present = 0;
    for (size_t i = 0; i < req.n; i++) {
        const struct elf_sym *s = sym_by_name(&im.syms, req.names[i]);
        bool seen = false;
        for (size_t j = 0; s && j < rows.n && !seen; j++)
            seen = rows.v[j].pc - im.load == s->addr;
        if (seen)
            present++;
        else if (!s)
            printf("MISSING %s: no such symbol in %s\n", req.names[i], elf);
        else
            printf("MISSING %s (0x%" PRIx64 "): no MMIO trap at this instruction in the trace\n",
                   req.names[i], s->addr + im.load);
    }
    if (malformed || lost)
        printf("warning: %lu unparsable event lines, %lu events lost by the ring buffer\n",
               malformed, lost);
    bool pass = bad == 0 && present == req.n && traps > 0;
    printf("syndrome-oracle: %s: %lu MMIO traps at %zu distinct (pc, ESR): %u match, %u "
           "mismatch; required %u/%zu present; skipped %lu RAM faults, %lu other exceptions\n",
           pass ? "PASS" : "FAIL", traps, rows.n, ok, bad, present, req.n, ram, other);
    status = pass ? 0 : 1;
out:
    for (size_t i = 0; i < req.n; i++)
        free(req.names[i]);
    free(req.names);
    free(rows.v);
    free(im.text.data);
    if (im.have_mmio)
        free(im.mmio.data);
    elf_syms_free(&im.syms);
    return status;
}
