/* kvm_guest_fault trace line parser (see kvm_trace.h). */
#include "kvm_trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Expect `name` then a 0x-prefixed hex number; advance *p past it. */
static int field(const char **p, const char *name, uint64_t *v)
{
    size_t n = strlen(name);
    while (**p == ' ')
        (*p)++;
    if (strncmp(*p, name, n) != 0)
        return -1;
    *p += n;
    while (**p == ' ')
        (*p)++;
    if ((*p)[0] != '0' || ((*p)[1] != 'x' && (*p)[1] != 'X'))
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(*p, &end, 16);
    if (errno || end == *p + 2)
        return -1;
    *v = x;
    *p = end;
    return 0;
}

enum kvm_trace_line kvm_trace_parse(const char *line, struct kvm_fault *out)
{
    const char *p = strstr(line, "kvm_guest_fault:");
    if (!p)
        return KVM_TRACE_OTHER;
    p += strlen("kvm_guest_fault:");
    if (field(&p, "ipa", &out->ipa) || *p++ != ',' || field(&p, "hsr", &out->esr) ||
        *p++ != ',' || field(&p, "hxfar", &out->far) || *p++ != ',' ||
        field(&p, "pc", &out->pc))
        return KVM_TRACE_MALFORMED;
    /* Anything glued to the last number (console noise) makes it untrustworthy. */
    if (*p && *p != '\n' && *p != '\r' && *p != ' ')
        return KVM_TRACE_MALFORMED;
    return KVM_TRACE_FAULT;
}

int kvm_trace_entries(const char *line, unsigned long *in_buffer, unsigned long *written)
{
    const char *p = strstr(line, "entries-in-buffer/entries-written:");
    if (!p || line[0] != '#')
        return 0;
    p += strlen("entries-in-buffer/entries-written:");
    char *end;
    *in_buffer = strtoul(p, &end, 10);
    if (end == p || *end != '/')
        return 0;
    p = end + 1;
    *written = strtoul(p, &end, 10);
    return end != p;
}
