/* SPDX-License-Identifier: MIT */
/*
 * fchmodat2 (Linux 6.6): AT_EMPTY_PATH on an O_PATH fd changes that file
 * (it was ENOENT: the empty path was refused before lx saw it), and
 * AT_SYMLINK_NOFOLLOW on a link is EOPNOTSUPP (in a bind the call was
 * EACCES). Usage: fchmodat2 DIR...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

static void one_dir(const char *dir)
{
    char f[512], l[512];
    struct stat st;
    int fd;

    snprintf(f, sizeof(f), "%s/fcm2-file", dir);
    snprintf(l, sizeof(l), "%s/fcm2-link", dir);
    unlink(l);
    fd = open(f, O_CREAT | O_WRONLY, 0644);
    check(fd >= 0 && close(fd) == 0 && symlink("fcm2-file", l) == 0,
          "%s: a file and a link to it", dir);
    fd = open(f, O_PATH);
    check(syscall(452, fd, "", 0600, AT_EMPTY_PATH) == 0 && stat(f, &st) == 0 &&
              (st.st_mode & 07777) == 0600,
          "%s: AT_EMPTY_PATH on an O_PATH fd", dir);
    close(fd);
    errno = 0;
    check(syscall(452, AT_FDCWD, l, 0600, AT_SYMLINK_NOFOLLOW) == -1 &&
              errno == EOPNOTSUPP,
          "%s: AT_SYMLINK_NOFOLLOW on a link: EOPNOTSUPP", dir);
    check(syscall(452, AT_FDCWD, f, 0640, AT_SYMLINK_NOFOLLOW) == 0 &&
              stat(f, &st) == 0 && (st.st_mode & 07777) == 0640,
          "%s: AT_SYMLINK_NOFOLLOW on a file", dir);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fchmodat2 DIR...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++)
        one_dir(argv[i]);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
