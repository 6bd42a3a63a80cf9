/*
 * lxbench: the Linux guest's side of `make bench`, run inside the guest
 * (static, libc only) so that isv and QEMU are measured by the same code.
 * Each subcommand prints one result line starting with "lxbench: ".
 *
 *   lxbench seq DEV MIB         O_DIRECT 1 MiB writes over the first MIB MiB
 *                               of DEV, fdatasync, then 1 MiB reads of them:
 *                               "lxbench: seq DEV write-mibps W read-mibps R"
 *   lxbench rand DEV QD SECS    4 KiB O_DIRECT random reads at queue depth QD
 *                               for SECS s: "lxbench: rand DEV qd QD iops I"
 *   lxbench tty DEV BYTES       BYTES of text to a raw tty, drained:
 *                               "lxbench: tty DEV bytes B seconds S bps X"
 *                               (X in bytes per second)
 *
 * Exit status: 0 done, 1 I/O error, 2 bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/aio_abi.h>
#include <linux/fs.h>

#define MIB (1u << 20)
#define BLK 4096u     /* the random-read size and every O_DIRECT alignment */
#define QD_MAX 256
#define LINE 64       /* the tty text: 63 printable characters and '\n' */

static const char *prog_cmd;

static int usage(void)
{
    fprintf(stderr, "usage: lxbench seq DEV MIB | rand DEV QD SECONDS | tty DEV BYTES\n");
    return 2;
}

static int fail(const char *what, const char *dev, int err)
{
    fprintf(stderr, "lxbench: %s %s: %s: %s\n", prog_cmd, dev, what, strerror(err));
    return 1;
}

/* A positive decimal no greater than max, or 0 if it is not one. */
static unsigned long arg_num(const char *s, unsigned long max)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return 0;
    return v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- seq ---- */

/* One whole 1 MiB transfer at off; O_DIRECT may still return short. */
static int xfer(int fd, char *buf, off_t off, int wr)
{
    for (size_t done = 0; done < MIB;) {
        ssize_t n = wr ? pwrite(fd, buf + done, MIB - done, off + done)
                       : pread(fd, buf + done, MIB - done, off + done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        done += n;
    }
    return 0;
}

static int cmd_seq(int argc, char **argv)
{
    unsigned long mib;
    if (argc != 4 || !(mib = arg_num(argv[3], 1ul << 20)))
        return usage();
    const char *dev = argv[2];
    int fd = open(dev, O_RDWR | O_DIRECT);
    if (fd < 0)
        return fail("open", dev, errno);
    uint64_t size;
    if (ioctl(fd, BLKGETSIZE64, &size) == 0 && size < (uint64_t)mib * MIB) {
        fprintf(stderr, "lxbench: seq %s: %lu MiB asked, the device has %" PRIu64 "\n",
                dev, mib, size / MIB);
        return 1;
    }
    void *buf;
    if ((errno = posix_memalign(&buf, BLK, MIB)))
        return fail("posix_memalign", dev, errno);
    for (size_t i = 0; i < MIB; i++)   /* not zeros: nothing may elide them */
        ((unsigned char *)buf)[i] = (unsigned char)(i * 31 + 7);

    int err;
    double t0 = now();
    for (unsigned long i = 0; i < mib; i++)
        if ((err = xfer(fd, buf, (off_t)i * MIB, 1)))
            return fail("write", dev, err);
    if (fdatasync(fd))
        return fail("fdatasync", dev, errno);
    double t1 = now();
    for (unsigned long i = 0; i < mib; i++)
        if ((err = xfer(fd, buf, (off_t)i * MIB, 0)))
            return fail("read", dev, err);
    double t2 = now();
    printf("lxbench: seq %s write-mibps %.1f read-mibps %.1f\n", dev,
           mib / (t1 - t0), mib / (t2 - t1));
    free(buf);
    close(fd);
    return 0;
}

/* ---- rand: native AIO, so one thread (the guest has one vCPU) keeps QD
 * reads in flight; raw syscalls, as libc has no wrappers for them. ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;   /* fixed: repeatable runs */

static uint64_t xorshift64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int submit(aio_context_t ctx, struct iocb **cbs, long n)
{
    while (n > 0) {
        long r = syscall(SYS_io_submit, ctx, n, cbs);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? errno : EAGAIN;
        cbs += r;
        n -= r;
    }
    return 0;
}

static int cmd_rand(int argc, char **argv)
{
    unsigned long qd, secs;
    if (argc != 5 || !(qd = arg_num(argv[3], QD_MAX)) || !(secs = arg_num(argv[4], 86400)))
        return usage();
    const char *dev = argv[2];
    int fd = open(dev, O_RDONLY | O_DIRECT);
    if (fd < 0)
        return fail("open", dev, errno);
    uint64_t size;
    if (ioctl(fd, BLKGETSIZE64, &size))
        return fail("BLKGETSIZE64", dev, errno);
    uint64_t nblk = size / BLK;
    if (!nblk)
        return fail("size", dev, ENOSPC);
    char *bufs;
    if ((errno = posix_memalign((void **)&bufs, BLK, qd * BLK)))
        return fail("posix_memalign", dev, errno);
    aio_context_t ctx = 0;
    if (syscall(SYS_io_setup, qd, &ctx))
        return fail("io_setup", dev, errno);

    static struct iocb cb[QD_MAX];
    static struct iocb *ptrs[QD_MAX];
    static struct io_event ev[QD_MAX];
    for (unsigned long i = 0; i < qd; i++) {
        cb[i] = (struct iocb){
            .aio_data = i,
            .aio_lio_opcode = IOCB_CMD_PREAD,
            .aio_fildes = fd,
            .aio_buf = (uintptr_t)(bufs + i * BLK),
            .aio_nbytes = BLK,
            .aio_offset = (xorshift64() % nblk) * BLK,
        };
        ptrs[i] = &cb[i];
    }
    int err;
    double t0 = now(), end = t0 + secs, t;
    if ((err = submit(ctx, ptrs, qd)))
        return fail("io_submit", dev, err);
    uint64_t done = 0;
    long inflight = qd;
    /* Each completion is counted and its iocb resubmitted at a new offset
     * until the time is up; a 1 s wait bounds the overshoot of a stall. */
    for (;;) {
        struct timespec to = {1, 0};
        long n = syscall(SYS_io_getevents, ctx, 1, qd, ev, &to);
        if (n < 0 && errno == EINTR)
            n = 0;
        if (n < 0)
            return fail("io_getevents", dev, errno);
        for (long i = 0; i < n; i++) {
            if (ev[i].res != BLK)
                return fail("read", dev, ev[i].res < 0 ? (int)-ev[i].res : EIO);
            struct iocb *c = &cb[ev[i].data];
            c->aio_offset = (xorshift64() % nblk) * BLK;
            ptrs[i] = c;
        }
        done += n;
        inflight -= n;
        if ((t = now()) >= end)
            break;
        if ((err = submit(ctx, ptrs, n)))
            return fail("io_submit", dev, err);
        inflight += n;
    }
    /* Drain what is still in flight (not counted) before the context goes. */
    while (inflight > 0) {
        struct timespec to = {10, 0};
        long n = syscall(SYS_io_getevents, ctx, 1, inflight, ev, &to);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail("io_getevents", dev, n < 0 ? errno : ETIMEDOUT);
        inflight -= n;
    }
    syscall(SYS_io_destroy, ctx);
    printf("lxbench: rand %s qd %lu iops %.0f\n", dev, qd, done / (t - t0));
    free(bufs);
    close(fd);
    return 0;
}

/* ---- tty ---- */

static int cmd_tty(int argc, char **argv)
{
    unsigned long bytes;
    if (argc != 4 || !(bytes = arg_num(argv[3], 1ul << 30)))
        return usage();
    const char *dev = argv[2];
    int fd = open(dev, O_WRONLY | O_NOCTTY);
    if (fd < 0)
        return fail("open", dev, errno);
    struct termios old, raw;
    if (tcgetattr(fd, &old))
        return fail("tcgetattr", dev, errno);
    raw = old;
    cfmakeraw(&raw);   /* no ONLCR: BYTES bytes reach the wire, not more */
    if (tcsetattr(fd, TCSANOW, &raw))
        return fail("tcsetattr", dev, errno);

    static char chunk[4096];
    static const char line[LINE] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.\n";
    for (size_t i = 0; i < sizeof chunk; i += LINE)
        memcpy(chunk + i, line, LINE);

    int err = 0;
    double t0 = now();
    for (unsigned long left = bytes; left && !err;) {
        size_t len = left < sizeof chunk ? left : sizeof chunk;
        if (left == len)   /* the text ends a line, so the result starts one */
            chunk[len - 1] = '\n';
        for (size_t off = 0; off < len;) {
            ssize_t n = write(fd, chunk + off, len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                err = n < 0 ? errno : EIO;
                break;
            }
            off += n;
        }
        left -= len;
    }
    if (!err && tcdrain(fd))
        err = errno;
    double s = now() - t0;
    /* Back to cooked: DEV may be the console, where the result line (and
     * everything after it) needs its ONLCR again. */
    tcsetattr(fd, TCSADRAIN, &old);
    close(fd);
    if (err)
        return fail("write", dev, err);
    printf("lxbench: tty %s bytes %lu seconds %.3f bps %.0f\n", dev, bytes, s, bytes / s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    prog_cmd = argv[1];
    int rc;
    if (!strcmp(argv[1], "seq"))
        rc = cmd_seq(argc, argv);
    else if (!strcmp(argv[1], "rand"))
        rc = cmd_rand(argc, argv);
    else if (!strcmp(argv[1], "tty"))
        rc = cmd_tty(argc, argv);
    else
        rc = usage();
    if (fflush(stdout) && !rc) {
        fprintf(stderr, "lxbench: stdout: %s\n", strerror(errno));
        rc = 1;
    }
    return rc;
}
