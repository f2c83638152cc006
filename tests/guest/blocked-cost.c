/* SPDX-License-Identifier: MIT */
/*
 * Calls blocked in lx must not slow the calls of other guests. With
 * CHILDREN processes waiting for an flock, each new request asked the
 * host about every blocked call (SECCOMP_IOCTL_NOTIF_ID_VALID, itself a
 * walk of all pending notifications) and the sentinel read every blocked
 * thread's /proc status each tick: with 200 waiting a stat took 1.4 ms
 * instead of 15 us, single calls up to 0.8 s. The stat time with the
 * children blocked is compared with the time before they were, a ratio
 * rather than a time, so a loaded machine slows both alike.
 * Usage: blocked-cost LOCKFILE [CHILDREN]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Seconds per stat, the best of 5 rounds of 400. */
static double stat_cost(void)
{
    double best = 1e9;
    struct stat st;

    for (int round = 0; round < 5; round++) {
        double t0 = now(), d;

        for (int i = 0; i < 400; i++)
            if (stat("/", &st))
                return -1;
        d = (now() - t0) / 400;
        if (d < best)
            best = d;
    }
    return best;
}

int main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[2]) : 150, fd, bad = 0, made = 0;
    double idle, busy;

    if (argc < 2) {
        fprintf(stderr, "usage: blocked-cost LOCKFILE [CHILDREN]\n");
        return 2;
    }
    fd = open(argv[1], O_RDWR | O_CREAT, 0644);
    check(fd >= 0 && flock(fd, LOCK_EX) == 0, "lock %s", argv[1]);
    idle = stat_cost();
    for (int i = 0; i < n; i++) {
        pid_t p = fork();

        if (p == 0) {
            int f = open(argv[1], O_RDWR);

            _exit(f < 0 || flock(f, LOCK_EX) || flock(f, LOCK_UN));
        }
        if (p < 0)
            break;
        made++;
    }
    check(made == n, "%d children forked", made);
    usleep(500 * 1000); /* all in their flock wait */
    busy = stat_cost();
    flock(fd, LOCK_UN);
    for (int i = 0; i < made; i++) {
        int st;

        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
            bad++;
    }
    check(bad == 0, "all children got the lock and exited 0 (%d bad)", bad);
    check(
        idle > 0 && busy > 0 &&
                busy<8 * idle + 20e-6,
                     "a stat with %d calls blocked: %.1f us, %.1fx one without",
                     n, busy * 1e6, idle> 0
            ? busy / idle
            : 0);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
