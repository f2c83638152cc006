/* SPDX-License-Identifier: MIT */
/*
 * Process family: fork preparations and clone, fork, vfork, unshare
 * (the table is proc.c's, exits procexit.c's).
 *
 * Fork: the filter notifies clone/fork/vfork. Before letting the host run
 * it, the supervisor forks the parent's lx task and fd map (the parent is
 * stopped in the notification, so the snapshot is the fork-time state)
 * and parks them on the parent. The child's first notification comes from
 * an unknown tid; its /proc status names its parent, which hands them
 * over. Threads (CLONE_THREAD) share their process's task and map.
 *
 * Which of several prepared forks made a child: each records the forking
 * thread's children at that moment (/proc/PID/task/TID/children; the
 * thread is stopped in the notification, so the set is exact). The child
 * belongs to the last of its thread's forks whose set lacks it. A fork
 * the host restarts (a signal came in: ERESTARTNOINTR, then a second
 * notification) made no child; it is recognised at the next fork of the
 * same thread (no new child since) and dropped, so children never get a
 * neighbour's fd map.
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
 * Tasks prepared for children whose parent exited before the child made
 * its first supervised call (the child's PPid is then no guest process):
 * such children claim from here, oldest first.
 */
#define MAX_ORPHANS 64
static struct kbox_fork_prep orphans[MAX_ORPHANS];
static int norphans;

/*
 * Tasks prepared at clone(CLONE_PARENT): the child's PPid is its forker's
 * parent, whose own forks' preparations are not the child's (it took the
 * grandparent's cwd, umask and fds, or a sibling's task). Kept by the
 * host parent the child will name (@adopter), oldest first; one no child
 * claimed within a few sweeps (a clone the host refused) is dropped.
 */
#define MAX_ADOPTED 16
static struct adopted {
    struct kbox_fork_prep e;
    pid_t adopter, forker; /* the child's host parent, the forking process */
    int sweeps;
} adopted[MAX_ADOPTED];
static int nadopted;

/* Children of thread @tid of process @tgid, sorted: count, -1 unknown. */
int kbox_proc_children(pid_t tgid, pid_t tid, pid_t **out)
{
    char path[64], small[512], *buf, *p, *end;
    size_t n = 0, room = 64;
    pid_t *v;

    *out = NULL;
    snprintf(path, sizeof(path), "task/%d/children", (int)tid);
    /* no such file without CONFIG_PROC_CHILDREN */
    buf = kbox_abi_proc_all(tgid, path, small, sizeof(small));
    if (!buf)
        return -1;
    v = malloc(room * sizeof(*v));
    for (p = buf; v;) {
        long x = strtol(p, &end, 10);

        if (end == p)
            break;
        p = end;
        if (n == room) {
            pid_t *w = realloc(v, 2 * room * sizeof(*v));

            if (!w) {
                free(v);
                v = NULL;
                break;
            }
            v = w;
            room *= 2;
        }
        /* insertion keeps it sorted; the file is usually in order */
        size_t i = n++;
        while (i > 0 && v[i - 1] > (pid_t)x) {
            v[i] = v[i - 1];
            i--;
        }
        v[i] = (pid_t)x;
    }
    if (buf != small)
        free(buf);
    if (!v)
        return -1;
    *out = v;
    return (int)n;
}

static bool prep_had(const struct kbox_fork_prep *e, pid_t pid)
{
    int lo = 0, hi = e->nbefore - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;

        if (e->before[mid] == pid)
            return true;
        if (e->before[mid] < pid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

void kbox_prep_release(struct kbox_fork_prep *e)
{
    lx_task_exit(e->task);
    kbox_fdt_put(e->fdt);
    free(e->before);
    free(e->exe);
    kbox_bind_cwd_put(e->cwd);
}

/* Take entry @i out of @p's list (kbox_proc_lock held). */
static struct kbox_fork_prep prep_take(struct kbox_proc *p, int i)
{
    struct kbox_fork_prep e = p->pending[i];

    p->npending--;
    memmove(p->pending + i, p->pending + i + 1,
            (size_t)(p->npending - i) * sizeof(p->pending[0]));
    return e;
}

/* Next entry after @i made by the same thread, or -1. */
static int prep_next_by(const struct kbox_proc *p, int i)
{
    for (int j = i + 1; j < p->npending; j++)
        if (p->pending[j].by == p->pending[i].by)
            return j;
    return -1;
}

/*
 * Index of the entry the fork that made child @child prepared, -1 if no
 * record can tell (then the oldest is used), -2 if @child was there
 * before every fork its thread has pending (none of them is its). Entries of
 * the same thread older than it whose child is gone unclaimed (killed before
 * its first call, and reaped) are dropped on the way (kbox_proc_lock held).
 */
int kbox_prep_for_child_locked(struct kbox_proc *parent, pid_t child)
{
    pid_t by = 0;
    int pick = -1;

    /* The forking thread: a later fork saw the child, or only one forks. */
    for (int i = 0; i < parent->npending && !by; i++)
        if (parent->pending[i].nbefore >= 0 &&
            prep_had(&parent->pending[i], child))
            by = parent->pending[i].by;
    if (!by) {
        bool one = true; /* one thread forks: it is it */

        for (int i = 1; i < parent->npending; i++)
            one = one && parent->pending[i].by == parent->pending[0].by;
        if (one)
            by = parent->pending[0].by;
    }
    for (int i = 0; i < parent->npending && !by; i++) {
        pid_t *kids;
        int n = kbox_proc_children(parent->tgid, parent->pending[i].by, &kids);

        for (int k = 0; k < n && !by; k++)
            if (kids[k] == child)
                by = parent->pending[i].by;
        free(kids);
    }
    if (!by)
        return -1;
    for (int i = 0; i < parent->npending; i++) {
        const struct kbox_fork_prep *e = &parent->pending[i];

        if (e->by != by)
            continue;
        if (e->nbefore < 0)
            return pick >= 0 ? pick : i;
        if (prep_had(e, child))
            break;
        pick = i;
    }
    if (pick < 0)
        return -2;
    /* Older forks of the same thread whose children are gone. */
    for (int i = pick - 1; i >= 0; i--) {
        const struct kbox_fork_prep *e = &parent->pending[i];
        int j = e->by == by ? prep_next_by(parent, i) : -1;
        bool alive = false;

        if (j < 0 || e->nbefore < 0 || parent->pending[j].nbefore < 0)
            continue;
        for (int k = 0; k < parent->pending[j].nbefore && !alive; k++) {
            pid_t c = parent->pending[j].before[k];

            alive = !prep_had(e, c) && (kill(c, 0) == 0 || errno == EPERM);
        }
        if (!alive) {
            struct kbox_fork_prep gone = prep_take(parent, i);

            kbox_prep_release(&gone);
            pick--;
        }
    }
    return pick;
}

/* Take adopted entry @i out (kbox_proc_lock held). */
static struct adopted adopted_take(int i)
{
    struct adopted a = adopted[i];

    nadopted--;
    memmove(adopted + i, adopted + i + 1,
            (size_t)(nadopted - i) * sizeof(adopted[0]));
    return a;
}

/* The oldest CLONE_PARENT preparation for a child of @ppid, or -1. */
static int adopted_for(pid_t ppid)
{
    for (int i = 0; i < nadopted; i++)
        if (adopted[i].adopter == ppid)
            return i;
    return -1;
}

/* Sweeps a CLONE_PARENT preparation waits for its child: true while one
 * still waits (kbox_proc_lock held). */
bool kbox_prep_age_adopted_locked(void)
{
    for (int i = 0; i < nadopted;) {
        if (++adopted[i].sweeps <= 3) {
            i++;
            continue;
        }
        struct adopted gone = adopted_take(i);

        kbox_prep_release(&gone.e);
    }
    return nadopted > 0;
}

/*
 * What the fork that made @tgid (a new process, child of @ppid; @parent
 * its entry or NULL) prepared for it, into @e with @e->before freed and
 * *@forker set for clone(CLONE_PARENT): its forker's preparation, else
 * its parent's, else, its parent gone, the oldest orphaned one. False if
 * there is none (proc_lock held).
 */
bool kbox_prep_claim_locked(struct kbox_proc *parent, pid_t tgid, pid_t ppid,
                            struct kbox_fork_prep *e, pid_t *forker)
{
    int i = -2;

    if (parent && parent->npending > 0)
        i = kbox_prep_for_child_locked(parent, tgid);
    if (i < 0 && adopted_for(ppid) >= 0) {
        /* clone(CLONE_PARENT): its forker's, not its parent's */
        struct adopted a = adopted_take(adopted_for(ppid));

        *e = a.e;
        *forker = a.forker;
    } else if (i > -2) {
        *e = prep_take(parent, i < 0 ? 0 : i);
    } else if ((!parent || parent->main_gone) && norphans > 0) {
        /* Its parent exited before this first call: reparented to
         * kbox (or about to be), it takes its orphaned preparation. */
        *e = orphans[0];
        norphans--;
        memmove(orphans, orphans + 1, (size_t)norphans * sizeof(*orphans));
    } else {
        return false;
    }
    free(e->before);
    return true;
}

/* @p's preparations, for the children that come without it (it exits or
 * its main thread does): orphaned, oldest first (proc_lock held). */
void kbox_prep_orphan_locked(struct kbox_proc *p)
{
    while (p->npending > 0 && norphans < MAX_ORPHANS)
        orphans[norphans++] = prep_take(p, 0);
}

void kbox_proc_release_orphans(void)
{
    pthread_mutex_lock(&kbox_proc_lock);
    while (norphans > 0)
        kbox_prep_release(&orphans[--norphans]);
    while (nadopted > 0)
        kbox_prep_release(&adopted[--nadopted].e);
    pthread_mutex_unlock(&kbox_proc_lock);
}

/*
 * A child that dies before its first supervised call (a fault right after
 * fork, a clone the host refused) never claims what its fork prepared:
 * the lx task kept its cwd, root and files (at the end the unmount found
 * its cwd busy and kbox exited 1; in a long run, memory and open files).
 * A preparation whose thread has had no child born of it alive for two
 * sweeps (so the clone itself is long done) is dropped (kbox_proc_lock held).
 */
void kbox_prep_drop_stillborn_locked(struct kbox_proc *p)
{
    for (int i = 0; i < p->npending;) {
        struct kbox_fork_prep *e = &p->pending[i];
        pid_t *kids;
        int n = e->nbefore < 0 ? -1 : kbox_proc_children(p->tgid, e->by, &kids);
        bool born = n < 0; /* cannot tell: keep it */

        for (int k = 0; k < n && !born; k++)
            born = !prep_had(e, kids[k]);
        if (n >= 0)
            free(kids);
        if (born || ++e->idle < 2) {
            if (born)
                e->idle = 0;
            i++;
            continue;
        }
        struct kbox_fork_prep gone = prep_take(p, i);

        kbox_prep_release(&gone);
    }
}

struct kbox_resp kbox_proc_fork(struct kbox_req *r, uint64_t flags)
{
    struct kbox_proc *p = r->proc;
    struct kbox_fork_prep e;
    struct lx_task *t;
    struct kbox_fdt *fdt;
    unsigned long lxflags = 0;

    if (flags & CLONE_THREAD) {
        const unsigned long need = CLONE_SIGHAND | CLONE_VM;

        if (flags & CLONE_FS)
            kbox_thread_spare(p, r->task); /* its own task, sharing files */
        else if ((flags & need) == need)   /* else EINVAL: no thread comes */
            kbox_thread_private_fs(p, r->task);
        return kbox_continue();
    }
    {
        /*
         * A guest process killed since the exit watch was last read may
         * have left a core in kbox's private directory, every guest's
         * host cwd: into its cwd in the guest before a new process can
         * dump one of the same name over it (the main thread's look
         * could come after a shell's next crashing child; one of two
         * cores was lost on a loaded machine, 128-core-dump).
         */
        struct pollfd pf = { kbox_proc_exit_watch(), POLLIN, 0 };

        if (pf.fd >= 0 && poll(&pf, 1, 0) == 1)
            kbox_proc_sweep();
    }
    if (flags & CLONE_VM)
        p->vforker = r->pid; /* its child's exec writes this memory */
    if (flags & CLONE_FILES)
        lxflags |= LX_CLONE_FILES;
    if (flags & CLONE_FS)
        lxflags |= LX_CLONE_FS;
    if (flags & CLONE_SYSVSEM)
        lxflags |= LX_CLONE_SYSVSEM; /* one semaphore undo list */
    /* From the forking thread's task: the process's may be blocked. */
    t = lx_task_fork(r->task, lxflags);
    if (!t)
        return kbox_ret(-ENOMEM);
    fdt = (flags & CLONE_FILES) ? kbox_fdt_ref(p->fdt) : kbox_fdt_copy(p->fdt);
    if (!fdt) {
        lx_task_exit(t);
        return kbox_ret(-ENOMEM);
    }
    if (!(flags & CLONE_FILES))
        kbox_fd_fork_drop_held(p->fdt, t);
    e = (struct kbox_fork_prep){ t, fdt, r->pid, 0, NULL, 0, NULL, NULL };
    e.nbefore = kbox_proc_children(p->tgid, r->pid, &e.before);
    /* The child's bind cwd and program are its parent's now: the parent
     * may chdir or exit before the child's first call (`cmd & cd x`,
     * a double fork), and an orphan finds no parent to copy from. */
    pthread_mutex_lock(&kbox_proc_lock);
    e.exe = p->exe[0] ? strdup(p->exe) : NULL;
    pthread_mutex_unlock(&kbox_proc_lock);
    /* CLONE_FS: one cwd for both, a chdir in either moves the other */
    if (kbox_bind_cwd_fork(p, r->task, flags & CLONE_FS, &e.cwd) ||
        (p->exe[0] && !e.exe)) {
        kbox_prep_release(&e);
        return kbox_ret(-ENOMEM);
    }
    if (flags & CLONE_PARENT) {
        pid_t tgid, adopter;

        if (kbox_proc_parent(r->pid, &tgid, &adopter) == 0) {
            pthread_mutex_lock(&kbox_proc_lock);
            if (nadopted == MAX_ADOPTED) {
                struct adopted gone = adopted_take(0);

                kbox_prep_release(&gone.e);
            }
            adopted[nadopted++] = (struct adopted){ e, adopter, p->tgid, 0 };
            pthread_mutex_unlock(&kbox_proc_lock);
            return kbox_continue();
        }
    }
    pthread_mutex_lock(&kbox_proc_lock);
    /* This thread's previous fork, if no child came of it (restarted). */
    for (int i = p->npending - 1; i >= 0; i--) {
        const struct kbox_fork_prep *last = &p->pending[i];
        bool born = false;

        if (last->by != r->pid)
            continue;
        if (last->nbefore < 0 || e.nbefore < 0)
            break;
        for (int k = 0; k < e.nbefore && !born; k++)
            born = !prep_had(last, e.before[k]);
        if (!born) {
            struct kbox_fork_prep gone = prep_take(p, i);

            kbox_prep_release(&gone);
        }
        break;
    }
    if (p->npending >= (int)(sizeof(p->pending) / sizeof(p->pending[0]))) {
        pthread_mutex_unlock(&kbox_proc_lock);
        kbox_prep_release(&e);
        return kbox_ret(-EAGAIN);
    }
    p->pending[p->npending++] = e;
    pthread_mutex_unlock(&kbox_proc_lock);
    return kbox_continue();
}

static struct kbox_resp h_clone(struct kbox_req *r)
{
    return kbox_proc_fork(r, (unsigned long)r->args[0]);
}

static struct kbox_resp h_fork(struct kbox_req *r)
{
    return kbox_proc_fork(r, 0);
}

static struct kbox_resp h_vfork(struct kbox_req *r)
{
    return kbox_proc_fork(r, CLONE_VM | CLONE_VFORK);
}

/*
 * unshare(CLONE_FS | CLONE_FILES | CLONE_SYSVSEM): no privilege needed on
 * Linux (Go's LockOSThread + unshare(CLONE_FS) gives a thread its own
 * cwd), and it was EPERM for every flag. Applied to the caller's lx task
 * (and kbox's fd map), then by the host to its own task; namespaces stay
 * refused (EPERM, in the filter), as for clone. kbox keeps one fd map per
 * process, so a thread of a multi-threaded process cannot take its own
 * fd table: EINVAL there (Linux gives it one).
 */
static struct kbox_resp h_unshare(struct kbox_req *r)
{
    const unsigned long ns = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                             CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
                             CLONE_NEWCGROUP | CLONE_NEWTIME;
    const unsigned long one = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
    unsigned long f = r->args[0];
    bool threads =
        r->pid != r->proc->tgid || kbox_proc_stat_field(r->proc->tgid, 20) > 1;
    long rc;

    if (f & ~(ns | one | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM))
        return kbox_ret(-EINVAL);
    if (f & ns)
        return kbox_ret(-EPERM);
    /* the rest are no-ops for a single thread, refused for several */
    if (threads && (f & (one | CLONE_FILES)))
        return kbox_ret(-EINVAL);
    rc = kbox_lx(r, LX__NR_unshare,
                 (long)(f & (CLONE_FS | CLONE_FILES | CLONE_SYSVSEM)), 0, 0, 0,
                 0, 0);
    if (rc < 0)
        return kbox_ret(rc);
    if (f & CLONE_FILES) {
        /* lx copied the files a sharer's call holds past their close */
        kbox_fd_fork_drop_held(r->proc->fdt, r->task);
        r->proc->fdt = kbox_fdt_unshare(r->proc->fdt);
    }
    if ((f & CLONE_FS) && !threads) /* and the bind cwd (bindcwd.c) */
        kbox_bind_cwd_unshare(r->proc, r->task);
    if ((f & CLONE_FS) && threads) {
        kbox_bind_cwd_task_own(r->proc, r->task, r->task); /* the thread's */
        kbox_thread_ids_changed(r->proc); /* no thread reuses an old task */
    }
    return kbox_continue();
}

/*
 * close_range(CLOSE_RANGE_UNSHARE) by a process sharing its fd table
 * (CLONE_FILES without threads): it first takes a table of its own, as
 * unshare(CLONE_FILES), so its sharer keeps the fds it closes (they were
 * closed in the one table kbox and lx had for both). A thread of a
 * multi-threaded process cannot (one fd map per process): -EINVAL, and
 * the fds go for every thread.
 */
int kbox_proc_unshare_files(struct kbox_req *r)
{
    long rc;

    if (r->pid != r->proc->tgid || kbox_proc_stat_field(r->proc->tgid, 20) > 1)
        return -EINVAL;
    rc = kbox_lx(r, LX__NR_unshare, CLONE_FILES, 0, 0, 0, 0, 0);
    if (rc < 0)
        return (int)rc;
    kbox_fd_fork_drop_held(r->proc->fdt, r->task); /* as h_unshare */
    r->proc->fdt = kbox_fdt_unshare(r->proc->fdt);
    return 0;
}

kbox_handler kbox_proc_handler(long nr)
{
    switch (nr) {
    case SYS_clone:
        return h_clone;
    case SYS_clone3:
        return kbox_proc_clone3;
    case SYS_fork:
        return h_fork;
    case SYS_vfork:
        return h_vfork;
    case SYS_exit_group:
        return kbox_proc_exit_group;
    case SYS_unshare:
        return h_unshare;
    case SYS_execve:
        return kbox_exec_handle_execve;
    case SYS_execveat:
        return kbox_exec_handle_execveat;
    default:
        return NULL;
    }
}
