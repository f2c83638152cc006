/* SPDX-License-Identifier: MIT */
/*
 * A FIFO read in flight in one thread while another thread closes,
 * replaces or exec()s over its fd: what the close does at once.
 *
 *   fd-held-close lock DIR    close, dup2 over or close_range over the fd
 *                             drops the process's POSIX locks on the file
 *                             at once (another process's F_GETLK sees
 *                             none), though the read goes on
 *   fd-held-close ends DIR N  close, dup2 over, close_range over the fd
 *                             (N rounds each): the read still gets its
 *                             byte, and after it no reader is left
 *   fd-held-close exec DIR    close, then execve: the new program has no
 *                             reader of the FIFO and keeps its own files
 *                             (exec-cloexec: the fd was O_CLOEXEC)
 *   fd-held-close exit DIR    close, then _exit: no reader is left
 *   fd-held-close unshare DIR (or unshare-range) a process sharing the
 *                             fd table with the reader closes the fd and
 *                             unshares the table: its copy has no reader
 *   fd-held-close exec-shared DIR  the same with an exec for the unshare
 *
 * Each prints "ok"/"FAIL" lines and exits 0 when all passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int rfd;
static volatile int reading;
static long got;
static pid_t reader_tid, reader_pid; /* (reader_pid 0: this process) */

static void *reader(void *arg)
{
    char b[16];

    (void)arg;
    reader_tid = (pid_t)syscall(SYS_gettid);
    reading = 1;
    got = read(rfd, b, sizeof(b));
    return NULL;
}

/* Wait until the reader thread sleeps (in its read), at most ~5 s. */
static void await_blocked(void)
{
    char path[64], buf[256], *p;

    while (!reading)
        usleep(1000);
    snprintf(path, sizeof(path), "/proc/%d/task/%d/stat",
             (int)(reader_pid ? reader_pid : getpid()), (int)reader_tid);
    for (int i = 0; i < 5000; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

        if (fd < 0)
            break; /* gone: the check that follows says what happened */

        if (fd >= 0)
            close(fd);
        if (n > 0) {
            buf[n] = 0;
            p = strrchr(buf, ')');
            if (p && p[1] == ' ' && p[2] == 'S')
                break;
        }
        usleep(1000);
    }
    usleep(20000); /* past the state change, into the read itself */
}

static int make_fifo(const char *dir, const char *name, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    unlink(path);
    return mkfifo(path, 0600);
}

/* Is a reader of FIFO @path left? A non-blocking write open says. */
static bool has_reader(const char *path)
{
    int fd = open(path, O_WRONLY | O_NONBLOCK);

    if (fd >= 0) {
        close(fd);
        return true;
    }
    return errno != ENXIO;
}

static const char *const what[] = { "close", "dup2 of /dev/null over",
                                    "close_range over",
                                    "dup2 of a directory over" };

/* Close fd @fd as @how says (0 close, 1 or 3 dup2 over it: /dev/null, or
 * the working directory, an image file in the box; 2 close_range). */
static void end_fd(int fd, int how)
{
    int other;

    switch (how) {
    case 0:
        close(fd);
        break;
    case 1:
    case 3:
        other = open(how == 1 ? "/dev/null" : ".", O_RDONLY);
        dup2(other, fd);
        close(other);
        break;
    default:
        syscall(SYS_close_range, fd, fd, 0);
        break;
    }
}

/* Does another process see a lock on FIFO @path? 0 no, 1 yes, else -1. */
static int locked_elsewhere(const char *path)
{
    pid_t pid = fork();
    int st = -1;

    if (pid == 0) {
        int fd = open(path, O_RDWR);
        struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

        if (fd < 0 || fcntl(fd, F_GETLK, &q))
            _exit(2);
        _exit(q.l_type == F_UNLCK ? 0 : 1);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st) < 2 ? WEXITSTATUS(st) : -1;
}

static void lock_check(const char *dir)
{
    char path[512];

    if (make_fifo(dir, "fhc-lock", path, sizeof(path))) {
        check(0, "mkfifo");
        return;
    }
    for (int how = 0; how < 4; how++) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        pthread_t th;
        int w, seen;

        rfd = open(path, O_RDWR);
        w = open(path, O_WRONLY);
        check(fcntl(rfd, F_SETLK, &fl) == 0 && locked_elsewhere(path) == 1,
              "write lock on the FIFO, seen by another process");
        reading = 0;
        got = -9;
        if (pthread_create(&th, NULL, reader, NULL)) {
            check(0, "pthread_create");
            return;
        }
        await_blocked();
        end_fd(rfd, how);
        seen = locked_elsewhere(path);
        check(seen == 0,
              "%s the fd released the lock at once, with the read in "
              "flight (another process's F_GETLK: %d)",
              what[how], seen);
        if (write(w, "x", 1) != 1)
            check(0, "write");
        pthread_join(th, NULL);
        check(got == 1, "the read of the closed fd got its byte (%ld)", got);
        if (how & 1)
            close(rfd);
        close(w);
    }
    unlink(path);
}

/* One round: the reader in flight on @path, then @how to its fd. */
static void end_round(const char *path, int how, int round)
{
    pthread_t th;
    int w;

    rfd = open(path, O_RDONLY | O_NONBLOCK);
    w = open(path, O_WRONLY);
    fcntl(rfd, F_SETFL, 0);
    reading = 0;
    got = -9;
    if (rfd < 0 || w < 0 || pthread_create(&th, NULL, reader, NULL)) {
        check(0, "setup");
        return;
    }
    await_blocked();
    end_fd(rfd, how);
    if (write(w, "x", 1) != 1)
        check(0, "write");
    pthread_join(th, NULL);
    if (how & 1)
        close(rfd);
    close(w);
    if (got != 1 || has_reader(path) || round == 0)
        check(got == 1 && !has_reader(path),
              "%s the fd in a read: the read got its byte (%ld), then no "
              "reader is left (round %d)",
              what[how], got, round);
}

static void ends_check(const char *dir, int rounds)
{
    char path[512];

    if (make_fifo(dir, "fhc-ends", path, sizeof(path))) {
        check(0, "mkfifo");
        return;
    }
    for (int how = 0; how < 4; how++)
        for (int i = 0; i < rounds; i++)
            end_round(path, how, i);
    unlink(path);
}

/* Run again by exec_check: no reader of the FIFO is left, and files
 * opened now stay open after a while (a late close of the file the read
 * held closed nothing of the new program's). */
static void exec_after(const char *path, const char *dir)
{
    int fds[16];
    char name[512];
    bool ok = true;

    for (int i = 0; i < 16; i++) {
        snprintf(name, sizeof(name), "%s/fhc-file%d", dir, i);
        fds[i] = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fds[i] < 0 || write(fds[i], "abc", 3) != 3)
            ok = false;
    }
    check(ok, "the new program opened its files");
    usleep(300000); /* the ended read's thread is gone for good */
    for (int i = 0; i < 16; i++) {
        char b[4] = "";

        if (pread(fds[i], b, 3, 0) != 3 || memcmp(b, "abc", 3)) {
            check(0, "file %d of the new program still reads (%s)", i,
                  strerror(errno));
            ok = false;
        }
        close(fds[i]);
        snprintf(name, sizeof(name), "%s/fhc-file%d", dir, i);
        unlink(name);
    }
    check(ok, "the new program's files stayed open");
    check(!has_reader(path), "the FIFO's reader closed before the exec is "
                             "gone in the new program");
    unlink(path);
}

static void exec_check(const char *self, const char *dir, bool cloexec)
{
    char path[512];
    pthread_t th;

    if (make_fifo(dir, "fhc-exec", path, sizeof(path))) {
        check(0, "mkfifo");
        return;
    }
    rfd = open(path, O_RDONLY | O_NONBLOCK | (cloexec ? O_CLOEXEC : 0));
    if (open(path, O_WRONLY) < 0) /* (kept: the read waits for data) */
        check(0, "open for writing");
    fcntl(rfd, F_SETFL, 0);
    reading = 0;
    if (pthread_create(&th, NULL, reader, NULL)) {
        check(0, "pthread_create");
        return;
    }
    await_blocked();
    close(rfd);
    fflush(stdout);
    execl(self, self, "exec-after", path, dir, (char *)NULL);
    check(0, "execl: %s", strerror(errno));
}

static void exit_check(const char *dir)
{
    char path[512];
    pid_t pid;
    int st = -1;

    if (make_fifo(dir, "fhc-exit", path, sizeof(path))) {
        check(0, "mkfifo");
        return;
    }
    pid = fork();
    if (pid == 0) {
        pthread_t th;

        rfd = open(path, O_RDONLY | O_NONBLOCK);
        if (open(path, O_WRONLY) < 0) /* the read waits for data */
            _exit(3);
        fcntl(rfd, F_SETFL, 0);
        if (pthread_create(&th, NULL, reader, NULL))
            _exit(2);
        await_blocked();
        close(rfd);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child ran (%d)", st);
    usleep(100000); /* (a reaped child's files go at once natively) */
    check(!has_reader(path),
          "a process that exited in a read of a closed fd left no reader");
    unlink(path);
}

static int clone_reader(void *arg)
{
    reader(arg);
    return got == 1 ? 0 : 1;
}

/*
 * A process sharing its fd table with another (clone CLONE_FILES) that
 * is in a read of the FIFO closes the fd and unshares the table (as
 * unshare(CLONE_FILES) or close_range's CLOSE_RANGE_UNSHARE): its copy
 * has no reader of the FIFO, so once the read is over none is left.
 */
static void unshare_check(const char *dir, bool by_close_range)
{
    static char stack[256 * 1024];
    char path[512];
    int w, st = -1, rc;
    pid_t pid;

    if (make_fifo(dir, "fhc-unshare", path, sizeof(path))) {
        check(0, "mkfifo");
        return;
    }
    rfd = open(path, O_RDONLY | O_NONBLOCK);
    w = open(path, O_WRONLY);
    fcntl(rfd, F_SETFL, 0);
    reading = 0;
    pid =
        clone(clone_reader, stack + sizeof(stack), CLONE_FILES | SIGCHLD, NULL);
    if (pid < 0) {
        check(0, "clone: %s", strerror(errno));
        return;
    }
    reader_tid = reader_pid = pid; /* (its own memory: not seen here) */
    reading = 1;
    await_blocked();
    close(rfd);
    rc = by_close_range
             ? (int)syscall(SYS_close_range, 1000, 1001, CLOSE_RANGE_UNSHARE)
             : unshare(CLONE_FILES);
    check(rc == 0, "%s: %d (%s)",
          by_close_range ? "close_range(CLOSE_RANGE_UNSHARE)"
                         : "unshare(CLONE_FILES)",
          rc, rc ? strerror(errno) : "");
    if (write(w, "x", 1) != 1)
        check(0, "write");
    waitpid(pid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the sharer's read got its byte (%d)", st);
    close(w);
    check(!has_reader(path),
          "%s after the close: the copy has no reader of the FIFO",
          by_close_range ? "close_range(CLOSE_RANGE_UNSHARE)"
                         : "unshare(CLONE_FILES)");
    unlink(path);
}

/*
 * The same with an exec in place of the unshare: exec gives the process a
 * table of its own, where the FIFO read end closed before is not.
 */
static void exec_shared(const char *self, const char *dir)
{
    static char stack[256 * 1024];
    char path[512], wfd[16], cpid[16];
    int w;
    pid_t pid;

    if (make_fifo(dir, "fhc-exec-shared", path, sizeof(path))) {
        check(0, "mkfifo");
        return;
    }
    rfd = open(path, O_RDONLY | O_NONBLOCK);
    w = open(path, O_WRONLY);
    fcntl(rfd, F_SETFL, 0);
    pid =
        clone(clone_reader, stack + sizeof(stack), CLONE_FILES | SIGCHLD, NULL);
    if (pid < 0) {
        check(0, "clone: %s", strerror(errno));
        return;
    }
    reader_tid = reader_pid = pid;
    reading = 1;
    await_blocked();
    close(rfd);
    snprintf(wfd, sizeof(wfd), "%d", w);
    snprintf(cpid, sizeof(cpid), "%d", (int)pid);
    fflush(stdout);
    execl(self, self, "exec-shared-after", path, wfd, cpid, (char *)NULL);
    check(0, "execl: %s", strerror(errno));
}

static void exec_shared_after(const char *path, int w, pid_t pid)
{
    int st = -1;

    if (write(w, "x", 1) != 1)
        check(0, "write");
    waitpid(pid, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the sharer's read got its byte (%d)", st);
    close(w);
    check(!has_reader(path), "exec after the close: the new program's "
                             "table has no reader of the FIFO");
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "lock"))
        lock_check(argv[2]);
    else if (argc >= 4 && !strcmp(argv[1], "ends"))
        ends_check(argv[2], atoi(argv[3]));
    else if (argc >= 3 && !strcmp(argv[1], "exec"))
        exec_check(argv[0], argv[2], false);
    else if (argc >= 3 && !strcmp(argv[1], "exec-cloexec"))
        exec_check(argv[0], argv[2], true);
    else if (argc >= 4 && !strcmp(argv[1], "exec-after"))
        exec_after(argv[2], argv[3]);
    else if (argc >= 3 && !strcmp(argv[1], "unshare"))
        unshare_check(argv[2], false);
    else if (argc >= 3 && !strcmp(argv[1], "unshare-range"))
        unshare_check(argv[2], true);
    else if (argc >= 3 && !strcmp(argv[1], "exec-shared"))
        exec_shared(argv[0], argv[2]);
    else if (argc >= 5 && !strcmp(argv[1], "exec-shared-after"))
        exec_shared_after(argv[2], atoi(argv[3]), (pid_t)atoi(argv[4]));
    else if (argc >= 3 && !strcmp(argv[1], "exit"))
        exit_check(argv[2]);
    else {
        fprintf(
            stderr,
            "usage: %s lock DIR | ends DIR N | exec DIR | "
            "exec-cloexec DIR | exit DIR | unshare DIR | unshare-range DIR\n",
            argv[0]);
        return 2;
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
