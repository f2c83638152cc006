/* SPDX-License-Identifier: MIT */
/*
 * exec-other-threads: an exec ends the process's other threads, whatever
 * they are doing. kbox ends their lx tasks at exec, and that waited for
 * the call each task was running: a thread blocked in lx (a FIFO open
 * with no writer, an flock wait) kept the exec waiting for good. And a
 * thread that execs after its leader's pthread_exit found the exec
 * aliases' /proc/self/fd (the zombie leader's, empty) and failed with
 * ENOENT. A blocked thread must not return before the exec (a leader
 * whose call failed would leave main and end the process first).
 *
 * Usage: exec-other-threads [SCRATCH_DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

#define EXECED_STATUS 42

static char self[4096], fifo[4200], lockpath[4200];
static const char *target; /* what the exec runs: self or /bin/sh */

static void run_target(void)
{
    if (strcmp(target, "execveat") == 0) {
        /* relative to a directory fd: kbox names it by a /proc path */
        char dir[4096], name[4200];
        char *slash, *args[] = { self, "--execed", NULL };
        int d;

        snprintf(dir, sizeof(dir), "%s", self);
        slash = strrchr(dir, '/');
        if (!slash)
            _exit(1);
        *slash = '\0';
        /* long enough for /proc/thread-self/fd/N in its place */
        snprintf(name, sizeof(name), "./././././%s", slash + 1);
        d = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY);
        syscall(SYS_execveat, d, name, args, environ, 0);
        _exit(1);
    }
    if (strcmp(target, "sh") == 0)
        execl("/bin/sh", "sh", "-c", "exit 42", (char *)NULL);
    else
        execl(self, self, "--execed", (char *)NULL);
    _exit(1);
}

static void *open_fifo(void *a)
{
    (void)a;
    open(fifo, O_RDONLY); /* no writer: blocks until the exec ends it */
    return NULL;
}

static void *wait_lock(void *a)
{
    int fd = open(lockpath, O_RDWR);

    (void)a;
    flock(fd, LOCK_EX); /* held by the test: blocks */
    return NULL;
}

static void *exec_later(void *a)
{
    (void)a;
    usleep(200000);
    run_target();
    return NULL;
}

/* The child of one case: a blocked thread, then an exec from @who. */
static void child(const char *blocker, const char *who)
{
    pthread_t t;

    if (strcmp(who, "thread, leader blocked") == 0) {
        pthread_create(&t, NULL, exec_later, NULL);
        if (strcmp(blocker, "fifo") == 0)
            open_fifo(NULL);
        else
            wait_lock(NULL);
        _exit(1); /* its call ended before the exec: too early */
    }
    pthread_create(&t, NULL,
                   strcmp(blocker, "fifo") == 0 ? open_fifo : wait_lock, NULL);
    if (strcmp(who, "main") == 0) {
        exec_later(NULL);
    } else if (strcmp(who, "thread") == 0) {
        pthread_create(&t, NULL, exec_later, NULL);
        pause();
    } else { /* the leader leaves first */
        pthread_create(&t, NULL, exec_later, NULL);
        pthread_exit(NULL);
    }
    _exit(1);
}

static void *sleeper(void *a)
{
    (void)a;
    usleep(100000);
    run_target();
    return NULL;
}

static void child_leader_gone(void)
{
    pthread_t t;

    pthread_create(&t, NULL, sleeper, NULL);
    pthread_exit(NULL);
}

/* Status of @pid, or -1 if it had not exited within 10 s (killed). */
static int status_within(pid_t pid)
{
    for (int i = 0; i < 1000; i++) {
        int st;
        pid_t w = waitpid(pid, &st, WNOHANG);

        if (w == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    static const char *blockers[] = { "fifo", "flock" };
    static const char *whos[] = { "main", "thread", "leader-gone",
                                  "thread, leader blocked" };
    static const char *targets[] = { "self", "sh", "execveat" };
    int lk;

    if (argc > 1 && strcmp(argv[1], "--execed") == 0)
        return EXECED_STATUS;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || !*dir)
        dir = "/tmp";
    if (readlink("/proc/self/exe", self, sizeof(self) - 1) <= 0) {
        check(0, "readlink /proc/self/exe");
        return 1;
    }
    snprintf(fifo, sizeof(fifo), "%s/eot-fifo.%d", dir, (int)getpid());
    snprintf(lockpath, sizeof(lockpath), "%s/eot-lock.%d", dir, (int)getpid());
    unlink(fifo);
    check(mkfifo(fifo, 0600) == 0, "mkfifo %s", fifo);
    lk = open(lockpath, O_RDWR | O_CREAT, 0600);
    check(lk >= 0 && flock(lk, LOCK_EX) == 0, "lock %s", lockpath);

    for (size_t b = 0; b < 2; b++)
        for (size_t w = 0; w < 4; w++) {
            pid_t pid;

            target = "self";
            pid = fork();
            if (pid == 0)
                child(blockers[b], whos[w]);
            check(status_within(pid) == EXECED_STATUS,
                  "exec from %s while another thread is blocked in %s", whos[w],
                  blockers[b]);
        }
    for (size_t t = 0; t < 3; t++) {
        pid_t pid;
        struct stat st;

        if (strcmp(targets[t], "sh") == 0 && stat("/bin/sh", &st) != 0)
            continue;
        target = targets[t];
        pid = fork();
        if (pid == 0)
            child_leader_gone();
        check(status_within(pid) == EXECED_STATUS,
              "exec of %s from a thread after the leader's pthread_exit",
              targets[t]);
    }
    close(lk);
    unlink(lockpath);
    unlink(fifo);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
