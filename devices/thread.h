/* Starting the VMM's service threads (device backends, workers, timers). */
#ifndef ISV_DEVICES_THREAD_H
#define ISV_DEVICES_THREAD_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread: stop signals
 * (SIGINT, SIGTERM) belong to the VMM's main thread and the vCPU kick signal
 * to the vCPU threads, and a blocked SIGPIPE turns a vanished reader into
 * EPIPE. `name` (at most 15 characters shown) labels it for debuggers.
 * 0 or a positive errno. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *name);

#endif
