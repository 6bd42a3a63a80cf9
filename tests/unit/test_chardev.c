/*
 * Character backends on their own: spec parsing and its errors, file and
 * socket backends, back-pressure and idle reporting, the output ring, output
 * failures, raw terminal mode and its restoration on close, exit and signals.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#include "../../devices/chardev.h"
#include "serial_test_util.h"

/* A sink that collects input up to a quota (back-pressure on demand). */
static struct {
    pthread_mutex_t m;
    uint8_t buf[1 << 16];
    size_t n;
    size_t quota;
    atomic_int idles, tx_spaces, rx_calls;
    atomic_uint_fast64_t last_rx_ms, last_idle_ms; /* when the callbacks last ran */
} sk = {.m = PTHREAD_MUTEX_INITIALIZER};

static size_t sink_rx(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    atomic_fetch_add(&sk.rx_calls, 1);
    atomic_store(&sk.last_rx_ms, test_now_ms());
    pthread_mutex_lock(&sk.m);
    size_t room = sk.quota > sk.n ? sk.quota - sk.n : 0;
    if (n > room)
        n = room;
    if (n > sizeof sk.buf - sk.n)
        n = sizeof sk.buf - sk.n;
    memcpy(sk.buf + sk.n, buf, n);
    sk.n += n;
    pthread_mutex_unlock(&sk.m);
    return n;
}

static void sink_idle(void *ctx)
{
    (void)ctx;
    atomic_store(&sk.last_idle_ms, test_now_ms());
    atomic_fetch_add(&sk.idles, 1);
}

static void sink_tx_space(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&sk.tx_spaces, 1);
}

static const struct chardev_sink sink = {sink_rx, sink_idle, sink_tx_space, NULL};

static size_t sink_count(void)
{
    pthread_mutex_lock(&sk.m);
    size_t n = sk.n;
    pthread_mutex_unlock(&sk.m);
    return n;
}

static void set_quota(size_t q)
{
    pthread_mutex_lock(&sk.m);
    sk.quota = q;
    pthread_mutex_unlock(&sk.m);
}

static bool wait_count(size_t n, int ms)
{
    uint64_t end = test_now_ms() + (uint64_t)ms;
    while (sink_count() < n && test_now_ms() < end)
        test_sleep_ms(1);
    return sink_count() >= n;
}

/* Timer tests wait for what must happen (up to seconds: a loaded machine
 * delays the I/O thread) and bound only what must not happen too soon. */
static bool wait_idles(int n, int ms)
{
    uint64_t end = test_now_ms() + (uint64_t)ms;
    while (atomic_load(&sk.idles) < n && test_now_ms() < end)
        test_sleep_ms(1);
    return atomic_load(&sk.idles) >= n;
}

static void reset_sink(void)
{
    cr_redirect_stderr();
    sk.n = 0;
    sk.quota = sizeof sk.buf;
    atomic_store(&sk.idles, 0);
    atomic_store(&sk.tx_spaces, 0);
}

static char tmp_path[128];

static const char *tmp_name(const char *tag)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/isv-chardev-%d-%s", (int)getpid(), tag);
    return tmp_path;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 13 + i / 241);
}

/* ---- specs ---- */

TestSuite(chardev_spec, .init = reset_sink);

static void expect_bad(const char *spec, const char *why)
{
    char err[256] = "";
    struct chardev *cd = chardev_open(spec, err, sizeof err);
    cr_expect_null(cd, "'%s' was accepted", spec);
    chardev_close(cd);
    cr_expect_neq(err[0], '\0', "'%s': no message", spec);
    cr_expect_null(strchr(err, '\n'), "'%s': message is not one line: %s", spec, err);
    cr_expect_not_null(strstr(err, why), "'%s': '%s' lacks '%s'", spec, err, why);
}

Test(chardev_spec, bad_specs_get_one_line_errors)
{
    expect_bad(NULL, "empty");
    expect_bad("", "empty");
    expect_bad("bogus", "unknown type");
    expect_bad("stdio:", "unknown type");
    expect_bad("STDIO", "unknown type");
    expect_bad("null,x", "unknown type");
    expect_bad("bo\ngus", "unknown type");
    expect_bad("file:", "expected in=PATH and/or out=PATH");
    expect_bad("file:,", "expected in=PATH and/or out=PATH");
    expect_bad("file:log.txt", "unknown option 'log.txt'");
    expect_bad("file:in=", "empty path");
    expect_bad("file:out=", "empty path");
    expect_bad("file:out=/tmp/a,out=/tmp/b", "out given twice");
    expect_bad("file:in=/nonexistent/x", "cannot open input '/nonexistent/x'");
    expect_bad("file:in=/", "Is a directory");
    expect_bad("file:out=/nonexistent/dir/x", "cannot open output");
    expect_bad("socket:", "empty socket path");
    expect_bad("socket:,server", "empty socket path");
    expect_bad("socket:/tmp/x,client", "unknown option 'client'");
    expect_bad("socket:/tmp/x,server,server", "unknown option 'server,server'");
    expect_bad("socket:/nonexistent/sock", "cannot connect to '/nonexistent/sock'");
    char long_spec[300] = "socket:/tmp/";
    memset(long_spec + 12, 'a', 200);
    expect_bad(long_spec, "longer than 107 bytes");
    char huge[5000];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    memcpy(huge, "file:", 5);
    expect_bad(huge, "longer than");
    const char *plain = tmp_name("plain");
    FILE *f = fopen(plain, "w");
    cr_assert_not_null(f);
    fclose(f);
    char spec[256];
    snprintf(spec, sizeof spec, "socket:%s,server", plain);
    expect_bad(spec, "exists and is not a socket");
    unlink(plain);
}

Test(chardev_spec, bad_descriptors_and_attach_misuse)
{
    char err[128] = "";
    cr_expect_null(chardev_from_fds(987, -1, false, err, sizeof err));
    cr_expect_not_null(strstr(err, "bad descriptor"), "%s", err);
    struct chardev *cd = chardev_open("null", err, sizeof err);
    cr_assert_not_null(cd);
    struct chardev_sink no_rx = {0};
    cr_expect_eq(chardev_attach(cd, &no_rx), -EINVAL);
    cr_expect_eq(chardev_attach(cd, &sink), 0);
    cr_expect_eq(chardev_attach(cd, &sink), -EBUSY);
    cr_expect_eq(chardev_write(cd, (const uint8_t *)"abc", 3), 3, "null swallows output");
    cr_expect(chardev_flush(cd, 10));
    chardev_close(cd);
}

Test(chardev_spec, file_output_truncates_and_receives_everything)
{
    const char *path = tmp_name("out");
    FILE *f = fopen(path, "w");
    fputs("old contents that must go", f);
    fclose(f);
    char spec[256], err[256];
    snprintf(spec, sizeof spec, "file:out=%s", path);
    struct chardev *cd = chardev_open(spec, err, sizeof err);
    cr_assert_not_null(cd, "%s", err);
    cr_assert_eq(chardev_attach(cd, &sink), 0);
    enum { N = 100000 };
    size_t sent = 0;
    uint64_t end = test_now_ms() + 5000;
    while (sent < N && test_now_ms() < end) {
        uint8_t b = pattern(sent);
        sent += chardev_write(cd, &b, 1);
    }
    cr_assert_eq(sent, N);
    cr_expect(chardev_flush(cd, 5000));
    chardev_close(cd);
    f = fopen(path, "rb");
    static uint8_t got[N + 1];
    size_t n = fread(got, 1, sizeof got, f);
    fclose(f);
    unlink(path);
    cr_assert_eq(n, N);
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(got[i], pattern(i), "byte %zu", i);
}

Test(chardev_spec, file_input_is_read_to_the_end)
{
    const char *path = tmp_name("in");
    FILE *f = fopen(path, "wb");
    for (size_t i = 0; i < 5000; i++)
        fputc(pattern(i), f);
    fclose(f);
    char spec[256], err[256];
    snprintf(spec, sizeof spec, "file:in=%s", path);
    struct chardev *cd = chardev_open(spec, err, sizeof err);
    cr_assert_not_null(cd, "%s", err);
    cr_assert_eq(chardev_attach(cd, &sink), 0);
    cr_expect(wait_count(5000, 5000));
    wait_idles(1, 2000);
    cr_expect_eq(atomic_load(&sk.idles), 1, "idle after the last byte");
    chardev_close(cd);
    unlink(path);
    cr_assert_eq(sink_count(), 5000);
    for (size_t i = 0; i < 5000; i++)
        cr_assert_eq(sk.buf[i], pattern(i), "byte %zu", i);
}

/* Under ThreadSanitizer (make tsan) a child forked from a test process, which
 * Criterion has made multi-threaded, must not start threads: TSan does not
 * support it ("dup thread with used id", and the child fails). The tests whose
 * child starts a backend run in make unit only. */
#ifdef __SANITIZE_THREAD__
#define SKIP_FORKED_BACKEND_UNDER_TSAN() \
    cr_skip_test("forked child starts backend threads: not supported under TSan")
#else
#define SKIP_FORKED_BACKEND_UNDER_TSAN() ((void)0)
#endif

/* stdio in a child whose descriptors 0 and 1 are our pipes; the child's
 * verdict is its exit status. */
static int run_child(void (*body)(int in_r, int out_w), int in[2], int out[2])
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        body(in[0], out[1]);
        _exit(90);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void stdio_echo_child(int in_r, int out_w)
{
    dup2(in_r, STDIN_FILENO);
    dup2(out_w, STDOUT_FILENO);
    struct chardev *cd = chardev_open("stdio", NULL, 0);
    if (!cd || chardev_attach(cd, &sink) < 0)
        _exit(1);
    if (!wait_count(1, 2000) || sk.buf[0] != 'x')
        _exit(2);
    chardev_write(cd, (const uint8_t *)"y", 1);
    chardev_close(cd);
    _exit(0);
}

Test(chardev_spec, stdio_uses_descriptors_0_and_1)
{
    SKIP_FORKED_BACKEND_UNDER_TSAN();
    int in[2], out[2];
    cr_assert_eq(pipe(in), 0);
    cr_assert_eq(pipe(out), 0);
    cr_assert(write_all(in[1], "x", 1));
    cr_expect_eq(run_child(stdio_echo_child, in, out), 0);
    close(out[1]);
    char got[2] = {0};
    cr_expect_eq(read_for(out[0], got, 2, 2000), 1);
    cr_expect_eq(got[0], 'y');
    close(in[0]), close(in[1]), close(out[0]);
}

static void stdout_closed_child(int in_r, int out_w)
{
    (void)in_r, (void)out_w;
    close(STDOUT_FILENO);
    char err[128] = "";
    struct chardev *cd = chardev_open("stdio", err, sizeof err);
    _exit(!cd && strstr(err, "stdout is closed") ? 0 : 1);
}

static void stdin_closed_child(int in_r, int out_w)
{
    (void)in_r;
    close(STDIN_FILENO);
    dup2(out_w, STDOUT_FILENO);
    struct chardev *cd = chardev_open("stdio", NULL, 0);
    if (!cd || chardev_attach(cd, &sink) < 0)
        _exit(1);
    chardev_write(cd, (const uint8_t *)"z", 1);
    chardev_close(cd);
    _exit(0);
}

Test(chardev_spec, stdio_with_closed_descriptors)
{
    SKIP_FORKED_BACKEND_UNDER_TSAN();
    int in[2], out[2];
    cr_assert_eq(pipe(in), 0);
    cr_assert_eq(pipe(out), 0);
    cr_expect_eq(run_child(stdout_closed_child, in, out), 0, "closed stdout is an error");
    cr_expect_eq(run_child(stdin_closed_child, in, out), 0, "closed stdin is no input");
    close(out[1]);
    char got[2] = {0};
    cr_expect_eq(read_for(out[0], got, 2, 2000), 1);
    cr_expect_eq(got[0], 'z');
    close(in[0]), close(in[1]), close(out[0]);
}

static int listen_at(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(listen(fd, 1), 0);
    return fd;
}

static void exchange(struct chardev *cd, int peer)
{
    cr_assert_eq(chardev_attach(cd, &sink), 0);
    cr_assert(write_all(peer, "ping", 4));
    cr_expect(wait_count(4, 2000));
    cr_expect_eq(memcmp(sk.buf, "ping", 4), 0);
    cr_expect_eq(chardev_write(cd, (const uint8_t *)"pong", 4), 4);
    char got[5] = {0};
    cr_expect_eq(read_for(peer, got, 4, 2000), 4);
    cr_expect_str_eq(got, "pong");
}

Test(chardev_spec, socket_client)
{
    const char *path = tmp_name("sock");
    int lfd = listen_at(path);
    char spec[256], err[256];
    snprintf(spec, sizeof spec, "socket:%s", path);
    struct chardev *cd = chardev_open(spec, err, sizeof err);
    cr_assert_not_null(cd, "%s", err);
    int peer = accept(lfd, NULL, NULL);
    cr_assert_geq(peer, 0);
    exchange(cd, peer);
    chardev_close(cd);
    close(peer);
    close(lfd);
    unlink(path);
}

struct server_open {
    char spec[256];
    char err[256];
    struct chardev *cd;
};

static void *server_main(void *arg)
{
    struct server_open *so = arg;
    so->cd = chardev_open(so->spec, so->err, sizeof so->err);
    return NULL;
}

Test(chardev_spec, socket_server_replaces_stale_socket)
{
    const char *path = tmp_name("srv");
    close(listen_at(path)); /* leaves a stale socket file behind */
    struct server_open so = {0};
    snprintf(so.spec, sizeof so.spec, "socket:%s,server", path);
    pthread_t t;
    pthread_create(&t, NULL, server_main, &so);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, path);
    int peer = -1;
    for (uint64_t end = test_now_ms() + 5000; test_now_ms() < end; test_sleep_ms(5)) {
        peer = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(peer, (struct sockaddr *)&sa, sizeof sa) == 0)
            break;
        close(peer);
        peer = -1;
    }
    cr_assert_geq(peer, 0, "never listened");
    pthread_join(t, NULL);
    cr_assert_not_null(so.cd, "%s", so.err);
    struct stat st;
    cr_expect_neq(lstat(path, &st), 0, "socket file removed after the one client");
    exchange(so.cd, peer);
    chardev_close(so.cd);
    close(peer);
}

/* ---- input path ---- */

struct pipes {
    int in_w, out_r;
    struct chardev *cd;
};

static struct pipes open_pipes(void)
{
    int a[2], b[2];
    cr_assert_eq(pipe2(a, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(b, O_CLOEXEC), 0);
    char err[128];
    struct pipes p = {a[1], b[0], chardev_from_fds(a[0], b[1], true, err, sizeof err)};
    cr_assert_not_null(p.cd, "%s", err);
    return p;
}

static void close_pipes(struct pipes *p)
{
    chardev_close(p->cd);
    close(p->in_w);
    close(p->out_r);
}

TestSuite(chardev_io, .init = reset_sink, .timeout = 30);

Test(chardev_io, backpressure_stops_reading_and_loses_nothing)
{
    struct pipes p = open_pipes();
    set_quota(100);
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    enum { N = 30000 };
    static uint8_t src[N];
    for (size_t i = 0; i < N; i++)
        src[i] = pattern(i);
    /* The pipe holds 64 KiB, so this write completes while the sink refuses. */
    cr_assert(write_all(p.in_w, src, N));
    cr_expect(wait_count(100, 2000));
    test_sleep_ms(5);
    int calls = atomic_load(&sk.rx_calls);
    test_sleep_ms(50);
    cr_expect_leq(atomic_load(&sk.rx_calls) - calls, 1, "a refused reader waits, not spins");
    struct chardev_stats st;
    chardev_get_stats(p.cd, &st);
    cr_expect_leq(st.in_bytes, 100 + 64, "read %llu bytes while the sink was full",
                  (unsigned long long)st.in_bytes);
    for (size_t q = 200; q <= N; q += 997) {
        set_quota(q);
        chardev_rx_wake(p.cd);
        cr_assert(wait_count(q, 2000), "stuck at %zu", sink_count());
    }
    set_quota(N);
    chardev_rx_wake(p.cd);
    cr_assert(wait_count(N, 2000));
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(sk.buf[i], src[i], "byte %zu", i);
    close_pipes(&p);
}

Test(chardev_io, idle_reported_once_per_burst)
{
    struct pipes p = open_pipes();
    chardev_set_idle_ns(p.cd, 5000000); /* 5 ms */
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    test_sleep_ms(30);
    cr_expect_eq(atomic_load(&sk.idles), 0, "no input, nothing to time out");
    cr_assert(write_all(p.in_w, "a", 1));
    cr_expect(wait_idles(1, 5000));
    test_sleep_ms(50);
    cr_expect_eq(atomic_load(&sk.idles), 1, "one idle per burst");
    cr_assert(write_all(p.in_w, "b", 1));
    cr_expect(wait_idles(2, 5000));
    test_sleep_ms(50);
    cr_expect_eq(atomic_load(&sk.idles), 2);
    chardev_restart_idle(p.cd); /* a character that came another way */
    cr_expect(wait_idles(3, 5000));
    test_sleep_ms(50);
    cr_expect_eq(atomic_load(&sk.idles), 3);
    close_pipes(&p);
}

Test(chardev_io, idle_waits_for_the_period)
{
    struct pipes p = open_pipes();
    chardev_set_idle_ns(p.cd, 300000000); /* 300 ms */
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    cr_assert(write_all(p.in_w, "a", 1));
    cr_assert(wait_count(1, 2000));
    cr_assert(wait_idles(1, 5000));
    /* The period runs from the byte's arrival, just before the sink saw it
     * (10 ms of slack for that and the clock's rounding). */
    uint64_t waited = atomic_load(&sk.last_idle_ms) - atomic_load(&sk.last_rx_ms);
    cr_expect_geq(waited, 290, "idle after %llu ms of a 300 ms period", (unsigned long long)waited);
    test_sleep_ms(100);
    cr_expect_eq(atomic_load(&sk.idles), 1, "once");
    close_pipes(&p);
}

Test(chardev_io, input_end_is_not_an_error)
{
    struct pipes p = open_pipes();
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    cr_assert(write_all(p.in_w, "xy", 2));
    close(p.in_w);
    p.in_w = -1;
    cr_expect(wait_count(2, 2000));
    cr_expect_eq(chardev_write(p.cd, (const uint8_t *)"ok", 2), 2);
    char got[3] = {0};
    cr_expect_eq(read_for(p.out_r, got, 2, 2000), 2, "output still works");
    close_pipes(&p);
}

/* ---- output path ---- */

Test(chardev_io, full_ring_takes_less_and_reports_space)
{
    struct pipes p = open_pipes();
    cr_assert_geq(fcntl(p.out_r, F_SETPIPE_SZ, 4096), 4096);
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    enum { N = 200000 };
    static uint8_t src[N], got[N];
    for (size_t i = 0; i < N; i++)
        src[i] = pattern(i);
    size_t sent = chardev_write(p.cd, src, N);
    cr_expect_eq(sent, CHARDEV_RING, "the ring takes a full load, no more");
    test_sleep_ms(20); /* the pipe takes its 4 KiB: room again, reported */
    cr_expect_eq(atomic_load(&sk.tx_spaces), 1);
    sent += chardev_write(p.cd, src + sent, N - sent);
    cr_expect_eq(sent, CHARDEV_RING + 4096);
    test_sleep_ms(20);
    cr_expect_eq(atomic_load(&sk.tx_spaces), 1, "nobody reads: no room, no call");
    size_t got_n = 0;
    uint64_t end = test_now_ms() + 10000;
    while (got_n < N && test_now_ms() < end) {
        got_n += read_for(p.out_r, got + got_n, N - got_n, 5);
        if (sent < N)
            sent += chardev_write(p.cd, src + sent, N - sent);
    }
    cr_expect_geq(atomic_load(&sk.tx_spaces), 2, "the writer reported room");
    cr_assert_eq(got_n, N);
    cr_assert_eq(memcmp(got, src, N), 0);
    cr_expect(chardev_flush(p.cd, 1000));
    struct chardev_stats st;
    chardev_get_stats(p.cd, &st);
    cr_expect_eq(st.out_bytes, N);
    close_pipes(&p);
}

Test(chardev_io, nonblocking_output_retries_eagain)
{
    struct pipes p = open_pipes();
    cr_assert_geq(fcntl(p.out_r, F_SETPIPE_SZ, 4096), 4096);
    struct stat st;
    cr_assert_eq(fstat(p.out_r, &st), 0);
    /* Someone left our output non-blocking (as a shell may leave a tty). */
    int wfd = -1;
    for (int fd = 3; fd < 1024 && wfd < 0; fd++) {
        struct stat s2;
        if (fd != p.out_r && fstat(fd, &s2) == 0 && s2.st_ino == st.st_ino)
            wfd = fd;
    }
    cr_assert_geq(wfd, 0);
    fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    enum { N = 50000 };
    static uint8_t src[N], got[N];
    for (size_t i = 0; i < N; i++)
        src[i] = pattern(i);
    cr_assert_eq(chardev_write(p.cd, src, N), N);
    test_sleep_ms(50); /* let the writer hit EAGAIN */
    cr_assert_eq(read_for(p.out_r, got, N, 10000), N);
    cr_assert_eq(memcmp(got, src, N), 0);
    cr_expect(chardev_flush(p.cd, 1000));
    close_pipes(&p);
}

Test(chardev_io, vanished_output_is_reported_once_and_counted)
{
    struct pipes p = open_pipes();
    close(p.out_r);
    p.out_r = -1;
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    cr_expect_eq(chardev_write(p.cd, (const uint8_t *)"lost", 4), 4);
    cr_expect_not(chardev_flush(p.cd, 2000));
    cr_expect_eq(chardev_write(p.cd, (const uint8_t *)"more", 4), 4, "never blocks the sink");
    struct chardev_stats st;
    chardev_get_stats(p.cd, &st);
    cr_expect(st.out_failed);
    cr_expect_eq(st.out_lost, 8);
    close_pipes(&p);
    fflush(stderr);
    char buf[1024] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, cr_get_redirected_stderr());
    cr_expect_gt(n, 0);
    cr_expect_not_null(strstr(buf, "output failed (Broken pipe)"), "%s", buf);
    cr_expect_null(strstr(strchr(buf, '\n') + 1, "output failed"), "reported once: %s", buf);
}

Test(chardev_io, close_gives_up_on_a_stuck_output)
{
    struct pipes p = open_pipes();
    cr_assert_eq(chardev_attach(p.cd, &sink), 0);
    cr_assert_geq(fcntl(p.out_r, F_SETPIPE_SZ, 4096), 4096);
    static uint8_t junk[CHARDEV_RING];
    /* Fill the pipe, then the ring. */
    size_t sent = 0, k;
    uint64_t end = test_now_ms() + 2000;
    do {
        k = chardev_write(p.cd, junk, sizeof junk);
        sent += k;
        test_sleep_ms(5);
    } while ((k || sent < CHARDEV_RING + 4096) && test_now_ms() < end);
    cr_assert_eq(k, 0, "the ring filled");
    cr_assert_geq(sent, CHARDEV_RING + 4096, "after the pipe");
    uint64_t t0 = test_now_ms();
    chardev_close(p.cd);
    uint64_t took = test_now_ms() - t0;
    cr_expect_geq(took, CHARDEV_EXIT_FLUSH_MS - 50);
    cr_expect_lt(took, CHARDEV_EXIT_FLUSH_MS + 1500);
    close(p.in_w);
    close(p.out_r);
}

/* ---- terminals and exit paths ---- */

static int open_pty(int *slave)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    cr_assert_geq(m, 0);
    cr_assert_eq(grantpt(m), 0);
    cr_assert_eq(unlockpt(m), 0);
    *slave = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
    cr_assert_geq(*slave, 0);
    return m;
}

static bool cooked(int fd)
{
    struct termios t;
    cr_assert_eq(tcgetattr(fd, &t), 0);
    return (t.c_lflag & (ICANON | ECHO)) == (ICANON | ECHO) && (t.c_iflag & ICRNL);
}

TestSuite(chardev_tty, .init = reset_sink, .timeout = 30);

Test(chardev_tty, raw_mode_while_attached_restored_on_close)
{
    int slave, master = open_pty(&slave);
    cr_assert(cooked(slave), "a new pty starts cooked");
    struct termios before;
    tcgetattr(slave, &before);
    char err[128];
    struct chardev *cd = chardev_from_fds(slave, slave, false, err, sizeof err);
    cr_assert_not_null(cd, "%s", err);
    cr_expect(cooked(slave), "not before attach");
    cr_assert_eq(chardev_attach(cd, &sink), 0);
    struct termios t;
    tcgetattr(slave, &t);
    cr_expect_eq(t.c_lflag & (ICANON | ECHO | IEXTEN), 0);
    cr_expect_eq(t.c_iflag & (ICRNL | IXON), 0);
    cr_expect_neq(t.c_lflag & ISIG, 0, "Ctrl-C still stops the VMM");
    cr_expect_neq(t.c_oflag & OPOST, 0);
    cr_expect_eq(t.c_cc[VSUSP], _POSIX_VDISABLE, "Ctrl-Z goes to the guest");
    struct chardev_stats st;
    chardev_get_stats(cd, &st);
    cr_expect(st.raw_tty);
    /* A single key arrives at once, no line editing, CR untranslated. */
    cr_assert(write_all(master, "\r", 1));
    cr_expect(wait_count(1, 2000));
    cr_expect_eq(sk.buf[0], '\r');
    chardev_close(cd);
    tcgetattr(slave, &t);
    cr_expect_eq(t.c_lflag, before.c_lflag);
    cr_expect_eq(t.c_iflag, before.c_iflag);
    cr_expect_eq(memcmp(t.c_cc, before.c_cc, sizeof t.c_cc), 0);
    close(slave);
    close(master);
}

Test(chardev_tty, emergency_restores_terminal)
{
    int slave, master = open_pty(&slave);
    char err[128];
    struct chardev *cd = chardev_from_fds(slave, slave, false, err, sizeof err);
    cr_assert_eq(chardev_attach(cd, &sink), 0);
    cr_expect_not(cooked(slave));
    chardev_emergency();
    cr_expect(cooked(slave));
    chardev_close(cd);
    cr_expect(cooked(slave));
    close(slave);
    close(master);
}

/* In a child: a pty backend in raw mode whose output goes to a pipe. */
static pid_t child_with_backend(int slave, int out_w, void (*then)(struct chardev *))
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        char err[128];
        struct chardev *cd = chardev_from_fds(slave, out_w, false, err, sizeof err);
        struct chardev_stats st;
        if (!cd || chardev_attach(cd, &sink) < 0)
            _exit(99);
        chardev_get_stats(cd, &st);
        if (!st.raw_tty)
            _exit(97);
        then(cd);
        _exit(98);
    }
    return pid;
}

static void exit_without_close(struct chardev *cd)
{
    chardev_write(cd, (const uint8_t *)"bye", 3);
    exit(0);
}

static void die_by_sigterm(struct chardev *cd)
{
    /* Keep the writer busy elsewhere: the bytes must come out anyway. */
    chardev_write(cd, (const uint8_t *)"bye", 3);
    raise(SIGTERM);
}

Test(chardev_tty, restored_and_flushed_at_exit)
{
    SKIP_FORKED_BACKEND_UNDER_TSAN();
    int slave, master = open_pty(&slave);
    int out[2];
    cr_assert_eq(pipe(out), 0);
    pid_t pid = child_with_backend(slave, out[1], exit_without_close);
    close(out[1]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
    char got[8] = {0};
    cr_expect_eq(read_for(out[0], got, sizeof got, 2000), 3);
    cr_expect_str_eq(got, "bye");
    cr_expect(cooked(slave), "atexit restored the terminal");
    close(out[0]);
    close(slave);
    close(master);
}

Test(chardev_tty, restored_and_flushed_on_fatal_signal)
{
    SKIP_FORKED_BACKEND_UNDER_TSAN();
    struct sigaction old;
    sigaction(SIGTERM, NULL, &old);
    if (old.sa_handler != SIG_DFL)
        cr_skip_test("SIGTERM is handled by the test runner here");
    int slave, master = open_pty(&slave);
    int out[2];
    cr_assert_eq(pipe(out), 0);
    pid_t pid = child_with_backend(slave, out[1], die_by_sigterm);
    close(out[1]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_expect(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
              "the default action still ends it: status 0x%x", status);
    char got[8] = {0};
    size_t n = read_for(out[0], got, sizeof got, 2000);
    cr_expect(n == 3 || n == 6, "got %zu bytes", n); /* 6: writer and handler raced */
    cr_expect_eq(memcmp(got, "bye", 3), 0);
    cr_expect(cooked(slave), "the handler restored the terminal");
    close(out[0]);
    close(slave);
    close(master);
}
