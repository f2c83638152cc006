/* SPDX-License-Identifier: MIT */
/*
 * The trace lines of ioctl-fuzz and xattr-fuzz: a tag, the operation's
 * number, then the text; results as "ok N" or the errno's name.
 */
#ifndef KBOX_OP_TRACE_H
#define KBOX_OP_TRACE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int opno; /* the operation running, set by the program */

__attribute__((format(printf, 2, 3))) static inline void
out(const char *tag, const char *fmt, ...)
{
    va_list ap;

    printf("%s%d ", tag, opno);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* "ok N" or the errno's name; eight buffers, for one line's results */
static inline const char *res(long rc, int e)
{
    static char b[8][48];
    static int i;

    i = (i + 1) % 8;
    if (rc < 0)
        snprintf(b[i], sizeof(b[i]), "%s", strerrorname_np(e));
    else
        snprintf(b[i], sizeof(b[i]), "ok %ld", rc);
    return b[i];
}

#endif
