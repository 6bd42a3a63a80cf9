/* Internals shared by chardev.c (threads, ring), chardev_exit.c (terminal and
 * exit paths) and chardev_spec.c (spec parsing). Not for models. */
#ifndef ISV_DEVICES_CHARDEV_INT_H
#define ISV_DEVICES_CHARDEV_INT_H

#include "chardev.h"
#include "errmsg.h"

#include <pthread.h>
#include <stdatomic.h>
#include <termios.h>

struct chardev {
    int in_fd, out_fd;
    bool own_in, own_out; /* close on chardev_close (once when in == out) */
    bool out_is_sock;     /* send(MSG_NOSIGNAL) instead of write */

    /* Terminal: saved by chardev_raw_enter, put back by chardev_raw_leave. */
    struct termios saved_tio;
    atomic_bool raw;

    struct chardev_sink sink;
    bool attached;

    /* Output ring: bytes [head, tail) are pending; both only grow (mod 2^64).
     * tail moves under lock in chardev_write; head moves in the writer. They are
     * atomics so chardev_emergency can read them from a signal handler. */
    pthread_mutex_t lock;
    pthread_cond_t wake_writer, progress;
    uint8_t *ring;
    atomic_size_t head, tail;
    bool tx_blocked;   /* a write took less than offered: tell the sink later */
    bool stop_writer;        /* exit once the ring is empty */
    atomic_bool abort_writer; /* exit now (close gave up on the output) */
    bool writer_running;
    bool out_failed;
    uint64_t out_bytes, out_lost;
    pthread_t writer;

    /* Reader: ctl pipe carries wake-ups (and the stop request). */
    int ctl[2];
    atomic_bool stop_reader;
    atomic_uint_fast64_t idle_ns;
    atomic_uint_fast64_t in_bytes;
    bool reader_running;
    pthread_t reader;
};

/* chardev_exit.c */
void chardev_register(struct chardev *cd);
void chardev_unregister(struct chardev *cd);
void chardev_raw_enter(struct chardev *cd); /* no-op unless a foreground tty */
void chardev_raw_leave(struct chardev *cd); /* async-signal-safe */
void chardev_install_exit_hooks(void);

/* chardev.c */
struct chardev *chardev_new(int in_fd, int out_fd, bool own_in, bool own_out, char *err,
                            size_t errlen);

#endif
