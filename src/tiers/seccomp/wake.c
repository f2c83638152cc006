/* SPDX-License-Identifier: MIT */
/*
 * The seccomp serve loop's wake-ups (serve.c, kbox_seccomp_serve): its
 * SIGCHLD wait, the kick eventfd, the sweep timer and the stop look.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kbox/dispatch.h"
#include "wake.h"

/*
 * The serve loop's wake-ups (kbox_seccomp_serve). It sleeps in ppoll()
 * without a timeout while nothing is due, and is woken by: the main
 * process's pidfd (its exit), the exit and linger watches (other guest
 * processes' exits), SIGCHLD (a stop or continue of the main process,
 * kbox's child; an adopted orphan's exit) and an eventfd that workers and
 * signal handlers kick. SIGCHLD is blocked in every kbox thread from the
 * start (main.c) and unblocked only inside the loop's ppoll, where its
 * handler just notes it. Not a signalfd: every signal sent to any kbox
 * thread (the exec gate's, each exec) wakes every signalfd poller, which
 * doubled the loop's wake-ups in a fork+exec loop.
 */
static int kick_fd = -1;
static volatile sig_atomic_t chld_seen;
static sigset_t wait_mask; /* the loop's mask in ppoll: without SIGCHLD */

static void on_chld(int sig)
{
    (void)sig;
    chld_seen = 1;
}

/* ppoll() with SIGCHLD let in; *@chld: one came (then often EINTR). */
int kbox_serve_wait(struct pollfd *pf, nfds_t n, int ms, bool *chld)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    int rc = ppoll(pf, n, ms < 0 ? NULL : &ts, &wait_mask), e = errno;

    /* the handler runs on this thread only, inside ppoll */
    *chld = chld_seen;
    chld_seen = 0;
    errno = e;
    return rc;
}

/*
 * Set while the loop has a sweep timer running (kbox_proc_sweep: what a
 * fork prepared waits for its child, which may die before its first
 * call, and only a sweep notices). A fork while it is clear kicks the
 * loop, which starts one.
 */
static int sweep_armed;

/* Async-signal-safe. */
void kbox_serve_kick(void)
{
    uint64_t one = 1;

    if (kick_fd >= 0 && write(kick_fd, &one, sizeof(one)) < 0)
        one = 0; /* full: the loop is woken already */
}

void kbox_serve_sweep_soon(void)
{
    if (!__atomic_load_n(&sweep_armed, __ATOMIC_SEQ_CST) &&
        !__atomic_exchange_n(&sweep_armed, 1, __ATOMIC_SEQ_CST))
        kbox_serve_kick();
}

/* Reap exited children other than @main_pid (orphans kbox adopted). */
void kbox_serve_reap_others(pid_t main_pid)
{
    for (;;) {
        siginfo_t si;

        memset(&si, 0, sizeof(si));
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
            !si.si_pid || si.si_pid == main_pid)
            return;
        waitid(P_PID, (id_t)si.si_pid, &si, WEXITED | WNOHANG);
    }
}

long kbox_ms_between(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* Empty the eventfd (non-blocking). */
void kbox_serve_drain_kicks(void)
{
    uint64_t n;

    while (kick_fd >= 0 && read(kick_fd, &n, sizeof(n)) > 0)
        ;
}

/*
 * The sweep timer: a sweep a second after a fork (kbox_serve_sweep_soon) or an
 * earlier sweep left something due, and none otherwise. Returns the ms
 * until the next one, -1 for none.
 */
int kbox_serve_sweep_timer(struct timespec *at, bool *set, pid_t main_pid)
{
    struct timespec now;
    long ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    for (;;) {
        if (!*set) {
            if (!__atomic_load_n(&sweep_armed, __ATOMIC_SEQ_CST))
                return -1;
            *at = now;
            *set = true;
        }
        ms = kbox_ms_between(at, &now);
        if (ms >= 0 && ms < 1000)
            return (int)(1000 - ms);
        /* cleared first: a fork from here on kicks, or the sweep sees it */
        __atomic_store_n(&sweep_armed, 0, __ATOMIC_SEQ_CST);
        *set = false;
        if (kbox_proc_sweep())
            __atomic_store_n(&sweep_armed, 1, __ATOMIC_SEQ_CST);
        kbox_serve_reap_others(main_pid);
    }
}

/*
 * The guest's command stopped (Ctrl-Z in vim, which stops its own process
 * group; kill -TSTP $$ in the guest's shell): kbox stops too, as that
 * command would have for the shell that started kbox, which then gets
 * its terminal back ("[1]+ Stopped"; before, only the guest stopped and
 * the terminal seemed dead). Continued (fg), kbox continues the command.
 * Looked at on each SIGCHLD (the main process is kbox's child). True
 * while the command is stopped and kbox is not in its terminal's
 * foreground (it may be brought there: look again in a while).
 */
bool kbox_serve_follow_stop(pid_t main_pid)
{
    siginfo_t si;
    pid_t fg;

    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)main_pid, &si, WSTOPPED | WNOHANG | WNOWAIT) ||
        si.si_pid != main_pid || si.si_code != CLD_STOPPED)
        return false;
    /* Only kbox in its terminal's foreground, as with job control: a
     * script's stopped command waits for whoever continues it. */
    fg = tcgetpgrp(STDIN_FILENO);
    if (fg < 0)
        fg = tcgetpgrp(STDERR_FILENO);
    if (fg < 0)
        return false; /* no terminal: never in its foreground */
    if (fg != getpgrp())
        return true;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)main_pid, &si, WSTOPPED | WNOHANG) ||
        si.si_pid != main_pid || si.si_code != CLD_STOPPED)
        return false;
    kill(getpid(), SIGSTOP);
    kill(main_pid, SIGCONT);
    return false;
}

/* Before any worker: SIGCHLD blocked in each (main.c blocked it in every
 * thread already; a unit test's serve is here first). The handler is no
 * SA_NOCLDSTOP (stops are wanted) and reset by the guest's exec. */
void kbox_serve_wakes_init(void)
{
    struct sigaction sa;
    sigset_t chld;

    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &chld, NULL);
    pthread_sigmask(SIG_SETMASK, NULL, &wait_mask);
    sigdelset(&wait_mask, SIGCHLD);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_chld;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    if (kick_fd < 0)
        kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

int kbox_serve_kick_fd(void)
{
    return kick_fd;
}

void kbox_serve_sweep_arm(void)
{
    __atomic_store_n(&sweep_armed, 1, __ATOMIC_SEQ_CST);
}
