/* SPDX-License-Identifier: MIT */
/*
 * One side of a file shared through a bind: run natively on the host and
 * in a guest (or in two kboxes) at once by 903-bind-host-share.sh.
 *
 *   bind-host-share hold FILE   flock LOCK_EX, a POSIX write lock on
 *                               [0,10) and an OFD write lock on [20,30);
 *                               then FILE.held appears, and the locks
 *                               stay until FILE.stop does (20 s at most)
 *   bind-host-share try FILE    while another side holds them: each
 *                               conflicts (EAGAIN), a free range does not,
 *                               F_GETLK sees the holder; then FILE.stop
 *   bind-host-share map FILE N  N = 1 or 2: map FILE (4 KiB) shared,
 *                               write "side-N" at (N-1)*2048, wait for
 *                               the other side's in the map, check that
 *                               read() sees it too
 * Prints "ok - ..." / "FAIL - ..." lines; status 1 on a failure.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static int set_lock(int fd, int cmd, short type, off_t start, off_t len)
{
    struct flock fl = {
        .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len
    };

    return fcntl(fd, cmd, &fl);
}

/* Wait for @path to exist, up to @tenths tenths of a second. */
static int wait_for(const char *path, int tenths)
{
    struct stat st;

    while (stat(path, &st)) {
        if (tenths-- <= 0)
            return -1;
        usleep(100000);
    }
    return 0;
}

static void mark(const char *file, const char *suffix)
{
    char p[4096];
    int fd;

    snprintf(p, sizeof(p), "%s%s", file, suffix);
    fd = open(p, O_WRONLY | O_CREAT, 0666);
    if (fd >= 0)
        close(fd);
}

static void hold(const char *file)
{
    char stop[4096];
    int fd = open(file, O_RDWR | O_CREAT, 0666);

    check(fd >= 0, "hold: open %s", file);
    check(!flock(fd, LOCK_EX | LOCK_NB), "hold: flock LOCK_EX");
    check(!set_lock(fd, F_SETLK, F_WRLCK, 0, 10), "hold: F_SETLK [0,10)");
    check(!set_lock(fd, F_OFD_SETLK, F_WRLCK, 20, 10),
          "hold: F_OFD_SETLK [20,30)");
    mark(file, ".held");
    snprintf(stop, sizeof(stop), "%s.stop", file);
    check(!wait_for(stop, 200), "hold: the other side said stop");
}

static void try_locks(const char *file)
{
    char held[4096];
    struct flock fl = {
        .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10
    };
    int fd;

    snprintf(held, sizeof(held), "%s.held", file);
    check(!wait_for(held, 200), "try: the other side holds its locks");
    fd = open(file, O_RDWR);
    check(fd >= 0, "try: open %s", file);
    errno = 0;
    check(flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK,
          "try: flock conflicts (EWOULDBLOCK)");
    errno = 0;
    check(set_lock(fd, F_SETLK, F_WRLCK, 5, 1) && errno == EAGAIN,
          "try: F_SETLK in [0,10) conflicts (EAGAIN)");
    errno = 0;
    check(set_lock(fd, F_OFD_SETLK, F_RDLCK, 25, 1) && errno == EAGAIN,
          "try: F_OFD_SETLK in [20,30) conflicts (EAGAIN)");
    check(!set_lock(fd, F_SETLK, F_WRLCK, 40, 5), "try: a free range locks");
    check(!fcntl(fd, F_GETLK, &fl) && fl.l_type == F_WRLCK && fl.l_start == 0 &&
              fl.l_len == 10,
          "try: F_GETLK sees the holder's [0,10)");
    mark(file, ".stop");
}

static void map_side(const char *file, int me)
{
    char mine[16], theirs[16], buf[16];
    int fd = open(file, O_RDWR), seen = 0;
    char *p;

    check(fd >= 0, "map: open %s", file);
    p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(p != MAP_FAILED, "map: mmap MAP_SHARED");
    if (p == MAP_FAILED)
        return;
    snprintf(mine, sizeof(mine), "side-%d", me);
    snprintf(theirs, sizeof(theirs), "side-%d", 3 - me);
    memcpy(p + (me - 1) * 2048, mine, strlen(mine) + 1);
    for (int i = 0; i < 200 && !seen; i++) {
        seen = !strcmp(p + (2 - me) * 2048, theirs);
        if (!seen)
            usleep(100000);
    }
    check(seen, "map %d: the other side's store is in the map", me);
    memset(buf, 0, sizeof(buf));
    check(pread(fd, buf, sizeof(buf) - 1, (2 - me) * 2048) > 0 &&
              !strcmp(buf, theirs),
          "map %d: read() sees it too", me);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "hold"))
        hold(argv[2]);
    else if (argc >= 3 && !strcmp(argv[1], "try"))
        try_locks(argv[2]);
    else if (argc >= 4 && !strcmp(argv[1], "map"))
        map_side(argv[2], atoi(argv[3]) == 2 ? 2 : 1);
    else {
        fprintf(stderr, "usage: bind-host-share hold|try FILE | map FILE N\n");
        return 2;
    }
    return n_fail ? 1 : 0;
}
