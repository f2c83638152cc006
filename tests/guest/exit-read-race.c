/* SPDX-License-Identifier: MIT */
/*
 * A process exits (exit_group) while one of its threads is about to
 * block, or has just blocked, reading a FIFO in lx: natively that thread
 * is killed and never takes data, so what is written after the process
 * was reaped stays in the FIFO for the next reader. The exit comes at
 * delays swept from 0 to 1 ms after the thread is started, so that it
 * meets the read in each of its stages in kbox (taken by a worker, not
 * yet registered; registered, not yet in lx; blocked in lx).
 * Nor may the thread see its read fail (an EINTR) before it dies.
 * tests/guest/exit-reader covers the read already blocked.
 * Usage: exit-read-race DIR [ROUNDS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int rfd;

static void *reader(void *a)
{
    char c;

    (void)a;
    if (read(rfd, &c, 1) == 1)
        _exit(3); /* nothing is written before the exit */
    /* Natively the read only ends with the thread: no error is seen. */
    dprintf(1, "FAIL - a dying thread's read returned: %m\n");
    return NULL;
}

int main(int argc, char **argv)
{
    char path[4096], c = 0;
    int ok = 0, st, wfd, r2, rounds = argc > 2 ? atoi(argv[2]) : 400;

    if (argc < 2 || rounds <= 0) {
        fprintf(stderr, "usage: exit-read-race DIR [ROUNDS]\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/exit-read-race.%d", argv[1],
             (int)getpid());
    unlink(path);
    check(mkfifo(path, 0600) == 0, "mkfifo");
    wfd = open(path, O_RDWR); /* both ends: nothing blocks on open */
    check(wfd >= 0, "open the FIFO");
    for (int round = 0; round < rounds; round++) {
        pid_t pid = fork();

        if (pid == 0) {
            pthread_t t;

            rfd = open(path, O_RDONLY);
            pthread_create(&t, NULL, reader, NULL);
            usleep((round % 40) * 25);
            _exit(0); /* exit_group, as exit() */
        }
        waitpid(pid, &st, 0);
        if (write(wfd, "x", 1) != 1)
            break;
        r2 = open(path, O_RDONLY | O_NONBLOCK);
        if (r2 >= 0 && read(r2, &c, 1) == 1 && c == 'x')
            ok++;
        if (r2 >= 0)
            close(r2);
    }
    check(ok == rounds,
          "data written after the reader's process exited stays "
          "in the FIFO (%d of %d)",
          ok, rounds);
    close(wfd);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
