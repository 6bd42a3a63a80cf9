/*
 * virtio-rng entropy source (virtio 1.2 §5.4): every device-writable buffer
 * on the request queue is filled from the host's getrandom().
 */
#include "virtio_devices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "virtio_mmio.h"

/* Bytes served per request. The device may fill less than offered (§5.4.6.1);
 * the cap keeps one huge buffer from tying up the worker. */
#define RNG_MAX_PER_REQUEST 65536

struct rng {
    struct virtq_chain chain; /* worker-only scratch */
    bool reported;            /* a getrandom failure was logged */
};

static size_t fill(struct rng *r, struct virtio_mmio *vm, uint8_t *p, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(p + done, len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (!r->reported)
                virtio_mmio_log(vm, "getrandom: %s", strerror(errno));
            r->reported = true;
            break;
        }
        done += (size_t)n;
    }
    return done;
}

static void rng_queue_work(struct virtio_mmio *vm, unsigned q)
{
    struct rng *r = virtio_mmio_priv(vm);
    struct virtq_chain *c = &r->chain;
    while (virtio_mmio_pop(vm, q, c)) {
        size_t total = 0;
        /* Device-readable buffers have no meaning here; only fill writable ones. */
        for (unsigned i = c->nrd; i < c->nrd + c->nwr && total < RNG_MAX_PER_REQUEST; i++) {
            size_t want = c->iov[i].iov_len;
            if (want > RNG_MAX_PER_REQUEST - total)
                want = RNG_MAX_PER_REQUEST - total;
            size_t got = fill(r, vm, c->iov[i].iov_base, want);
            total += got;
            if (got < want)
                break;
        }
        virtio_mmio_push(vm, q, c, (uint32_t)total);
    }
}

static const struct virtio_dev_ops rng_ops = {
    .type = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .num_queues = 1,
    .queue_max = VIRTQ_MAX_CHAIN,
    .queue_work = rng_queue_work,
    .free = free,
};

struct device *virtio_rng_create(uint64_t base, int spi, struct device_host *host, char *err,
                                 size_t errlen)
{
    struct rng *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "virtio-rng: out of memory");
        return NULL;
    }
    struct virtio_mmio *vm = virtio_mmio_create(base, spi, host, &rng_ops, r, 0, NULL, 0, err, errlen);
    if (!vm) {
        free(r);
        return NULL;
    }
    return virtio_mmio_dev(vm);
}
