/* --trace-mmio: the line format, the buffered and stderr writers, failures, the ioeventfd relay. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../vmm/trace.h"

static char line[TRACE_LINE_MAX];

static const char *fmt(uint64_t ns, struct trace_rec r)
{
    size_t n = trace_format(ns, &r, line, sizeof line);
    cr_assert_eq(n, strlen(line));
    return line;
}

static struct trace_rec pl011_write(uint64_t value)
{
    return (struct trace_rec){.via = TRACE_MMIO, .vcpu = 0, .is_write = true, .len = 4,
                              .ipa = 0x9000000, .status = BUS_OK, .dev = "pl011@9000000",
                              .offset = 0, .value = value, .have_pc = true, .pc = 0x40001a2c};
}

Test(trace_format, mmio_write)
{
    cr_assert_str_eq(fmt(84213, pl011_write(0x48)),
                     "84213 cpu0 mmio W 4 0x9000000 pl011@9000000+0x0 0x00000048 0x40001a2c\n");
}

Test(trace_format, mmio_read_other_vcpu_offset)
{
    struct trace_rec r = {.via = TRACE_MMIO, .vcpu = 3, .len = 2, .ipa = 0x9000018,
                          .status = BUS_OK, .dev = "pl011@9000000", .offset = 0x18,
                          .value = 0x90, .have_pc = true, .pc = 0xffff800008123450ull};
    cr_assert_str_eq(fmt(0, r),
                     "0 cpu3 mmio R 2 0x9000018 pl011@9000000+0x18 0x0090 0xffff800008123450\n");
}

Test(trace_format, nisv)
{
    struct trace_rec r = {.via = TRACE_NISV, .vcpu = 1, .len = 8, .ipa = 0xb000110,
                          .status = BUS_OK, .dev = "testdev@b000000", .offset = 0x110,
                          .value = 0x1122334455667788ull, .have_pc = true, .pc = 0x40080000};
    cr_assert_str_eq(fmt(18446744073709551615ull, r),
                     "18446744073709551615 cpu1 nisv R 8 0xb000110 testdev@b000000+0x110 "
                     "0x1122334455667788 0x40080000\n");
}

Test(trace_format, ioeventfd_and_merged_count)
{
    struct trace_rec r = {.via = TRACE_IOEVENTFD, .vcpu = -1, .is_write = true, .len = 4,
                          .ipa = 0xa000050, .status = BUS_OK, .dev = "virtio-blk@a000000",
                          .offset = 0x50, .value = 0, .count = 1};
    cr_assert_str_eq(fmt(91570, r),
                     "91570 - ioeventfd W 4 0xa000050 virtio-blk@a000000+0x50 0x00000000 -\n");
    r.count = 7;
    r.value = 2;
    cr_assert_str_eq(fmt(91570, r),
                     "91570 - ioeventfd W 4 0xa000050 virtio-blk@a000000+0x50 0x00000002 - x7\n");
    /* xN is the relay's: other lines never carry it. */
    struct trace_rec m = pl011_write(1);
    m.count = 5;
    cr_assert_null(strstr(fmt(1, m), " x5"));
}

Test(trace_format, value_digits_follow_the_width)
{
    static const struct {
        unsigned len;
        const char *value;
    } w[] = {{1, " 0xef "}, {2, " 0xbeef "}, {4, " 0xdeadbeef "}, {8, " 0x00000000deadbeef "}};
    for (size_t i = 0; i < sizeof w / sizeof *w; i++) {
        struct trace_rec r = pl011_write(0xdeadbeef);
        r.len = w[i].len;
        cr_assert(strstr(fmt(5, r), w[i].value), "len %u: %s", w[i].len, line);
    }
    struct trace_rec r = pl011_write(0);
    r.len = 1;
    cr_assert(strstr(fmt(5, r), " 0x00 "), "%s", line);
}

Test(trace_format, unmapped_and_bad_width)
{
    struct trace_rec r = {.via = TRACE_MMIO, .vcpu = 0, .len = 4, .ipa = 0x7000000,
                          .status = BUS_UNMAPPED, .value = 0x1234, .have_pc = true, .pc = 0x40000000};
    cr_assert_str_eq(fmt(9, r), "9 cpu0 mmio R 4 0x7000000 unmapped - 0x40000000\n");
    r.is_write = true;
    cr_assert_str_eq(fmt(9, r), "9 cpu0 mmio W 4 0x7000000 unmapped 0x00001234 0x40000000\n");
    r.status = BUS_BAD_WIDTH;
    r.len = 3;
    r.value = 0xabcdef;
    cr_assert_str_eq(fmt(9, r), "9 cpu0 mmio W 3 0x7000000 bad-width 0xabcdef 0x40000000\n");
    r.is_write = false;
    cr_assert_str_eq(fmt(9, r), "9 cpu0 mmio R 3 0x7000000 bad-width - 0x40000000\n");
}

Test(trace_format, unknown_pc_and_vcpu)
{
    struct trace_rec r = pl011_write(0x0a);
    r.have_pc = false;
    r.vcpu = -1;
    cr_assert_str_eq(fmt(1, r), "1 - mmio W 4 0x9000000 pl011@9000000+0x0 0x0000000a -\n");
}

Test(trace_format, cut_lines_stay_lines)
{
    char small[12];
    struct trace_rec r = pl011_write(0x48);
    size_t n = trace_format(84213, &r, small, sizeof small);
    cr_assert_eq(n, sizeof small - 1);
    cr_assert_eq(small[n - 1], '\n');
    cr_assert_eq(memcmp(small, "84213 cpu0", 10), 0);

    char name[400];
    memset(name, 'd', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    r.dev = name;
    n = trace_format(UINT64_MAX, &r, line, sizeof line);
    cr_assert_lt(n, sizeof line);
    cr_assert_eq(line[n - 1], '\n');
    cr_assert(strstr(line, " 0x00000048 0x40001a2c\n"), "fields after a long name survive: %s", line);
}

/* ---- the writer ---- */

static uint64_t fake_ns;
static uint64_t fake_clock(void)
{
    return fake_ns;
}

static int reports;
static char last_report[600];
static void on_report(void *ctx, const char *msg)
{
    (void)ctx;
    reports++;
    snprintf(last_report, sizeof last_report, "%s", msg);
}

static char *tmp_path(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "/tmp/isv-test-trace-%d-%s", (int)getpid(), name);
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 > cap)
            buf = realloc(buf, cap = cap * 2 + 8192);
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (!r)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static struct trace *open_file(const char *path)
{
    char err[300] = "";
    struct trace *t = trace_open(path, on_report, NULL, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    fake_ns = 1000;
    trace_set_clock(t, fake_clock);
    return t;
}

Test(trace_writer, header_then_lines_in_order_buffered_until_close)
{
    char *path = tmp_path("order");
    struct trace *t = open_file(path);
    char err[200];
    cr_assert_eq(trace_start(t, err, sizeof err), 0, "%s", err);
    for (int i = 0; i < 3; i++) {
        fake_ns = 1000 + 10 * (uint64_t)(i + 1);
        struct trace_rec r = pl011_write((uint64_t)'a' + (uint64_t)i);
        trace_log(t, &r);
    }
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_size, 0, "a small trace waits in the buffer");
    trace_close(t);
    char *text = slurp(path, NULL);
    cr_assert_str_eq(text, TRACE_HEADER
                     "10 cpu0 mmio W 4 0x9000000 pl011@9000000+0x0 0x00000061 0x40001a2c\n"
                     "20 cpu0 mmio W 4 0x9000000 pl011@9000000+0x0 0x00000062 0x40001a2c\n"
                     "30 cpu0 mmio W 4 0x9000000 pl011@9000000+0x0 0x00000063 0x40001a2c\n");
    cr_assert_eq(reports, 0);
    free(text);
    unlink(path);
}

Test(trace_writer, full_buffer_is_written_in_whole_lines)
{
    char *path = tmp_path("full");
    struct trace *t = open_file(path);
    struct trace_rec r = pl011_write(0x41);
    for (int i = 0; i < 2000; i++) /* ~140 KB */
        trace_log(t, &r);
    size_t len;
    char *text = slurp(path, &len);
    cr_assert_gt(len, 32 * 1024, "written when the 64 KiB buffer filled");
    cr_assert_leq(len, 2000 * 80);
    cr_assert_eq(text[len - 1], '\n', "only whole lines go out");
    free(text);
    trace_close(t);
    text = slurp(path, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    cr_assert_eq(lines, 2001);
    free(text);
    unlink(path);
}

struct logger {
    struct trace *t;
    int vcpu;
};

static void *log_many(void *arg)
{
    struct logger *l = arg;
    for (int i = 0; i < 3000; i++) {
        struct trace_rec r = pl011_write((uint64_t)i);
        r.vcpu = l->vcpu;
        trace_log(l->t, &r);
    }
    return NULL;
}

Test(trace_writer, threads_never_split_lines_and_time_is_ordered)
{
    char *path = tmp_path("threads");
    char err[200];
    struct trace *t = trace_open(path, on_report, NULL, err, sizeof err); /* the real clock */
    cr_assert_not_null(t, "%s", err);
    cr_assert_eq(trace_start(t, err, sizeof err), 0);
    pthread_t th[4];
    struct logger l[4];
    for (int i = 0; i < 4; i++) {
        l[i] = (struct logger){t, i};
        pthread_create(&th[i], NULL, log_many, &l[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    trace_close(t);
    char *text = slurp(path, NULL);
    char *save, *s = strtok_r(text, "\n", &save);
    cr_assert_str_eq(s, "# isv --trace-mmio: time_ns vcpu via dir width ipa device+offset value pc [xN]");
    unsigned long long prev = 0, ns;
    int n = 0, per[4] = {0}, cpu;
    unsigned value;
    while ((s = strtok_r(NULL, "\n", &save))) {
        int end = 0;
        cr_assert_eq(sscanf(s, "%llu cpu%d mmio W 4 0x9000000 pl011@9000000+0x0 0x%8x 0x40001a2c%n",
                            &ns, &cpu, &value, &end), 3, "%s", s);
        cr_assert_eq(s[end], '\0', "%s", s);
        cr_assert_geq(ns, prev, "TIME order");
        cr_assert_eq(value, (unsigned)per[cpu]++, "each vCPU's lines in its order");
        prev = ns;
        n++;
    }
    cr_assert_eq(n, 4 * 3000);
    free(text);
    unlink(path);
}

Test(trace_writer, stderr_writes_each_line_at_once)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    int saved = dup(2);
    dup2(p[1], 2);
    char err[200];
    struct trace *t = trace_open("-", on_report, NULL, err, sizeof err);
    cr_assert_not_null(t, "%s", err);
    trace_set_clock(t, fake_clock);
    fake_ns += 42;
    struct trace_rec r = pl011_write(0x21);
    trace_log(t, &r);
    char buf[512];
    ssize_t n = read(p[0], buf, sizeof buf - 1); /* there now, not at close */
    cr_assert_gt(n, 0);
    buf[n] = '\0';
    cr_assert_str_eq(buf, TRACE_HEADER
                     "42 cpu0 mmio W 4 0x9000000 pl011@9000000+0x0 0x00000021 0x40001a2c\n");
    trace_close(t);
    cr_assert_eq(fcntl(2, F_GETFD), 0, "stderr stays open");
    dup2(saved, 2);
    close(saved);
    close(p[0]);
    close(p[1]);
}

Test(trace_writer, disk_full_is_reported_once_then_tracing_stops)
{
    struct trace *t = open_file("/dev/full");
    struct trace_rec r = pl011_write(0x41);
    for (int i = 0; i < 3000; i++)
        trace_log(t, &r);
    cr_assert_eq(reports, 1);
    cr_assert(strstr(last_report, "isv: --trace-mmio /dev/full: writing failed (No space left on device)"),
              "%s", last_report);
    cr_assert_eq(last_report[strlen(last_report) - 1], '\n');
    trace_close(t);
    cr_assert_eq(reports, 1, "once");
}

Test(trace_writer, failure_at_close_is_reported)
{
    struct trace *t = open_file("/dev/full");
    struct trace_rec r = pl011_write(0x41);
    trace_log(t, &r);
    cr_assert_eq(reports, 0);
    trace_close(t);
    cr_assert_eq(reports, 1);
}

Test(trace_writer, vanished_reader_fails_the_trace_not_the_process)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    struct trace *t = open_file(path); /* a reader exists while it opens */
    close(p[0]);
    close(p[1]);
    struct trace_rec r = pl011_write(0x41);
    for (int i = 0; i < 3000; i++) /* SIGPIPE would end the test here */
        trace_log(t, &r);
    trace_close(t);
    cr_assert_eq(reports, 1);
    cr_assert(strstr(last_report, "writing failed (Broken pipe)"), "%s", last_report);
    sigset_t pend;
    sigpending(&pend);
    cr_assert_not(sigismember(&pend, SIGPIPE), "no SIGPIPE left pending");
}

Test(trace_writer, a_short_write_leaves_whole_lines)
{
    char *path = tmp_path("short");
    struct trace *t = open_file(path);
    signal(SIGXFSZ, SIG_IGN); /* past the limit: a short write, then EFBIG */
    struct rlimit rl = {.rlim_cur = 1000, .rlim_max = RLIM_INFINITY};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    struct trace_rec r = pl011_write(0x41);
    for (int i = 0; i < 2000; i++)
        trace_log(t, &r);
    trace_close(t);
    cr_assert_eq(reports, 1);
    cr_assert(strstr(last_report, "File too large"), "%s", last_report);
    size_t len;
    char *text = slurp(path, &len);
    cr_assert_gt(len, 900);
    cr_assert_leq(len, 1000);
    cr_assert_eq(text[len - 1], '\n', "cut back to the last whole line");
    char said[64];
    snprintf(said, sizeof said, "%zu bytes written", len);
    cr_assert(strstr(last_report, said), "%s / %s", last_report, said);
    free(text);
    unlink(path);
}

Test(trace_writer, emergency_writes_the_buffer)
{
    char *path = tmp_path("emergency");
    struct trace *t = open_file(path);
    struct trace_rec r = pl011_write(0x41);
    trace_log(t, &r);
    trace_emergency(t);
    size_t len;
    char *text = slurp(path, &len);
    cr_assert(strstr(text, TRACE_HEADER "0 cpu0 mmio W 4"), "%s", text);
    free(text);
    trace_emergency(NULL);
    trace_close(t);
    trace_close(NULL);
    text = slurp(path, NULL);
    cr_assert_eq(strlen(text), len, "nothing written twice");
    free(text);
    unlink(path);
}

Test(trace_writer, open_failure_says_why)
{
    char err[300] = "";
    cr_assert_null(trace_open("/nonexistent-dir/trace.txt", on_report, NULL, err, sizeof err));
    cr_assert_str_eq(err, "--trace-mmio '/nonexistent-dir/trace.txt': cannot open it: "
                          "No such file or directory");
}

/* ---- the relay ---- */

static uint64_t wait_count(int efd)
{
    struct pollfd p = {.fd = efd, .events = POLLIN};
    cr_assert_eq(poll(&p, 1, 5000), 1, "the relay forwarded nothing in 5 s");
    uint64_t n = 0;
    cr_assert_eq(read(efd, &n, sizeof n), (ssize_t)sizeof n);
    return n;
}

Test(trace_relay, forwards_counts_and_logs_each_read)
{
    char *path = tmp_path("relay");
    struct trace *t = open_file(path);
    int q0 = eventfd(0, EFD_NONBLOCK), q1 = eventfd(0, EFD_NONBLOCK);
    char err[200];
    int r0 = trace_relay(t, q0, "virtio-blk@a000000", 0xa000050, 0, err, sizeof err);
    int r1 = trace_relay(t, q1, "virtio-console@a000400", 0xa000450, 1, err, sizeof err);
    cr_assert(r0 >= 0 && r1 >= 0 && r0 != q0 && r1 != q1, "%s", err);
    cr_assert_eq(trace_start(t, err, sizeof err), 0, "%s", err);

    uint64_t one = 1, five = 5;
    cr_assert_eq(write(r0, &one, 8), 8); /* as KVM signals it */
    cr_assert_eq(wait_count(q0), 1);
    cr_assert_eq(write(r1, &five, 8), 8); /* five notifications before the relay read */
    cr_assert_eq(wait_count(q1), 5);
    uint64_t n;
    cr_assert_eq(read(q0, &n, 8), -1, "nothing went to the other queue");

    /* What the relay still holds at close reaches the device too. */
    cr_assert_eq(write(r0, &five, 8), 8);
    cr_assert_eq(write(r0, &one, 8), 8);
    trace_close(t);
    uint64_t sum = 0;
    while (read(q0, &n, 8) == 8)
        sum += n;
    cr_assert_eq(sum, 6);

    char *text = slurp(path, NULL);
    cr_assert(strstr(text, " - ioeventfd W 4 0xa000050 virtio-blk@a000000+0x50 0x00000000 -\n"), "%s", text);
    cr_assert(strstr(text, " - ioeventfd W 4 0xa000450 virtio-console@a000400+0x50 0x00000001 - x5\n"),
              "%s", text);
    size_t lines = 0;
    uint64_t logged = 0;
    for (char *s = strchr(text, '\n'); s && s[1]; s = strchr(s + 1, '\n')) {
        lines++;
        char *x = strchr(s + 1, '\n'), *c = strstr(s + 1, " x");
        logged += c && c < x ? strtoull(c + 2, NULL, 10) : 1;
    }
    cr_assert_geq(lines, 3);
    cr_assert_eq(logged, 1 + 5 + 6, "every notification is on some line:\n%s", text);
    free(text);
    close(q0);
    close(q1);
    unlink(path);
}

Test(trace_relay, keeps_forwarding_after_the_trace_failed)
{
    struct trace *t = open_file("/dev/full");
    int q = eventfd(0, EFD_NONBLOCK);
    char err[200];
    int r = trace_relay(t, q, "virtio-rng@a000000", 0xa000050, 0, err, sizeof err);
    cr_assert_geq(r, 0, "%s", err);
    cr_assert_eq(trace_start(t, err, sizeof err), 0, "%s", err);
    struct trace_rec rec = pl011_write(0x41);
    for (int i = 0; i < 3000; i++)
        trace_log(t, &rec);
    cr_assert_eq(reports, 1);
    uint64_t two = 2;
    cr_assert_eq(write(r, &two, 8), 8);
    cr_assert_eq(wait_count(q), 2, "the device still hears its doorbell");
    trace_close(t);
    close(q);
}
