/* Exit statistics (see stats.h). */
#include "stats.h"

#include <time.h>

#include "../devices/device.h"

static const char *const kind_names[STAT_NKINDS] = {
    "mmio-read", "mmio-write", "mmio-unmapped", "nisv", "system-event", "interrupted", "other",
};

uint64_t stats_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned log2_len(unsigned len)
{
    return len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3;
}

void stats_exit(struct exit_stats *s, enum stat_kind kind, uint64_t ns)
{
    s->count[kind]++;
    s->ns[kind] += ns;
}

/* dev's counters in s, added on first use; NULL once the table is full. */
static struct dev_stats *dev_slot(struct exit_stats *s, const struct device *dev)
{
    for (unsigned i = 0; i < s->ndevs; i++)
        if (s->devs[i].dev == dev)
            return &s->devs[i];
    if (s->ndevs == STAT_MAX_DEVICES)
        return NULL;
    s->devs[s->ndevs].dev = dev;
    return &s->devs[s->ndevs++];
}

void stats_mmio(struct exit_stats *s, const struct device *dev, bool is_write, unsigned len,
                uint64_t ns)
{
    if (!dev) {
        stats_exit(s, STAT_MMIO_UNMAPPED, ns);
        return;
    }
    stats_exit(s, is_write ? STAT_MMIO_WRITE : STAT_MMIO_READ, ns);
    s->by_width[is_write][log2_len(len)]++;
    struct dev_stats *d = dev_slot(s, dev);
    if (!d)
        return;
    if (is_write)
        d->writes++;
    else
        d->reads++;
    d->ns += ns;
}

void stats_nisv(struct exit_stats *s, unsigned reason, const char *name, uint64_t ns)
{
    stats_exit(s, STAT_NISV, ns);
    if (reason >= STAT_NISV_REASONS)
        reason = STAT_NISV_REASONS - 1;
    s->nisv_by_reason[reason]++;
    s->nisv_reason_name[reason] = name;
}

void stats_merge(struct exit_stats *dst, const struct exit_stats *src)
{
    for (int k = 0; k < STAT_NKINDS; k++) {
        dst->count[k] += src->count[k];
        dst->ns[k] += src->ns[k];
    }
    for (int w = 0; w < 2; w++)
        for (int l = 0; l < 4; l++)
            dst->by_width[w][l] += src->by_width[w][l];
    for (int r = 0; r < STAT_NISV_REASONS; r++) {
        dst->nisv_by_reason[r] += src->nisv_by_reason[r];
        if (src->nisv_reason_name[r])
            dst->nisv_reason_name[r] = src->nisv_reason_name[r];
    }
    for (unsigned j = 0; j < src->ndevs; j++) {
        const struct dev_stats *d = &src->devs[j];
        struct dev_stats *t = dev_slot(dst, d->dev);
        if (!t)
            continue;
        t->reads += d->reads;
        t->writes += d->writes;
        t->ns += d->ns;
    }
    dst->runs += src->runs;
    if (src->start_ns && (!dst->start_ns || src->start_ns < dst->start_ns))
        dst->start_ns = src->start_ns;
    if (src->end_ns > dst->end_ns)
        dst->end_ns = src->end_ns;
}

void stats_print_vcpu(const struct exit_stats *s, unsigned id, FILE *out)
{
    uint64_t exits = 0;
    for (int k = 0; k < STAT_NKINDS; k++)
        exits += s->count[k];
    fprintf(out, "isv: stats:   vcpu %-3u %10llu exits, mmio %llu, nisv %llu, %llu KVM_RUN calls\n",
            id, (unsigned long long)exits,
            (unsigned long long)(s->count[STAT_MMIO_READ] + s->count[STAT_MMIO_WRITE] +
                                 s->count[STAT_MMIO_UNMAPPED]),
            (unsigned long long)s->count[STAT_NISV], (unsigned long long)s->runs);
}

void stats_print(const struct exit_stats *s, FILE *out)
{
    uint64_t exits = 0, ns = 0;
    for (int k = 0; k < STAT_NKINDS; k++) {
        exits += s->count[k];
        ns += s->ns[k];
    }
    double wall = (double)(s->end_ns - s->start_ns) / 1e9;
    fprintf(out, "isv: stats: %llu exits in %.3f s of run time, %.3f ms handling them in the VMM\n",
            (unsigned long long)exits, wall, (double)ns / 1e6);
    for (int k = 0; k < STAT_NKINDS; k++) {
        if (!s->count[k])
            continue;
        fprintf(out, "isv: stats:   %-14s %10llu  %9.3f ms  %7.2f us/exit\n", kind_names[k],
                (unsigned long long)s->count[k], (double)s->ns[k] / 1e6,
                (double)s->ns[k] / 1e3 / (double)s->count[k]);
    }
    static const char *const dir[2] = {"read", "write"};
    for (int w = 0; w < 2; w++) {
        const uint64_t *c = s->by_width[w];
        if (c[0] + c[1] + c[2] + c[3])
            fprintf(out, "isv: stats:   mmio %-5s by width: 8-bit %llu, 16-bit %llu, 32-bit %llu, 64-bit %llu\n",
                    dir[w], (unsigned long long)c[0], (unsigned long long)c[1],
                    (unsigned long long)c[2], (unsigned long long)c[3]);
    }
    /* Always said, zero included: it is the figure the accessor library is about. */
    fprintf(out, "isv: stats:   exits without a valid syndrome: %llu\n",
            (unsigned long long)s->count[STAT_NISV]);
    for (int r = 0; r < STAT_NISV_REASONS; r++)
        if (s->nisv_by_reason[r])
            fprintf(out, "isv: stats:   nisv %-20s %llu\n",
                    s->nisv_reason_name[r] ? s->nisv_reason_name[r] : "?",
                    (unsigned long long)s->nisv_by_reason[r]);
    for (unsigned i = 0; i < s->ndevs; i++)
        fprintf(out, "isv: stats:   device %-20s reads %llu, writes %llu, %.3f ms\n",
                s->devs[i].dev->name, (unsigned long long)s->devs[i].reads,
                (unsigned long long)s->devs[i].writes, (double)s->devs[i].ns / 1e6);
}
