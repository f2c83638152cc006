/* SPDX-License-Identifier: MIT */
/*
 * Thread starts stay linear in the number of live threads. Each new
 * guest thread's first supervised call finds it an lx task
 * (src/dispatch/thread.c); kbox asked the host about every earlier thread
 * of the process at each one (access of /proc/<tgid>/task/<tid>, under
 * the table's lock), so N threads cost N^2 / 2 host calls: 2,000 threads
 * that each stat once took 15 s (native 0.12 s). A child process starts
 * SMALL threads, another BIG = 8 x SMALL; linear growth takes ~8x as
 * long, quadratic ~64x. The ratio, not a time, is checked, so a loaded
 * machine slows both alike.
 * Usage: thread-starts [SMALL]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static pthread_barrier_t all_up;
static int bad;

static void *one(void *arg)
{
    struct stat st;

    (void)arg;
    if (stat("/", &st)) /* the thread's first supervised call */
        __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
    pthread_barrier_wait(&all_up); /* all live at once */
    return NULL;
}

/* Seconds for a child to start @n threads that each stat once; < 0: failed. */
static double run(int n)
{
    struct timespec a, b;
    int st;
    pid_t pid;

    clock_gettime(CLOCK_MONOTONIC, &a);
    pid = fork();
    if (pid == 0) {
        pthread_t *t = calloc((size_t)n, sizeof(*t));
        pthread_attr_t at;

        pthread_attr_init(&at);
        pthread_attr_setstacksize(&at, 64 * 1024);
        pthread_barrier_init(&all_up, NULL, (unsigned)n + 1);
        for (int i = 0; i < n; i++)
            if (!t || pthread_create(&t[i], &at, one, NULL))
                _exit(2);
        pthread_barrier_wait(&all_up);
        for (int i = 0; i < n; i++)
            pthread_join(t[i], NULL);
        _exit(bad ? 3 : 0);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
        WEXITSTATUS(st))
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a.tv_sec) +
           (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
    int small = argc > 1 ? atoi(argv[1]) : 250;
    double ts, tb, ratio;

    run(small); /* warm up: programs and libraries cached */
    ts = run(small);
    tb = run(8 * small);
    check(ts > 0, "%d threads started and each made a call (%.3f s)", small,
          ts);
    check(tb > 0, "%d threads started and each made a call (%.3f s)", 8 * small,
          tb);
    /* linear: ~8; the per-thread scan made it 60-90 here */
    ratio = ts > 0 ? tb / ts : 0;
    check(ts > 0 && tb > 0 && tb < 24 * ts + 0.2,
          "8x the threads took %.1fx the time (linear ~8x, quadratic ~64x)",
          ratio);
    return n_fail ? 1 : 0;
}
