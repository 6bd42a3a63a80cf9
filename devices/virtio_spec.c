/* Parser for the virtio device specs of the command line (see virtio_spec.h). */
#include "virtio_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "virtio_devices.h"
#include "errmsg.h"

static const struct {
    const char *name;
    enum virtio_kind kind;
    const char *options; /* for error messages */
} kinds[] = {
    {"virtio-blk", VIRTIO_KIND_BLK, "file=PATH, readonly"},
    {"virtio-rng", VIRTIO_KIND_RNG, NULL},
    {"virtio-console", VIRTIO_KIND_CONSOLE, "file=PATH"},
};

/* Apply one "key" or "key=value" option (len bytes at opt). */
static int option(struct virtio_spec *s, const char *type, const char *opts, const char *opt,
                  size_t len, bool *seen_file, bool *seen_ro, char *err, size_t errlen)
{
    const char *eq = memchr(opt, '=', len);
    size_t klen = eq ? (size_t)(eq - opt) : len;

    if (len == 0)
        return errmsg(err, errlen, "%s: empty option (stray comma?)", type);
    if (opts && klen == 4 && !memcmp(opt, "file", 4)) {
        size_t vlen = eq ? len - klen - 1 : 0;
        if (*seen_file)
            return errmsg(err, errlen, "%s: option 'file' given twice", type);
        if (vlen == 0)
            return errmsg(err, errlen, "%s: file= needs a path", type);
        if (vlen >= sizeof s->path)
            return errmsg(err, errlen, "%s: file= path is too long", type);
        memcpy(s->path, eq + 1, vlen);
        s->path[vlen] = '\0';
        *seen_file = true;
        return 0;
    }
    if (s->kind == VIRTIO_KIND_BLK && klen == 8 && !memcmp(opt, "readonly", 8)) {
        if (eq)
            return errmsg(err, errlen, "%s: option 'readonly' takes no value", type);
        if (*seen_ro)
            return errmsg(err, errlen, "%s: option 'readonly' given twice", type);
        s->readonly = *seen_ro = true;
        return 0;
    }
    if (!opts)
        return errmsg(err, errlen, "%s: unknown option '%.*s' (it takes no options)", type,
                    (int)len, opt);
    return errmsg(err, errlen, "%s: unknown option '%.*s' (expected %s)", type, (int)klen, opt,
                opts);
}

int virtio_spec_parse(const char *text, struct virtio_spec *out, char *err, size_t errlen)
{
    struct virtio_spec s = {0};
    const char *comma = strchr(text, ',');
    size_t tlen = comma ? (size_t)(comma - text) : strlen(text);
    const char *type = NULL, *opts = NULL;

    if (*text == '\0')
        return errmsg(err, errlen, "empty virtio device spec");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strlen(kinds[i].name) == tlen && !memcmp(text, kinds[i].name, tlen)) {
            s.kind = kinds[i].kind;
            type = kinds[i].name;
            opts = kinds[i].options;
        }
    }
    if (!type)
        return errmsg(err, errlen,
                    "unknown device type '%.*s' (expected virtio-blk, virtio-rng or "
                    "virtio-console)",
                    (int)tlen, text);

    bool seen_file = false, seen_ro = false;
    for (const char *p = comma; p; ) {
        const char *opt = p + 1, *next = strchr(opt, ',');
        size_t len = next ? (size_t)(next - opt) : strlen(opt);
        if (option(&s, type, opts, opt, len, &seen_file, &seen_ro, err, errlen))
            return -1;
        p = next;
    }
    if (s.kind == VIRTIO_KIND_BLK && !seen_file)
        return errmsg(err, errlen, "virtio-blk: file=PATH is required");
    *out = s;
    return 0;
}

struct device *virtio_spec_create(const struct virtio_spec *spec, uint64_t base, int spi,
                                  struct device_host *host, char *err, size_t errlen)
{
    switch (spec->kind) {
    case VIRTIO_KIND_BLK:
        return virtio_blk_create(base, spi, host, spec->path, spec->readonly, err, errlen);
    case VIRTIO_KIND_RNG:
        return virtio_rng_create(base, spi, host, err, errlen);
    case VIRTIO_KIND_CONSOLE:
        break;
    }
    if (!spec->path[0])
        return virtio_console_create(base, spi, host, STDIN_FILENO, STDOUT_FILENO, err, errlen);
    int fd = open(spec->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "virtio-console: %s: %s", spec->path, strerror(errno));
        return NULL;
    }
    struct device *dev = virtio_console_create(base, spi, host, -1, fd, err, errlen);
    close(fd); /* the console keeps its own duplicate */
    return dev;
}
