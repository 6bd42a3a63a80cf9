/* Exit statistics for --stats: counts per exit kind, MMIO by direction and
 * width, per device, and the time the VMM spent handling exits. */
#ifndef ISV_VMM_STATS_H
#define ISV_VMM_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct device;

enum stat_kind {
    STAT_MMIO_READ, STAT_MMIO_WRITE, STAT_MMIO_UNMAPPED, STAT_NISV, STAT_SYSTEM_EVENT,
    STAT_INTR, STAT_OTHER, STAT_NKINDS,
};

#define STAT_NISV_REASONS 16
#define STAT_MAX_DEVICES 40

struct dev_stats {
    const struct device *dev;
    uint64_t reads, writes, ns;
};

struct exit_stats {
    uint64_t count[STAT_NKINDS];
    uint64_t ns[STAT_NKINDS];              /* time handling exits of each kind */
    uint64_t by_width[2][4];               /* [write][log2(len)] */
    uint64_t nisv_by_reason[STAT_NISV_REASONS];
    const char *nisv_reason_name[STAT_NISV_REASONS];
    struct dev_stats devs[STAT_MAX_DEVICES];
    unsigned ndevs;
    uint64_t runs;                         /* KVM_RUN calls */
    uint64_t start_ns, end_ns;             /* wall time of the run */
};

uint64_t stats_now_ns(void);
/* Record one exit of `kind` that took `ns` to handle (dev/len for MMIO). */
void stats_mmio(struct exit_stats *s, const struct device *dev, bool is_write, unsigned len,
                uint64_t ns);
void stats_exit(struct exit_stats *s, enum stat_kind kind, uint64_t ns);
void stats_nisv(struct exit_stats *s, unsigned reason, const char *name, uint64_t ns);
/* Add src (one vCPU's) into dst; the wall time spans both. */
void stats_merge(struct exit_stats *dst, const struct exit_stats *src);
/* One line for vCPU `id`: its exits, MMIO exits and KVM_RUN calls. */
void stats_print_vcpu(const struct exit_stats *s, unsigned id, FILE *out);
/* The report, several lines, each starting with "isv: stats:". */
void stats_print(const struct exit_stats *s, FILE *out);

#endif
