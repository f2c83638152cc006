/* SPDX-License-Identifier: MIT */
/*
 * kill(pid, 0) on a child that is exiting, and after, until it is
 * reaped: Linux answers 0 throughout. kbox forgets a process at its
 * exit_group, and until the host made it a zombie (its exit held for
 * the parent, waiting for a CPU, tearing down its address space) the
 * answer was ESRCH: trinity took such children for gone and never
 * reaped them. The parent polls kill(pid, 0) from the child's last
 * message on, for 0.5 s per round.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    int rounds = 12, saw = 0;
    long esrch_total = 0;

    for (int k = 0; k < rounds; k++) {
        int pf[2], st;
        long esrch = 0, ok = 0;
        struct timespec t0, t;
        pid_t p;
        char c;

        if (pipe(pf))
            return 1;
        p = fork();
        if (!p) {
            /* 64 MB populated: its teardown takes a while */
            mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
            if (write(pf[1], "x", 1) != 1)
                _exit(2);
            _exit(0);
        }
        if (read(pf[0], &c, 1) != 1)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        do {
            if (kill(p, 0) && errno == ESRCH)
                esrch++;
            else
                ok++;
            clock_gettime(CLOCK_MONOTONIC, &t);
        } while ((t.tv_sec - t0.tv_sec) * 1000 +
                     (t.tv_nsec - t0.tv_nsec) / 1000000 <
                 500);
        waitpid(p, &st, 0);
        close(pf[0]);
        close(pf[1]);
        esrch_total += esrch;
        saw += esrch > 0;
    }
    check(saw == 0,
          "kill(child, 0) is never ESRCH before the wait (%d of %d rounds, "
          "%ld answers)",
          saw, rounds, esrch_total);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
