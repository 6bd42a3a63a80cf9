/*
 * Host character backends for UART models: where guest output goes and where
 * guest input comes from. Pure POSIX (no KVM), so unit tests can run a model
 * against a pipe, a socketpair or a pty.
 *
 * Backend spec (the VMM's serial option); paths may not contain ',':
 *   stdio                     input from stdin, output to stdout. When stdin is
 *                             the controlling terminal and we are in the
 *                             foreground, it is put in raw mode (no echo, no
 *                             line editing, no CR/LF translation on input; output
 *                             post-processing and signal keys stay on, so Ctrl-C
 *                             still stops the VMM) and restored on every exit.
 *   null                      no input; output discarded
 *   file:out=PATH             output to PATH (created or truncated), no input
 *   file:in=PATH              input read from PATH to its end, output to stdout
 *   file:in=PATH,out=PATH     both
 *   socket:PATH               connect to a listening Unix stream socket
 *   socket:PATH,server        listen on PATH (a stale socket there is replaced)
 *                             and wait for one client before returning
 *
 * Data paths:
 * - Input: a reader thread (started even without an input, for the idle
 *   timing) reads the input and offers the bytes to the sink.
 *   When the sink takes fewer than offered (its FIFO is full) the thread keeps
 *   the rest, stops reading the input (back-pressure) and waits for
 *   chardev_rx_wake(). No input byte is ever dropped. After the idle period with
 *   no byte accepted it calls sink->rx_idle once (a UART's receive timeout).
 * - Output: chardev_write() copies into a CHARDEV_RING-byte ring and never
 *   blocks; a writer thread drains the ring with writes that retry on EINTR and
 *   EAGAIN. When the ring is full chardev_write() takes fewer bytes, and the
 *   writer calls sink->tx_space once room appears. If the output fails for good
 *   (EPIPE, EIO...) one line is printed and later output is counted as lost.
 *
 * Locking: callbacks run on the backend's threads with no backend lock held;
 * chardev_write, chardev_rx_wake and chardev_set_idle_ns may be called with the
 * caller's own (device) lock held.
 *
 * Exit paths: every backend with a terminal or an output is registered; an
 * atexit handler flushes the rings (2 s at most) and restores terminals, and
 * fatal signals whose disposition is still the default (SIGINT, SIGTERM,
 * SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT) restore terminals
 * and write out what is in the rings before the default action. A VMM that
 * installs its own handlers can call chardev_emergency() from them.
 */
#ifndef ISV_DEVICES_CHARDEV_H
#define ISV_DEVICES_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHARDEV_RING 65536u             /* output ring bytes */
#define CHARDEV_IDLE_NS_DEFAULT 1000000u /* 1 ms until the first set_idle */
#define CHARDEV_EXIT_FLUSH_MS 2000       /* atexit / close flush bound */

struct chardev;

struct chardev_sink {
    /* Offer n > 0 received bytes; return how many were taken (0..n). */
    size_t (*rx)(void *ctx, const uint8_t *buf, size_t n);
    /* The idle period passed with no byte taken since the last one taken. */
    void (*rx_idle)(void *ctx);
    /* Output room appeared after chardev_write() took less than offered. */
    void (*tx_space)(void *ctx);
    void *ctx;
};

struct chardev_stats {
    uint64_t in_bytes;   /* read from the input */
    uint64_t out_bytes;  /* written to the output */
    uint64_t out_lost;   /* discarded after the output failed */
    bool out_failed;
    bool raw_tty;        /* the input terminal is in raw mode */
};

/* Open a backend from a spec (above). NULL with a one-line message in err. */
struct chardev *chardev_open(const char *spec, char *err, size_t errlen);
/* A backend on existing descriptors (-1 = none); in_fd == out_fd is allowed
 * (a socket). With own_fds they are closed by chardev_close. */
struct chardev *chardev_from_fds(int in_fd, int out_fd, bool own_fds, char *err,
                                 size_t errlen);
/* Connect the sink and start the threads (raw terminal mode starts here).
 * Once per backend. 0 or -errno. */
int chardev_attach(struct chardev *cd, const struct chardev_sink *sink);

/* Queue output without blocking; returns bytes taken (n when there is no
 * output or it failed for good). */
size_t chardev_write(struct chardev *cd, const uint8_t *buf, size_t n);
/* The sink has room again: resume offering input. Cheap, never blocks. */
void chardev_rx_wake(struct chardev *cd);
/* A character reached the sink some other way (a UART's loopback): start the
 * idle period anew, so rx_idle follows it too. Cheap, never blocks. */
void chardev_restart_idle(struct chardev *cd);
/* Idle period before sink->rx_idle (clamped to 20 us .. 1 s). */
void chardev_set_idle_ns(struct chardev *cd, uint64_t ns);
/* Wait until everything queued has been written; false on timeout or when the
 * output failed with bytes pending. */
bool chardev_flush(struct chardev *cd, int timeout_ms);
void chardev_get_stats(struct chardev *cd, struct chardev_stats *st);
/* Stop the threads, flush (CHARDEV_EXIT_FLUSH_MS at most), restore the
 * terminal, close owned descriptors, free. NULL is a no-op. */
void chardev_close(struct chardev *cd);

/* Async-signal-safe: restore every raw terminal and write out (best effort,
 * without blocking) what the output rings still hold. */
void chardev_emergency(void);

#endif
