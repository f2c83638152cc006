/* SPDX-License-Identifier: MIT */
/*
 * Relative paths that enter a bind whose place the image does not have
 * (from the cwd above it, or a directory fd above it) reach the bind, as
 * `mkdir -p`, tar -C and find walk: chdir("b") from the parent left
 * getcwd at "/b", and mkdirat(parent_fd, "b/x") made x in the image,
 * hidden under the bind. The mount point itself cannot be made or
 * removed. Usage: bind-relative PARENT NAME (the bind is PARENT/NAME)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    char cwd[PATH_MAX], want[PATH_MAX], sub[PATH_MAX + 8];
    struct stat a, b;
    int d, fd;

    if (argc != 3) {
        fprintf(stderr, "usage: bind-relative PARENT NAME\n");
        return 2;
    }
    snprintf(want, sizeof(want), "%s/%s", strcmp(argv[1], "/") ? argv[1] : "",
             argv[2]);
    check(chdir(argv[1]) == 0, "chdir %s", argv[1]);
    errno = 0;
    check(mkdir(argv[2], 0755) == -1 && errno == EEXIST,
          "mkdir of the mount point: EEXIST");
    errno = 0;
    check(rmdir(argv[2]) == -1 && errno == EBUSY,
          "rmdir of the mount point: EBUSY");
    errno = 0;
    check(unlink(argv[2]) == -1 && errno == EISDIR,
          "unlink of the mount point: EISDIR");
    check(chdir(argv[2]) == 0, "chdir %s (relative)", argv[2]);
    check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, want), "getcwd is %s", cwd);
    check(mkdir("reldir", 0755) == 0, "mkdir reldir there");
    fd = open("relfile", O_CREAT | O_WRONLY, 0644);
    check(fd >= 0, "create relfile there");
    if (fd >= 0)
        close(fd);
    check(stat(".", &a) == 0 && stat(want, &b) == 0 && a.st_ino == b.st_ino &&
              a.st_dev == b.st_dev,
          "\".\" is %s", want);
    d = open(argv[1], O_RDONLY | O_DIRECTORY);
    snprintf(sub, sizeof(sub), "%s/viafd", argv[2]);
    errno = 0;
    check(d >= 0 && mkdirat(d, argv[2], 0755) == -1 && errno == EEXIST,
          "mkdirat(parent, name): EEXIST");
    check(mkdirat(d, sub, 0755) == 0, "mkdirat(parent, \"%s\")", sub);
    snprintf(sub, sizeof(sub), "%s/viafd", want);
    check(stat(sub, &a) == 0 && S_ISDIR(a.st_mode), "%s is there", sub);
    /* from an O_PATH directory fd above it (rsync's way) */
    close(d);
    d = open(argv[1], O_PATH | O_DIRECTORY);
    snprintf(sub, sizeof(sub), "%s/reldir", argv[2]);
    check(d >= 0 && fstatat(d, sub, &a, 0) == 0 && S_ISDIR(a.st_mode),
          "fstatat(O_PATH parent, \"%s\")", sub);
    fd = openat(d, sub, O_RDONLY | O_DIRECTORY);
    check(fd >= 0, "openat(O_PATH parent, \"%s\")", sub);
    if (fd >= 0)
        close(fd);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
