/* --stats bookkeeping and report. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../devices/testdev.h"
#include "../../vmm/stats.h"

/* Column alignment is cosmetic: compare with runs of spaces folded to one. */
static void fold_spaces(char *t)
{
    char *w = t;
    for (char *r = t; *r; r++)
        if (!(*r == ' ' && w > t && w[-1] == ' '))
            *w++ = *r;
    *w = '\0';
}

Test(stats, counts_by_kind_width_and_device)
{
    struct exit_stats s = {0};
    struct device *a = testdev_create(0x1000, NULL), *b = testdev_create(0x2000, NULL);
    stats_mmio(&s, a, false, 4, 1000);
    stats_mmio(&s, a, true, 1, 2000);
    stats_mmio(&s, b, true, 8, 3000);
    stats_mmio(&s, b, true, 2, 500);
    stats_mmio(&s, NULL, false, 4, 100);
    stats_nisv(&s, 2, "pair", 50);
    stats_nisv(&s, 2, "pair", 50);
    stats_exit(&s, STAT_SYSTEM_EVENT, 10);
    s.start_ns = 0;
    s.end_ns = 2000000000;

    cr_assert_eq(s.count[STAT_MMIO_READ], 1);
    cr_assert_eq(s.count[STAT_MMIO_WRITE], 3);
    cr_assert_eq(s.count[STAT_MMIO_UNMAPPED], 1);
    cr_assert_eq(s.count[STAT_NISV], 2);
    cr_assert_eq(s.by_width[1][0], 1);
    cr_assert_eq(s.by_width[1][1], 1);
    cr_assert_eq(s.by_width[1][3], 1);
    cr_assert_eq(s.by_width[0][2], 1);
    cr_assert_eq(s.ndevs, 2);
    cr_assert_eq(s.devs[0].ns, 3000);
    cr_assert_eq(s.devs[1].writes, 2);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    stats_print(&s, f);
    fclose(f);
    fold_spaces(text);
    cr_assert(strstr(text, "isv: stats: 8 exits in 2.000 s"), "%s", text);
    cr_assert(strstr(text, "mmio-write 3 0.005 ms 1.83 us/exit"), "%s", text);
    cr_assert(strstr(text, "mmio write by width: 8-bit 1, 16-bit 1, 32-bit 0, 64-bit 1"), "%s", text);
    cr_assert(strstr(text, "nisv pair 2"), "%s", text);
    cr_assert(strstr(text, "device testdev@1000 reads 1, writes 1, 0.003 ms"), "%s", text);
    for (char *line = text; *line; line = strchr(line, '\n') + 1)
        cr_assert_eq(strncmp(line, "isv: stats:", 11), 0, "every line is tagged: %s", line);
    free(text);
    a->ops->destroy(a);
    b->ops->destroy(b);
}

/* Per-vCPU counters merge into one report; each vCPU keeps its own line. */
Test(stats, merge_per_vcpu)
{
    struct device *a = testdev_create(0x1000, NULL), *b = testdev_create(0x2000, NULL);
    struct exit_stats v0 = {0}, v1 = {0}, all = {0};
    stats_mmio(&v0, a, false, 4, 100);
    stats_mmio(&v0, a, true, 4, 100);
    stats_mmio(&v1, a, false, 8, 100);
    stats_mmio(&v1, b, true, 2, 100);
    stats_nisv(&v1, 3, "pair", 10);
    stats_exit(&v1, STAT_INTR, 0);
    v0.runs = 2;
    v1.runs = 4;
    v0.start_ns = 500, v0.end_ns = 2000;
    v1.start_ns = 700, v1.end_ns = 3000;
    stats_merge(&all, &v0);
    stats_merge(&all, &v1);
    cr_assert_eq(all.count[STAT_MMIO_READ], 2);
    cr_assert_eq(all.count[STAT_MMIO_WRITE], 2);
    cr_assert_eq(all.count[STAT_NISV], 1);
    cr_assert_eq(all.nisv_by_reason[3], 1);
    cr_assert_str_eq(all.nisv_reason_name[3], "pair");
    cr_assert_eq(all.by_width[0][2] + all.by_width[0][3], 2);
    cr_assert_eq(all.runs, 6);
    cr_assert_eq(all.start_ns, 500);
    cr_assert_eq(all.end_ns, 3000);
    cr_assert_eq(all.ndevs, 2);
    cr_assert_eq(all.devs[0].dev, a);
    cr_assert_eq(all.devs[0].reads, 2);
    cr_assert_eq(all.devs[0].writes, 1);
    cr_assert_eq(all.devs[1].writes, 1);

    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    stats_print_vcpu(&v1, 1, f);
    fclose(f);
    fold_spaces(text);
    cr_assert_str_eq(text, "isv: stats: vcpu 1 4 exits, mmio 2, nisv 1, 4 KVM_RUN calls\n");
    free(text);
    a->ops->destroy(a);
    b->ops->destroy(b);
}
