/* SPDX-License-Identifier: MIT */
/*
 * An lx task per guest thread. A task runs one call at a time, so with
 * one task per process a thread blocked in lx (a blocking inotify read, a
 * FIFO open, an flock wait) stalled every other thread's file calls, and
 * a program whose other thread was to cause the wake-up (a watcher
 * thread reading inotify while the main thread writes files) hung for
 * good. The main thread uses the process's task; every other thread gets
 * a task that is a thread of it in lx: it shares the fd table and fs
 * (cwd, root, umask) and has its own credentials as a thread has
 * (glibc's setuid makes each thread call setresuid). Tasks are made ahead at
 * clone(CLONE_THREAD), from the creating thread's task, since the first
 * call of the new thread may come while the process's task is blocked;
 * spares carry their maker's credentials, so they go when a thread
 * changes its ids (a later thread must not come up with the ids the
 * process had before it dropped them); without a spare, a new thread
 * takes the task of a thread that is gone if no thread has changed ids
 * since that task was made (each change bumps a generation), else one
 * forked from the process's (~80 us here, so thread pools reuse). Other
 * tasks of gone threads end when the table is next swept; all go
 * at exec (before the fd table is unshared: their references would keep
 * close-on-exec files open in lx) and when the process is freed.
 *
 * Which threads are gone is asked of the host (/proc/<tgid>/task/<tid>,
 * exit is not notified), so the table is swept only when it has doubled
 * since the last sweep, and a sweep keeps the reusable tasks it finds as
 * free entries (tid 0) for the threads to come. Asking for every entry at
 * each new thread made a process's thread starts quadratic: 2,000
 * threads took 15 s (native 0.12 s), each new thread holding the lock
 * for ~2,000 access() calls.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"

#define MAX_SPARE 2

struct thread_task {
    pid_t tid;
    struct lx_task *task;
    unsigned gen; /* ids generation it was made in */
};

struct kbox_thread_tasks {
    pthread_mutex_t lock;
    struct thread_task *v;
    int n, cap;
    struct lx_task *spare[MAX_SPARE];
    int nspare;
    unsigned gen;        /* bumped when a thread changes its ids */
    struct lx_task *pfs; /* for a thread cloned without CLONE_FS */
    int sweep_at;        /* entries in use that call for a sweep of gone ones */
};

/* An entry whose thread is gone, kept for a later one (see the top). */
#define FREE_TID  0
#define SWEEP_MIN 8

/* @p->threads, made on first use (NULL without memory). */
static struct kbox_thread_tasks *tasks_of(struct kbox_proc *p)
{
    struct kbox_thread_tasks *t =
        __atomic_load_n(&p->threads, __ATOMIC_ACQUIRE);

    if (t)
        return t;
    t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    {
        struct kbox_thread_tasks *none = NULL;

        if (!__atomic_compare_exchange_n(&p->threads, &none, t, false,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            pthread_mutex_destroy(&t->lock);
            free(t);
            t = none;
        }
    }
    return t;
}

/* A thread's task ends: with it the bind cwd of its own, if it had one */
static void end_task(struct lx_task *task)
{
    kbox_bind_cwd_task_gone(task);
    lx_task_exit(task);
}

static bool thread_alive(pid_t tgid, pid_t tid)
{
    char path[64];

    snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)tgid, (int)tid);
    return access(path, F_OK) == 0;
}

/*
 * A thread of @from's thread group in lx: lx's /proc lists only the
 * group (ps shows one process), F_GETLK names the group, and the thread
 * has credentials of its own.
 */
static struct lx_task *fork_task(struct lx_task *from)
{
    return lx_task_fork(from, LX_CLONE_THREAD | LX_CLONE_SIGHAND | LX_CLONE_VM |
                                  LX_CLONE_FILES | LX_CLONE_FS |
                                  LX_CLONE_SYSVSEM);
}

pid_t kbox_thread_guest_tid(struct kbox_proc *p, pid_t lxtid)
{
    struct kbox_thread_tasks *t =
        __atomic_load_n(&p->threads, __ATOMIC_ACQUIRE);
    pid_t tid = 0;

    if (!t)
        return 0;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->n && !tid; i++)
        if (t->v[i].tid != FREE_TID && t->v[i].task &&
            lx_task_tid(t->v[i].task) == lxtid)
            tid = t->v[i].tid;
    pthread_mutex_unlock(&t->lock);
    return tid;
}

struct lx_task *kbox_thread_task(struct kbox_proc *p, pid_t tid)
{
    struct kbox_thread_tasks *t;
    struct lx_task *task = NULL, **dead = NULL;
    bool reused = false;
    unsigned gen;
    int ndead = 0, fi = -1, used = 0;

    if (tid == p->tgid || !p->task || !(t = tasks_of(p)))
        return p->task;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->n; i++) {
        if (t->v[i].tid == tid) {
            task = t->v[i].task;
            pthread_mutex_unlock(&t->lock);
            return task;
        }
        if (t->v[i].tid != FREE_TID)
            used++;
        else if (fi < 0 && t->v[i].gen == t->gen)
            fi = i;
    }
    if (t->pfs) {
        /* Cloned without CLONE_FS: the task with its own fs, made at the
         * clone; never reused by a later thread (a new generation). */
        task = t->pfs;
        t->pfs = NULL;
        gen = t->gen++;
        pthread_mutex_unlock(&t->lock);
        goto add;
    }
    /*
     * A new thread: the task of a thread that is gone and was made since
     * the last change of ids (no thread has other ids then), or a spare.
     * Without a free entry, and with the table doubled since the last
     * sweep, the gone threads are looked for: their tasks become free
     * entries, or end if made before a change of ids.
     */
    if (fi < 0 && used >= t->sweep_at) {
        int alive = 0;

        dead = t->n > 0 ? calloc((size_t)(unsigned)t->n, sizeof(*dead)) : NULL;
        for (int i = 0; dead && i < t->n;) {
            if (t->v[i].tid != FREE_TID && thread_alive(p->tgid, t->v[i].tid)) {
                alive++;
                i++;
            } else if (t->v[i].gen == t->gen) {
                t->v[i].tid = FREE_TID;
                if (fi < 0)
                    fi = i;
                i++;
            } else {
                dead[ndead++] = t->v[i].task;
                t->v[i] = t->v[--t->n];
            }
        }
        t->sweep_at = 2 * alive > SWEEP_MIN ? 2 * alive : SWEEP_MIN;
    }
    if (fi >= 0) {
        t->v[fi].tid = tid; /* reused: already in the table */
        task = t->v[fi].task;
        reused = true;
    }
    if (!task && t->nspare > 0)
        task = t->spare[--t->nspare];
    gen = t->gen;
    pthread_mutex_unlock(&t->lock);
    for (int i = 0; i < ndead; i++)
        end_task(dead[i]);
    free(dead);
    if (reused)
        return task;
    if (!task)
        task = fork_task(p->task);
    if (!task)
        return p->task; /* no memory: share the process's */
add:
    pthread_mutex_lock(&t->lock);
    if (t->n == t->cap) {
        int ncap = t->cap ? 2 * t->cap : 8;
        struct thread_task *nv = realloc(t->v, (size_t)ncap * sizeof(*nv));

        if (!nv) {
            pthread_mutex_unlock(&t->lock);
            end_task(task);
            return p->task;
        }
        t->v = nv;
        t->cap = ncap;
    }
    t->v[t->n].tid = tid;
    t->v[t->n].task = task;
    t->v[t->n].gen = gen;
    t->n++;
    pthread_mutex_unlock(&t->lock);
    return task;
}

void kbox_thread_spare(struct kbox_proc *p, struct lx_task *from)
{
    struct kbox_thread_tasks *t = tasks_of(p);
    struct lx_task *task;
    unsigned gen;
    bool want;

    if (!t || !from)
        return;
    pthread_mutex_lock(&t->lock);
    want = t->nspare < MAX_SPARE;
    gen = t->gen;
    /* A gone thread's task will do for the new one (no fork then). */
    for (int i = 0; want && i < t->n; i++)
        if (t->v[i].gen == gen && t->v[i].tid == FREE_TID)
            want = false;
    pthread_mutex_unlock(&t->lock);
    if (!want || !(task = fork_task(from)))
        return;
    pthread_mutex_lock(&t->lock);
    if (t->nspare < MAX_SPARE && t->gen == gen) {
        t->spare[t->nspare++] = task;
        task = NULL;
    }
    pthread_mutex_unlock(&t->lock);
    if (task)
        lx_task_exit(task); /* not wanted, or ids changed meanwhile */
}

/*
 * clone(CLONE_THREAD) without CLONE_FS: the new thread has its own copy
 * of the cwd, root and umask (it shared the process's: a chdir of either
 * moved both). Its task is made now, for the next new thread to take; two
 * threads cloning at once may swap theirs.
 */
void kbox_thread_private_fs(struct kbox_proc *p, struct lx_task *from)
{
    struct kbox_thread_tasks *t = tasks_of(p);
    struct lx_task *task, *old;

    if (!t || !from ||
        !(task = lx_task_fork(from, LX_CLONE_THREAD | LX_CLONE_SIGHAND |
                                        LX_CLONE_VM | LX_CLONE_FILES |
                                        LX_CLONE_SYSVSEM)))
        return;
    /* and a copy of the bind cwd, as it is now */
    kbox_bind_cwd_task_own(p, from, task);
    pthread_mutex_lock(&t->lock);
    old = t->pfs;
    t->pfs = task;
    pthread_mutex_unlock(&t->lock);
    if (old)
        end_task(old); /* its thread never came */
}

/* t->lock held: move the spares to @out (MAX_SPARE); returns how many. */
static int take_spares_locked(struct kbox_thread_tasks *t, struct lx_task **out)
{
    int ns = t->nspare;

    for (int i = 0; i < ns; i++)
        out[i] = t->spare[i];
    t->nspare = 0;
    return ns;
}

void kbox_thread_ids_changed(struct kbox_proc *p)
{
    struct kbox_thread_tasks *t =
        __atomic_load_n(&p->threads, __ATOMIC_ACQUIRE);
    struct lx_task *spare[MAX_SPARE];
    int ns;

    /* first: a look at the capabilities made before this is stale */
    __atomic_add_fetch(&p->ids_gen, 1, __ATOMIC_SEQ_CST);
    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    t->gen++;
    ns = take_spares_locked(t, spare);
    pthread_mutex_unlock(&t->lock);
    for (int i = 0; i < ns; i++)
        lx_task_exit(spare[i]);
}

void kbox_thread_drop_all(struct kbox_proc *p)
{
    struct kbox_thread_tasks *t =
        __atomic_load_n(&p->threads, __ATOMIC_ACQUIRE);
    struct lx_task *spare[MAX_SPARE], *pfs;
    struct thread_task *v;
    int n, ns;

    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    v = t->v;
    n = t->n;
    ns = take_spares_locked(t, spare);
    t->v = NULL;
    t->n = t->cap = 0;
    t->sweep_at = 0;
    pfs = t->pfs;
    t->pfs = NULL;
    pthread_mutex_unlock(&t->lock);
    if (pfs)
        end_task(pfs);
    for (int i = 0; i < n; i++) {
        /* a call of it an exec just ended may be returning through it */
        kbox_inflight_wait_task_idle(v[i].task);
        end_task(v[i].task);
    }
    for (int i = 0; i < ns; i++)
        lx_task_exit(spare[i]);
    free(v);
}

void kbox_thread_free(struct kbox_proc *p)
{
    kbox_thread_drop_all(p);
    if (p->threads) {
        pthread_mutex_destroy(&p->threads->lock);
        free(p->threads);
        p->threads = NULL;
    }
}
