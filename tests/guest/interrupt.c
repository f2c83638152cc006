/* SPDX-License-Identifier: MIT */
/*
 * Signals end blocking calls as on a Linux host. A FIFO open or read, an
 * flock wait and an inotify read are served by kbox's kernel, where they
 * block; a signal must still run its handler at once and then fail the
 * call with EINTR (no SA_RESTART) or restart it (SA_RESTART), a stop
 * signal must stop the process, and SIGKILL must end it.
 * Usage: interrupt [DIR]   (default /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static char dir[4096];
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
}

static void catch_usr1(int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    handled = 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0)
        ;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A child that sends @sig to the parent after @ms, then (with @fifo)
 * opens it for writing and writes "x" after @ms more. */
static pid_t poke(int sig, int ms, const char *fifo)
{
    pid_t parent = getpid(), pid = fork();

    if (pid == 0) {
        sleep_ms(ms);
        kill(parent, sig);
        if (fifo) {
            int fd;

            sleep_ms(ms);
            fd = open(fifo, O_WRONLY);
            if (fd < 0 || write(fd, "x", 1) != 1)
                _exit(1);
            close(fd);
        }
        _exit(0);
    }
    return pid;
}

static int reap(pid_t pid)
{
    int st = -1;

    waitpid(pid, &st, 0);
    return st;
}

int main(int argc, char **argv)
{
    char fifo[4200], lockf[4200], c;
    double t0;
    int fd, w, st;
    pid_t pid, holder;

    setvbuf(stdout, NULL, _IOLBF, 0); /* lines survive a SIGALRM end */
    snprintf(dir, sizeof(dir), "%s/interrupt-XXXXXX",
             argc > 1 ? argv[1] : "/tmp");
    if (!mkdtemp(dir)) {
        printf("FAIL - mkdtemp %s: %s\n", dir, strerror(errno));
        return 1;
    }
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    snprintf(lockf, sizeof(lockf), "%s/lock", dir);
    check(mkfifo(fifo, 0600) == 0, "mkfifo");
    alarm(60); /* a hang fails instead of stalling the suite */

    /* FIFO open, handler without SA_RESTART: EINTR after the handler */
    catch_usr1(0);
    pid = poke(SIGUSR1, 200, NULL);
    t0 = now();
    errno = 0;
    fd = open(fifo, O_RDONLY);
    check(fd < 0 && errno == EINTR && handled == 1,
          "FIFO open: a signal ends it with EINTR after the handler ran "
          "(fd %d, handled %d)",
          fd, (int)handled);
    check(now() - t0 < 5, "FIFO open: ended within 5 s (%.2f s)", now() - t0);
    reap(pid);

    /* ... with SA_RESTART: the handler runs, the open goes on waiting and
     * completes when a writer comes */
    catch_usr1(SA_RESTART);
    pid = poke(SIGUSR1, 200, fifo);
    fd = open(fifo, O_RDONLY);
    check(fd >= 0 && handled == 1,
          "FIFO open with SA_RESTART: restarted and completed (fd %d, "
          "handled %d)",
          fd, (int)handled);

    /* FIFO read: a writer is there but idle */
    check(fd >= 0 && read(fd, &c, 1) == 1 && c == 'x', "the writer's byte");
    reap(pid);
    w = open(fifo, O_WRONLY | O_NONBLOCK);
    catch_usr1(0);
    pid = poke(SIGUSR1, 200, NULL);
    errno = 0;
    check(w >= 0 && read(fd, &c, 1) < 0 && errno == EINTR && handled == 1,
          "FIFO read: EINTR after the handler");
    reap(pid);
    /* ... with SA_RESTART: the read waits on and gets the data */
    catch_usr1(SA_RESTART);
    pid = fork();
    if (pid == 0) {
        sleep_ms(200);
        kill(getppid(), SIGUSR1);
        sleep_ms(200);
        _exit(write(w, "y", 1) == 1 ? 0 : 1);
    }
    check(read(fd, &c, 1) == 1 && c == 'y' && handled == 1,
          "FIFO read with SA_RESTART: restarted, then the data");
    reap(pid);

    /* Stop and continue a child blocked in a FIFO read */
    pid = fork();
    if (pid == 0) {
        ssize_t n = read(fd, &c, 1);

        _exit(n == 1 && c == 'z' ? 0 : 1);
    }
    sleep_ms(200);
    kill(pid, SIGTSTP);
    t0 = now();
    check(waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st),
          "SIGTSTP stops a child blocked in a FIFO read (%.2f s)", now() - t0);
    kill(pid, SIGCONT);
    sleep_ms(100);
    check(write(w, "z", 1) == 1, "write after SIGCONT");
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
          "the continued read restarted and got the data");

    /* SIGKILL ends a child blocked in a FIFO read */
    pid = fork();
    if (pid == 0) {
        ssize_t n = read(fd, &c, 1);

        _exit(n == 1 ? 3 : 4);
    }
    sleep_ms(200);
    kill(pid, SIGKILL);
    check(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
              WTERMSIG(st) == SIGKILL,
          "SIGKILL ends a child blocked in a FIFO read");
    /* the FIFO still works: the killed reader took nothing */
    check(write(w, "k", 1) == 1 && read(fd, &c, 1) == 1 && c == 'k',
          "the FIFO works on after the killed reader");
    close(w);
    close(fd);

    /* flock wait */
    holder = fork();
    if (holder == 0) {
        int l = open(lockf, O_RDWR | O_CREAT, 0600);

        if (l < 0 || flock(l, LOCK_EX))
            _exit(1);
        sleep_ms(1500);
        _exit(0);
    }
    sleep_ms(200);
    catch_usr1(0);
    pid = poke(SIGUSR1, 200, NULL);
    {
        int l = open(lockf, O_RDWR | O_CREAT, 0600);

        errno = 0;
        check(l >= 0 && flock(l, LOCK_EX) < 0 && errno == EINTR && handled == 1,
              "flock wait: EINTR after the handler");
        close(l);
    }
    reap(pid);
    reap(holder);

    /* blocking inotify read */
    {
        int in = inotify_init();

        catch_usr1(0);
        check(in >= 0 && inotify_add_watch(in, dir, IN_CREATE) > 0,
              "inotify instance and watch");
        pid = poke(SIGUSR1, 200, NULL);
        errno = 0;
        check(read(in, lockf, sizeof(lockf)) < 0 && errno == EINTR &&
                  handled == 1,
              "blocking inotify read: EINTR after the handler");
        reap(pid);
        close(in);
    }

    unlink(fifo);
    unlink(lockf);
    check(rmdir(dir) == 0, "scratch directory removed");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
