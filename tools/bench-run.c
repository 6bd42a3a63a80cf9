/*
 * bench-run: run a VMM and measure what `make bench` reports besides the
 * guest's own exit timings.
 *
 *   bench-run [--mark TEXT]... [--ram-mib M] -- COMMAND [ARGS...]
 *
 * COMMAND's stdout (where a VMM puts the guest's PL011 output) is read
 * through a pipe and copied to ours; its stderr is left alone. When it has
 * exited, a line per option, then one line, go to stdout:
 *
 *   bench-run: mark 'TEXT' ms X     when a line holding TEXT first appeared (-1: never)
 *   bench-run: vmm-rss-kib R samples K
 *      R  the largest sum of resident memory over the child's mappings
 *         smaller than M MiB, sampled from /proc/PID/smaps every 100 ms and
 *         at the end of its output: the VMM's own memory, without guest RAM
 *         (one mapping of at least --mem bytes in isv and in QEMU alike).
 *
 *   bench-run: first-byte-ms F total-ms T maxrss-kib M status S
 *
 *   F  boot to first byte: from just before fork() to the first byte read
 *      from the pipe, i.e. process start, exec (and dynamic loading), VM
 *      setup, guest boot up to its first PL011 data-register write, and the
 *      VMM's path from that write to its stdout. -1 if it printed nothing.
 *   T  from just before fork() to the child's exit being collected.
 *   M  the child's peak resident set size (getrusage ru_maxrss via wait4,
 *      i.e. VmHWM: guest RAM counts only as far as the guest touched it).
 *   S  its exit status (128 + N for signal N), which is also ours.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static int copy_out(const char *buf, size_t n)
{
    while (n) {
        ssize_t w = write(1, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

#define MAX_MARKS 4
static struct mark {
    const char *text;
    double ms;
} marks[MAX_MARKS];
static int nmarks;

/* Watch the output line by line for the marks (a line is cut at 1 KiB). */
static void scan_marks(const char *buf, size_t n, const struct timespec *t0)
{
    static char line[1024];
    static size_t len;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != '\n' && len < sizeof line - 1) {
            line[len++] = buf[i];
            continue;
        }
        if (buf[i] != '\n')
            continue;
        line[len] = '\0';
        for (int m = 0; m < nmarks; m++)
            if (marks[m].ms < 0 && strstr(line, marks[m].text))
                marks[m].ms = ms_since(t0);
        len = 0;
    }
}

/* Resident KiB of pid's mappings smaller than limit_kib, or -1. */
static long vmm_rss_kib(pid_t pid, long limit_kib)
{
    char path[64], l[512];
    snprintf(path, sizeof path, "/proc/%d/smaps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    long sum = 0, size = 0, v;
    while (fgets(l, sizeof l, f)) {
        if (sscanf(l, "Size: %ld kB", &v) == 1)
            size = v;
        else if (sscanf(l, "Rss: %ld kB", &v) == 1 && size < limit_kib)
            sum += v;
    }
    fclose(f);
    return sum;
}

static const char usage[] = "usage: bench-run [--mark TEXT]... [--ram-mib M] -- COMMAND [ARGS...]\n";

int main(int argc, char **argv)
{
    long ram_kib = 0;
    int a = 1;
    for (; a < argc && strcmp(argv[a], "--") != 0; a += 2) {
        if (a + 1 >= argc)
            break;
        if (strcmp(argv[a], "--mark") == 0 && nmarks < MAX_MARKS && argv[a + 1][0]) {
            marks[nmarks++] = (struct mark){argv[a + 1], -1};
        } else if (strcmp(argv[a], "--ram-mib") == 0 && atol(argv[a + 1]) > 0) {
            ram_kib = atol(argv[a + 1]) * 1024;
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (a + 1 >= argc || strcmp(argv[a], "--") != 0) {
        fputs(usage, stderr);
        return 2;
    }
    argv += a - 1; /* argv[1] is "--" from here on */
    int p[2];
    if (pipe(p) < 0) {
        perror("bench-run: pipe");
        return 2;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench-run: fork");
        return 2;
    }
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "bench-run: %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    double first = -1;
    char buf[4096];
    long rss_peak = -1, samples = 0;
    double next_sample = 0;
    for (;;) {
        if (ram_kib) {
            /* Sample while the child runs; its output wakes us early. */
            double now = ms_since(&t0);
            if (now >= next_sample) {
                long r = vmm_rss_kib(pid, ram_kib);
                if (r >= 0) {
                    samples++;
                    if (r > rss_peak)
                        rss_peak = r;
                }
                next_sample = now + 100;
            }
            struct pollfd pf = {.fd = p[0], .events = POLLIN};
            if (poll(&pf, 1, (int)(next_sample - now) + 1) == 0)
                continue;
        }
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (first < 0)
            first = ms_since(&t0);
        scan_marks(buf, (size_t)n, &t0);
        if (copy_out(buf, (size_t)n) < 0)
            break; /* our stdout is gone: keep the child's exit status anyway */
    }
    close(p[0]);
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("bench-run: wait4");
            return 2;
        }
    double total = ms_since(&t0);
    int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    for (int m = 0; m < nmarks; m++)
        printf("bench-run: mark '%s' ms %.3f\n", marks[m].text, marks[m].ms);
    if (ram_kib)
        printf("bench-run: vmm-rss-kib %ld samples %ld\n", rss_peak, samples);
    printf("bench-run: first-byte-ms %.3f total-ms %.3f maxrss-kib %ld status %d\n", first, total,
           ru.ru_maxrss, status);
    return status;
}
