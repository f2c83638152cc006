/* SPDX-License-Identifier: MIT */
/*
 * utimensat with both times UTIME_OMIT does nothing and succeeds without
 * looking at the path, the dirfd or the flags (Linux's utimensat).
 * usage: utimensat-omit DIR   (DIR: a -b bind, or any directory)
 * kbox opened the path in a bind first: ENOTDIR, ENOENT, EBADF.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fails;

static void expect0(int dfd, const char *p, int flags, const char *what)
{
    struct timespec ts[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };

    if (utimensat(dfd, p, ts, flags) == 0) {
        printf("ok %s\n", what);
    } else {
        printf("FAIL %s: %s\n", what, strerror(errno));
        fails++;
    }
}

int main(int argc, char **argv)
{
    char f[512], fx[512], miss[512];

    if (argc < 2)
        return 2;
    snprintf(f, sizeof(f), "%s/uo-file", argv[1]);
    snprintf(fx, sizeof(fx), "%s/uo-file/x", argv[1]);
    snprintf(miss, sizeof(miss), "%s/uo-missing", argv[1]);
    if (close(open(f, O_CREAT | O_WRONLY, 0644))) {
        printf("FAIL create %s: %s\n", f, strerror(errno));
        return 1;
    }
    expect0(AT_FDCWD, f, 0, "OMIT,OMIT on a file");
    expect0(AT_FDCWD, fx, 0, "OMIT,OMIT below a file (no ENOTDIR)");
    expect0(AT_FDCWD, miss, 0, "OMIT,OMIT on a missing name (no ENOENT)");
    expect0(-1, "uo-file", 0, "OMIT,OMIT with a bad dirfd (no EBADF)");
    return fails ? 1 : 0;
}
