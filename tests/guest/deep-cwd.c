/* SPDX-License-Identifier: MIT */
/*
 * readlink("/proc/self/cwd") of a cwd past PATH_MAX is ENAMETOOLONG, as
 * getcwd is (it was ENOLCK: kbox took one, getcwd's NUL, from lx's
 * -ENAMETOOLONG); a cwd within PATH_MAX reads back whole, and cut to a
 * short buffer. Usage: deep-cwd DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

#define NAME   "deep-cwd-0123456789"
#define LEVELS 260 /* 20 bytes a level: 5200 bytes */

int main(int argc, char **argv)
{
    char want[8192], got[8192];
    long n;
    int lv;

    if (argc < 2 || chdir(argv[1]) != 0) {
        fprintf(stderr, "usage: deep-cwd DIR\n");
        return 2;
    }
    check(getcwd(want, sizeof(want)) != NULL, "getcwd at the start");
    n = readlink("/proc/self/cwd", got, sizeof(got));
    check(n == (long)strlen(want) && !memcmp(got, want, (size_t)n),
          "readlink /proc/self/cwd is the cwd (%ld bytes)", n);
    n = readlink("/proc/self/cwd", got, 3);
    check(n == 3 && !memcmp(got, want, 3), "cut to a 3-byte buffer");
    for (lv = 0; lv < LEVELS; lv++)
        if (mkdir(NAME, 0755) != 0 || chdir(NAME) != 0)
            break;
    check(lv == LEVELS, "%d levels made", lv);
    errno = 0;
    check(syscall(SYS_getcwd, got, sizeof(got)) == -1 && errno == ENAMETOOLONG,
          "getcwd past PATH_MAX: ENAMETOOLONG");
    errno = 0;
    n = readlink("/proc/self/cwd", got, sizeof(got));
    check(n == -1 && errno == ENAMETOOLONG,
          "readlink /proc/self/cwd past PATH_MAX: ENAMETOOLONG (got %ld)", n);
    errno = 0;
    n = readlink("/proc/self/cwd", got, 3);
    check(n == -1 && errno == ENAMETOOLONG, "and with a short buffer (got %ld)",
          n);
    while (lv-- > 0)
        if (chdir("..") != 0 || rmdir(NAME) != 0)
            break;
    check(lv < 0, "the tree is removed");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
