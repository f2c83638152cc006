/* SPDX-License-Identifier: MIT */
/*
 * Paths ending in "/" or "/." mean a directory: on a file they fail, and
 * nothing is removed, renamed or made by mistake. In a bind kbox dropped
 * the ending (unlink("f/") removed f, open("new/", O_CREAT) made a file).
 * Also fd edges from gnulib's tests: a failed dup2 leaves its target
 * alone, F_DUPFD at the fd limit is EINVAL. Usage: trailing-slash DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static char dir[4096];

static const char *at(const char *name)
{
    static char buf[2][4200];
    static int k;

    k ^= 1;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static void fixture(void)
{
    int fd;

    unlink(at("f"));
    unlink(at("g"));
    unlink(at("new"));
    unlink(at("lnk"));
    rmdir(at("d"));
    rmdir(at("newd"));
    fd = open(at("f"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0)
        close(fd);
    mkdir(at("d"), 0755);
    if (symlink("f", at("lnk")))
        perror("symlink");
}

static int fails(int rc, int e)
{
    int ok = rc == -1 && errno == e;

    return ok;
}

static void trailing(void)
{
    struct stat st;
    char buf[64];

    fixture();
    check(fails(unlink(at("f/")), ENOTDIR) && access(at("f"), F_OK) == 0,
          "unlink(\"f/\") is ENOTDIR and f stays");
    check(fails(rename(at("f"), at("g/")), ENOTDIR) &&
              access(at("f"), F_OK) == 0,
          "rename(f, \"g/\") is ENOTDIR");
    check(fails(open(at("new/"), O_CREAT | O_WRONLY, 0644), EISDIR) &&
              access(at("new"), F_OK) != 0,
          "open(\"new/\", O_CREAT) is EISDIR and makes nothing");
    check(fails(rmdir(at("d/.")), EINVAL) && access(at("d"), F_OK) == 0,
          "rmdir(\"d/.\") is EINVAL and d stays");
    check(fails(stat(at("f/"), &st), ENOTDIR), "stat(\"f/\") is ENOTDIR");
    check(fails(open(at("f/"), O_RDONLY), ENOTDIR), "open(\"f/\") is ENOTDIR");
    check(fails(access(at("f/"), F_OK), ENOTDIR), "access(\"f/\") is ENOTDIR");
    check(fails(chmod(at("f/"), 0600), ENOTDIR), "chmod(\"f/\") is ENOTDIR");
    check(fails(mkdir(at("newd/."), 0755), ENOENT) &&
              access(at("newd"), F_OK) != 0,
          "mkdir(\"newd/.\") is ENOENT");
    check(mkdir(at("newd/"), 0755) == 0, "mkdir(\"newd/\") makes it");
    check(rmdir(at("newd/")) == 0, "rmdir(\"newd/\") removes it");
    check(stat(at("d/"), &st) == 0 && S_ISDIR(st.st_mode),
          "stat(\"d/\") of a directory works");
    check(readlink(at("lnk/"), buf, sizeof(buf)) == -1,
          "readlink(\"lnk/\") fails");
}

static void fd_edges(void)
{
    struct rlimit rl;
    int fd = open(at("f"), O_RDWR | O_TRUNC), t = 100;
    char buf[8] = "";

    check(fd >= 0 && dup2(fd, t) == t, "dup2 to 100");
    close(fd);
    check(fails(dup2(-1, t), EBADF), "dup2(-1, 100) is EBADF");
    check(fails(dup2(t + 7, t), EBADF), "dup2(closed, 100) is EBADF");
    check(write(t, "abcdef", 6) == 6 && pread(t, buf, 6, 0) == 6,
          "fd 100 still writes and reads its file");
    check(fsync(t) == 0, "and fsyncs");
    getrlimit(RLIMIT_NOFILE, &rl);
    check(fails(fcntl(t, F_DUPFD, (int)rl.rlim_cur), EINVAL),
          "F_DUPFD at the fd limit is EINVAL");
    check(fails(fcntl(t, F_DUPFD_CLOEXEC, 1 << 30), EINVAL),
          "F_DUPFD_CLOEXEC far past it is EINVAL");
    close(t);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: trailing-slash DIR\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    trailing();
    fd_edges();
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
