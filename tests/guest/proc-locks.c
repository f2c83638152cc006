/* SPDX-License-Identifier: MIT */
/*
 * /proc/locks lists the caller's locks on a file in DIR: an flock, a
 * POSIX lock, an OFD lock and a child's blocked POSIX wait ("->"), each
 * once, with the guest's pids. In a -b bind lx's list had none of them
 * (the host holds a bind file's locks). Found by tests/guest/lock-fuzz.
 * Usage: proc-locks DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static unsigned long ino;

/* How many lines of /proc/locks on our file have @kind @rw @pid @range
 * (@blocked: a "->" waiter line). */
static int count(const char *kind, const char *rw, long pid, const char *range,
                 int blocked)
{
    FILE *f = fopen("/proc/locks", "r");
    char line[256];
    int n = 0;

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char k[16], m[16], w[16], st[32], en[32], want[64], got[64];
        char *s = strchr(line, ':');
        unsigned long in;
        long p;
        int b = 0;

        if (!s)
            continue;
        s += strspn(s + 1, " ") + 1;
        if (!strncmp(s, "-> ", 3)) {
            b = 1;
            s += 3;
        }
        if (sscanf(s, "%15s %15s %15s %ld %*x:%*x:%lu %31s %31s", k, m, w, &p,
                   &in, st, en) != 7 ||
            in != ino)
            continue;
        snprintf(want, sizeof(want), "%s", range);
        snprintf(got, sizeof(got), "%s %s", st, en);
        n += b == blocked && !strcmp(k, kind) && !strcmp(w, rw) && p == pid &&
             !strcmp(want, got);
    }
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
    char path[4096];
    struct stat st;
    int fd, o, pp[2];
    pid_t c;

    if (argc != 2) {
        fprintf(stderr, "usage: proc-locks DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/proc-locks-f", argv[1]);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0666);
    o = open(path, O_RDWR);
    if (fd < 0 || o < 0 || fstat(fd, &st)) {
        perror(path);
        return 2;
    }
    ino = (unsigned long)st.st_ino;
    check(flock(fd, LOCK_EX) == 0, "flock");
    check(fcntl(fd, F_SETLK, &fl) == 0, "F_SETLK 0-9");
    fl.l_type = F_RDLCK;
    fl.l_start = 20;
    fl.l_len = 5;
    check(fcntl(o, F_OFD_SETLK, &fl) == 0, "F_OFD_SETLK 20-24");
    if (pipe(pp))
        return 2;
    c = fork();
    if (c == 0) {
        struct flock w = { .l_type = F_WRLCK,
                           .l_whence = SEEK_SET,
                           .l_len = 1 };
        int f = open(path, O_RDWR);

        close(pp[0]);
        if (write(pp[1], "x", 1) != 1)
            _exit(1);
        _exit(fcntl(f, F_SETLKW, &w) ? 1 : 0); /* waits for us */
    }
    close(pp[1]);
    {
        char x;

        check(read(pp[0], &x, 1) == 1, "child ready");
    }
    usleep(200000); /* it is waiting in F_SETLKW by now */
    check(count("FLOCK", "WRITE", getpid(), "0 EOF", 0) == 1,
          "/proc/locks: our flock");
    check(count("POSIX", "WRITE", getpid(), "0 9", 0) == 1,
          "/proc/locks: our POSIX lock");
    check(count("OFDLCK", "READ", -1, "20 24", 0) == 1,
          "/proc/locks: our OFD lock");
    check(count("POSIX", "WRITE", c, "0 0", 1) == 1,
          "/proc/locks: the child's wait");
    fl.l_type = F_UNLCK;
    fl.l_start = 0;
    fl.l_len = 0;
    check(fcntl(fd, F_SETLK, &fl) == 0, "unlock");
    {
        int s = -1;

        check(waitpid(c, &s, 0) == c && WIFEXITED(s) && !WEXITSTATUS(s),
              "the child got the lock");
    }
    check(count("POSIX", "WRITE", getpid(), "0 9", 0) == 0,
          "/proc/locks: our POSIX lock is gone");
    check(count("FLOCK", "WRITE", getpid(), "0 EOF", 0) == 1,
          "/proc/locks: the flock is still there");
    close(fd);
    close(o);
    check(count("FLOCK", "WRITE", getpid(), "0 EOF", 0) == 0,
          "/proc/locks: no flock after the last close");
    check(count("OFDLCK", "READ", -1, "20 24", 0) == 0,
          "/proc/locks: no OFD lock after the last close");
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
