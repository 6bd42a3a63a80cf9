/* Minimal printf for the guest: enough formats for reports, bounded buffers. */
#include "../guest.h"
#include "../smp.h"

struct out {
    char *buf;
    size_t size, n;
};

static void put(struct out *o, char c)
{
    if (o->n + 1 < o->size)
        o->buf[o->n] = c;
    o->n++;
}

static void put_num(struct out *o, unsigned long long v, unsigned base, bool neg, int width,
                    char pad)
{
    char tmp[24];
    int i = 0;
    do {
        unsigned d = (unsigned)(v % base);
        tmp[i++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg)
        tmp[i++] = '-';
    for (int w = i; w < width; w++)
        put(o, pad);
    while (i)
        put(o, tmp[--i]);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, lng = 0;
        bool left = false;
        if (*fmt == '-') {
            left = true;
            fmt++;
        }
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        if (*fmt == 'z') {
            lng = 2;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
            put_num(&o, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 10, v < 0,
                    width, pad);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            put_num(&o, v, *fmt == 'x' ? 16 : 10, false, width, pad);
            break;
        }
        case 'p':
            put(&o, '0');
            put(&o, 'x');
            put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false, width, pad);
            break;
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int len = 0;
            while (s[len])
                len++;
            for (int w = len; !left && w < width; w++)
                put(&o, ' ');
            while (*s)
                put(&o, *s++);
            for (int w = len; left && w < width; w++)
                put(&o, ' ');
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            put(&o, '%');
            if (*fmt)
                put(&o, *fmt);
            else
                fmt--;
        }
    }
    if (size)
        buf[o.n < size ? o.n : size - 1] = '\0';
    return (int)o.n;
}

/* 1 + the logical CPU that is printing, 0 if none. A CPU that already holds
 * it (a fault or an interrupt while printing) prints anyway rather than
 * deadlock on itself. */
static uint32_t console_owner;

int kprintf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    uint32_t me = smp_cpu_id() + 1, unowned = 0;
    bool nested = __atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me;
    while (!nested && !__atomic_compare_exchange_n(&console_owner, &unowned, me, true,
                                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
        unowned = 0;
        __asm__ volatile("yield");
    }
    for (const char *p = buf; *p; p++) {
        if (*p == '\n')
            console_putc('\r');
        console_putc(*p);
    }
    if (!nested)
        __atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
    return n;
}
