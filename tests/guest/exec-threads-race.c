/* SPDX-License-Identifier: MIT */
/*
 * Several threads of one process call execve at the same moment; one
 * exec wins and the others die with their threads, as natively. kbox
 * crashed (SIGSEGV in lx_interrupt): one exec ended and freed its own
 * thread's lx task while the other's kbox_inflight_end_threads still
 * found that task in the first exec's request and interrupted it.
 * usage: exec-threads-race ROUNDS [THREADS]
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

static void *go(void *arg)
{
    char *argv[] = { self, "--child", NULL };

    (void)arg;
    pthread_barrier_wait(&bar);
    execv(self, argv);
    dprintf(1, "FAIL - execv: %s\n", strerror(errno));
    _exit(3);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 50;
    int nthr = argc > 2 ? atoi(argv[2]) : 4;
    int bad = 0;

    if (argc > 1 && !strcmp(argv[1], "--child"))
        return 0;
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        printf("FAIL - readlink /proc/self/exe\n");
        return 1;
    }
    self[n] = 0;
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

            pthread_barrier_init(&bar, NULL, (unsigned)nthr);
            for (int k = 0; k < nthr - 1; k++)
                pthread_create(&t[k], NULL, go, NULL);
            go(NULL);
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
            WEXITSTATUS(st) != 0) {
            printf("FAIL - round %d: status %#x\n", i, st);
            bad++;
        }
    }
    printf("%s - %d rounds of %d threads exec'ing at once\n",
           bad ? "FAIL" : "ok", rounds, nthr);
    return bad ? 1 : 0;
}
