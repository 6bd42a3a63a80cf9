/* Service threads with every signal blocked (see thread.h). */
#include "thread.h"

#include <signal.h>
#include <stdio.h>

int thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *name)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int e = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!e && name) {
        char n[16];
        snprintf(n, sizeof n, "%s", name);
        pthread_setname_np(*t, n);
    }
    return e;
}
