/* SPDX-License-Identifier: MIT */
/*
 * A child's threads keep making calls kbox serves (access) while its
 * main thread calls exit_group. Natively none of those calls fails: a
 * thread is killed inside its call or before the next. In kbox a call
 * taken after the exit_group was let go (the process removed, the host
 * not yet done killing) found no process and got EPERM at once, so the
 * thread ran on with an error it would print (most children saw one).
 * The threads count their errors in shared memory, which needs no call.
 * Usage: exit-noproc [CHILDREN [THREADS]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

/* [0]: calls that failed with EPERM, [1]: with another error */
static int *errs;

static void *spin(void *a)
{
    (void)a;
    for (;;) {
        if (access("/", F_OK) < 0) {
            __atomic_fetch_add(&errs[errno == EPERM ? 0 : 1], 1,
                               __ATOMIC_SEQ_CST);
            pause();
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    int nthr = argc > 2 ? atoi(argv[2]) : 3;
    int eperm = 0, other = 0, bad_exit = 0;

    errs = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                -1, 0);
    if (errs == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    for (int i = 0; i < n; i++) {
        int st = 0;
        pid_t c;

        errs[0] = errs[1] = 0;
        c = fork();
        if (c == 0) {
            pthread_t t;

            for (int j = 0; j < nthr; j++)
                pthread_create(&t, NULL, spin, NULL);
            usleep(1000);
            _exit(0);
        }
        if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0)
            bad_exit++;
        eperm += __atomic_load_n(&errs[0], __ATOMIC_SEQ_CST) > 0;
        other += __atomic_load_n(&errs[1], __ATOMIC_SEQ_CST) > 0;
    }
    check(!bad_exit, "%d children exited 0", n);
    check(!eperm,
          "no thread's call failed with EPERM as its process exited "
          "(%d of %d children had one)",
          eperm, n);
    check(!other, "nor with another error (%d of %d children)", other, n);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
