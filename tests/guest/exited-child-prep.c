/* SPDX-License-Identifier: MIT */
/*
 * A child that has exited but is not reaped yet must not take what kbox
 * prepared for a newer child: when it exited, kbox took it for a child
 * not seen yet and gave it the newer child's fork preparation; the newer
 * child then got a copy of the parent's fd table as it was at its first
 * call, with the parent's later changes (sort --compress-program wrote
 * a chunk into another temporary file, or failed with EBADF). Here B
 * makes no supervised call for half a second after fork while A exits
 * and the parent puts another file at B's fd. Usage: exited-child-prep
 * FILE1 FILE2 (on the image)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int put(const char *path, const char *s)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    int ok = fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s);

    return (fd >= 0 && close(fd) == 0 && ok) ? 0 : -1;
}

/* One round: 0 if B read the file it had at fork. */
static int round_trip(const char *f1, const char *f2, int round)
{
    int fd, st = 0, sta = 0;
    pid_t a, b;

    fd = open(f1, O_RDONLY);
    if (fd < 0)
        return -1;
    a = fork();
    if (a == 0) {
        struct timespec ts = { 0, 100 * 1000 * 1000 };

        nanosleep(&ts, NULL);
        _exit(0); /* exits while B has made no call yet */
    }
    b = fork();
    if (b == 0) {
        char buf[16] = "";
        double until = now() + 0.5;

        while (now() < until)
            ; /* nothing supervised: A exits meanwhile */
        _exit(pread(fd, buf, sizeof(buf) - 1, 0) == 3 &&
                      memcmp(buf, "one", 3) == 0
                  ? 0
                  : 1);
    }
    /* the parent's fd now names another file: B must not see it */
    close(fd);
    if (open(f2, O_RDONLY) != fd)
        return -1;
    check(b > 0 && waitpid(b, &st, 0) == b && WIFEXITED(st) &&
              WEXITSTATUS(st) == 0,
          "round %d: the child read the file it had at fork", round);
    check(a > 0 && waitpid(a, &sta, 0) == a && WIFEXITED(sta),
          "round %d: the exited child is reaped", round);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: exited-child-prep FILE1 FILE2\n");
        return 2;
    }
    check(put(argv[1], "one") == 0 && put(argv[2], "two") == 0, "two files");
    for (int i = 0; i < 3; i++)
        check(round_trip(argv[1], argv[2], i) == 0, "round %d set up", i);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
