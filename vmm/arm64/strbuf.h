/*
 * Bounded string builder for the arm64 formatters: snprintf semantics (always
 * NUL-terminated when size > 0, `len` counts what the whole text would need).
 */
#ifndef ISV_ARM64_STRBUF_H
#define ISV_ARM64_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct strbuf {
    char *buf;
    size_t size;
    size_t len;
};

static inline void sb_init(struct strbuf *sb, char *buf, size_t size)
{
    sb->buf = buf;
    sb->size = size;
    sb->len = 0;
    if (buf && size)
        buf[0] = '\0';
}

__attribute__((format(printf, 2, 3)))
static inline void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = NULL;
    size_t room = 0;
    if (sb->buf && sb->len < sb->size) {
        dst = sb->buf + sb->len;
        room = sb->size - sb->len;
    }
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb->len += (size_t)n;
}

#endif
