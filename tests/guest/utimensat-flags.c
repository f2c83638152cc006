/* SPDX-License-Identifier: MIT */
/*
 * utimensat with a flag other than AT_SYMLINK_NOFOLLOW or AT_EMPTY_PATH is
 * EINVAL and changes nothing. In a bind the flags were dropped on the way
 * to the host and the call succeeded.
 * Usage: utimensat-flags FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
    struct stat st;
    int r;

    if (argc != 2) {
        fprintf(stderr, "usage: utimensat-flags FILE\n");
        return 2;
    }
    r = utimensat(AT_FDCWD, argv[1], ts, AT_REMOVEDIR);
    check(r == -1 && errno == EINVAL, "AT_REMOVEDIR: EINVAL");
    r = utimensat(AT_FDCWD, argv[1], ts, 0x1);
    check(r == -1 && errno == EINVAL, "flag 0x1: EINVAL");
    check(stat(argv[1], &st) == 0 && st.st_mtime != 2000, "times unchanged");
    r = utimensat(AT_FDCWD, argv[1], ts, AT_SYMLINK_NOFOLLOW);
    check(r == 0 && stat(argv[1], &st) == 0 && st.st_mtime == 2000,
          "AT_SYMLINK_NOFOLLOW sets them");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
