/* SPDX-License-Identifier: MIT */
/*
 * A process exits (exit_group) while one of its threads is blocked
 * reading a FIFO in lx: that read ends with the process, so data written
 * afterwards stays in the FIFO for the next reader. The dead thread's lx
 * read was left blocked (its process's pidfd is not in the exit watch
 * the requests look at once it called exit_group) and took the data;
 * exit_group now ends its other threads' calls.
 * Usage: exit-reader DIR
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

/* a round lost the data about one time in 20 to 100 */
#define ROUNDS 120

static int rfd;

static void *reader(void *a)
{
    char c;

    (void)a;
    if (read(rfd, &c, 1) == 1)
        _exit(3); /* nothing is written before the exit */
    return NULL;
}

int main(int argc, char **argv)
{
    char path[4096], c = 0;
    int ok = 0, st, wfd, r2;

    if (argc != 2) {
        fprintf(stderr, "usage: exit-reader DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/exit-reader.%d", argv[1], (int)getpid());
    unlink(path);
    check(mkfifo(path, 0600) == 0, "mkfifo");
    wfd = open(path, O_RDWR); /* both ends: nothing blocks on open */
    check(wfd >= 0, "open the FIFO");
    for (int round = 0; round < ROUNDS; round++) {
        pid_t pid = fork();

        if (pid == 0) {
            pthread_t t;

            rfd = open(path, O_RDONLY);
            pthread_create(&t, NULL, reader, NULL);
            usleep(50 * 1000); /* the thread is in its read */
            _exit(0);          /* exit_group, as exit() */
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
    check(ok == ROUNDS,
          "data written after the reader's process exited stays "
          "in the FIFO (%d of %d)",
          ok, ROUNDS);
    close(wfd);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
