/*
 * Character backends on the way out: raw terminal mode and its restoration,
 * and the process-wide hooks (atexit, fatal signals) that flush output and put
 * the terminal back whichever way the VMM ends.
 */
#include "chardev_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_OPEN 16

/* Open backends, readable from a signal handler. */
static _Atomic(struct chardev *) registry[MAX_OPEN];
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;

void chardev_register(struct chardev *cd)
{
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < MAX_OPEN; i++) {
        if (!atomic_load(&registry[i])) {
            atomic_store(&registry[i], cd);
            pthread_mutex_unlock(&registry_lock);
            return;
        }
    }
    pthread_mutex_unlock(&registry_lock);
    fprintf(stderr, "serial backend: more than %d open; exit hooks will miss one\n", MAX_OPEN);
}

void chardev_unregister(struct chardev *cd)
{
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < MAX_OPEN; i++)
        if (atomic_load(&registry[i]) == cd)
            atomic_store(&registry[i], NULL);
    pthread_mutex_unlock(&registry_lock);
}

void chardev_raw_enter(struct chardev *cd)
{
    int fd = cd->in_fd;
    struct termios t;
    if (fd < 0 || !isatty(fd) || tcgetattr(fd, &t) < 0)
        return;
    /* Changing our controlling terminal from the background would stop us
     * (SIGTTOU); stay cooked there. */
    pid_t fg = tcgetpgrp(fd);
    if (fg >= 0 && fg != getpgrp())
        return;
    cd->saved_tio = t;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON |
                             IXOFF);
    /* ISIG stays: Ctrl-C and Ctrl-\ still stop the VMM (through our handlers,
     * which restore the terminal). Ctrl-Z would leave a raw shell behind, so it
     * is passed to the guest as a byte instead. */
    t.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ECHONL | IEXTEN);
    t.c_cc[VSUSP] = _POSIX_VDISABLE;
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    /* Output post-processing (OPOST/ONLCR) is kept so VMM messages on the same
     * terminal stay readable; the guest's own CR LF pairs are unaffected. */
    atomic_store(&cd->raw, true);
    if (tcsetattr(fd, TCSANOW, &t) < 0)
        atomic_store(&cd->raw, false);
}

void chardev_raw_leave(struct chardev *cd)
{
    if (atomic_exchange(&cd->raw, false))
        tcsetattr(cd->in_fd, TCSANOW, &cd->saved_tio);
}

/* Write out what the ring holds without blocking and without locks. Bytes the
 * writer thread is writing at the same moment may appear twice: acceptable for
 * a process that is dying. */
static void dump_ring(struct chardev *cd)
{
    size_t head = atomic_load(&cd->head), tail = atomic_load(&cd->tail);
    if (cd->out_fd < 0 || !cd->ring || tail - head > CHARDEV_RING)
        return;
    int fl = cd->out_is_sock ? -1 : fcntl(cd->out_fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK))
        fcntl(cd->out_fd, F_SETFL, fl | O_NONBLOCK);
    size_t h = head;
    while (h != tail) {
        size_t off = h % CHARDEV_RING;
        size_t n = tail - h < CHARDEV_RING - off ? tail - h : CHARDEV_RING - off;
        ssize_t r = cd->out_is_sock
                        ? send(cd->out_fd, cd->ring + off, n, MSG_DONTWAIT | MSG_NOSIGNAL)
                        : write(cd->out_fd, cd->ring + off, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        h += (size_t)r;
    }
    if (fl >= 0 && !(fl & O_NONBLOCK))
        fcntl(cd->out_fd, F_SETFL, fl);
    /* Later exit paths (atexit) must not write these bytes again. */
    atomic_compare_exchange_strong(&cd->head, &head, h);
}

void chardev_emergency(void)
{
    int saved = errno;
    for (int i = 0; i < MAX_OPEN; i++) {
        struct chardev *cd = atomic_load(&registry[i]);
        if (cd) {
            chardev_raw_leave(cd);
            dump_ring(cd);
        }
    }
    errno = saved;
}

static void at_exit(void)
{
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < MAX_OPEN; i++) {
        struct chardev *cd = atomic_load(&registry[i]);
        if (!cd)
            continue;
        struct chardev_stats st;
        bool ok = chardev_flush(cd, CHARDEV_EXIT_FLUSH_MS);
        chardev_get_stats(cd, &st);
        if (!ok && !st.out_failed)
            fprintf(stderr, "serial backend: output blocked at exit; %zu bytes not delivered\n",
                    (size_t)(atomic_load(&cd->tail) - atomic_load(&cd->head)));
        chardev_raw_leave(cd);
    }
    pthread_mutex_unlock(&registry_lock);
}

static const int fatal_signals[] = {SIGINT,  SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
                                    SIGBUS,  SIGILL,  SIGFPE, SIGABRT};

static void on_fatal_signal(int sig)
{
    chardev_emergency();
    /* Re-deliver with the default action: it is blocked until we return, and a
     * synchronous fault simply recurs. */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

static void install_once(void)
{
    atexit(at_exit);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++) {
        struct sigaction old;
        if (sigaction(fatal_signals[i], NULL, &old) < 0)
            continue;
        /* Leave signals the VMM (or a sanitizer) already handles or ignores. */
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
            continue;
        struct sigaction sa = {.sa_handler = on_fatal_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(fatal_signals[i], &sa, NULL);
    }
}

void chardev_install_exit_hooks(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_once);
}
