/* SPDX-License-Identifier: MIT */
/*
 * Process family: guest process bookkeeping (one lx task and one fd map
 * per guest process): the table, its tid cache, a process's first call
 * and the children not seen yet. Fork preparations and clone/fork/unshare
 * are in procfork.c, exits and the sweep in procexit.c, execve in
 * src/exec/exec.c.
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
 * The fields of /proc/@pid/stat after the command name, into @buf: a
 * pointer to the space before field 3 (the state), or NULL if @pid is
 * gone.
 */
static char *stat_fields(pid_t pid, char *buf, size_t len)
{
    char path[64], *p;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    n = read(fd, buf, len - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the name may hold anything */
    return p && p[1] == ' ' ? p + 1 : NULL;
}

/* Field @want (>= 3) of /proc/@pid/stat, or 0. */
unsigned long long kbox_proc_stat_field(pid_t pid, int want)
{
    char buf[1024], *p = stat_fields(pid, buf, sizeof(buf));

    for (int field = 3; field < want && p; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* Start time (clock ticks since boot) of @pid, 0 if it is gone. */
unsigned long long kbox_proc_start_time(pid_t pid)
{
    return kbox_proc_stat_field(pid, 22);
}

/* @pid has exited (a zombie, or being reaped). */
static bool exited(pid_t pid)
{
    char buf[512], *p = stat_fields(pid, buf, sizeof(buf));

    return !p || p[1] == 'Z' || p[1] == 'X';
}

pthread_mutex_t kbox_proc_lock = PTHREAD_MUTEX_INITIALIZER;

/* tid -> process cache, so /proc is read once per new thread. */
#define TID_CACHE 4096
static struct {
    pid_t tid;
    struct kbox_proc *proc;
} tid_cache[TID_CACHE];

struct kbox_proc *kbox_proc_find_tgid(pid_t tgid)
{
    for (struct kbox_proc *p = kbox_sup.procs; p; p = p->next)
        if (p->tgid == tgid)
            return p;
    return NULL;
}

/*
 * kbox_proc_status from kbox's own table when it can answer: @tid's
 * process is known (the tid cache) and the guest parent it was first
 * seen with is still that process (same start time, not gone). A
 * process's parent changes only when the parent dies, so that parent is
 * the current one. Reading /proc/<tid>/status costs ~20 us of CPU on
 * these VMs, and every exec and exit_group asked it (~10% of kbox's CPU
 * in a fork+exec loop).
 */
int kbox_proc_parent(pid_t tid, pid_t *tgid, pid_t *ppid)
{
    unsigned slot = (unsigned)tid % TID_CACHE;
    struct kbox_proc *p, *pp;
    bool ok = false;

    pthread_mutex_lock(&kbox_proc_lock);
    p = tid_cache[slot].tid == tid ? tid_cache[slot].proc : NULL;
    if (p && !p->dead && p->parent_start) {
        pp = kbox_proc_find_tgid(p->parent_tgid);
        if (pp && !pp->dead && pp->start_time == p->parent_start) {
            *tgid = p->tgid;
            *ppid = pp->tgid;
            ok = true;
        }
    }
    pthread_mutex_unlock(&kbox_proc_lock);
    return ok ? 0 : kbox_proc_status(tid, tgid, ppid);
}

pid_t kbox_proc_forker(pid_t tid)
{
    unsigned slot = (unsigned)tid % TID_CACHE;
    pid_t f = 0;

    pthread_mutex_lock(&kbox_proc_lock);
    if (tid_cache[slot].tid == tid && tid_cache[slot].proc)
        f = tid_cache[slot].proc->forker;
    pthread_mutex_unlock(&kbox_proc_lock);
    return f;
}

/*
 * Deaths by signal: a process killed (SIGKILL, a fatal signal) makes no
 * exit_group call, and kbox used to notice only at its once-a-second
 * sweep, its lx task holding the process's flocks, POSIX locks and FIFO
 * ends meanwhile (`kill -9 $p; wait $p; flock -n` failed for a second).
 * Each guest process's pidfd is watched: it is readable once the whole
 * thread group has exited, zombie or reaped, which is when Linux has
 * released those.
 */
static int exit_watch = -1;
static pthread_once_t exit_watch_once = PTHREAD_ONCE_INIT;

static void exit_watch_init(void)
{
    exit_watch = epoll_create1(EPOLL_CLOEXEC);
}

int kbox_proc_exit_watch(void)
{
    pthread_once(&exit_watch_once, exit_watch_init);
    return exit_watch;
}

/* A pidfd of a new process that lookup_locked() opened to learn its
 * parent, for watch_exit() to take (this worker's, under kbox_proc_lock). */
static __thread struct {
    pid_t pid;
    int fd;
} first_pidfd = { 0, -1 };

/* A pidfd of @tgid in the exit watch (fires once), or -1. */
static int watch_exit(pid_t tgid)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT };
    int fd;

    if (kbox_proc_exit_watch() < 0)
        return -1;
    if (first_pidfd.fd >= 0 && first_pidfd.pid == tgid) {
        fd = first_pidfd.fd;
        first_pidfd.fd = -1;
    } else {
        fd = (int)syscall(SYS_pidfd_open, tgid, 0); /* close-on-exec */
    }
    if (fd < 0)
        return -1;
    ev.data.fd = fd;
    if (epoll_ctl(exit_watch, EPOLL_CTL_ADD, fd, &ev)) {
        close(fd);
        return -1;
    }
    return fd;
}

bool kbox_proc_has_exited(const struct kbox_proc *p)
{
    struct pollfd pf = { p->pidfd, POLLIN, 0 };

    return p->pidfd >= 0 && poll(&pf, 1, 0) == 1;
}

/* New process entry, linked in (kbox_proc_lock held). */
static struct kbox_proc *new_proc_locked(pid_t tgid, struct lx_task *task,
                                         struct kbox_fdt *fdt)
{
    struct kbox_proc *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->tgid = tgid;
    p->task = task;
    p->fdt = fdt;
    p->start_time = kbox_proc_start_time(tgid);
    p->pidfd = watch_exit(tgid);
    /*
     * The kernel's pid for the process is its host pid, so /proc/<pid>,
     * ps and pidof inside the guest name the processes kill() reaches.
     * Done on the task's next call (its first syscall), which costs no
     * extra round trip; if the number is still held by a task not yet
     * reaped, the kernel's own number stays, and nothing else needs it.
     */
    lx_task_set_pid_later(task, (int)tgid);
    p->next = kbox_sup.procs;
    kbox_sup.procs = p;
    return p;
}

struct kbox_proc *kbox_proc_add(pid_t tgid, struct lx_task *task)
{
    struct kbox_fdt *fdt = kbox_fdt_new();
    struct kbox_proc *p;

    if (!fdt)
        return NULL;
    pthread_mutex_lock(&kbox_proc_lock);
    p = new_proc_locked(tgid, task, fdt);
    pthread_mutex_unlock(&kbox_proc_lock);
    if (!p)
        kbox_fdt_put(fdt);
    return p;
}

/* Unlink @p (kbox_proc_lock held). */
void kbox_proc_unlink_locked(struct kbox_proc *p)
{
    struct kbox_proc **pp;

    for (pp = &kbox_sup.procs; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    for (int i = 0; i < TID_CACHE; i++)
        if (tid_cache[i].proc == p)
            tid_cache[i].proc = NULL, tid_cache[i].tid = 0;
}

static struct kbox_proc *lookup_new(pid_t tid, pid_t tgid, pid_t ppid);

static struct kbox_proc *lookup_locked(pid_t tid)
{
    struct kbox_proc *p;
    unsigned slot = (unsigned)tid % TID_CACHE;
    pid_t tgid, ppid;

    if (tid_cache[slot].tid == tid && tid_cache[slot].proc)
        return tid_cache[slot].proc;
    /* A process's first call: its pidfd tells the parent (and is the
     * exit watch's), where /proc/<tid>/status took three calls more. */
    first_pidfd.fd = kbox_abi_leader_pidfd(tid, &ppid);
    first_pidfd.pid = tgid = tid;
    if (first_pidfd.fd < 0 && kbox_proc_status(tid, &tgid, &ppid))
        return NULL;
    p = lookup_new(tid, tgid, ppid);
    if (first_pidfd.fd >= 0)
        close(first_pidfd.fd); /* not taken */
    first_pidfd.fd = -1;
    return p;
}

/* lookup_locked() of a thread not in the cache. */
static struct kbox_proc *lookup_new(pid_t tid, pid_t tgid, pid_t ppid)
{
    struct kbox_proc *p, *parent;
    struct lx_task *t;
    struct kbox_fdt *fdt;
    struct kbox_fork_prep e = { 0 };
    unsigned slot = (unsigned)tid % TID_CACHE;
    pid_t forker = 0;

    p = kbox_proc_find_tgid(tgid);
    if (!p) {
        if (kbox_proc_ended_before_locked(tgid))
            return NULL; /* it has exited: nothing is for it */
        /* A new process: claim what its parent prepared at fork. */
        parent = kbox_proc_find_tgid(ppid);
        if (kbox_prep_claim_locked(parent, tgid, ppid, &e, &forker)) {
            t = e.task;
            fdt = e.fdt;
        } else if (parent) {
            /* Not announced (should not happen): best effort copy. */
            t = lx_task_fork(parent->task, 0);
            fdt = t ? kbox_fdt_copy(parent->fdt) : NULL;
            if (t && !fdt) {
                lx_task_exit(t);
                t = NULL;
            }
        } else {
            return NULL;
        }
        if (!t) {
            free(e.exe);
            kbox_bind_cwd_put(e.cwd);
            return NULL;
        }
        p = new_proc_locked(tgid, t, fdt);
        if (!p) {
            lx_task_exit(t);
            kbox_fdt_put(fdt);
            free(e.exe);
            kbox_bind_cwd_put(e.cwd);
            return NULL;
        }
        if (parent) {
            /* A CLONE_VM child's parent has vforker set by then: kbox_proc_fork
             * runs before the host makes the child. */
            p->parent_tgid = parent->tgid;
            p->parent_start = parent->start_time;
        }
        if (forker || parent) /* mappings survive fork */
            kbox_shmap_inherit(forker ? forker : parent->tgid, tgid);
        p->forker = forker;
        if (e.task) {
            /* As they were at fork, like the lx task's own cwd. */
            if (e.exe)
                snprintf(p->exe, sizeof(p->exe), "%s", e.exe);
            /* the same directory, wherever it is moved to (with
             * CLONE_FS the parent's own cwd) */
            kbox_bind_cwd_adopt(p, e.cwd);
            free(e.exe);
        } else if (parent) {
            struct kbox_bcwd *c = NULL;

            memcpy(p->exe, parent->exe, sizeof(p->exe));
            kbox_bind_cwd_fork(parent, parent->task, false, &c);
            kbox_bind_cwd_adopt(p, c);
        }
    }
    tid_cache[slot].tid = tid;
    tid_cache[slot].proc = p;
    return p;
}

int kbox_proc_may_read(const struct kbox_req *r, pid_t pid)
{
    struct kbox_proc *p;
    pid_t tgid = pid, ppid;
    int rc = 0;

    if (kbox_proc_status(pid, &tgid, &ppid) || tgid == r->proc->tgid)
        return 0; /* gone (the caller finds out), or its own */
    pthread_mutex_lock(&kbox_proc_lock);
    p = kbox_proc_find_tgid(tgid);
    if (p && !p->dead)
        p->refs++;
    else
        p = NULL;
    pthread_mutex_unlock(&kbox_proc_lock);
    if (!p)
        return 0;
    if (r->task && p->task)
        rc = lx_task_may_read(r->task, p->task);
    kbox_proc_put(p);
    return rc < 0 ? -EACCES : 0;
}

int kbox_proc_exe_link(const struct kbox_req *r, const char *path, char *out,
                       size_t outlen)
{
    const char *q;
    struct kbox_proc *p;
    long pid;
    int rc = -ENOENT;

    q = kbox_path_proc_pid(path, &pid);
    if (!q || strcmp(q, "exe"))
        return -ENOENT;
    if (pid && pid != r->proc->tgid && kbox_proc_may_read(r, (pid_t)pid))
        return -EACCES;
    pthread_mutex_lock(&kbox_proc_lock);
    p = pid == 0 || pid == r->proc->tgid ? r->proc
                                         : kbox_proc_find_tgid((pid_t)pid);
    if (p && p->exe[0] && strlen(p->exe) < outlen) {
        strcpy(out, p->exe);
        rc = 0;
    }
    pthread_mutex_unlock(&kbox_proc_lock);
    return rc;
}

/*
 * A child that has made no supervised call yet (stopped at once, or busy
 * on the host) is a guest process all the same: the host lists it, so
 * claim what its parent prepared at fork. Not for any other host pid: an
 * orphan's preparation is only for the child that calls first.
 */
static struct kbox_proc *claim_unseen_locked(pid_t pid)
{
    struct kbox_proc *parent;
    pid_t tgid, ppid;

    if (kbox_proc_status(pid, &tgid, &ppid) || tgid != pid)
        return NULL;
    parent = kbox_proc_find_tgid(ppid);
    if (!parent || parent->dead || parent->npending <= 0 || exited(pid) ||
        kbox_proc_ended_before_locked(pid) ||
        kbox_prep_for_child_locked(parent, pid) == -2)
        return NULL;
    parent = lookup_locked(pid);
    /* Its kernel pid now, not at its first call: lx's /proc/<pid>. */
    if (parent)
        lx_task_set_pid(parent->task, (int)pid);
    return parent;
}

/* The children of @p not seen yet, into @unseen (*@n of 64 so far). */
static void unseen_children_locked(struct kbox_proc *p, pid_t *unseen, int *n)
{
    for (int i = 0; i < p->npending && *n < 64; i++) {
        pid_t by = p->pending[i].by, *kids;
        bool asked = false;
        int nk;

        for (int j = 0; j < i; j++)
            asked |= p->pending[j].by == by;
        if (asked)
            continue;
        nk = kbox_proc_children(p->tgid, by, &kids);
        for (int k = 0; k < nk && *n < 64; k++)
            if (!kbox_proc_find_tgid(kids[k]))
                unseen[(*n)++] = kids[k];
        free(kids);
    }
}

/* For a listing of /proc: every child not seen yet, of every process. */
void kbox_proc_claim_unseen_locked(void)
{
    pid_t unseen[64];
    int n = 0;

    for (struct kbox_proc *p = kbox_sup.procs; p; p = p->next)
        if (!p->dead)
            unseen_children_locked(p, unseen, &n);
    for (int i = 0; i < n; i++)
        claim_unseen_locked(unseen[i]);
}

void kbox_proc_exiting(struct kbox_proc *p)
{
    pid_t unseen[64];
    int n = 0;

    pthread_mutex_lock(&kbox_proc_lock);
    if (!p->dead)
        unseen_children_locked(p, unseen, &n);
    for (int i = 0; i < n; i++)
        claim_unseen_locked(unseen[i]);
    pthread_mutex_unlock(&kbox_proc_lock);
}

bool kbox_proc_is_guest(pid_t tgid)
{
    struct kbox_proc *p;
    bool live, gone = false;

    pthread_mutex_lock(&kbox_proc_lock);
    p = kbox_proc_find_tgid(tgid);
    if (!p)
        p = claim_unseen_locked(tgid);
    live = p && !p->dead && kbox_proc_start_time(tgid) == p->start_time &&
           (tgid == kbox_sup.main_pid || !kbox_proc_has_exited(p));
    if (p && !p->dead && !live && tgid != kbox_sup.main_pid) {
        /* Reaped or killed since the last sweep: its kernel task goes
         * now (a zombie while the host's is one: kbox_zombie_held). */
        kbox_proc_kill_locked(kbox_release_begin(p));
        gone = p->refs == 0;
    }
    pthread_mutex_unlock(&kbox_proc_lock);
    if (gone)
        kbox_proc_free(p);
    return live;
}

/*
 * A process takes its host pid in lx at its first call that reaches lx
 * (new_proc_locked); one whose calls so far were served on the host (a
 * child that wrote to a pipe and waits in pause()) kept lx's number, and
 * its /proc/<pid> directory, cwd, root, fd/ were ENOENT while stat and
 * status (the host's) were there.
 */
/* Take @p for numbering (kbox_proc_lock held): true once per process. */
static bool number_take_locked(struct kbox_proc *p)
{
    if (!p || p->dead || !p->task ||
        __atomic_exchange_n(&p->numbered, true, __ATOMIC_RELAXED))
        return false;
    p->refs++;
    return true;
}

/* Any call applies the pending number; the task is idle (none of the
 * process's calls has entered lx yet), so this is short. */
static void number_put(struct kbox_proc *p)
{
    lx_task_pid(p->task);
    kbox_proc_put(p);
}

void kbox_proc_number(pid_t tgid)
{
    struct kbox_proc *p;
    bool set;

    pthread_mutex_lock(&kbox_proc_lock);
    p = kbox_proc_find_tgid(tgid);
    set = number_take_locked(p);
    pthread_mutex_unlock(&kbox_proc_lock);
    if (set)
        number_put(p);
}

void kbox_proc_number_all(void)
{
    struct kbox_proc *v[64];
    int n = 0;

    pthread_mutex_lock(&kbox_proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs; p && n < 64; p = p->next)
        if (!__atomic_load_n(&p->numbered, __ATOMIC_RELAXED) &&
            number_take_locked(p))
            v[n++] = p;
    pthread_mutex_unlock(&kbox_proc_lock);
    for (int i = 0; i < n; i++)
        number_put(v[i]);
}

bool kbox_proc_known(pid_t tgid)
{
    bool known;

    pthread_mutex_lock(&kbox_proc_lock);
    known = kbox_proc_find_tgid(tgid) != NULL;
    pthread_mutex_unlock(&kbox_proc_lock);
    return known;
}

int kbox_proc_peer_lxfd(pid_t pid, int gfd, pid_t *tgid)
{
    struct kbox_proc *p;
    pid_t t = pid, pp;
    int l = -ESRCH;

    for (int pass = 0; pass < 2; pass++) {
        pthread_mutex_lock(&kbox_proc_lock);
        p = kbox_proc_find_tgid(t);
        if (p && !p->dead)
            l = kbox_fdt_lookup(p->fdt, gfd);
        pthread_mutex_unlock(&kbox_proc_lock);
        /* not a process: perhaps one of a guest process's threads */
        if (p || pass || kbox_proc_status(pid, &t, &pp) || t == pid)
            break;
    }
    *tgid = t;
    return l;
}

struct kbox_proc *kbox_proc_lookup(pid_t tid)
{
    struct kbox_proc *p;

    pthread_mutex_lock(&kbox_proc_lock);
    p = lookup_locked(tid);
    if (p)
        p->refs++;
    pthread_mutex_unlock(&kbox_proc_lock);
    return p;
}

int kbox_proc_list(pid_t **out)
{
    kbox_proc_sweep(); /* no process already reaped; unseen children in */
    return kbox_proc_list_known(out);
}

int kbox_proc_list_known(pid_t **out)
{
    int n = 0, cap = 0;
    pid_t *v;

    pthread_mutex_lock(&kbox_proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs; p; p = p->next)
        cap++;
    v = malloc(((size_t)cap + 1) * sizeof(*v));
    /*
     * Not the main process once it is reaped (the sweep never judges its
     * entry): its pid may be another host process's by now, and the
     * signals kbox sends the guest's processes (SIGTERM to kbox with a
     * background job left, a guest's kill(-1)) reached that process.
     */
    for (struct kbox_proc *p = kbox_sup.procs; v && p; p = p->next)
        if (!p->dead && !p->main_gone)
            v[n++] = p->tgid;
    pthread_mutex_unlock(&kbox_proc_lock);
    *out = v;
    return v ? n : -ENOMEM;
}

pid_t kbox_proc_of_lx_pid(pid_t lxpid)
{
    struct lx_task *prep = NULL;
    pid_t found = 0;

    pthread_mutex_lock(&kbox_proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs; p && !found; p = p->next) {
        if (!p->dead && p->task && lx_task_tid(p->task) == lxpid)
            found = p->tgid;
        for (int i = 0; i < p->npending && !prep; i++)
            if (p->pending[i].task && lx_task_tid(p->pending[i].task) == lxpid)
                prep = p->pending[i].task;
    }
    pthread_mutex_unlock(&kbox_proc_lock);
    if (found || !prep)
        return found;
    kbox_proc_sweep(); /* the child the preparation is for comes in */
    pthread_mutex_lock(&kbox_proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs; p && !found; p = p->next)
        if (!p->dead && p->task == prep)
            found = p->tgid;
    pthread_mutex_unlock(&kbox_proc_lock);
    return found;
}

int kbox_proc_in_group(pid_t pgid, pid_t **out)
{
    int n = kbox_proc_list(out), k = 0;

    for (int i = 0; i < n; i++)
        if ((pid_t)kbox_proc_stat_field((*out)[i], 5) == pgid)
            (*out)[k++] = (*out)[i];
    return n < 0 ? n : k;
}
