/* Helpers shared by the PL011 and chardev unit tests: descriptor I/O with
 * deadlines, so a broken model fails a test instead of hanging it. */
#ifndef ISV_TESTS_SERIAL_TEST_UTIL_H
#define ISV_TESTS_SERIAL_TEST_UTIL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static inline void test_sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* Read up to n bytes, waiting at most timeout_ms in total; returns the count. */
static inline size_t read_for(int fd, void *buf, size_t n, int timeout_ms)
{
    size_t got = 0;
    uint64_t end = test_now_ms() + (uint64_t)timeout_ms;
    while (got < n) {
        uint64_t now = test_now_ms();
        if (now >= end)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)(end - now)) <= 0)
            continue;
        ssize_t r = read(fd, (uint8_t *)buf + got, n - got);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0 || (errno != EINTR && errno != EAGAIN))
            break;
    }
    return got;
}

/* Write all n bytes (blocking descriptor); false on error. */
static inline bool write_all(int fd, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, (const uint8_t *)buf + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        done += (size_t)r;
    }
    return true;
}

/* Nothing arrives on fd within ms. */
static inline bool quiet_for(int fd, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, ms) == 0;
}

#endif
