/* SPDX-License-Identifier: MIT */
/*
 * O_ASYNC owners and F_SETSIG signals on a FIFO in directory argv[1] (the
 * image, lx's tmpfs, or natively any directory). "group": F_SETOWN with a
 * negative pid and F_SETOWN_EX F_OWNER_PGRP name a process group, whose
 * members (one forked before, one after the F_SETOWN) take the signal and
 * a process that left the group does not (under kbox both were ESRCH on
 * lx files). "setsig": F_SETSIG with each signal a handler can take,
 * owner the process itself: it arrives with si_fd (SIGCHLD was dropped);
 * "fatal": F_SETSIG SIGKILL and SIGSTOP kill and stop the owner, a child.
 * si_code is not compared: kbox can only queue SI_SIGIO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t got_n, got_sig, got_fd;
static volatile long got_band;

static void on_sig(int s, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = s;
    got_fd = si->si_fd;
    got_band = si->si_band;
    got_n++;
}

static void handle(int s)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(s, &sa, NULL);
}

/* Wait up to @ms for a signal to arrive (got_n past @n). */
static int wait_sig(int n, int ms)
{
    for (int i = 0; i < ms / 5 && got_n <= n; i++)
        usleep(5000);
    return got_n > n;
}

static int wfd = -1;

/*
 * The FIFO's read end (for O_ASYNC) and, in wfd, a write end of its own:
 * with one O_RDWR fd, draining it sent a second signal (POLL_OUT).
 */
static int open_fifo(const char *dir, char *fifo, size_t len)
{
    int fd;

    snprintf(fifo, len, "%s/sigio-owner-fifo", dir);
    unlink(fifo);
    if (mkfifo(fifo, 0600))
        return -1;
    fd = open(fifo, O_RDONLY | O_NONBLOCK);
    if (wfd >= 0)
        close(wfd);
    wfd = open(fifo, O_WRONLY | O_NONBLOCK);
    return fd >= 0 && wfd >= 0 ? fd : -1;
}

static void drain(int fd)
{
    char b[64];

    while (read(fd, b, sizeof(b)) > 0)
        ;
}

/*
 * A child that takes SIGIO (leaving the group first if @leave), says it
 * is ready on @rep, waits for the parent to close @rel's write end, then
 * reports on @rep whether a signal came: @tag upper case for yes, lower case
 * for no.
 */
static pid_t member(char tag, int leave, int rep, const int rel[2])
{
    pid_t c = fork();

    if (c)
        return c;
    close(rel[1]); /* the parent's close is the go */
    got_n = 0;     /* the parent's count */
    handle(SIGIO);
    if (leave)
        setpgid(0, 0);
    if (write(rep, "r", 1) != 1)
        _exit(1);
    for (int i = 0; i < 100; i++) {
        struct pollfd p = { rel[0], POLLIN, 0 };

        if (poll(&p, 1, 100) > 0)
            break;
    }
    usleep(300000); /* a signal to the group reaches all members at once */
    tag = got_n ? tag : (char)(tag - 'A' + 'a');
    _exit(write(rep, &tag, 1) == 1 ? 0 : 1);
}

static void group_case(const char *dir, int ex_form)
{
    char fifo[4096], got[3] = { 0 };
    const char *how = ex_form ? "F_SETOWN_EX F_OWNER_PGRP" : "F_SETOWN -pgrp";
    int fd, rep[2], rel[2], n0, rc, k = 0;
    pid_t pg = getpgrp(), kids[3];
    struct f_owner_ex ex;
    char r;

    fd = open_fifo(dir, fifo, sizeof(fifo));
    if (fd < 0 || pipe(rep) || pipe(rel)) {
        check(0, "group: setup");
        return;
    }
    handle(SIGIO);
    kids[0] = member('E', 0, rep[1], rel);
    kids[1] = member('X', 1, rep[1], rel);
    for (int i = 0; i < 2; i++)
        if (read(rep[0], &r, 1) != 1)
            check(0, "group: a child said it was ready");
    if (ex_form) {
        ex.type = F_OWNER_PGRP;
        ex.pid = pg;
        rc = fcntl(fd, F_SETOWN_EX, &ex);
    } else {
        rc = fcntl(fd, F_SETOWN, -pg);
    }
    check(rc == 0, "group: %s %d", how, (int)pg);
    rc = fcntl(fd, F_GETOWN);
    check(rc == -pg, "group %s: F_GETOWN %d (want %d)", how, rc, (int)-pg);
    memset(&ex, 0, sizeof(ex));
    rc = fcntl(fd, F_GETOWN_EX, &ex);
    check(rc == 0 && ex.type == F_OWNER_PGRP && ex.pid == pg,
          "group %s: F_GETOWN_EX type %d pid %d (want %d %d)", how, ex.type,
          ex.pid, F_OWNER_PGRP, (int)pg);
    kids[2] = member('L', 0, rep[1], rel);
    if (read(rep[0], &r, 1) != 1)
        check(0, "group: the late child said it was ready");
    check(fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK) == 0, "group: O_ASYNC");
    n0 = got_n;
    if (write(wfd, "x", 1) != 1)
        check(0, "group: write the FIFO");
    check(wait_sig(n0, 3000) && got_sig == SIGIO,
          "group %s: the setter, a member, took SIGIO", how);
    usleep(200000);
    close(rel[1]);
    for (int i = 0; i < 3; i++)
        if (read(rep[0], &r, 1) == 1)
            got[k < 3 ? k++ : 2] = r;
    for (int i = 0; i < 3; i++)
        waitpid(kids[i], NULL, 0);
    check(memchr(got, 'E', k) != NULL,
          "group %s: a member forked before took SIGIO (%.3s)", how, got);
    check(memchr(got, 'L', k) != NULL,
          "group %s: a member forked after took SIGIO (%.3s)", how, got);
    check(memchr(got, 'x', k) != NULL,
          "group %s: a process that left the group did not (%.3s)", how, got);
    drain(fd);
    close(fd);
    close(rep[0]);
    close(rep[1]);
    close(rel[0]);
    unlink(fifo);
}

/* F_SETSIG @sig with the process itself the owner: it arrives, si_fd set. */
static void setsig_case(const char *dir)
{
    char fifo[4096];
    int fd = open_fifo(dir, fifo, sizeof(fifo));
    sigset_t none;

    if (fd < 0) {
        check(0, "setsig: setup");
        return;
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    fcntl(fd, F_SETOWN, getpid());
    fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK);
    for (int sig = 1; sig < NSIG; sig++) {
        int n0;

        if (sig == SIGKILL || sig == SIGSTOP || (sig > 31 && sig < SIGRTMIN))
            continue;
        handle(sig);
        check(fcntl(fd, F_SETSIG, sig) == 0, "setsig: F_SETSIG %d", sig);
        n0 = got_n;
        got_sig = 0;
        if (write(wfd, "x", 1) != 1)
            check(0, "setsig: write the FIFO");
        check(wait_sig(n0, 3000) && got_sig == sig && got_fd == fd &&
                  (got_band & POLLIN),
              "setsig: F_SETSIG %d (%s) arrived: signal %d si_fd %d band %#lx",
              sig, sigabbrev_np(sig) ? sigabbrev_np(sig) : "RT", (int)got_sig,
              (int)got_fd, (long)got_band);
        drain(fd);
    }
    close(fd);
    unlink(fifo);
}

/* F_SETSIG SIGKILL and SIGSTOP to a child owner: it is killed, stopped. */
static void fatal_case(const char *dir)
{
    int sigs[2] = { SIGKILL, SIGSTOP };

    for (int i = 0; i < 2; i++) {
        char fifo[4096];
        int fd = open_fifo(dir, fifo, sizeof(fifo)), st = 0, ready[2];
        pid_t c, w = 0;
        char r;

        if (fd < 0 || pipe(ready)) {
            check(0, "fatal: setup");
            return;
        }
        c = fork();
        if (c == 0) {
            alarm(5);
            if (write(ready[1], "r", 1) != 1)
                _exit(1);
            for (;;)
                pause();
        }
        if (read(ready[0], &r, 1) != 1)
            check(0, "fatal: the child said it was ready");
        fcntl(fd, F_SETOWN, c);
        fcntl(fd, F_SETSIG, sigs[i]);
        fcntl(fd, F_SETFL, O_ASYNC | O_NONBLOCK);
        if (write(wfd, "x", 1) != 1)
            check(0, "fatal: write the FIFO");
        for (int t = 0; t < 600 && w == 0; t++) {
            w = waitpid(c, &st, WNOHANG | WUNTRACED);
            if (!w)
                usleep(5000);
        }
        if (sigs[i] == SIGKILL)
            check(w == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
                  "fatal: F_SETSIG SIGKILL killed the owner (status %#x)", st);
        else
            check(w == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
                  "fatal: F_SETSIG SIGSTOP stopped the owner (status %#x)", st);
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        close(ready[0]);
        close(ready[1]);
        close(fd);
        unlink(fifo);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    const char *only = argc > 2 ? argv[2] : "";

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* the test's own group, as a shell's job would be ("keep": the
     * caller's, which only under kbox is safe to signal) */
    if (argc < 4 || strcmp(argv[3], "keep"))
        setpgid(0, 0);
    if (!*only || !strcmp(only, "group")) {
        group_case(dir, 0);
        group_case(dir, 1);
    }
    if (!*only || !strcmp(only, "setsig"))
        setsig_case(dir);
    if (!strcmp(only, "fatal")) /* not under kbox yet: lx's task takes them */
        fatal_case(dir);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
