/* SPDX-License-Identifier: MIT */
/*
 * A guest blocked inside a supervised call must not stall the others.
 *
 * Each case parks a child in a call that kbox serves from lx and that
 * waits for the parent (flock, a POSIX record lock with F_SETLKW, the
 * open of a FIFO in the image), then has the parent make supervised calls
 * (stat, open/close) and finally release the child. If the supervisor
 * served one request at a time, the parent's first call would wait for
 * the child's and the child's for the parent's: alarm() turns that
 * deadlock into a failure instead of a hang.
 *
 * Usage: blocking [DIR]   (DIR: where to make the files; default /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

#define CALLS 200

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Supervised calls from the parent while the child is parked. */
static int supervised_calls(const char *path)
{
    struct stat st;

    for (int i = 0; i < CALLS; i++) {
        int fd;

        if (stat(path, &st) != 0)
            return -1;
        fd = open(path, O_RDONLY);
        if (fd < 0)
            return -1;
        close(fd);
    }
    return 0;
}

static void on_alarm(int sig)
{
    static const char msg[] = "FAIL - deadlock: a supervised call never "
                              "returned while another guest was blocked\n";

    (void)sig;
    if (write(1, msg, sizeof(msg) - 1) < 0)
        _exit(3);
    _exit(2);
}

static int child_status(pid_t pid)
{
    int st;

    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Give the child time to reach its blocking call. */
static void let_child_block(void)
{
    struct timespec ts = { 0, 100 * 1000 * 1000 };

    nanosleep(&ts, NULL);
}

static void case_flock(const char *file)
{
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    double t;
    pid_t pid;

    check(fd >= 0 && flock(fd, LOCK_EX) == 0, "flock: parent holds the lock");
    pid = fork();
    if (pid == 0) {
        int cfd = open(file, O_RDWR);

        /* A new open file description: this waits for the parent. */
        if (cfd < 0 || flock(cfd, LOCK_EX) != 0)
            _exit(1);
        _exit(0);
    }
    let_child_block();
    t = now();
    check(supervised_calls(file) == 0,
          "flock: %d stat+open+close while a child waits for the lock", CALLS);
    printf("# flock: %.1f ms for the calls\n", (now() - t) * 1e3);
    check(flock(fd, LOCK_UN) == 0, "flock: parent unlocks");
    check(child_status(pid) == 0, "flock: the child got the lock");
    close(fd);
}

static void case_setlkw(const char *file)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd = open(file, O_RDWR);
    pid_t pid;

    check(fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0,
          "F_SETLKW: parent holds a write lock");
    pid = fork();
    if (pid == 0) {
        struct flock cl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        int cfd = open(file, O_RDWR);

        /* POSIX locks are per process: the child waits. */
        if (cfd < 0 || fcntl(cfd, F_SETLKW, &cl) != 0)
            _exit(1);
        _exit(0);
    }
    let_child_block();
    check(supervised_calls(file) == 0,
          "F_SETLKW: %d stat+open+close while a child waits for the lock",
          CALLS);
    fl.l_type = F_UNLCK;
    check(fcntl(fd, F_SETLK, &fl) == 0, "F_SETLKW: parent unlocks");
    check(child_status(pid) == 0, "F_SETLKW: the child got the lock");
    close(fd);
}

static void case_fifo(const char *fifo, const char *file)
{
    char c = 0;
    pid_t pid;
    int fd;

    unlink(fifo);
    check(mkfifo(fifo, 0600) == 0, "fifo: mkfifo in the image");
    pid = fork();
    if (pid == 0) {
        char b = 0;
        int rfd = open(fifo, O_RDONLY); /* waits for a writer */

        if (rfd < 0 || read(rfd, &b, 1) != 1 || b != 'x')
            _exit(1);
        _exit(0);
    }
    let_child_block();
    check(supervised_calls(file) == 0,
          "fifo: %d stat+open+close while a child waits in open", CALLS);
    fd = open(fifo, O_WRONLY);
    c = 'x';
    check(fd >= 0 && write(fd, &c, 1) == 1, "fifo: parent opens and writes");
    check(child_status(pid) == 0, "fifo: the child read what was written");
    if (fd >= 0)
        close(fd);
    unlink(fifo);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char file[4096], fifo[4096];

    snprintf(file, sizeof(file), "%s/blocking-%d", dir, (int)getpid());
    snprintf(fifo, sizeof(fifo), "%s/blocking-%d.fifo", dir, (int)getpid());
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGALRM, on_alarm);
    alarm(20);

    case_flock(file);
    case_setlkw(file);
    case_fifo(fifo, file);
    unlink(file);

    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
