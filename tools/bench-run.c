/*
 * bench-run: run a VMM and measure what `make bench` reports besides the
 * guest's own exit timings.
 *
 *   bench-run -- COMMAND [ARGS...]
 *
 * COMMAND's stdout (where a VMM puts the guest's PL011 output) is read
 * through a pipe and copied to ours; its stderr is left alone. When it has
 * exited, one line goes to stdout:
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
#include <stdio.h>
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

int main(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[1], "--") != 0) {
        fprintf(stderr, "usage: bench-run -- COMMAND [ARGS...]\n");
        return 2;
    }
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
    for (;;) {
        ssize_t n = read(p[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (first < 0)
            first = ms_since(&t0);
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
    printf("bench-run: first-byte-ms %.3f total-ms %.3f maxrss-kib %ld status %d\n", first, total,
           ru.ru_maxrss, status);
    return status;
}
