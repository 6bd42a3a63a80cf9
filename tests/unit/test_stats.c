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
