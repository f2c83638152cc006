/* SPDX-License-Identifier: MIT */
/*
 * kill-release: a process killed by a signal lets go of what it held as
 * it dies: its flock and its FIFO write end (the reader sees EOF). kbox
 * noticed such a death only at its once-a-second sweep, so `kill -9 $p;
 * wait $p; flock -n ...` failed for about a second. Passes natively too.
 *
 * Usage: kill-release [DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static double now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    char lock[512], fifo[512], c;
    int ready[2], fd, rfd, st, ok;
    double t0, took;
    pid_t pid;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(lock, sizeof(lock), "%s/kill-release-%d.lock", dir, (int)getpid());
    snprintf(fifo, sizeof(fifo), "%s/kill-release-%d.fifo", dir, (int)getpid());
    check(pipe(ready) == 0 && mkfifo(fifo, 0600) == 0, "pipe and FIFO");

    pid = fork();
    if (pid == 0) {
        int l = open(lock, O_RDWR | O_CREAT, 0600);
        int w = open(fifo, O_WRONLY); /* waits for the reader */

        if (l < 0 || w < 0 || flock(l, LOCK_EX))
            _exit(1);
        if (write(ready[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    rfd = open(fifo, O_RDONLY);
    check(rfd >= 0 && read(ready[0], &c, 1) == 1,
          "the child holds the lock and the FIFO's write end");

    kill(pid, SIGKILL);
    check(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st), "killed, reaped");
    fd = open(lock, O_RDWR);
    t0 = now_ms();
    while ((ok = flock(fd, LOCK_EX | LOCK_NB) == 0) == 0 &&
           now_ms() - t0 < 3000)
        usleep(1000);
    took = now_ms() - t0;
    check(ok && took < 200, "the lock is free at once (%.0f ms)", took);
    {
        struct pollfd p = { rfd, POLLIN, 0 };

        t0 = now_ms();
        ok = poll(&p, 1, 3000) == 1 && read(rfd, &c, 1) == 0;
        took = now_ms() - t0;
        check(ok && took < 200, "the FIFO's reader sees EOF at once (%.0f ms)",
              took);
    }
    close(fd);
    close(rfd);
    unlink(lock);
    unlink(fifo);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
