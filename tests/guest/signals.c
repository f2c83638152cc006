/* SPDX-License-Identifier: MIT */
/*
 * signals: kill/tgkill/tkill to self and to a child, SIGCHLD with correct
 * siginfo, SIGPIPE on a pipe with no reader, EINTR vs SA_RESTART on a
 * blocking read, sigprocmask/sigpending/sigtimedwait, process groups,
 * ESRCH, and consistent pids (getppid in the child == getpid in the
 * parent, si_pid == fork's return value).
 *
 * Usage: signals
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t got_usr1, got_usr2, got_pipe, got_alrm, got_term;
static volatile sig_atomic_t chld_count, chld_pid, chld_status, chld_code;
static volatile sig_atomic_t usr1_pid, usr1_code;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    got_usr1++;
    usr1_pid = si->si_pid;
    usr1_code = si->si_code;
}

static void on_usr2(int sig)
{
    (void)sig;
    got_usr2++;
}

static void on_pipe(int sig)
{
    (void)sig;
    got_pipe++;
}

static void on_alrm(int sig)
{
    (void)sig;
    got_alrm++;
}

static void on_term(int sig)
{
    (void)sig;
    got_term++;
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    chld_count++;
    chld_pid = si->si_pid;
    chld_status = si->si_status;
    chld_code = si->si_code;
}

static void set_handler(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void set_action(int sig, void (*h)(int, siginfo_t *, void *))
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = h;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static int wait_for(volatile sig_atomic_t *flag, int ms)
{
    for (int i = 0; i < ms && !*flag; i++)
        usleep(1000);
    return *flag != 0;
}

static void test_self(void)
{
    pid_t me = getpid(), tid = (pid_t)syscall(SYS_gettid);

    set_action(SIGUSR1, on_usr1);
    set_handler(SIGUSR2, on_usr2, SA_RESTART);

    check(kill(me, SIGUSR1) == 0 && got_usr1 == 1,
          "kill(self, SIGUSR1) runs the handler before kill returns");
    check(usr1_pid == me && usr1_code == SI_USER,
          "siginfo: si_pid %d == getpid %d, si_code SI_USER", (int)usr1_pid,
          (int)me);
    check(syscall(SYS_tgkill, me, tid, SIGUSR2) == 0 && got_usr2 == 1,
          "tgkill(self, tid, SIGUSR2)");
    check(syscall(SYS_tkill, tid, SIGUSR2) == 0 && got_usr2 == 2,
          "tkill(tid, SIGUSR2)");
    check(raise(SIGUSR1) == 0 && got_usr1 == 2, "raise(SIGUSR1)");
    check(usr1_code == SI_TKILL, "raise gives si_code SI_TKILL (%d)",
          (int)usr1_code);
    check(kill(me, 0) == 0, "kill(self, 0) succeeds");
    check(kill(me, 12345 + 64) == -1 && errno == EINVAL,
          "kill with an invalid signal gives EINVAL");
    check(syscall(SYS_tgkill, me, 999999, SIGUSR2) == -1 && errno == ESRCH,
          "tgkill to a non-existent tid gives ESRCH");

    /* blocked signals stay pending, sigtimedwait collects them */
    {
        sigset_t set, old, pend;
        struct timespec ts = { 1, 0 };
        siginfo_t si;

        sigemptyset(&set);
        sigaddset(&set, SIGUSR2);
        sigprocmask(SIG_BLOCK, &set, &old);
        got_usr2 = 0;
        kill(me, SIGUSR2);
        sigpending(&pend);
        check(got_usr2 == 0 && sigismember(&pend, SIGUSR2),
              "blocked SIGUSR2 is pending, not delivered");
        check(sigtimedwait(&set, &si, &ts) == SIGUSR2 && si.si_pid == me,
              "sigtimedwait collects it with si_pid == self");
        sigpending(&pend);
        check(!sigismember(&pend, SIGUSR2), "no longer pending");
        ts.tv_sec = 0;
        ts.tv_nsec = 50 * 1000 * 1000;
        check(sigtimedwait(&set, &si, &ts) == -1 && errno == EAGAIN,
              "sigtimedwait times out with EAGAIN");
        kill(me, SIGUSR2);
        sigprocmask(SIG_SETMASK, &old, NULL);
        check(got_usr2 == 1, "unblocking delivers the pending signal");
    }
}

static void test_child(void)
{
    pid_t me = getpid(), pid;
    int st, p[2], r;
    char c;

    set_action(SIGCHLD, on_chld);

    /* child exits with a code: SIGCHLD with CLD_EXITED */
    chld_count = 0;
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(getppid() == me ? 7 : 99);
    check(wait_for(&chld_count, 5000), "SIGCHLD arrives when a child exits");
    check(chld_pid == pid && chld_code == CLD_EXITED && chld_status == 7,
          "SIGCHLD siginfo: si_pid %d == %d, CLD_EXITED, status %d",
          (int)chld_pid, (int)pid, (int)chld_status);
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7,
          "waitpid: exit 7 (child saw getppid() == parent's getpid())");

    /* kill a blocked child with SIGTERM */
    check(pipe(p) == 0, "pipe");
    chld_count = 0;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(p[1]);
        if (read(p[0], &c, 1) < 0)
            _exit(3);
        _exit(4);
    }
    usleep(20000);
    check(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM)");
    st = 0;
    r = waitpid(pid, &st, 0) == pid;
    check(r && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
          "child terminated by SIGTERM (status 0x%x)", st);
    check(wait_for(&chld_count, 2000) && chld_code == CLD_KILLED &&
              chld_status == SIGTERM,
          "SIGCHLD with CLD_KILLED, si_status SIGTERM");
    close(p[0]);
    close(p[1]);
    check(kill(pid, 0) == -1 && errno == ESRCH,
          "kill(reaped child, 0) gives ESRCH");

    /* child with a handler: signal it, it reports back via exit code
     * (reset before fork: the child's SIGUSR1 may beat fork's return) */
    fflush(stdout);
    got_usr1 = 0;
    pid = fork();
    if (pid == 0) {
        got_term = 0;
        set_handler(SIGTERM, on_term, 0);
        /* tell the parent we're ready by signalling it */
        kill(getppid(), SIGUSR1);
        for (int i = 0; i < 5000 && !got_term; i++)
            usleep(1000);
        _exit(got_term ? 0 : 1);
    }
    r = wait_for(&got_usr1, 5000);
    check(r && usr1_pid == pid,
          "child's kill(getppid(), SIGUSR1) reaches the parent, si_pid "
          "%d == %d",
          (int)usr1_pid, (int)pid);
    check(kill(pid, SIGTERM) == 0, "kill(child, SIGTERM) with a handler");
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child's SIGTERM handler ran");

    /* stop / continue */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        for (int i = 0; i < 5000; i++)
            usleep(1000);
        _exit(0);
    }
    check(kill(pid, SIGSTOP) == 0 && waitpid(pid, &st, WUNTRACED) == pid &&
              WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
          "SIGSTOP: waitpid WUNTRACED reports stopped");
    check(kill(pid, SIGCONT) == 0 && waitpid(pid, &st, WCONTINUED) == pid &&
              WIFCONTINUED(st),
          "SIGCONT: waitpid WCONTINUED reports continued");
    kill(pid, SIGKILL);
    check(waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
              WTERMSIG(st) == SIGKILL,
          "SIGKILL");

    /* process group */
    {
        pid_t a, b;
        int sa, sb;

        fflush(stdout);
        a = fork();
        if (a == 0) {
            setpgid(0, 0);
            pause();
            _exit(1);
        }
        setpgid(a, a);
        b = fork();
        if (b == 0) {
            setpgid(0, a);
            pause();
            _exit(1);
        }
        setpgid(b, a);
        usleep(20000);
        check(getpgid(b) == a, "child b joined process group %d", a);
        check(kill(-a, SIGTERM) == 0, "kill(-pgid, SIGTERM)");
        check(waitpid(a, &sa, 0) == a && waitpid(b, &sb, 0) == b &&
                  WIFSIGNALED(sa) && WIFSIGNALED(sb) &&
                  WTERMSIG(sa) == SIGTERM && WTERMSIG(sb) == SIGTERM,
              "both group members got SIGTERM");
    }
    check(kill(999999, SIGTERM) == -1 && errno == ESRCH,
          "kill(non-existent pid) gives ESRCH");
    signal(SIGCHLD, SIG_DFL);
}

static void test_pipe(void)
{
    int p[2];
    ssize_t r;
    pid_t pid;
    int st;

    /* SIGPIPE with a handler: handler runs and write gives EPIPE */
    set_handler(SIGPIPE, on_pipe, 0);
    check(pipe(p) == 0, "pipe");
    close(p[0]);
    got_pipe = 0;
    errno = 0;
    r = write(p[1], "x", 1);
    check(r == -1 && errno == EPIPE && got_pipe == 1,
          "write to a pipe without reader: SIGPIPE handler + EPIPE");
    close(p[1]);

    /* ignored: only EPIPE */
    signal(SIGPIPE, SIG_IGN);
    check(pipe(p) == 0, "pipe");
    close(p[0]);
    errno = 0;
    r = write(p[1], "x", 1);
    check(r == -1 && errno == EPIPE, "SIG_IGN SIGPIPE: write gives EPIPE");
    close(p[1]);

    /* default: the writer dies of SIGPIPE */
    check(pipe(p) == 0, "pipe");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        close(p[0]);
        usleep(20000);
        if (write(p[1], "x", 1) < 0)
            _exit(2);
        _exit(3);
    }
    close(p[0]);
    close(p[1]);
    st = 0;
    r = waitpid(pid, &st, 0) == pid;
    check(r && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
          "default SIGPIPE kills the writer (status 0x%x)", st);
    /* the reader process closed its end in the middle of writes */
    check(pipe(p) == 0, "pipe");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char b[10];

        close(p[1]);
        if (read(p[0], b, 10) < 0)
            _exit(1);
        _exit(0); /* exits with unread data pending */
    }
    close(p[0]);
    signal(SIGPIPE, SIG_DFL);
    {
        pid_t w = fork();

        if (w == 0) {
            char buf[4096];

            memset(buf, 'z', sizeof(buf));
            for (;;)
                if (write(p[1], buf, sizeof(buf)) < 0)
                    _exit(5);
        }
        close(p[1]);
        check(waitpid(w, &st, 0) == w && WIFSIGNALED(st) &&
                  WTERMSIG(st) == SIGPIPE,
              "streaming writer killed by SIGPIPE when the reader "
              "exits");
    }
    waitpid(pid, NULL, 0);
    signal(SIGPIPE, SIG_IGN);
}

static void test_eintr(void)
{
    int p[2];
    ssize_t r;
    char c;
    struct timespec ts = { 5, 0 }, rem;

    check(pipe(p) == 0, "pipe");
    /* no SA_RESTART: a blocking read returns EINTR */
    set_handler(SIGALRM, on_alrm, 0);
    got_alrm = 0;
    alarm(1);
    errno = 0;
    r = read(p[0], &c, 1);
    check(r == -1 && errno == EINTR && got_alrm == 1,
          "blocking pipe read interrupted by SIGALRM gives EINTR");

    /* nanosleep interrupted: EINTR and a remaining time */
    got_alrm = 0;
    alarm(1);
    errno = 0;
    memset(&rem, 0, sizeof(rem));
    r = nanosleep(&ts, &rem);
    check(r == -1 && errno == EINTR && got_alrm == 1 && rem.tv_sec >= 2,
          "nanosleep interrupted gives EINTR, %lds remaining",
          (long)rem.tv_sec);

    /* SA_RESTART: read is restarted and gets the byte written later */
    set_handler(SIGALRM, on_alrm, SA_RESTART);
    got_alrm = 0;
    {
        pid_t pid;

        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            usleep(1500000);
            if (write(p[1], "R", 1) != 1)
                _exit(1);
            _exit(0);
        }
        alarm(1);
        r = read(p[0], &c, 1);
        check(r == 1 && c == 'R' && got_alrm == 1,
              "SA_RESTART read survives SIGALRM and gets the data");
        waitpid(pid, NULL, 0);
    }
    close(p[0]);
    close(p[1]);
}

static void on_timeout(int sig)
{
    static const char msg[] = "FAIL - signals: timeout\n";

    (void)sig;
    if (write(1, msg, sizeof(msg) - 1) < 0)
        _exit(2);
    _exit(1);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* watchdog: SIGALRM is under test, so a POSIX timer on
     * CLOCK_MONOTONIC delivering SIGRTMIN ends a hung run with FAIL */
    {
        struct sigevent sev;
        struct itimerspec its;
        timer_t t;

        memset(&sev, 0, sizeof(sev));
        sev.sigev_notify = SIGEV_SIGNAL;
        sev.sigev_signo = SIGRTMIN;
        signal(SIGRTMIN, on_timeout);
        memset(&its, 0, sizeof(its));
        its.it_value.tv_sec = 60;
        if (timer_create(CLOCK_MONOTONIC, &sev, &t) == 0)
            timer_settime(t, 0, &its, NULL);
    }
    test_self();
    test_child();
    test_pipe();
    test_eintr();
    printf("# signals: %d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
