/* SPDX-License-Identifier: MIT */
/*
 * Four threads posix_spawn one path string (a literal) at once, and call
 * system() at once (glibc spawns its one "/bin/sh" literal). Each child
 * shares the parent's memory, and kbox's exec writes its alias over the
 * path there until the bytes are put back: another child read that
 * alias (posix_spawn ENOENT, system() 127), or put it back for good.
 * usage: spawn-threads-path ROUNDS
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static pthread_barrier_t bar;
static int rounds, bad;

static void *go(void *arg)
{
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        char *av[] = { "true", NULL };
        pid_t pid;
        int rc, st;

        pthread_barrier_wait(&bar);
        rc = posix_spawn(&pid, "/bin/true", NULL, NULL, av, environ);
        if (rc) {
            printf("FAIL - posix_spawn /bin/true: %s\n", strerror(rc));
            __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        } else if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
                   WEXITSTATUS(st)) {
            printf("FAIL - /bin/true: status %#x\n", st);
            __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        }
        pthread_barrier_wait(&bar);
        st = system("exit 0");
        if (st) {
            printf("FAIL - system: status %#x\n", st);
            __atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t[4];

    rounds = argc > 1 ? atoi(argv[1]) : 25;
    pthread_barrier_init(&bar, NULL, 4);
    for (int k = 0; k < 4; k++)
        pthread_create(&t[k], NULL, go, NULL);
    for (int k = 0; k < 4; k++)
        pthread_join(t[k], NULL);
    printf("%s - 4 threads x %d posix_spawn and system() at once\n",
           bad ? "FAIL" : "ok", rounds);
    return bad ? 1 : 0;
}
