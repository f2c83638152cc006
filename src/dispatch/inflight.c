/* SPDX-License-Identifier: MIT */
/*
 * Requests in flight, so that a call blocked in lx ends the way a signal
 * ends the native call.
 *
 * A guest whose request a worker has taken waits killably (seccomp's
 * WAIT_KILLABLE_RECV): a non-fatal signal stays pending until the reply.
 * Natively a FIFO open or read, an flock or F_SETLKW wait or an inotify
 * read is interrupted by it (the handler runs, then the call restarts
 * or fails with EINTR) and a stop signal stops the process; here the
 * guest sat in the call, deaf to Ctrl-C in Python and to Ctrl-Z, until
 * the call completed. And a killed guest left its call blocked in lx,
 * holding its task (and the unmount at halt) for good.
 *
 * So every worker's request is registered in a slot. The tier calls
 * kbox_inflight_scan() once per tick while requests are in flight; a
 * request found in flight on two scans in a row is asked about
 * (ops->pending_signal): is its guest gone, or does its thread have a
 * signal it would take now? Then the lx call it is blocked in is ended
 * (lx_task_interrupt, aimed at that worker's call only). The handler
 * sees -EINTR and the reply becomes -ERESTARTSYS, which the host kernel
 * turns into what a native call would do on the way back to user space:
 * run the handler and restart the call (SA_RESTART, or a signal that is
 * ignored or stops the process) or fail with EINTR. Where the signal
 * might be taken by another thread meanwhile and this one not be flagged
 * (process-directed, several threads, see kbox_abi_status_signal and the
 * tier's pending_signal), the reply is -EINTR instead: -ERESTARTSYS
 * reaching user space without a signal would be errno 512.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>

#include "kbox/dispatch.h"

#define ERESTARTSYS 512
#define MAX_SLOTS   256

struct slot {
    pthread_mutex_t lock;
    struct kbox_req *r; /* in flight, or NULL */
    pthread_t thread;   /* the worker serving it */
    unsigned long seq;  /* bumped for each request */
    unsigned long seen; /* seq at the previous scan */
    bool old;           /* in flight at two scans: counted in nold */
    bool host_wait;     /* the worker may block in a host call for it */
};

static struct slot slots[MAX_SLOTS] = {
    [0 ... MAX_SLOTS - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER }
};
static int nslots;
static int nold; /* requests in flight for more than a tick */
static __thread struct slot *my_slot;
static __thread bool no_slot;

/*
 * The signal that ends a worker's blocking host call (kbox_inflight_
 * host_wait): its handler does nothing and has no SA_RESTART, so the call
 * fails with EINTR. SIGRTMIN + 4 is the exec gate's.
 */
static int host_wake_signal(void)
{
    return SIGRTMIN + 5;
}

static void on_host_wake(int sig)
{
    (void)sig;
}

static void host_wake_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_host_wake;
    sigemptyset(&sa.sa_mask);
    sigaction(host_wake_signal(), &sa, NULL);
}

/* s->lock held: end the lx call of @s's request (see the top). */
static void interrupt(struct slot *s, int why)
{
    __atomic_store_n(&s->r->interrupted, why, __ATOMIC_RELEASE);
    lx_task_interrupt(s->r->task, (unsigned long)s->thread);
    if (s->host_wait)
        pthread_kill(s->thread, host_wake_signal());
}

/*
 * Around a host call that may block for the guest (a FIFO in a bind
 * opened without O_NONBLOCK waits for its other end): the scan's
 * interrupt then also ends that call, with EINTR, as natively. Until
 * the eighteenth session such a guest was deaf to every non-fatal
 * signal (stress-ng's SIGALRM at the end of a run: `timeout` waited for
 * ever). A signal sent just before the call starts is lost, but the scan
 * sends again on its next tick while the guest's signal is pending.
 */
void kbox_inflight_host_wait(bool on)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    struct slot *s = my_slot;

    if (!s)
        return;
    if (on)
        pthread_once(&once, host_wake_install);
    pthread_mutex_lock(&s->lock);
    s->host_wait = on;
    pthread_mutex_unlock(&s->lock);
}

/*
 * Guest processes seen to exit (kbox_inflight_exits), and how many of
 * those the last look for dead callers covered.
 */
static unsigned long exits, exits_covered;

void kbox_inflight_exits(void)
{
    __atomic_add_fetch(&exits, 1, __ATOMIC_RELEASE);
}

/*
 * Has a guest process exited since the last look: its pidfd is ready in
 * the exit watch, or the serve loop took it from there since.
 */
static bool exit_since_last_look(unsigned long *seen)
{
    struct pollfd pf = { kbox_proc_exit_watch(), POLLIN, 0 };

    *seen = __atomic_load_n(&exits, __ATOMIC_ACQUIRE);
    if (*seen != __atomic_load_n(&exits_covered, __ATOMIC_RELAXED))
        return true;
    return pf.fd >= 0 && poll(&pf, 1, 0) == 1;
}

/*
 * A guest killed in a blocked call: end that call before another
 * request runs, or the data another process now writes to the FIFO would
 * go to the dead reader (the scan would come a tick too late). Only when
 * a guest process has exited: asking the host about each blocked call
 * (ID_VALID walks the listener's list of pending notifications) made
 * every request cost O(blocked^2): with 200 guests waiting in flock, a
 * stat took 1.4 ms instead of 15 us. A thread killed alone (another
 * thread's exec) is left to the scan.
 */
static void end_calls_of_the_dead(void)
{
    int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);
    unsigned long seen;

    if (!exit_since_last_look(&seen))
        return;
    for (int i = 0; i < n && i < MAX_SLOTS; i++) {
        struct slot *s = &slots[i];

        if (!__atomic_load_n(&s->old, __ATOMIC_RELAXED))
            continue;
        pthread_mutex_lock(&s->lock);
        if (s->old && s->r && s->r->task &&
            !__atomic_load_n(&s->r->interrupted, __ATOMIC_ACQUIRE) &&
            !s->r->ops->valid(s->r))
            interrupt(s, KBOX_INTR_GONE);
        pthread_mutex_unlock(&s->lock);
    }
    __atomic_store_n(&exits_covered, seen, __ATOMIC_RELAXED);
}

void kbox_inflight_begin(struct kbox_req *r)
{
    struct slot *s = my_slot;

    if (!s && !no_slot) {
        int i = __atomic_fetch_add(&nslots, 1, __ATOMIC_RELAXED);

        if (i < MAX_SLOTS)
            s = my_slot = &slots[i];
        else
            no_slot = true; /* untracked: such a call waits as before */
    }
    if (__atomic_load_n(&nold, __ATOMIC_RELAXED) > 0)
        end_calls_of_the_dead();
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->r = r;
    s->thread = pthread_self();
    s->seq++;
    pthread_mutex_unlock(&s->lock);
}

struct kbox_resp kbox_inflight_end(struct kbox_req *r, struct kbox_resp resp)
{
    struct slot *s = my_slot;
    int why;

    if (s) {
        pthread_mutex_lock(&s->lock);
        s->r = NULL;
        s->host_wait = false;
        if (s->old) {
            __atomic_store_n(&s->old, false, __ATOMIC_RELAXED);
            __atomic_sub_fetch(&nold, 1, __ATOMIC_RELAXED);
        }
        pthread_mutex_unlock(&s->lock);
    }
    why = __atomic_load_n(&r->interrupted, __ATOMIC_ACQUIRE);
    /* Ended for an exec (kbox_inflight_end_threads): the thread dies in
     * it; should the host's exec fail, it sees EINTR after 2 s. */
    for (int i = 0; why == KBOX_INTR_EXEC && i < 2000 && r->ops->valid(r); i++)
        usleep(1000);
    if (resp.kind == KBOX_RESP_RET && resp.val == -EINTR &&
        why == KBOX_INTR_RESTART)
        resp.val = r->restart ? -r->restart : -ERESTARTSYS;
    return resp;
}

bool kbox_inflight_has(pid_t tid)
{
    int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);
    bool found = false;

    for (int i = 0; i < n && i < MAX_SLOTS && !found; i++) {
        struct slot *s = &slots[i];

        pthread_mutex_lock(&s->lock);
        found = s->r && s->r->pid == tid;
        pthread_mutex_unlock(&s->lock);
    }
    return found;
}

/*
 * An exec of @p by thread @tid: the other threads die in it, and their
 * lx tasks are ended (kbox_thread_drop_all), which waits for the call a
 * task runs. One of them blocked in lx (a FIFO open with no writer, an
 * flock wait) kept the exec waiting for good; natively the exec kills
 * it. So those calls are ended now (their replies go to threads about to
 * die), and the scan ends them again while p->exec_tid is set, for a call
 * that had not yet blocked when this ran. Such a call is not answered
 * until its thread is gone (kbox_inflight_end): an EINTR would let it run
 * on before the host's exec kills it (a leader whose FIFO open failed
 * returned from main and ended the process before the exec).
 */
void kbox_inflight_end_threads(struct kbox_proc *p, pid_t tid)
{
    int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);

    if (n > MAX_SLOTS)
        n = MAX_SLOTS;
    for (int i = 0; i < n; i++) {
        struct slot *s = &slots[i];

        pthread_mutex_lock(&s->lock);
        if (s->r && s->r->task && s->r->proc == p && s->r->pid != tid)
            interrupt(s, KBOX_INTR_EXEC);
        pthread_mutex_unlock(&s->lock);
    }
}

/*
 * Point this worker's request @r at lx task @task under its slot's lock.
 * The scan reads a slot's r->task under that lock and interrupts it; a
 * thread's exec moved r->task from its own task to the leader's only
 * after kbox_thread_drop_all() had ended and freed its own, so a scan in
 * between (a signal pending for the thread) interrupted a freed task.
 */
void kbox_inflight_set_task(struct kbox_req *r, struct lx_task *task)
{
    struct slot *s = my_slot;

    if (s)
        pthread_mutex_lock(&s->lock);
    r->task = task;
    if (s)
        pthread_mutex_unlock(&s->lock);
}

/*
 * Calls of the threads of @p, which thread @tid is ending with exit_group,
 * that may wait for it: not the exits themselves, nor an exec (which
 * waits for the other threads' tasks to go idle, see below).
 */
static bool dies_with(const struct kbox_req *r, struct kbox_proc *p, pid_t tid)
{
    return r && r->proc == p && r->pid != tid && r->nr != SYS_exit &&
           r->nr != SYS_exit_group && r->nr != SYS_execve &&
           r->nr != SYS_execveat;
}

/*
 * exit_group of @p by thread @tid (p->exited is set): the other threads
 * die with it and must not take data natively sent to the next reader.
 * One interrupt is not enough: lx drops one that comes while the worker
 * is between calls (taken, registered, not yet in lx), and its read then
 * blocked for a thread the host killed, taking the next writer's data
 * (171-exit-reader, about 1 run in 55 on a loaded machine). So their
 * calls are ended again and again until they are out of their handlers,
 * and the exit_group is let go only then: until the host runs it nothing
 * can be written for another reader (the writer waits for this process),
 * and their replies wait for their threads to die (kbox_inflight_end).
 * A request registered after this looked at its slot sees p->exited
 * (the slot's lock orders both) and runs no handler (kbox_dispatch).
 * Bounded (2 s), for a handler in a wait no interrupt ends.
 */
void kbox_inflight_end_exiting(struct kbox_proc *p, pid_t tid)
{
    int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);

    if (n > MAX_SLOTS)
        n = MAX_SLOTS;
    for (int tries = 0; tries < 20000; tries++) {
        bool busy = false;

        for (int i = 0; i < n; i++) {
            struct slot *s = &slots[i];

            if (s == my_slot)
                continue;
            pthread_mutex_lock(&s->lock);
            if (dies_with(s->r, p, tid)) {
                busy = true;
                if (s->r->task)
                    interrupt(s, KBOX_INTR_EXEC);
                else if (s->host_wait)
                    pthread_kill(s->thread, host_wake_signal());
            }
            pthread_mutex_unlock(&s->lock);
        }
        if (!busy)
            return;
        usleep(100);
    }
}

/*
 * Calls of processes a sweep found killed (kbox_exits_settle): ended,
 * since a blocked one holds its process's entry and lx task, and with it
 * the locks and semaphore undos another caller is about to take. A
 * process that called exit_group is left to kbox_inflight_end_exiting.
 */
void kbox_inflight_end_killed(void)
{
    int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);

    if (n > MAX_SLOTS)
        n = MAX_SLOTS;
    for (int i = 0; i < n; i++) {
        struct slot *s = &slots[i];
        struct kbox_proc *p;

        if (s == my_slot)
            continue;
        pthread_mutex_lock(&s->lock);
        p = s->r ? s->r->proc : NULL;
        if (p && __atomic_load_n(&p->dead, __ATOMIC_ACQUIRE) &&
            !__atomic_load_n(&p->exited, __ATOMIC_ACQUIRE)) {
            int why = __atomic_load_n(&s->r->interrupted, __ATOMIC_ACQUIRE);

            if (s->r->task)
                interrupt(s, why ? why : KBOX_INTR_GONE);
            else if (s->host_wait)
                pthread_kill(s->thread, host_wake_signal());
        }
        pthread_mutex_unlock(&s->lock);
    }
}

/*
 * Wait (up to 2 s) until no request running a handler uses lx task
 * @task: an exec ends its other threads' tasks (kbox_thread_drop_all)
 * right after kbox_inflight_end_threads interrupted their calls, and a
 * handler whose call was ended may still make another lx call on its
 * task or return through it; ending the task under it was a use after
 * free (kbox crashed in 163-exec-other-threads, one run in dozens).
 */
void kbox_inflight_wait_task_idle(struct lx_task *task)
{
    int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);

    if (n > MAX_SLOTS)
        n = MAX_SLOTS;
    for (int tries = 0; tries < 2000; tries++) {
        bool busy = false;

        for (int i = 0; i < n && !busy; i++) {
            struct slot *s = &slots[i];

            if (s == my_slot)
                continue;
            pthread_mutex_lock(&s->lock);
            busy = s->r && s->r->task == task;
            pthread_mutex_unlock(&s->lock);
        }
        if (!busy)
            return;
        usleep(1000);
    }
}

/*
 * Asking about a blocked call reads its thread's /proc status (~15 us):
 * a tick asks about at most SCAN_BUDGET of them, in turn, so hundreds of
 * guests blocked at once cost a bounded share of a CPU (they took all of
 * one, and a signal for one of them is still seen within a few ticks).
 */
#define SCAN_BUDGET 8

void kbox_inflight_scan(void)
{
    static int next;
    int n = __atomic_load_n(&nslots, __ATOMIC_RELAXED);
    int budget = SCAN_BUDGET, first = -1;

    if (n > MAX_SLOTS)
        n = MAX_SLOTS;
    if (n <= 0)
        return;
    if (next >= n)
        next = 0;
    for (int k = 0; k < n; k++) {
        int i = (next + k) % n;
        struct slot *s = &slots[i];
        struct kbox_req *r;

        pthread_mutex_lock(&s->lock);
        r = s->r;
        if (r && r->task && s->seq == s->seen && r->ops->pending_signal) {
            pid_t ex =
                r->proc ? __atomic_load_n(&r->proc->exec_tid, __ATOMIC_ACQUIRE)
                        : 0;

            if (!s->old) {
                __atomic_store_n(&s->old, true, __ATOMIC_RELAXED);
                __atomic_add_fetch(&nold, 1, __ATOMIC_RELAXED);
            }
            if (ex > 0 && ex != r->pid) {
                /* its process execs: before any signal, the thread dies */
                interrupt(s, KBOX_INTR_EXEC);
            } else if (budget > 0) {
                int why = r->ops->pending_signal(r);

                budget--;
                /* A gone guest's call ends too; its reply goes nowhere. */
                if (why != KBOX_INTR_NONE)
                    interrupt(s, why);
            } else if (first < 0) {
                first = i; /* asked about first on the next tick */
            }
        }
        s->seen = s->seq;
        pthread_mutex_unlock(&s->lock);
    }
    next = first < 0 ? 0 : first;
}
