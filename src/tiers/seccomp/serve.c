/* SPDX-License-Identifier: MIT */
/*
 * The seccomp tier's serve loop: waits for the main process, the exit
 * and linger watches and the kicks, sweeps, looks for orphaned process
 * groups, and once the main process is gone serves the rest of the
 * guest until its last process exits. The requests themselves are the
 * worker pool's (pool.c).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbox/abi.h"
#include "kbox/bpf.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/policy.h"
#include "kbox/seccomp.h"
#include "pool.h"
#include "settle.h"
#include "wake.h"

static volatile sig_atomic_t forward_sig;

/*
 * A signal kbox passed to the main process (main.c) that must also reach
 * the processes left once it is gone. Only SIGTERM and SIGHUP: SIGUSR1,
 * SIGALRM and a relayed SIGINT or SIGQUIT are the main process's alone,
 * and kept here they went to every job left when it exited, long after
 * (a SIGUSR1 the main process handled killed its background jobs).
 */
void kbox_seccomp_forward(int sig)
{
    if (sig == SIGTERM || sig == SIGHUP) {
        forward_sig = sig;
        kbox_serve_kick(); /* the handler may run in any thread */
    }
}

/*
 * The main process is gone; the guest is every process it started. Serve
 * and reap them until the last one has exited, as proot does: a job the
 * guest left running in the background (`cmd &`, a daemon) lost every
 * supervised call (ENOSYS) once kbox stopped serving, and what it wrote
 * was lost. SIGTERM/SIGHUP to kbox go to all of them now.
 */
static void end_the_rest(int sig)
{
    (void)sig;
    forward_sig = SIGTERM;
    kbox_serve_kick();
}

/* The shorter of two poll() timeouts (-1: none). */
static int shorter(int a, int b)
{
    return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/*
 * Look for process groups left orphaned (src/dispatch/orphan.c) after
 * guest processes exited (@exits), at most every 100 ms: the look reads
 * /proc/<pid>/stat of every guest process, and a shell script's exits
 * come in a stream. A group that changed from held to orphaned between
 * two looks is seen all the same. Returns the ms until a look is due
 * (for poll), -1 for none.
 */
static int orphans_due(bool main_alive, bool exits)
{
    static bool due;
    static struct timespec last;
    struct timespec now;
    long ms;

    due |= exits;
    if (!due)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = kbox_ms_between(&last, &now);
    if (ms >= 0 && ms < 100)
        return (int)(100 - ms);
    due = false;
    last = now;
    kbox_orphan_check(main_alive);
    return -1;
}

/* Guest processes ended (their pidfds fired): release their tasks, and
 * signal the process groups they left orphaned. */
static void exits_seen(bool main_alive)
{
    /* Killed ones; those that called exit_group are in the linger
     * watch, their entries gone already. */
    if (kbox_exits_take())
        kbox_serve_sweep_arm();
    kbox_proc_lingering_ended();
    orphans_due(main_alive, true);
}

/* The watches fired (@fired), or a worker swept exits before a call that
 * may take what they held (kbox_exits_settle): the same looks, and a
 * sweep later for the zombies that sweep may have left. */
static void exits_maybe(bool main_alive, bool fired)
{
    bool early = kbox_exits_settled_take();

    if (early)
        kbox_serve_sweep_arm();
    if (fired || early)
        exits_seen(main_alive);
}

static void serve_the_rest(void)
{
    struct timespec start, check, now;
    bool told = false;
    int stopped = 0, ends = 0;

    /*
     * Ctrl-C now reaches kbox (the guest's shell gave the terminal back to
     * kbox's process group), not the jobs left: let it end them, or an
     * interactive session's forgotten background job would hold the
     * terminal with no way out.
     */
    signal(SIGINT, end_the_rest);
    clock_gettime(CLOCK_MONOTONIC, &start);
    check = start;
    for (;;) {
        siginfo_t si;
        int sig = forward_sig, timeout;
        long ms;

        memset(&si, 0, sizeof(si));
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
            if (errno == EINTR)
                continue;
            return; /* ECHILD: the last one is gone */
        }
        if (si.si_pid)
            continue;
        clock_gettime(CLOCK_MONOTONIC, &now);
        ms = kbox_ms_between(&start, &now);
        if (!told && ms >= 500 && isatty(2)) {
            /* half a second on: say what the wait is for */
            fprintf(stderr, "kbox: waiting for the guest's background "
                            "processes (Ctrl-C ends them, a second one "
                            "kills them)\n");
            told = true;
        }
        if (sig) {
            pid_t *pids;
            int n = kbox_proc_list(&pids);

            forward_sig = 0;
            /*
             * A second Ctrl-C, SIGTERM or SIGHUP: what is left ignores or
             * outlasts the first (trap '' TERM). Natively nothing would
             * wait for it, and kbox waited for ever: the only way out was
             * a SIGKILL of kbox, which loses the guest's last writes.
             * Killed now, the guest ends and kbox syncs and halts.
             */
            if ((sig == SIGTERM || sig == SIGHUP) && ends++ > 0)
                sig = SIGKILL;
            for (int i = 0; i < n; i++)
                kill(pids[i], sig);
            free(pids);
        }
        if (kbox_ms_between(&check, &now) >= 1000) {
            /* Once a second: a stop of a process that is not kbox's
             * child sends kbox nothing. */
            check = now;
            kbox_proc_sweep();
            stopped = kbox_orphan_all_stopped() ? stopped + 1 : 0;
        }
        /*
         * Every process left is stopped, for a second or more: no guest
         * process can continue them, and natively nothing would wait for
         * them (chroot's caller went on when the command exited). kbox
         * would wait for ever: they get what an orphaned stopped group
         * gets, SIGHUP and SIGCONT, and run on served (or end).
         */
        if (stopped >= 2) {
            pid_t *pids;
            int n = kbox_proc_list(&pids);

            if (kbox_sup.verbose)
                fprintf(stderr, "kbox: the guest's processes left are all "
                                "stopped: SIGHUP, SIGCONT\n");
            for (int i = 0; i < n; i++)
                kill(pids[i], SIGHUP);
            for (int i = 0; i < n; i++)
                kill(pids[i], SIGCONT);
            if (n >= 0)
                free(pids);
            stopped = 0;
        }
        timeout = (int)(1000 - kbox_ms_between(&check, &now));
        if (!told && isatty(2))
            timeout = shorter(timeout, ms < 500 ? (int)(500 - ms) : 0);
        timeout = shorter(timeout, orphans_due(false, false));
        {
            struct pollfd pf[3] = { { kbox_proc_exit_watch(), POLLIN, 0 },
                                    { kbox_proc_linger_watch(), POLLIN, 0 },
                                    { kbox_serve_kick_fd(), POLLIN, 0 } };
            bool chld; /* the reap at the top follows */

            if (kbox_serve_wait(pf, 3, timeout < 0 ? 0 : timeout, &chld) <= 0)
                continue;
            if (pf[2].revents)
                kbox_serve_drain_kicks();
            exits_maybe(false, pf[0].revents || pf[1].revents);
        }
    }
}

int kbox_seccomp_serve(int listener, int pidfd, pid_t main_pid)
{
    int status = 0;

    if (!kbox_sc_pool_start(listener)) {
        /* No thread to receive requests (kbox's threads count against
         * ulimit -v and -u): the guest's first call waited for ever. */
        kill(main_pid, SIGKILL);
        return -EAGAIN;
    }

    {
        struct timespec sweep_at = { 0, 0 };
        bool sweep_set = false, stop_look = true;

        for (;;) {
            struct pollfd pf[4] = { { pidfd, POLLIN, 0 },
                                    { kbox_proc_exit_watch(), POLLIN, 0 },
                                    { kbox_proc_linger_watch(), POLLIN, 0 },
                                    { kbox_serve_kick_fd(), POLLIN, 0 } };
            int timeout =
                    kbox_serve_sweep_timer(&sweep_at, &sweep_set, main_pid),
                pr, e;
            bool chld;
            siginfo_t si;

            if (stop_look)
                stop_look = kbox_serve_follow_stop(main_pid);
            timeout = shorter(timeout, orphans_due(true, false));
            if (stop_look)
                timeout = shorter(timeout, 100); /* looked at by polling */
            pr = kbox_serve_wait(pf, 4, timeout, &chld);
            e = errno;
            if (pr < 0 && e != EINTR)
                break;
            if (pr > 0 && pf[3].revents)
                kbox_serve_drain_kicks();
            if (pr > 0)
                exits_maybe(true, pf[1].revents || pf[2].revents);
            if (chld) {
                /* Adopted orphans are reaped at each SIGCHLD (merged
                 * ones too: the reap takes every zombie), after
                 * exits_seen (pids reused); only on an idle tick, a
                 * killed process tree a round piled them up (stress 37). */
                stop_look = true;
                kbox_serve_reap_others(main_pid);
            }
            if (pr <= 0 || !pf[0].revents)
                continue;
            memset(&si, 0, sizeof(si));
            if (waitid(P_PID, (id_t)main_pid, &si, WEXITED) == 0) {
                kbox_proc_main_exits(main_pid); /* killed: no exit_group */
                if (si.si_code == CLD_EXITED)
                    status = si.si_status & 0xff;
                else
                    status = 128 + si.si_status;
                /* What it leaves orphaned (its own group among them) */
                kbox_orphan_check(false);
                break;
            }
        }
    }
    serve_the_rest();
    kbox_sc_pool_end();
    return status;
}
