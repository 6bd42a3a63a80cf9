/*
 * The error convention of every setup path: a function that fails returns -1
 * and leaves one line, fit to print after "isv: error: ", in a caller's buffer.
 */
#ifndef ISV_DEVICES_ERRMSG_H
#define ISV_DEVICES_ERRMSG_H

#include <stddef.h>

/* Format into err[errlen] (control characters, e.g. from user input, become
 * '?', so the message stays one line) and return -1. */
int errmsg(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
