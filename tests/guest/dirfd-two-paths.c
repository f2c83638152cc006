/* SPDX-License-Identifier: MIT */
/*
 * renameat, renameat2 and linkat with a directory fd for both paths, as
 * `perl -i`, Python's os.replace(src_dir_fd=) and rsync use them, and
 * their errors for a bad directory fd (EBADF; kbox said ENAMETOOLONG for
 * any error of the two-path calls, and a non-root guest in a bind got it
 * for every call). Usage: dirfd-two-paths DIR (writable)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

static int touch(int d, const char *name)
{
    int fd = openat(d, name, O_CREAT | O_WRONLY | O_TRUNC, 0644);

    return fd < 0 ? -1 : close(fd);
}

int main(int argc, char **argv)
{
    struct stat st;
    int d;

    if (argc != 2) {
        fprintf(stderr, "usage: dirfd-two-paths DIR\n");
        return 2;
    }
    d = open(argv[1], O_RDONLY | O_DIRECTORY);
    check(d >= 0, "open %s", argv[1]);
    check(touch(d, "dtp-a") == 0 && renameat(d, "dtp-a", d, "dtp-b") == 0 &&
              fstatat(d, "dtp-b", &st, 0) == 0,
          "renameat(d, a, d, b)");
    check(syscall(SYS_renameat2, d, "dtp-b", d, "dtp-c", 0) == 0,
          "renameat2(d, b, d, c, 0)");
    check(linkat(d, "dtp-c", d, "dtp-l", 0) == 0 &&
              fstatat(d, "dtp-l", &st, 0) == 0 && st.st_nlink == 2,
          "linkat(d, c, d, l)");
    check(mkdirat(d, "dtp-dir", 0755) == 0 &&
              renameat(d, "dtp-dir", d, "dtp-dir2") == 0,
          "renameat of a directory");
    close(99);
    errno = 0;
    check(renameat(-1, "dtp-c", AT_FDCWD, "x") == -1 && errno == EBADF,
          "renameat(-1, ...): EBADF");
    errno = 0;
    check(renameat(d, "dtp-c", 99, "x") == -1 && errno == EBADF,
          "renameat(d, ..., closed fd, ...): EBADF");
    errno = 0;
    check(linkat(99, "dtp-c", d, "x", 0) == -1 && errno == EBADF,
          "linkat(closed fd, ...): EBADF");
    errno = 0;
    check(syscall(SYS_renameat2, d, "dtp-c", -1, "x", 0) == -1 &&
              errno == EBADF,
          "renameat2(..., -1, ...): EBADF");
    check(unlinkat(d, "dtp-c", 0) == 0 && unlinkat(d, "dtp-l", 0) == 0 &&
              unlinkat(d, "dtp-dir2", AT_REMOVEDIR) == 0,
          "cleaned up");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
