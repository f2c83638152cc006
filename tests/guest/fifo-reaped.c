/* SPDX-License-Identifier: MIT */
/*
 * fifo-reaped: a FIFO's end held by a child killed by SIGKILL is closed
 * before waitpid() returns it, so a blocking open of the other end right
 * after `kill -9 $p; wait $p` waits for a new peer, as if the child had
 * never opened it:
 *  - the killed child held the read end: open(O_WRONLY) blocks until a
 *    new reader opens, and the write then reaches that reader (kbox's
 *    open paired with the dead child's end: EPIPE on the write, or the
 *    new reader's open waited for a writer that had come and gone);
 *  - it held the write end: open(O_RDONLY) blocks until a new writer,
 *    whose bytes are read (kbox's: EOF at once);
 *  - it held the write end: open(O_RDONLY | O_NONBLOCK) succeeds and a
 *    read is EOF, no writer being left (kbox's: EAGAIN, the dead one's).
 * The new peer is forked before the kill (a fork after it let kbox see
 * the death first) and opens once told to, after the reap; its open
 * blocks until ours comes, or finds ours, so the outcome does not depend
 * on who comes first. Passes natively. Usage: fifo-reaped [DIR] [ROUNDS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "guest-check.h"

static char fifo[512];

/* A child holding one end (@mode), killed and reaped. 0 on success. */
static int dead_holder(int mode)
{
    int ready[2], st, tmp = -1, got;
    pid_t pid;
    char c;

    if (pipe(ready) < 0)
        return -1;
    /* a write end opens non-blocking only while there is a reader */
    if (mode == O_WRONLY)
        tmp = open(fifo, O_RDONLY | O_NONBLOCK);
    pid = fork();
    if (pid == 0) {
        int f = open(fifo, mode | O_NONBLOCK);

        if (f < 0 || write(ready[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    got = read(ready[0], &c, 1) == 1;
    close(ready[0]);
    if (tmp >= 0)
        close(tmp);
    kill(pid, SIGKILL);
    if (waitpid(pid, &st, 0) != pid || !WIFSIGNALED(st))
        return -1;
    return got ? 0 : -1;
}

/* A new peer opening @mode (blocking) once told to (*go written): a
 * reader exits 0 if it read "hello" then EOF, a writer if its write went
 * through. Forked before the holder dies: a fork after it would let kbox
 * see the death first. */
static pid_t peer(int mode, int *go)
{
    int gp[2];
    pid_t pid;

    if (pipe(gp) < 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        char buf[16];
        int f, n = 0;
        ssize_t k;

        alarm(20); /* a hang is a failure, not a test stuck */
        signal(SIGPIPE, SIG_IGN);
        close(gp[1]);
        if (read(gp[0], buf, 1) != 1)
            _exit(5);
        close(gp[0]);
        f = open(fifo, mode);
        if (f < 0)
            _exit(2);
        if (mode == O_WRONLY)
            _exit(write(f, "hello", 5) == 5 ? 0 : 3);
        while ((k = read(f, buf + n, sizeof(buf) - 1 - (size_t)n)) > 0)
            n += (int)k;
        _exit(k == 0 && n == 5 && !memcmp(buf, "hello", 5) ? 0 : 4);
    }
    close(gp[0]);
    *go = gp[1];
    return pid;
}

static int peer_status(pid_t pid)
{
    int st;

    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    int rounds = argc > 2 ? atoi(argv[2]) : 20;
    int bad[3] = { 0 };

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(fifo, sizeof(fifo), "%s/fifo-reaped-%d", dir, (int)getpid());
    check(!mkfifo(fifo, 0600), "mkfifo %s", fifo);

    for (int i = 0; i < rounds; i++) {
        char buf[16];
        pid_t p;
        ssize_t k;
        int f, st, go = -1;

        /* 1: its read end was the dead child's */
        p = peer(O_RDONLY, &go);
        if (p < 0 || dead_holder(O_RDONLY)) {
            check(0, "round %d: a reader killed and reaped", i);
            break;
        }
        if (write(go, "g", 1) != 1)
            check(0, "round %d: the new peer told", i);
        close(go);
        f = open(fifo, O_WRONLY);
        k = f >= 0 ? write(f, "hello", 5) : -1;
        if (f >= 0)
            close(f);
        st = peer_status(p);
        if ((k != 5 || st != 0) && bad[0]++ < 3)
            printf("# round %d: write open after the reader's reap: "
                   "write %zd (errno %d), new reader %d\n",
                   i, k, k < 0 ? errno : 0, st);

        /* 2: its write end was the dead child's */
        p = peer(O_WRONLY, &go);
        if (p < 0 || dead_holder(O_WRONLY)) {
            check(0, "round %d: a writer killed and reaped", i);
            break;
        }
        if (write(go, "g", 1) != 1)
            check(0, "round %d: the new peer told", i);
        close(go);
        f = open(fifo, O_RDONLY);
        k = f >= 0 ? read(f, buf, sizeof(buf)) : -1;
        if (f >= 0)
            close(f);
        st = peer_status(p);
        if ((k != 5 || st != 0) && bad[1]++ < 3)
            printf("# round %d: read open after the writer's reap: "
                   "read %zd (errno %d), new writer %d\n",
                   i, k, k < 0 ? errno : 0, st);

        /* 3: the same, non-blocking: no writer left, so EOF */
        if (dead_holder(O_WRONLY)) {
            check(0, "round %d: a writer killed and reaped", i);
            break;
        }
        f = open(fifo, O_RDONLY | O_NONBLOCK);
        k = f >= 0 ? read(f, buf, sizeof(buf)) : -1;
        if ((f < 0 || k != 0) && bad[2]++ < 3)
            printf("# round %d: non-blocking read open after the "
                   "writer's reap: fd %d, read %zd (errno %d)\n",
                   i, f, k, k < 0 ? errno : 0);
        if (f >= 0)
            close(f);
    }
    check(!bad[0],
          "a blocking write open waited for a new reader "
          "(%d of %d rounds not)",
          bad[0], rounds);
    check(!bad[1],
          "a blocking read open waited for a new writer "
          "(%d of %d rounds not)",
          bad[1], rounds);
    check(!bad[2],
          "a non-blocking reader saw EOF, no writer left "
          "(%d of %d rounds not)",
          bad[2], rounds);
    unlink(fifo);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
