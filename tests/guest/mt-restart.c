/* SPDX-License-Identifier: MIT */
/*
 * A signal sent to a process of several threads (kill, sigqueue: aimed at
 * the process) ends a call blocked in kbox's kernel - an flock wait, a
 * FIFO read - as natively: with SA_RESTART the handler runs and the call
 * waits again, and a stop and continue leave it waiting. kbox failed it
 * with EINTR whenever the process had a second thread, even one that
 * blocks every signal, or when the waiting thread was the only one not
 * blocking it.
 * Usage: mt-restart [DIR]   (default /tmp)
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "guest-check.h"

enum { CALL_FLOCK, CALL_FIFO };
enum { T_BLOCKING, T_TAKING, T_WAITER_NOT_LEADER };

static char lockpath[4096], fifopath[4096];
static int notify_w = -1;
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    char c = 'h';

    (void)sig;
    handled++;
    if (write(notify_w, &c, 1) != 1)
        handled += 100;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0)
        ;
}

/*
 * Is a thread of @pid in system call @nr? The leader's state alone (it
 * sleeps in pthread_join at once) let the signal go out before the
 * waiting thread had made its call on a loaded machine: the handler ran
 * during its open() and the flock then succeeded (want EINTR).
 */
static bool in_call(pid_t pid, long nr)
{
    char path[300], buf[64];
    struct dirent *e;
    bool in = false;
    DIR *d;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    d = opendir(path);
    if (!d)
        return false;
    while (!in && (e = readdir(d))) {
        ssize_t n;
        int fd;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/%d/task/%s/syscall", (int)pid,
                 e->d_name);
        fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n > 0) {
            buf[n] = 0;
            in = isdigit((unsigned char)buf[0]) && atol(buf) == nr;
        }
    }
    closedir(d);
    return in;
}

static void *idle(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

struct waiter {
    int call;
    long rc;
    int err;
};

/* The blocking call; its result goes to the report pipe. */
static void *wait_in_call(void *arg)
{
    struct waiter *w = arg;
    char buf[16];
    int fd;

    errno = 0;
    if (w->call == CALL_FLOCK) {
        fd = open(lockpath, O_RDWR);
        w->rc = flock(fd, LOCK_EX);
    } else {
        fd = open(fifopath, O_RDWR);
        w->rc = read(fd, buf, sizeof(buf));
    }
    w->err = errno;
    return NULL;
}

/*
 * A child with a second thread waits in @call; it is sent SIGUSR1
 * (handler with @flags) or stopped and continued; then the lock is let go
 * or the FIFO written. The call's result and the handler count.
 */
static void one(int call, int threads, int flags, bool stop, long want_rc,
                int want_err)
{
    int np[2], rp[2], hold = -1, st, fifo_w = -1;
    struct {
        long rc;
        int err, handled;
    } res = { -2, 0, 0 };
    bool stopped = false;
    pid_t pid;
    char c;

    if (pipe(np) || pipe(rp))
        return;
    if (call == CALL_FLOCK) {
        hold = open(lockpath, O_RDWR | O_CREAT, 0600);
        flock(hold, LOCK_EX);
    } else {
        unlink(fifopath);
        mkfifo(fifopath, 0600);
    }
    pid = fork();
    if (pid == 0) {
        struct sigaction sa;
        struct waiter w = { call, 0, 0 };
        sigset_t all, usr1, keep;
        pthread_t th;

        close(np[0]);
        close(rp[0]);
        notify_w = np[1];
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_usr1;
        sa.sa_flags = flags;
        sigaction(SIGUSR1, &sa, NULL);
        sigfillset(&all);
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        if (threads == T_WAITER_NOT_LEADER) {
            /* The leader blocks SIGUSR1 (after the waiter inherited an
             * open mask) and joins the waiter. */
            pthread_create(&th, NULL, wait_in_call, &w);
            pthread_sigmask(SIG_BLOCK, &usr1, NULL);
            pthread_join(th, NULL);
        } else {
            if (threads == T_BLOCKING)
                pthread_sigmask(SIG_BLOCK, &all, &keep);
            pthread_create(&th, NULL, idle, NULL);
            if (threads == T_BLOCKING)
                pthread_sigmask(SIG_SETMASK, &keep, NULL);
            wait_in_call(&w);
        }
        res.rc = w.rc;
        res.err = w.err;
        res.handled = handled;
        if (write(rp[1], &res, sizeof(res)) != sizeof(res))
            _exit(3);
        _exit(0);
    }
    close(np[1]);
    close(rp[1]);
    for (int t = 0;
         t < 1000 && !in_call(pid, call == CALL_FLOCK ? SYS_flock : SYS_read);
         t++)
        sleep_ms(5);
    sleep_ms(100); /* in lx by then, mostly: a signal before ends it alike */
    if (stop) {
        kill(pid, SIGSTOP);
        /* Bounded: under kbox a thread waiting in lx never joined the
         * group stop, and the stop never completed. */
        for (int t = 0; t < 300; t++) {
            if (waitpid(pid, &st, WNOHANG | WUNTRACED) == pid) {
                stopped = WIFSTOPPED(st);
                break;
            }
            sleep_ms(10);
        }
        kill(pid, SIGCONT);
        sleep_ms(100);
    } else {
        kill(pid, SIGUSR1);
        struct pollfd pf = { np[0], POLLIN, 0 };
        if (poll(&pf, 1, 3000) == 1 && read(np[0], &c, 1) == 1)
            sleep_ms(50); /* back in the call if restarted */
    }
    if (call == CALL_FLOCK) {
        flock(hold, LOCK_UN);
    } else {
        fifo_w = open(fifopath, O_WRONLY | O_NONBLOCK);
        if (fifo_w >= 0 && write(fifo_w, "abc", 3) != 3)
            printf("# FIFO write failed\n");
    }
    {
        struct pollfd pf = { rp[0], POLLIN, 0 };
        if (poll(&pf, 1, 5000) == 1 &&
            read(rp[0], &res, sizeof(res)) == sizeof(res))
            ;
        else
            kill(pid, SIGKILL);
    }
    waitpid(pid, &st, 0);
    check(res.rc == want_rc && (want_rc >= 0 || res.err == want_err) &&
              res.handled == (stop ? 0 : 1) && stopped == stop,
          "%s, %s, %s%s: %ld %s, handled %d%s (want %ld %s)",
          call == CALL_FLOCK ? "flock" : "FIFO read",
          threads == T_BLOCKING ? "a thread blocking signals"
          : threads == T_TAKING ? "a thread taking them"
                                : "waiting in a thread, the leader blocks",
          stop ? "stop+cont" : "SIGUSR1",
          stop                 ? ""
          : flags & SA_RESTART ? " SA_RESTART"
                               : " no SA_RESTART",
          res.rc, res.rc < 0 ? strerrorname_np(res.err) : "", res.handled,
          stop && !stopped ? ", never stopped" : "", want_rc,
          want_rc < 0 ? strerrorname_np(want_err) : "");
    if (hold >= 0)
        close(hold);
    if (fifo_w >= 0)
        close(fifo_w);
    close(np[0]);
    close(rp[0]);
    unlink(lockpath);
    unlink(fifopath);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";

    snprintf(lockpath, sizeof(lockpath), "%s/mt-restart.lock", dir);
    snprintf(fifopath, sizeof(fifopath), "%s/mt-restart.fifo", dir);
    setvbuf(stdout, NULL, _IONBF, 0);
    for (int t = T_BLOCKING; t <= T_WAITER_NOT_LEADER; t++) {
        one(CALL_FLOCK, t, SA_RESTART, false, 0, 0);
        one(CALL_FIFO, t, SA_RESTART, false, 3, 0);
        one(CALL_FLOCK, t, 0, false, -1, EINTR);
        one(CALL_FLOCK, t, SA_RESTART, true, 0, 0);
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
