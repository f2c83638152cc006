/* SPDX-License-Identifier: MIT */
/*
 * An open with no fd number free below RLIMIT_NOFILE is EMFILE whatever
 * its path says: Linux reserves the number once it has the name, before
 * the walk (do_sys_openat2), so it neither creates nor truncates. kbox
 * opened first and said the path's ENOENT, ENOTDIR or EISDIR, and an
 * O_CREAT or O_TRUNC open changed the file before failing EMFILE.
 * Found by tests/guest/fd-fuzz. Usage: open-full DIR (DIR writable)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static char p[8][512];

static const char *at(int i, const char *dir, const char *name)
{
    snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
    return p[i];
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    struct stat st;
    const char *d;
    int fd, last = -1;

    if (argc < 2) {
        fprintf(stderr, "usage: open-full DIR\n");
        return 2;
    }
    d = argv[1];
    fd = open(at(0, d, "f"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, "data", 4) == 4 && close(fd) == 0,
          "make f with 4 bytes");
    unlink(at(1, d, "new"));
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = 16;
    check(setrlimit(RLIMIT_NOFILE, &rl) == 0, "RLIMIT_NOFILE 16");
    while ((fd = open("/dev/null", O_RDONLY)) >= 0)
        last = fd;
    check(errno == EMFILE && last == 15, "table filled up to 15 (last %d, %s)",
          last, strerrorname_np(errno));

    WANT(open(at(2, d, "nofile"), O_RDONLY), EMFILE, "full: missing name");
    WANT(open(at(3, d, "f/x"), O_RDONLY), EMFILE, "full: name under a file");
    WANT(open(d, O_WRONLY), EMFILE, "full: directory for writing");
    WANT(openat(AT_FDCWD, at(2, d, "nofile"), O_PATH), EMFILE,
         "full: O_PATH of a missing name");
    WANT(open("/proc/self/fd/999", O_RDONLY), EMFILE,
         "full: /proc/self/fd of a closed number");
    WANT(open(at(1, d, "new"), O_WRONLY | O_CREAT, 0644), EMFILE,
         "full: O_CREAT");
    WANT(stat(at(1, d, "new"), &st), ENOENT, "... created nothing");
    WANT(open(at(0, d, "f"), O_WRONLY | O_TRUNC), EMFILE, "full: O_TRUNC");
    st.st_size = -1;
    stat(at(0, d, "f"), &st);
    check(st.st_size == 4, "... truncated nothing (size %ld)",
          (long)st.st_size);
    WANT(open(at(0, d, "f"), O_RDONLY), EMFILE, "full: an existing file");
    /* the name is read before the number is reserved */
    WANT(open("", O_RDONLY), ENOENT, "full: the empty name is ENOENT");

    close(last);
    WANT(open(at(2, d, "nofile"), O_RDONLY), ENOENT, "one free: ENOENT");
    WANT(open(at(3, d, "f/x"), O_RDONLY), ENOTDIR, "one free: ENOTDIR");
    WANT(open(d, O_WRONLY), EISDIR, "one free: EISDIR");
    fd = open(at(0, d, "f"), O_RDONLY);
    check(fd == last, "one free: the open takes it (%d)", fd);
    unlink(at(0, d, "f"));
    return n_fail ? 1 : 0;
}
