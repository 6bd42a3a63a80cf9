/*
 * virtcheck: find loads/stores in an aarch64 ELF that a KVM guest cannot use on
 * MMIO (ISV=0: writeback, pair, SIMD/FP, exclusive, atomic, ...) or that KVM
 * mis-emulates (sign-extending loads come back zero-extended).
 *
 *   virtcheck [options] ELF
 *     -f REGEX        only functions (symbols) matching the POSIX extended regex
 *     -j SECTION      only this section
 *     -S, --no-sp     skip SP-based accesses (stack memory is never MMIO)
 *     -m, --mmio-insns  check exactly the instructions listed in .mmio_insns
 *                     (32-bit PC-relative offsets, `.long 1b - .`): each must be
 *                     an ISV=1, non-sign-extending single-register access
 *     -l, --listing FILE  read `objdump -d` output from FILE ("-" = stdin)
 *                     instead of running $OBJDUMP (default: aarch64-linux-gnu-objdump,
 *                     or objdump when virtcheck itself runs on arm64)
 *     -v              also print the accesses that pass
 * One line per finding: "0xADDR <SYM+0xOFF> TAG: DISASM -- REASON".
 * Exit status: 0 nothing flagged, 1 something flagged, 2 usage or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../vmm/arm64/a64.h"
#include "../vmm/elf/elf_section.h"

struct insn {
    uint64_t addr;
    uint32_t word;
    char *sym;     /* owning symbol (shared string) */
    uint64_t sym_addr;
    char *section; /* shared string */
};

struct listing {
    struct insn *v;
    size_t n, cap;
    char **strs; /* symbol and section names, freed with the listing */
    size_t nstr, capstr;
};

static char *dupstr(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) {
        perror("virtcheck");
        exit(2);
    }
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void push(struct listing *l, struct insn in)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        if (!l->v) {
            perror("virtcheck");
            exit(2);
        }
    }
    l->v[l->n++] = in;
}

static char *keep(struct listing *l, char *s)
{
    if (l->nstr == l->capstr) {
        l->capstr = l->capstr ? 2 * l->capstr : 256;
        l->strs = realloc(l->strs, l->capstr * sizeof(*l->strs));
        if (!l->strs) {
            perror("virtcheck");
            exit(2);
        }
    }
    return l->strs[l->nstr++] = s;
}

static void free_listing(struct listing *l)
{
    for (size_t i = 0; i < l->nstr; i++)
        free(l->strs[i]);
    free(l->strs);
    free(l->v);
}

static bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

#ifdef __aarch64__
#define DEFAULT_OBJDUMP "objdump" /* the native binutils disassemble arm64 */
#else
#define DEFAULT_OBJDUMP "aarch64-linux-gnu-objdump"
#endif

/* Parse objdump -d text: section headers, symbol headers and instruction lines. */
static void parse_listing(FILE *f, struct listing *l)
{
    char line[4096];
    char *section = keep(l, dupstr("?", 1)), *sym = keep(l, dupstr("?", 1));
    uint64_t sym_addr = 0;
    while (fgets(line, sizeof(line), f)) {
        const char *p;
        if (strncmp(line, "Disassembly of section ", 23) == 0) {
            p = line + 23;
            size_t n = strcspn(p, ":\n");
            section = keep(l, dupstr(p, n));
            continue;
        }
        if (is_hex(line[0])) { /* "0000000000400078 <func>:" */
            char *end;
            uint64_t a = strtoull(line, &end, 16);
            char *lt = strchr(end, '<'), *gt = lt ? strrchr(lt, '>') : NULL;
            if (lt && gt && gt > lt) {
                sym = keep(l, dupstr(lt + 1, (size_t)(gt - lt - 1)));
                sym_addr = a;
            }
            continue;
        }
        /* "  400078:\tb9400020 \tldr\tw0, [x1]" */
        p = line;
        while (*p == ' ')
            p++;
        if (!is_hex(*p))
            continue;
        char *end;
        uint64_t addr = strtoull(p, &end, 16);
        if (*end != ':')
            continue;
        p = end + 1;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t hl = 0;
        while (is_hex(p[hl]))
            hl++;
        if (hl != 8 || (p[hl] != ' ' && p[hl] != '\t'))
            continue; /* not a 32-bit instruction word */
        uint32_t word = (uint32_t)strtoul(p, NULL, 16);
        const char *mn = p + hl;
        while (*mn == ' ' || *mn == '\t')
            mn++;
        if (strncmp(mn, ".word", 5) == 0 || strncmp(mn, ".byte", 5) == 0 ||
            strncmp(mn, ".short", 6) == 0 || strncmp(mn, ".hword", 6) == 0)
            continue; /* data in code */
        push(l, (struct insn){addr, word, sym, sym_addr, section});
    }
}

static int run_objdump(const char *elf, const char *section, struct listing *l)
{
    const char *objdump = getenv("OBJDUMP");
    if (!objdump || !*objdump)
        objdump = DEFAULT_OBJDUMP;
    int fd[2];
    if (pipe(fd) != 0) {
        perror("virtcheck: pipe");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("virtcheck: fork");
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if (section)
            execlp(objdump, objdump, "-d", "-j", section, elf, (char *)NULL);
        else
            execlp(objdump, objdump, "-d", elf, (char *)NULL);
        fprintf(stderr, "virtcheck: cannot run %s: %s\n", objdump, strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "r");
    if (!f) {
        close(fd[0]);
        waitpid(pid, NULL, 0);
        return -1;
    }
    parse_listing(f, l);
    fclose(f);
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "virtcheck: %s failed on %s\n", objdump, elf);
        return -1;
    }
    return 0;
}

/* The problem with an access, or NULL when it is fine on MMIO. */
static const char *verdict(const struct a64_ldst *d, const char **desc)
{
    if (d->reason != A64_OK) {
        *desc = a64_reason_desc(d->reason);
        return a64_reason_tag(d->reason);
    }
    if (a64_sign_extending_load(d)) {
        *desc = "sign-extending load: KVM returns the value zero-extended";
        return "sign-extend";
    }
    return NULL;
}

static void report(const struct insn *in, const struct a64_ldst *d, const char *tag,
                   const char *desc)
{
    char text[160];
    a64_format(d, in->addr, text, sizeof(text));
    printf("0x%" PRIx64 " <%s+0x%" PRIx64 "> %s: %s -- %s\n", in->addr, in->sym,
           in->addr - in->sym_addr, tag, text, desc);
}

static bool sp_based(const struct a64_ldst *d)
{
    return d->rn == 31 && d->addr != A64_ADDR_LITERAL && d->addr != A64_ADDR_NONE &&
           d->addr != A64_ADDR_MOPS;
}

static int scan(const struct listing *l, const regex_t *re, const char *section, bool no_sp,
                bool verbose, unsigned *checked)
{
    int flagged = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct insn *in = &l->v[i];
        if (section && strcmp(in->section, section) != 0)
            continue;
        if (re && regexec(re, in->sym, 0, NULL, 0) != 0)
            continue;
        struct a64_ldst d;
        a64_decode(in->word, &d);
        /* Not memory accesses: non-loads/stores, UNDEFINED words, prefetches. */
        if (d.reason == A64_R_NOT_LDST || d.reason == A64_R_UNALLOCATED ||
            d.reason == A64_R_PREFETCH)
            continue;
        if (no_sp && sp_based(&d))
            continue;
        (*checked)++;
        const char *desc, *tag = verdict(&d, &desc);
        if (tag) {
            report(in, &d, tag, desc);
            flagged++;
        } else if (verbose) {
            report(in, &d, "ok", "ISV=1 single-register access");
        }
    }
    return flagged;
}

static const struct insn *find(const struct listing *l, uint64_t addr)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].addr == addr)
            return &l->v[i];
    return NULL;
}

static int check_mmio(const char *elf, const struct listing *l, bool verbose, unsigned *checked)
{
    struct elf_section s;
    char err[256];
    if (elf_read_section(elf, ".mmio_insns", &s, err, sizeof(err)) != 0) {
        fprintf(stderr, "virtcheck: %s\n", err);
        return -1;
    }
    if (s.size % 4) {
        fprintf(stderr, "virtcheck: %s: .mmio_insns size %zu is not a multiple of 4\n", elf, s.size);
        free(s.data);
        return -1;
    }
    int flagged = 0;
    for (size_t i = 0; i < s.size; i += 4) {
        int32_t rel = (int32_t)((uint32_t)s.data[i] | (uint32_t)s.data[i + 1] << 8 |
                                (uint32_t)s.data[i + 2] << 16 | (uint32_t)s.data[i + 3] << 24);
        uint64_t target = s.addr + i + (uint64_t)(int64_t)rel;
        const struct insn *in = find(l, target);
        (*checked)++;
        if (!in) {
            printf("0x%" PRIx64 " <?> not-found: .mmio_insns entry %zu -- no instruction at this "
                   "address in the disassembly\n", target, i / 4);
            flagged++;
            continue;
        }
        struct a64_ldst d;
        a64_decode(in->word, &d);
        const char *desc, *tag = verdict(&d, &desc);
        if (tag) {
            report(in, &d, tag, desc);
            flagged++;
        } else if (verbose) {
            report(in, &d, "ok", "ISV=1 single-register access");
        }
    }
    free(s.data);
    return flagged;
}

static void usage(void)
{
    fprintf(stderr, "usage: virtcheck [-f REGEX] [-j SECTION] [-S|--no-sp] [-m|--mmio-insns] "
                    "[-l|--listing FILE] [-v] ELF\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"no-sp", no_argument, NULL, 'S'},     {"mmio-insns", no_argument, NULL, 'm'},
        {"listing", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *func_re = NULL, *section = NULL, *listing_path = NULL;
    bool no_sp = false, mmio = false, verbose = false;
    int c;
    while ((c = getopt_long(argc, argv, "f:j:Sml:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'f': func_re = optarg; break;
        case 'j': section = optarg; break;
        case 'S': no_sp = true; break;
        case 'm': mmio = true; break;
        case 'l': listing_path = optarg; break;
        case 'v': verbose = true; break;
        default: usage(); return 2;
        }
    }
    if (optind != argc - 1 && !(listing_path && !mmio && optind == argc)) {
        usage();
        return 2;
    }
    const char *elf = optind < argc ? argv[optind] : NULL;

    regex_t re;
    if (func_re && regcomp(&re, func_re, REG_EXTENDED | REG_NOSUB) != 0) {
        fprintf(stderr, "virtcheck: bad regex %s\n", func_re);
        return 2;
    }

    struct listing l = {0};
    if (listing_path) {
        FILE *f = strcmp(listing_path, "-") == 0 ? stdin : fopen(listing_path, "r");
        if (!f) {
            fprintf(stderr, "virtcheck: %s: %s\n", listing_path, strerror(errno));
            return 2;
        }
        parse_listing(f, &l);
        if (f != stdin)
            fclose(f);
    } else if (run_objdump(elf, mmio ? NULL : section, &l) != 0) {
        free_listing(&l);
        if (func_re)
            regfree(&re);
        return 2;
    }

    unsigned checked = 0;
    int flagged = mmio ? check_mmio(elf, &l, verbose, &checked)
                       : scan(&l, func_re ? &re : NULL, section, no_sp, verbose, &checked);
    if (func_re)
        regfree(&re);
    free_listing(&l);
    if (flagged < 0)
        return 2;
    fprintf(stderr, "virtcheck: %u %s checked, %d flagged\n", checked,
            mmio ? ".mmio_insns entries" : "loads/stores", flagged);
    return flagged ? 1 : 0;
}
