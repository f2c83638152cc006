/* SPDX-License-Identifier: MIT */
/*
 * Many guest calls blocked in lx at once: threads each opening their own
 * FIFO for reading (which waits in lx for a writer) and forked children
 * each waiting for an flock, then the main thread opens each FIFO for
 * writing and drops the lock. Each blocked call holds a supervisor
 * worker; the pool stopped at 64, so with 64 blocked the main thread's
 * own open was never received and the guest hung (Go programs park many
 * threads in such calls). A hang is the test runner's timeout.
 * Usage: blocked-many DIR [THREADS [CHILDREN]]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static const char *dir;
static int got;

static void fifo_name(char *p, size_t len, long i)
{
    snprintf(p, len, "%s/blocked-many.%ld", dir, i);
}

static void *reader(void *arg)
{
    char p[256], b;
    int fd;

    fifo_name(p, sizeof(p), (long)arg);
    fd = open(p, O_RDONLY); /* waits for the writer, in lx */
    if (fd >= 0 && read(fd, &b, 1) == 1)
        __atomic_add_fetch(&got, 1, __ATOMIC_SEQ_CST);
    if (fd >= 0)
        close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    int nt = argc > 2 ? atoi(argv[2]) : 100, nc = argc > 3 ? atoi(argv[3]) : 40;
    pthread_t *t;
    pid_t *kids;
    char p[256];
    int lk, ok_kids = 0, made = 0;

    if (argc < 2 || nt < 1 || nc < 0) {
        fprintf(stderr, "usage: blocked-many DIR [THREADS [CHILDREN]]\n");
        return 2;
    }
    dir = argv[1];
    t = calloc((size_t)nt, sizeof(*t));
    kids = calloc((size_t)nc + 1, sizeof(*kids));
    for (long i = 0; i < nt; i++) {
        fifo_name(p, sizeof(p), i);
        unlink(p);
        made += mkfifo(p, 0600) == 0;
    }
    check(made == nt, "%d FIFOs in %s", nt, dir);

    /* children waiting for a lock the parent holds */
    snprintf(p, sizeof(p), "%s/blocked-many.lock", dir);
    lk = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(lk >= 0 && flock(lk, LOCK_EX) == 0, "the parent holds an flock");
    fflush(stdout);
    for (int i = 0; i < nc; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            int fd = open(p, O_RDWR);

            _exit(fd >= 0 && flock(fd, LOCK_EX) == 0 ? 0 : 1);
        }
    }
    for (long i = 0; i < nt; i++)
        pthread_create(&t[i], NULL, reader, (void *)i);
    usleep(300000); /* let them all block */

    for (long i = 0; i < nt; i++) {
        int fd;

        fifo_name(p, sizeof(p), i);
        fd = open(p, O_WRONLY);
        if (fd >= 0) {
            if (write(fd, "x", 1) != 1)
                break;
            close(fd);
        }
    }
    for (int i = 0; i < nt; i++)
        pthread_join(t[i], NULL);
    check(got == nt, "every blocked reader got its byte (%d of %d)", got, nt);
    check(flock(lk, LOCK_UN) == 0, "the lock dropped");
    for (int i = 0; i < nc; i++) {
        int st = 0;

        if (waitpid(kids[i], &st, 0) == kids[i] && WIFEXITED(st) &&
            WEXITSTATUS(st) == 0)
            ok_kids++;
    }
    check(ok_kids == nc, "every waiting child got the lock (%d of %d)", ok_kids,
          nc);
    for (long i = 0; i < nt; i++) {
        fifo_name(p, sizeof(p), i);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/blocked-many.lock", dir);
    unlink(p);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
