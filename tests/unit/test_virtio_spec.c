/* Command-line virtio device specs. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../vmm/board.h"
#include "../../devices/virtio_mmio.h"
#include "../../devices/virtio_spec.h"
#include "vtest.h"

Test(virtio_spec, blk)
{
    struct virtio_spec s;
    char err[200] = "";
    cr_assert_eq(virtio_spec_parse("virtio-blk,file=/images/disk.img", &s, err, sizeof err), 0,
                 "%s", err);
    cr_assert_eq(s.kind, VIRTIO_KIND_BLK);
    cr_assert_str_eq(s.path, "/images/disk.img");
    cr_assert_not(s.readonly);
    cr_assert_eq(virtio_spec_parse("virtio-blk,readonly,file=a=b.img", &s, err, sizeof err), 0,
                 "%s", err);
    cr_assert_str_eq(s.path, "a=b.img", "only the first '=' separates");
    cr_assert(s.readonly);
}

Test(virtio_spec, rng_and_console)
{
    struct virtio_spec s;
    char err[200] = "";
    cr_assert_eq(virtio_spec_parse("virtio-rng", &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.kind, VIRTIO_KIND_RNG);
    cr_assert_eq(virtio_spec_parse("virtio-console", &s, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.kind, VIRTIO_KIND_CONSOLE);
    cr_assert_str_eq(s.path, "");
    cr_assert_eq(virtio_spec_parse("virtio-console,file=/tmp/console.log", &s, err, sizeof err), 0);
    cr_assert_str_eq(s.path, "/tmp/console.log");
}

static const struct {
    const char *spec, *error;
} bad[] = {
    {"", "empty virtio device spec"},
    {"virtio-net", "unknown device type 'virtio-net' (expected virtio-blk, virtio-rng or virtio-console)"},
    {"virtio-blkx,file=a", "unknown device type 'virtio-blkx' (expected virtio-blk, virtio-rng or virtio-console)"},
    {",file=a", "unknown device type '' (expected virtio-blk, virtio-rng or virtio-console)"},
    {"virtio-blk", "virtio-blk: file=PATH is required"},
    {"virtio-blk,readonly", "virtio-blk: file=PATH is required"},
    {"virtio-blk,file=", "virtio-blk: file= needs a path"},
    {"virtio-blk,file", "virtio-blk: file= needs a path"},
    {"virtio-blk,file=a,file=b", "virtio-blk: option 'file' given twice"},
    {"virtio-blk,file=a,readonly=yes", "virtio-blk: option 'readonly' takes no value"},
    {"virtio-blk,file=a,readonly,readonly", "virtio-blk: option 'readonly' given twice"},
    {"virtio-blk,file=a,", "virtio-blk: empty option (stray comma?)"},
    {"virtio-blk,,file=a", "virtio-blk: empty option (stray comma?)"},
    {"virtio-blk,size=10,file=a", "virtio-blk: unknown option 'size' (expected file=PATH, readonly)"},
    {"virtio-rng,file=x", "virtio-rng: unknown option 'file=x' (it takes no options)"},
    {"virtio-rng,", "virtio-rng: empty option (stray comma?)"},
    {"virtio-console,readonly", "virtio-console: unknown option 'readonly' (expected file=PATH)"},
    {"virtio-console,file=", "virtio-console: file= needs a path"},
};

ParameterizedTestParameters(virtio_spec, bad_specs)
{
    static unsigned idx[sizeof bad / sizeof bad[0]];
    for (unsigned i = 0; i < sizeof idx / sizeof idx[0]; i++)
        idx[i] = i;
    return cr_make_param_array(unsigned, idx, sizeof idx / sizeof idx[0]);
}

ParameterizedTest(unsigned *i, virtio_spec, bad_specs)
{
    struct virtio_spec s;
    char err[200] = "";
    cr_assert_eq(virtio_spec_parse(bad[*i].spec, &s, err, sizeof err), -1, "'%s' accepted",
                 bad[*i].spec);
    cr_assert_str_eq(err, bad[*i].error, "for '%s'", bad[*i].spec);
}

Test(virtio_spec, path_too_long)
{
    static char spec[PATH_MAX + 64];
    struct virtio_spec s;
    char err[200];
    strcpy(spec, "virtio-blk,file=");
    memset(spec + strlen(spec), 'a', PATH_MAX);
    cr_assert_eq(virtio_spec_parse(spec, &s, err, sizeof err), -1);
    cr_assert_str_eq(err, "virtio-blk: file= path is too long");
}

Test(virtio_spec, error_is_one_line_even_when_truncated)
{
    struct virtio_spec s;
    char err[24];
    cr_assert_eq(virtio_spec_parse("virtio-blk,bogus", &s, err, sizeof err), -1);
    cr_assert_eq(strlen(err), sizeof err - 1);
    cr_assert_null(strchr(err, '\n'));
}

Test(virtio_spec, create_console_to_file_and_blk)
{
    struct vt_host h;
    struct virtio_spec s;
    char err[200], log[] = "/tmp/isv-console-XXXXXX", img[] = "/tmp/isv-img-XXXXXX";
    vt_host_init(&h, 1 << 20);
    close(mkstemp(log));
    int fd = mkstemp(img);
    cr_assert_eq(ftruncate(fd, 4096), 0);
    close(fd);

    char text[64];
    snprintf(text, sizeof text, "virtio-console,file=%s", log);
    cr_assert_eq(virtio_spec_parse(text, &s, err, sizeof err), 0, "%s", err);
    struct device *con = virtio_spec_create(&s, VIRTIO_MMIO_BASE, 16, &h.host, err, sizeof err);
    cr_assert(con, "%s", err);
    vt_wr(con, 0x100 + 8, 4, '!'); /* emergency write */
    con->ops->destroy(con);
    FILE *f = fopen(log, "r");
    cr_assert_eq(fgetc(f), '!');
    cr_assert_eq(fgetc(f), EOF);
    fclose(f);

    snprintf(text, sizeof text, "virtio-blk,file=%s,readonly", img);
    cr_assert_eq(virtio_spec_parse(text, &s, err, sizeof err), 0, "%s", err);
    struct device *blk = virtio_spec_create(&s, VIRTIO_MMIO_BASE, 16, &h.host, err, sizeof err);
    cr_assert(blk, "%s", err);
    cr_assert_eq(vt_rd32(blk, 0x100), 8, "4096 bytes = 8 sectors");
    blk->ops->destroy(blk);

    cr_assert_eq(virtio_spec_parse("virtio-rng", &s, err, sizeof err), 0);
    struct device *rng = virtio_spec_create(&s, VIRTIO_MMIO_BASE, 16, &h.host, err, sizeof err);
    cr_assert(rng, "%s", err);
    cr_assert_eq(vt_rd32(rng, 0x08), 4);
    rng->ops->destroy(rng);

    snprintf(text, sizeof text, "virtio-console,file=/nonexistent/dir/log");
    cr_assert_eq(virtio_spec_parse(text, &s, err, sizeof err), 0);
    cr_assert_null(virtio_spec_create(&s, VIRTIO_MMIO_BASE, 16, &h.host, err, sizeof err));
    cr_assert_str_eq(err, "virtio-console: /nonexistent/dir/log: No such file or directory");

    unlink(log);
    unlink(img);
    vt_host_fini(&h);
}
