/* SPDX-License-Identifier: MIT */
/*
 * Several threads of one process call execve at the same moment; one
 * exec wins and the others die with their threads, as natively. kbox
 * crashed (SIGSEGV in lx_interrupt): one exec ended and freed its own
 * thread's lx task while the other's kbox_inflight_end_threads still
 * found that task in the first exec's request and interrupted it. Then
 * a losing thread's execv returned ENOENT: each exec rewrote the path
 * that all threads passed (one buffer) into its own alias, and read the
 * other's alias or put the path back under the winner's host exec.
 * With "mixed", one thread per round (a different one each round) execs
 * a program that does not exist: its execv fails with ENOENT, natively
 * or it dies in a good one's exec, and a good one still replaces the
 * process. Any return of a good execv is a FAIL.
 * With "script PATH", the threads exec the #! script PATH instead.
 * usage: exec-threads-race ROUNDS [THREADS] [mixed | script PATH]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t bar;
static char self[4096];
static int missing = -1; /* the thread that execs a missing program */

static void *go(void *arg)
{
    int me = (int)(long)arg;
    char *argv[] = { self, "--child", NULL };
    char *nargv[] = { "/no/such/program", NULL };

    pthread_barrier_wait(&bar);
    if (me == missing) {
        execv(nargv[0], nargv);
        if (errno != ENOENT) {
            dprintf(1, "FAIL - execv of a missing program: %s\n",
                    strerror(errno));
            _exit(4);
        }
        for (;;) /* a good thread's exec ends this one */
            pause();
    }
    execv(self, argv);
    dprintf(1, "FAIL - execv: %s\n", strerror(errno));
    _exit(3);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    int nthr = argc > 2 ? atoi(argv[2]) : 4;
    int mixed = argc > 3 && !strcmp(argv[3], "mixed");
    /* "script PATH": the threads exec the #! script PATH (exit 0), not
     * this program (they took and freed each other's trampoline state:
     * kbox died of a double free) */
    const char *script = argc > 4 && !strcmp(argv[3], "script") ? argv[4] : 0;
    int bad = 0;

    if (argc > 1 && !strcmp(argv[1], "--child"))
        return 0;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        printf("FAIL - readlink /proc/self/exe\n");
        return 1;
    }
    self[n] = 0;
    if (script)
        snprintf(self, sizeof(self), "%s", script);
    if (nthr < 2 || nthr > 64)
        nthr = 4;
    for (int i = 0; i < rounds; i++) {
        pid_t pid = fork();
        int st;

        if (pid < 0) {
            printf("FAIL - fork\n");
            return 1;
        }
        if (pid == 0) {
            pthread_t t[64];

            if (mixed)
                missing = i % nthr;
            pthread_barrier_init(&bar, NULL, (unsigned)nthr);
            for (int k = 0; k < nthr - 1; k++)
                pthread_create(&t[k], NULL, go, (void *)(long)k);
            go((void *)(long)(nthr - 1));
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0) {
            printf("FAIL - round %d: status %#x\n", i, st);
            bad++;
        }
    }
    printf("%s - %d rounds of %d threads exec'ing at once%s\n",
           bad ? "FAIL" : "ok", rounds, nthr,
           mixed    ? " (one a missing program)"
           : script ? " (a script)"
                    : "");
    return bad ? 1 : 0;
}
