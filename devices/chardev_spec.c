/* Character backend specs: parse "stdio", "null", "file:..." and "socket:..."
 * (syntax in chardev.h) and open what they name. */
#include "chardev_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define USAGE "expected stdio, null, file:in=PATH,out=PATH or socket:PATH[,server]"
#define SPEC_MAX 4096

static struct chardev *open_file(const char *spec, char *args, char *err, size_t errlen)
{
    const char *in = NULL, *out = NULL;
    for (char *save = NULL, *item = strtok_r(args, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        const char **slot = !strncmp(item, "in=", 3) ? &in : !strncmp(item, "out=", 4) ? &out : NULL;
        if (!slot) {
            errmsg(err, errlen, "serial backend '%s': unknown option '%s' (expected in=PATH "
                        "or out=PATH)", spec, item);
            return NULL;
        }
        if (*slot) {
            errmsg(err, errlen, "serial backend '%s': %.*s given twice", spec,
                        slot == &in ? 2 : 3, item);
            return NULL;
        }
        *slot = strchr(item, '=') + 1;
        if (!**slot) {
            errmsg(err, errlen, "serial backend '%s': empty path", spec);
            return NULL;
        }
    }
    if (!in && !out) {
        errmsg(err, errlen, "serial backend '%s': expected in=PATH and/or out=PATH", spec);
        return NULL;
    }
    int in_fd = -1, out_fd = 1;
    if (in) {
        struct stat st;
        in_fd = open(in, O_RDONLY | O_CLOEXEC);
        if (in_fd >= 0 && fstat(in_fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(in_fd);
            in_fd = -1;
            errno = EISDIR;
        }
        if (in_fd < 0) {
            errmsg(err, errlen, "serial backend '%s': cannot open input '%s': %s", spec,
                        in, strerror(errno));
            return NULL;
        }
    }
    if (out) {
        out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out_fd < 0) {
            errmsg(err, errlen, "serial backend '%s': cannot open output '%s': %s", spec,
                        out, strerror(errno));
            if (in_fd >= 0)
                close(in_fd);
            return NULL;
        }
    }
    return chardev_new(in_fd, out_fd, true, out != NULL, err, errlen);
}

static struct chardev *open_socket(const char *spec, char *args, char *err, size_t errlen)
{
    char *opt = strchr(args, ',');
    bool server = false;
    if (opt) {
        *opt++ = '\0';
        if (strcmp(opt, "server")) {
            errmsg(err, errlen, "serial backend '%s': unknown option '%s' (expected "
                        "server)", spec, opt);
            return NULL;
        }
        server = true;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!*args) {
        errmsg(err, errlen, "serial backend '%s': empty socket path", spec);
        return NULL;
    }
    if (strlen(args) >= sizeof sa.sun_path) {
        errmsg(err, errlen, "serial backend '%s': socket path longer than %zu bytes", spec,
                    sizeof sa.sun_path - 1);
        return NULL;
    }
    strcpy(sa.sun_path, args);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        errmsg(err, errlen, "serial backend '%s': socket: %s", spec, strerror(errno));
        return NULL;
    }
    if (!server) {
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
            errmsg(err, errlen, "serial backend '%s': cannot connect to '%s': %s", spec,
                        args, strerror(errno));
            close(fd);
            return NULL;
        }
        return chardev_new(fd, fd, true, true, err, errlen);
    }
    struct stat st;
    if (lstat(args, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            errmsg(err, errlen, "serial backend '%s': '%s' exists and is not a socket",
                        spec, args);
            close(fd);
            return NULL;
        }
        unlink(args); /* a stale socket from an earlier run */
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1) < 0) {
        errmsg(err, errlen, "serial backend '%s': cannot listen on '%s': %s", spec, args,
                    strerror(errno));
        close(fd);
        return NULL;
    }
    fprintf(stderr, "serial: waiting for a connection on %s\n", args);
    int conn;
    do
        conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    while (conn < 0 && errno == EINTR);
    int e = errno;
    close(fd);
    unlink(args); /* one client only: nobody else should find it */
    if (conn < 0) {
        errmsg(err, errlen, "serial backend '%s': accept: %s", spec, strerror(e));
        return NULL;
    }
    return chardev_new(conn, conn, true, true, err, errlen);
}

/* The spec as error messages quote it: long ones are cut short. */
static const char *shown(const char *spec, char buf[64])
{
    if (strlen(spec) < 64)
        return spec;
    snprintf(buf, 64, "%.56s...", spec);
    return buf;
}

struct chardev *chardev_open(const char *spec, char *err, size_t errlen)
{
    if (!spec || !*spec) {
        errmsg(err, errlen, "empty serial backend (" USAGE ")");
        return NULL;
    }
    size_t len = strlen(spec);
    if (len >= SPEC_MAX) {
        errmsg(err, errlen, "serial backend spec longer than %d bytes", SPEC_MAX - 1);
        return NULL;
    }
    if (!strcmp(spec, "stdio")) {
        if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
            errmsg(err, errlen, "serial backend 'stdio': stdout is closed");
            return NULL;
        }
        /* A closed stdin just means no input. */
        int in = fcntl(STDIN_FILENO, F_GETFD) < 0 ? -1 : STDIN_FILENO;
        return chardev_new(in, STDOUT_FILENO, false, false, err, errlen);
    }
    if (!strcmp(spec, "null"))
        return chardev_new(-1, -1, false, false, err, errlen);
    char args[SPEC_MAX], buf[64];
    const char *name = shown(spec, buf);
    if (!strncmp(spec, "file:", 5)) {
        memcpy(args, spec + 5, len - 4);
        return open_file(name, args, err, errlen);
    }
    if (!strncmp(spec, "socket:", 7)) {
        memcpy(args, spec + 7, len - 6);
        return open_socket(name, args, err, errlen);
    }
    errmsg(err, errlen, "serial backend '%s': unknown type (" USAGE ")", name);
    return NULL;
}
