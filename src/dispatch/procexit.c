/* SPDX-License-Identifier: MIT */
/*
 * Process family: exits. exit_group, a process's end (its entry freed,
 * its pidfd kept until the host ends it), the processes that ended, and
 * the sweep that notices those killed (the table is proc.c's).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/fdtable.h"
#include "kbox/path.h"
#include "proc.h"

/*
 * The pidfds of processes whose entries went at exit_group, before the
 * host ended them: they move to a watch of their own until they fire, so
 * that the serve loop sees that exit too (the process groups it leaves
 * orphaned: src/dispatch/orphan.c). Not the exit watch: the workers take
 * an event there for a killed process, and look for its blocked calls.
 * Under the proc lock.
 */
static int *lingering;
static int nlingering, caplingering;
static int linger_watch = -1;
static pthread_once_t linger_watch_once = PTHREAD_ONCE_INIT;

static void linger_watch_init(void)
{
    linger_watch = epoll_create1(EPOLL_CLOEXEC);
}

int kbox_proc_linger_watch(void)
{
    pthread_once(&linger_watch_once, linger_watch_init);
    return linger_watch;
}

static bool linger(int fd)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT };
    bool kept = false;

    ev.data.fd = fd;
    if (kbox_proc_linger_watch() < 0 ||
        epoll_ctl(kbox_proc_exit_watch(), EPOLL_CTL_DEL, fd, NULL) ||
        epoll_ctl(linger_watch, EPOLL_CTL_ADD, fd, &ev))
        return false;
    pthread_mutex_lock(&kbox_proc_lock);
    if (nlingering == caplingering) {
        int cap = caplingering ? 2 * caplingering : 16;
        int *v = realloc(lingering, (size_t)cap * sizeof(*v));

        if (v) {
            lingering = v;
            caplingering = cap;
        }
    }
    if (nlingering < caplingering) {
        lingering[nlingering++] = fd;
        kept = true;
    }
    pthread_mutex_unlock(&kbox_proc_lock);
    return kept;
}

void kbox_proc_lingering_ended(void)
{
    struct epoll_event ev[64];
    int n;

    if (kbox_proc_linger_watch() < 0)
        return;
    do {
        n = epoll_wait(linger_watch, ev, 64, 0);
        pthread_mutex_lock(&kbox_proc_lock);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < nlingering; k++)
                if (lingering[k] == ev[i].data.fd) {
                    lingering[k] = lingering[--nlingering];
                    close(ev[i].data.fd); /* leaves the watch */
                    break;
                }
        pthread_mutex_unlock(&kbox_proc_lock);
    } while (n == 64);
}

static void note_ended_ids(pid_t tgid, unsigned long long st, unsigned int uid,
                           unsigned int suid);

void kbox_proc_free(struct kbox_proc *p)
{
    /*
     * Its ids, while its task still has them: until it is reaped the
     * process is a zombie that kill() checks against them (Linux keeps a
     * zombie's credentials). At exit_group this runs before the host's
     * exit, so before anyone can see the zombie.
     */
    if (p->task) {
        unsigned int u[3];
        long a[6] = { (long)&u[0], (long)&u[1], (long)&u[2] };

        if (lx_task_syscall(p->task, LX__NR_getresuid, a) == 0)
            note_ended_ids(p->tgid, p->start_time, u[0], u[2]);
    }
    kbox_exec_forget(p);
    kbox_exec_swap_forget(p);
    kbox_selfsig_forget(p->tgid);
    kbox_gate_forget(p->tgid); /* its exec gates that never opened */
    /* Its stores through shared mappings of image files go to the image. */
    kbox_shmap_proc_gone(p->tgid);
    for (int i = 0; i < p->npending; i++)
        kbox_prep_release(&p->pending[i]);
    kbox_thread_free(p);
    kbox_scm_gone(p->tgid, p->task);
    if (!p->exited) {
        char cwd[KBOX_PATH_MAX];

        kbox_bind_cwd_get(p, p->task, cwd, sizeof(cwd), NULL, 0);
        kbox_core_collect(p->tgid, p->task, cwd); /* killed */
    }
    kbox_bind_cwd_task_gone(p->task);
    kbox_bind_cwd_adopt(p, NULL); /* its sharers keep theirs */
    /* a zombie in lx until the host reaps it */
    kbox_zombie_keep(p->tgid, p->pidfd, p->task);
    kbox_fdt_put(p->fdt);
    if (p->pidfd >= 0 &&
        (!p->exited || kbox_proc_has_exited(p) || !linger(p->pidfd)))
        close(p->pidfd); /* leaves the exit watch */
    kbox_mirror_gc();    /* its inotify instances and FIFO ends */
    kbox_release_end(p);
    free(p);
}

void kbox_proc_put(struct kbox_proc *p)
{
    bool gone;

    if (!p)
        return;
    pthread_mutex_lock(&kbox_proc_lock);
    gone = --p->refs == 0 && p->dead;
    pthread_mutex_unlock(&kbox_proc_lock);
    if (gone)
        kbox_proc_free(p);
}

/*
 * Processes whose entry is gone (exit_group, killed), most recent last:
 * until its parent reaps it, such a process is still its child on the
 * host, and a sweep that took it for a child not seen yet gave it the
 * fork preparation of a newer child, which then got a copy of the
 * parent's fd table as it was later (sort --compress-program lost chunks
 * of its temporary files; tests/guest/exited-child-prep).
 */
#define ENDED_MAX 256
static struct {
    pid_t tgid;
    unsigned long long start_time;
    bool ids; /* uid and suid known (note_ended_ids) */
    unsigned int uid, suid;
    struct timespec when; /* CLOCK_MONOTONIC (kbox_proc_ended_ms) */
} ended[ENDED_MAX];
static unsigned nended;

static void note_ended_ids(pid_t tgid, unsigned long long st, unsigned int uid,
                           unsigned int suid)
{
    pthread_mutex_lock(&kbox_proc_lock);
    for (unsigned i = 0; i < ENDED_MAX && i < nended; i++)
        if (ended[i].tgid == tgid && ended[i].start_time == st) {
            ended[i].uid = uid;
            ended[i].suid = suid;
            ended[i].ids = true;
        }
    pthread_mutex_unlock(&kbox_proc_lock);
}

int kbox_proc_ended_ids(pid_t tgid, unsigned int *uid, unsigned int *suid)
{
    unsigned long long st = kbox_proc_start_time(tgid);
    int rc = -ESRCH;

    pthread_mutex_lock(&kbox_proc_lock);
    for (unsigned i = 0; i < ENDED_MAX && i < nended; i++)
        if (ended[i].tgid == tgid && ended[i].start_time == st &&
            ended[i].ids) {
            *uid = ended[i].uid;
            *suid = ended[i].suid;
            rc = 0;
        }
    pthread_mutex_unlock(&kbox_proc_lock);
    return rc;
}

/* @tgid is a process whose entry was dropped (kbox_proc_lock held). */
bool kbox_proc_ended_before_locked(pid_t tgid)
{
    unsigned n = nended < ENDED_MAX ? nended : ENDED_MAX;

    for (unsigned i = 0; i < n; i++)
        if (ended[i].tgid == tgid)
            return kbox_proc_start_time(tgid) == ended[i].start_time;
    return false;
}

/* Mark dead and unlink (kbox_proc_lock held); unclaimed children's tasks are
 * kept for them. */
void kbox_proc_kill_locked(struct kbox_proc *p)
{
    if (p->dead)
        return;
    ended[nended % ENDED_MAX].tgid = p->tgid;
    ended[nended % ENDED_MAX].start_time = p->start_time;
    ended[nended % ENDED_MAX].ids = false;
    clock_gettime(CLOCK_MONOTONIC, &ended[nended % ENDED_MAX].when);
    nended++;
    p->dead = true;
    kbox_zombie_expect(p->tgid, p->pidfd); /* until free_proc decides */
    kbox_proc_unlink_locked(p);
    kbox_prep_orphan_locked(p);
}

void kbox_proc_main_exits(pid_t tgid)
{
    struct kbox_proc *p;

    pthread_mutex_lock(&kbox_proc_lock);
    p = kbox_proc_find_tgid(tgid);
    if (p && !p->main_gone) {
        p->main_gone = true;
        kbox_prep_orphan_locked(p);
    }
    pthread_mutex_unlock(&kbox_proc_lock);
}

void kbox_proc_exit(struct kbox_proc *p)
{
    pthread_mutex_lock(&kbox_proc_lock);
    kbox_proc_kill_locked(p);
    pthread_mutex_unlock(&kbox_proc_lock);
}

void kbox_proc_remove(struct kbox_proc *p)
{
    bool gone;

    pthread_mutex_lock(&kbox_proc_lock);
    kbox_proc_kill_locked(p);
    gone = p->refs == 0;
    pthread_mutex_unlock(&kbox_proc_lock);
    if (gone)
        kbox_proc_free(p);
}

long kbox_proc_ended_ms(pid_t tid)
{
    pid_t tgid, ppid;
    struct timespec now;
    long ms = -1;

    if (kbox_proc_status(tid, &tgid, &ppid))
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&kbox_proc_lock);
    if (!kbox_proc_find_tgid(tgid)) {
        unsigned n = nended < ENDED_MAX ? nended : ENDED_MAX;

        /* the newest entry of @tgid, if it is this process */
        for (unsigned i = 1; i <= n && ms < 0; i++) {
            unsigned k = (nended - i) % ENDED_MAX;

            if (ended[k].tgid != tgid)
                continue;
            if (kbox_proc_start_time(tgid) != ended[k].start_time)
                break;
            ms = (now.tv_sec - ended[k].when.tv_sec) * 1000 +
                 (now.tv_nsec - ended[k].when.tv_nsec) / 1000000;
        }
    }
    pthread_mutex_unlock(&kbox_proc_lock);
    return ms;
}

bool kbox_proc_sweep(void)
{
    struct kbox_proc *dead[64];
    int n = 0;
    bool due;

    /*
     * Kill under the lock: once it is dropped, a worker may put the last
     * reference of a proc that another path already marked dead.
     */
    pthread_mutex_lock(&kbox_proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs, *next; p && n < 64; p = next) {
        next = p->next;
        if (p->tgid == kbox_sup.main_pid) {
            if (p->npending)
                kbox_prep_drop_stillborn_locked(p);
            continue;
        }
        /* A pidfd tells exactly (a /proc read per process made each
         * sweep cost ms with hundreds alive); without one, the pid may
         * be reused. */
        if (kbox_proc_has_exited(p) ||
            (p->pidfd < 0 && kbox_proc_start_time(p->tgid) != p->start_time)) {
            kbox_proc_kill_locked(
                kbox_release_begin(p)); /* killed, or pid reused */
            if (p->refs == 0)
                dead[n++] = p;
        } else if (p->npending) {
            kbox_prep_drop_stillborn_locked(p);
        }
    }
    kbox_proc_claim_unseen_locked();
    /* What only a later sweep settles: preparations waiting for their
     * child, processes whose exit no pidfd shows (n == 64: the rest). */
    due = kbox_prep_age_adopted_locked() || n == 64;
    for (struct kbox_proc *p = kbox_sup.procs; p && !due; p = p->next)
        due = !p->dead && (p->npending > 0 ||
                           (p->pidfd < 0 && p->tgid != kbox_sup.main_pid));
    pthread_mutex_unlock(&kbox_proc_lock);
    for (int i = 0; i < n; i++)
        kbox_proc_free(dead[i]);
    return kbox_zombie_sweep() > 0 || due; /* a zombie left: look again */
}

struct kbox_resp kbox_proc_exit_group(struct kbox_req *r)
{
    /* Another thread's exec may win on the host: its outcome first (the
     * store orders against that exec's claim: kbox_exec_exit_wait). */
    __atomic_store_n(&r->proc->exiting, r->pid, __ATOMIC_SEQ_CST);
    if (!kbox_exec_exit_wait(r)) {
        /* killed in that exec: the process runs the new program (the
         * reply goes nowhere; not a CONTINUE, which hold_exit keeps) */
        __atomic_store_n(&r->proc->exiting, 0, __ATOMIC_RELEASE);
        return kbox_ret(-EINTR);
    }
    /* The whole thread group goes: drop its kernel task. */
    kbox_scm_gone(r->proc->tgid, r->proc->task);
    /* by itself: no core of its; and its other threads' requests taken
     * from now on run no handler (kbox_dispatch) */
    __atomic_store_n(&r->proc->exited, true, __ATOMIC_RELEASE);
    kbox_proc_exiting(r->proc);
    /* Its other threads die with it: their calls in lx end before the
     * exit is let go, or a FIFO's next data could go to a dead reader (its
     * pidfd is not in the exit watch the requests look at: see free_proc;
     * and lx drops an interrupt that comes between calls). */
    kbox_inflight_end_exiting(r->proc, r->pid);
    if (r->proc->tgid != kbox_sup.main_pid)
        kbox_proc_exit(r->proc);
    else
        kbox_proc_main_exits(r->proc->tgid);
    return kbox_continue();
}
