/* SPDX-License-Identifier: MIT */
/*
 * A write blocked in a FIFO of the image must not hold up another
 * process's first shared mapping of a file: a map's making waits for the
 * writes in flight without the maps' lock (so that it reads the file
 * after them), but only for a bounded time. Then the mapping must be
 * coherent with a write that follows it.
 * Usage: fifo-write-map DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char fifo[512], file[512], buf[4096];
    int fd, status;
    double t0, t;
    pid_t w;
    char *m;

    snprintf(fifo, sizeof(fifo), "%s/fwm-fifo", dir);
    snprintf(file, sizeof(file), "%s/fwm-file", dir);
    unlink(fifo);
    check(mkfifo(fifo, 0600) == 0, "mkfifo %s", fifo);
    w = fork();
    if (w == 0) {
        /* O_RDWR: no peer needed; the writes fill the pipe, then block */
        int f = open(fifo, O_RDWR);

        memset(buf, 'f', sizeof(buf));
        for (;;)
            if (f < 0 || write(f, buf, sizeof(buf)) < 0)
                _exit(1);
    }
    usleep(300000); /* the writer is blocked by now */
    check(waitpid(w, &status, WNOHANG) == 0, "the FIFO writer is blocked");
    fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, "first", 5) == 5, "file made");
    t0 = now_s();
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    t = now_s() - t0;
    check(m != MAP_FAILED, "mapped shared while the writer is blocked");
    check(t < 2.0, "the mapping took %.3f s (< 2 s)", t);
    if (m != MAP_FAILED) {
        check(!memcmp(m, "first", 5), "the mapping shows the file");
        check(pwrite(fd, "again", 5, 0) == 5 && !memcmp(m, "again", 5),
              "a write after it shows in the mapping");
        m[0] = 'A';
        check(msync(m, 4096, MS_SYNC) == 0 && pread(fd, buf, 5, 0) == 5 &&
                  !memcmp(buf, "Again", 5),
              "a store in it reaches the file");
        munmap(m, 4096);
    }
    kill(w, SIGKILL);
    check(waitpid(w, &status, 0) == w && WIFSIGNALED(status),
          "the writer was still blocked until killed");
    close(fd);
    unlink(file);
    unlink(fifo);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
