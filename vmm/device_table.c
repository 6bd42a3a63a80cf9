/* The device table (see device_table.h): one entry per model. */
#include "board.h"
#include "device_table.h"

#include <string.h>

#include "../devices/chardev.h"
#include "../devices/errmsg.h"
#include "../devices/pl011.h"
#include "../devices/pl031.h"
#include "../devices/testdev.h"
#include "../devices/virtio_spec.h"
#include "config.h"

static struct device *oom(char *err, size_t errlen)
{
    errmsg(err, errlen, "out of memory");
    return NULL;
}

static struct device *make_pl011(const char *spec, struct board_ctx *b, char *err, size_t errlen)
{
    (void)spec;
    char why[256];
    struct chardev *cd = chardev_open(b->cfg->console, why, sizeof why);
    if (!cd) {
        errmsg(err, errlen, "--console %s: %s", b->cfg->console, why);
        return NULL;
    }
    struct device *d = pl011_create(PL011_BASE, PL011_SPI, b->host, cd);
    if (!d)
        chardev_close(cd);
    return d ? d : oom(err, errlen);
}

static struct device *make_pl031(const char *spec, struct board_ctx *b, char *err, size_t errlen)
{
    (void)spec;
    struct device *d = pl031_create(PL031_BASE, PL031_SPI, b->host, NULL, NULL);
    return d ? d : oom(err, errlen);
}

static struct device *make_testdev(const char *spec, struct board_ctx *b, char *err, size_t errlen)
{
    if (strcmp(spec, "testdev") != 0) {
        errmsg(err, errlen, "testdev takes no options");
        return NULL;
    }
    struct device *d = testdev_create(TESTDEV_BASE, b->host);
    return d ? d : oom(err, errlen);
}

static struct device *make_virtio(const char *spec, struct board_ctx *b, char *err, size_t errlen)
{
    struct virtio_spec vs;
    if (virtio_spec_parse(spec, &vs, err, errlen))
        return NULL;
    if (vs.kind == VIRTIO_KIND_CONSOLE && !vs.path[0] && strcmp(b->cfg->console, "stdio") == 0) {
        errmsg(err, errlen, "stdio is already the PL011's (--console stdio); give the virtio "
               "console file=PATH or move the PL011 (--console null|file:...)");
        return NULL;
    }
    if (b->virtio_slot == VIRTIO_MMIO_SLOTS) {
        errmsg(err, errlen, "all %d virtio-mmio slots are taken", VIRTIO_MMIO_SLOTS);
        return NULL;
    }
    struct device *d = virtio_spec_create(&vs, virtio_mmio_slot_base(b->virtio_slot),
                                          virtio_mmio_slot_spi(b->virtio_slot), b->host, err,
                                          errlen);
    if (d)
        b->virtio_slot++;
    return d;
}

const struct device_kind device_table[] = {
    {"pl011", "", "PL011 UART at 0x09000000, SPI 1 (always; its backend is --console)", true, 1,
     make_pl011, true},
    {"pl031", "", "PL031 real-time clock at 0x09010000, SPI 2 (always)", true, 1, make_pl031, false},
    {"testdev", "", "isv test device at 0x0b000000 (registers: devices/testdev.h)", false, 1,
     make_testdev, false},
    {"virtio-blk", ",file=PATH[,readonly]", "virtio block device on a disk image", false, 0,
     make_virtio, false},
    {"virtio-rng", "", "virtio entropy device (host getrandom)", false, 0, make_virtio, false},
    {"virtio-console", "[,file=PATH]", "virtio console: stdin/stdout, or output to PATH", false, 0,
     make_virtio, false},
};
const size_t device_table_len = sizeof device_table / sizeof *device_table;
_Static_assert(sizeof device_table / sizeof *device_table <= 16, "board_ctx.created is too small");

const struct device_kind *device_kind_find(const char *spec)
{
    size_t n = strcspn(spec, ",");
    for (size_t i = 0; i < device_table_len; i++)
        if (strlen(device_table[i].name) == n && strncmp(spec, device_table[i].name, n) == 0)
            return &device_table[i];
    return NULL;
}

struct device *device_table_create(const char *spec, struct board_ctx *b, char *err, size_t errlen)
{
    const struct device_kind *k = device_kind_find(spec);
    char why[400];
    if (!k || k->board) {
        char known[200] = "";
        for (size_t i = 0; i < device_table_len; i++)
            if (!device_table[i].board)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
                         known[0] ? ", " : "", device_table[i].name);
        if (k)
            errmsg(err, errlen, "--device %s: %s is always present (known: %s)", spec, k->name,
                   known);
        else
            errmsg(err, errlen, "--device '%s': unknown device (known: %s)", spec, known);
        return NULL;
    }
    unsigned *count = &b->created[k - device_table];
    if (k->max && *count == k->max) {
        errmsg(err, errlen, "--device %s: given more than once", spec);
        return NULL;
    }
    struct device *d = k->create(spec, b, why, sizeof why);
    if (!d) {
        errmsg(err, errlen, "--device %s: %s", spec, why);
        return NULL;
    }
    (*count)++;
    return d;
}

void device_table_help(FILE *out)
{
    for (size_t i = 0; i < device_table_len; i++) {
        const struct device_kind *k = &device_table[i];
        char left[64];
        snprintf(left, sizeof left, "%s%s", k->name, k->options);
        fprintf(out, "    %-34s %s\n", left, k->help);
    }
}
