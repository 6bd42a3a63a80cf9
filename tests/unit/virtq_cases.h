/* Malicious descriptor chains, shared by the ring-parser and transport tests.
 * Each builder lays out a queue of VQC_NUM entries and publishes its chain. */
#ifndef ISV_TESTS_VIRTQ_CASES_H
#define ISV_TESTS_VIRTQ_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "vtest.h"

#define VQC_NUM 16
#define VQC_RAM (32ull << 20) /* the > 4 GiB case needs 200 x 32 MiB buffers */

struct bad_chain {
    const char *name;
    void (*build)(struct vt_queue *q);
    const char *expect;  /* substring of the error */
    bool no_indirect;    /* run with VIRTIO_F_INDIRECT_DESC not negotiated */
};

extern struct bad_chain bad_chains[];
extern const size_t n_bad_chains;

#endif
