/* SPDX-License-Identifier: MIT */
/*
 * exec-path-race HOSTPROG [ROUNDS]: a thread rewrites the path string
 * of another thread's execve between kbox's look at it (and its alias
 * written there) and the host's read, naming HOSTPROG, a host program
 * outside the image and every bind (a copy of this program). The host
 * must never run it, directly or as the #! interpreter of a script in
 * a memfd (which the host may exec: kbox's own programs are memfds).
 * HOSTPROG run as "escaped" says so and exits 42. Before the thirty-third
 * session it ran within a few rounds (Landlock now limits what the host
 * may open for exec; src/exec/execlock.c).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static char path[256] __attribute__((aligned(64)));
static const char *bad, *good = "/bin/true";
static volatile int racing = 1;

static void *racer(void *arg)
{
    size_t bl = strlen(bad) + 1, gl = strlen(good) + 1;
    unsigned s = (unsigned)getpid();

    while (racing) {
        memcpy(path, good, gl);
        for (volatile unsigned i = 0, n = (s = s * 1103515245 + 12345) >> 26;
             i < n; i++)
            ;
        memcpy(path, bad, bl);
        for (volatile unsigned i = 0, n = (s = s * 1103515245 + 12345) >> 26;
             i < n; i++)
            ;
    }
    return arg;
}

/* Rounds until HOSTPROG ran (its status 42) or @rounds passed: the count
 * of escapes, *@good_runs the rounds whose exec ran the image's program. */
static int race(const char *target, int rounds, int *good_runs)
{
    int escaped = 0;

    bad = target;
    *good_runs = 0;
    for (int i = 0; i < rounds && !escaped; i++) {
        pid_t p = fork();
        int st;

        if (p < 0)
            return -1;
        if (p == 0) {
            char *av[] = { "exec-path-race", "escaped", NULL };
            pthread_t t;

            strcpy(path, good);
            if (pthread_create(&t, NULL, racer, NULL))
                _exit(98);
            for (int k = 0; k < 20; k++)
                execve(path, av, av);
            _exit(99);
        }
        if (waitpid(p, &st, 0) != p)
            return -1;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 42)
            escaped++;
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
            (*good_runs)++;
    }
    return escaped;
}

int main(int argc, char **argv)
{
    int rounds, good_runs, n, m;
    char script[512], self[64];

    if (argc > 1 && !strcmp(argv[1], "escaped")) {
        printf("ESCAPED: the host ran a host program\n");
        return 42;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: exec-path-race HOSTPROG [ROUNDS]\n");
        return 2;
    }
    rounds = argc > 2 ? atoi(argv[2]) : 1500;
    setvbuf(stdout, NULL, _IONBF, 0);

    n = race(argv[1], rounds, &good_runs);
    check(n == 0,
          "execve racing to host path %s: never run (%d of up to %d "
          "rounds ran it, %d ran %s)",
          argv[1], n, rounds, good_runs, good);

    /* a script in a memfd naming the host program as its interpreter */
    m = memfd_create("race-script", 0);
    snprintf(script, sizeof(script), "#!%s escaped\n", argv[1]);
    check(m >= 0 && write(m, script, strlen(script)) == (ssize_t)strlen(script),
          "memfd script written");
    snprintf(self, sizeof(self), "/proc/self/fd/%d", m);
    n = race(self, rounds, &good_runs);
    check(n == 0,
          "execve racing to a memfd script of interpreter %s: never "
          "run (%d of up to %d rounds ran it, %d ran %s)",
          argv[1], n, rounds, good_runs, good);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
