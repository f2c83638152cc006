/* SPDX-License-Identifier: MIT */
/*
 * One exec at a time per process: the claim a thread's execve holds
 * from before it touches guest memory until it failed, or until the
 * host ran it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

/*
 * Is the exec of thread @h of @tgid, which holds the claim, over: kbox
 * no longer serves it (@served: a call of @h in flight is its exec), and
 * the thread is gone (the host ran it) or in another call (the host
 * refused it)? Its /proc file unreadable (not dumpable) or saying
 * "running" for 2 s (@since: 0, or since when) also counts: a program
 * that spins after its exec makes no call to show it.
 */
static bool exec_over(pid_t tgid, pid_t h, struct timespec *since, bool served)
{
    char p[64], line[64] = "";
    struct timespec now;
    long nr;
    FILE *f;

    if (syscall(SYS_tgkill, tgid, h, 0) < 0 && errno == ESRCH)
        return true;
    if (served && kbox_inflight_has(h)) {
        since->tv_sec = 0;
        return false;
    }
    snprintf(p, sizeof(p), "/proc/%d/task/%d/syscall", (int)tgid, (int)h);
    f = fopen(p, "re");
    if (f) {
        if (!fgets(line, sizeof(line), f))
            line[0] = '\0';
        fclose(f);
    }
    if (sscanf(line, "%ld", &nr) == 1) {
        since->tv_sec = 0;
        return nr != SYS_execve && nr != SYS_execveat;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!since->tv_sec)
        *since = now;
    return now.tv_sec - since->tv_sec >= 2;
}

/*
 * Make the exec of @r the process's only one until it fails, or, once it
 * succeeded here, until the host has run it. Natively, of several threads
 * exec'ing at once one wins and the others die in its exec; one that
 * fails returns its error and lets another win. Here each exec read the
 * path, rewrote it in place into its alias and put it back when it
 * failed: threads that all passed one buffer read another's alias (no
 * such file in lx: ENOENT) or put the path back under the winner's host
 * exec (ENOENT where the exec never returns), and they took and freed
 * each other's p->exec_again. So no exec touches the guest's memory or
 * the process's exec state before it holds the claim. A thread waiting
 * for it dies in the holder's exec (its call is ended, the reply held
 * until the thread is gone: kbox_inflight_end), or goes on with its own
 * exec when the holder's failed. Bounded (30 s).
 */
long kbox_exec_claim(struct kbox_req *r)
{
    struct kbox_proc *p = r->proc;
    struct timespec running = { 0, 0 };

    for (int i = 0; i < 60000; i++) {
        pid_t h = 0, ex;

        if (__atomic_compare_exchange_n(&p->exec_claim, &h, r->pid, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE))
            return 0;
        /* the holder's exec ends this thread's call (or will: the scan
         * ends calls it sees while p->exec_tid is set) */
        ex = __atomic_load_n(&p->exec_tid, __ATOMIC_ACQUIRE);
        if (ex > 0 && ex != r->pid)
            __atomic_store_n(&r->interrupted, KBOX_INTR_EXEC, __ATOMIC_RELEASE);
        if (__atomic_load_n(&r->interrupted, __ATOMIC_ACQUIRE) !=
                KBOX_INTR_NONE ||
            !r->ops->valid(r))
            return -EINTR;
        /* its own from an exec the host ran or refused, or a holder out
         * of its exec; asked again after: the host's exec that ended the
         * holder's tid killed a thread waiting in the old image first,
         * which must not take the trampoline's p->exec_again */
        if ((h == r->pid || exec_over(p->tgid, h, &running, true)) &&
            __atomic_compare_exchange_n(&p->exec_claim, &h, r->pid, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE)) {
            if (r->ops->valid(r))
                return 0;
            __atomic_store_n(&p->exec_claim, 0, __ATOMIC_RELEASE);
            return -EINTR;
        }
        usleep(500);
    }
    return -EAGAIN;
}

/*
 * Thread r->pid calls exit_group while another thread's exec holds the
 * claim (p->exiting is set, so no exec is claimed after this looks).
 * Natively whichever reaches the host first wins: the exec kills the
 * exit_group's caller (de_thread) before its exit takes effect, and the
 * new program runs on. kbox forgot the process at the exit_group, and
 * when the host's exec won, every call of the new program was EPERM (it
 * could not even write its error or exit; tests/guest/exec-exit-race,
 * about one round in five). So the exit waits here for the exec: this
 * request's notification gone means its thread died, in that exec (or
 * the whole process was killed, which the exit watch sees); the exec
 * over with the caller alive means the host refused it. The caller's
 * thread task is taken off the request first: the exec ends the other
 * threads' tasks and waits until no handler uses them. Bounded (the
 * exec_over rule for a thread "running" 2 s; 5 s in all).
 */
bool kbox_exec_exit_wait(struct kbox_req *r)
{
    struct kbox_proc *p = r->proc;
    struct timespec running = { 0, 0 };
    bool waited = false;

    for (int i = 0; i < 25000; i++) {
        pid_t h = __atomic_load_n(&p->exec_claim, __ATOMIC_SEQ_CST);

        if (h == 0 || h == r->pid)
            break;
        if (!waited) {
            waited = true;
            if (r->task != p->task)
                kbox_inflight_set_task(r, NULL);
        }
        if (!r->ops->valid(r))
            return false;
        /* the caller dies before the host's exec completes */
        if (exec_over(p->tgid, h, &running, false))
            break;
        usleep(200);
    }
    if (!waited)
        return true;
    if (!r->ops->valid(r))
        return false;
    /* not ended by that exec after all: its reply need not wait */
    __atomic_store_n(&r->interrupted, KBOX_INTR_NONE, __ATOMIC_RELEASE);
    return true;
}
