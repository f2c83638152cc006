/* SPDX-License-Identifier: MIT */
/*
 * The guest programs' check(): prints "ok - ..." or "FAIL - ..." (with
 * errno on failure) and counts both. Header-only: each guest is one file;
 * static inline, so a program may include it and use only a part.
 */
#ifndef KBOX_GUEST_CHECK_H
#define KBOX_GUEST_CHECK_H

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int n_ok, n_fail;

__attribute__((format(printf, 2, 3))) static inline void
check(int cond, const char *fmt, ...)
{
    va_list ap;
    int e = errno;

    printf("%s - ", cond ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!cond && e)
        printf(" (errno %d %s)", e, strerror(e));
    printf("\n");
    if (cond)
        n_ok++;
    else
        n_fail++;
    errno = 0;
}

/* WANT(call, E, what): the call returned -1 with errno E. */
static inline void guest_want_errno(long rc, int e, int wanted,
                                    const char *what)
{
    check(rc == -1 && e == wanted, "%s: %s (got %ld %s)", what,
          strerrorname_np(wanted), rc, rc == -1 ? strerrorname_np(e) : "");
}

#define WANT(call, wanted, what)                    \
    do {                                            \
        long rc_;                                   \
        errno = 0;                                  \
        rc_ = (long)(call);                         \
        guest_want_errno(rc_, errno, wanted, what); \
    } while (0)

/*
 * Wait up to @ms for a line on @fd: its length, 0 on none. One line only,
 * read a byte at a time: on a loaded machine two reports can both be in
 * the pipe by the first read, and a read of both left nothing for the
 * second.
 */
static inline int guest_read_line(int fd, char *buf, size_t len, int ms)
{
    struct pollfd pf = { fd, POLLIN, 0 };
    size_t n = 0;

    buf[0] = '\0';
    if (poll(&pf, 1, ms) <= 0)
        return 0;
    while (n < len - 1 && read(fd, buf + n, 1) == 1)
        if (buf[n++] == '\n')
            break;
    buf[n] = '\0';
    return (int)n;
}

#endif
