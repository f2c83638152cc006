/* SPDX-License-Identifier: MIT */
/*
 * Process family: guest process bookkeeping (one lx task and one fd map
 * per guest process), fork/clone tracking and exit. execve lives in
 * src/exec/exec.c.
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
static unsigned long long stat_field(pid_t pid, int want)
{
    char buf[1024], *p = stat_fields(pid, buf, sizeof(buf));

    for (int field = 3; field < want && p; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* Start time (clock ticks since boot) of @pid, 0 if it is gone. */
static unsigned long long start_time(pid_t pid)
{
    return stat_field(pid, 22);
}

/* @pid has exited (a zombie, or being reaped). */
static bool exited(pid_t pid)
{
    char buf[512], *p = stat_fields(pid, buf, sizeof(buf));

    return !p || p[1] == 'Z' || p[1] == 'X';
}

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
static int read_children(pid_t tgid, pid_t tid, pid_t **out)
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

static void prep_release(struct kbox_fork_prep *e)
{
    lx_task_exit(e->task);
    kbox_fdt_put(e->fdt);
    free(e->before);
    free(e->exe);
    kbox_bind_cwd_put(e->cwd);
}

/* Take entry @i out of @p's list (proc_lock held). */
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
 * its first call, and reaped) are dropped on the way (proc_lock held).
 */
static int prep_for_child(struct kbox_proc *parent, pid_t child)
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
        int n = read_children(parent->tgid, parent->pending[i].by, &kids);

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

            prep_release(&gone);
            pick--;
        }
    }
    return pick;
}

static pthread_mutex_t proc_lock = PTHREAD_MUTEX_INITIALIZER;

/* tid -> process cache, so /proc is read once per new thread. */
#define TID_CACHE 4096
static struct {
    pid_t tid;
    struct kbox_proc *proc;
} tid_cache[TID_CACHE];

static struct kbox_proc *find_tgid(pid_t tgid)
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

    pthread_mutex_lock(&proc_lock);
    p = tid_cache[slot].tid == tid ? tid_cache[slot].proc : NULL;
    if (p && !p->dead && p->parent_start) {
        pp = find_tgid(p->parent_tgid);
        if (pp && !pp->dead && pp->start_time == p->parent_start) {
            *tgid = p->tgid;
            *ppid = pp->tgid;
            ok = true;
        }
    }
    pthread_mutex_unlock(&proc_lock);
    return ok ? 0 : kbox_proc_status(tid, tgid, ppid);
}

pid_t kbox_proc_forker(pid_t tid)
{
    unsigned slot = (unsigned)tid % TID_CACHE;
    pid_t f = 0;

    pthread_mutex_lock(&proc_lock);
    if (tid_cache[slot].tid == tid && tid_cache[slot].proc)
        f = tid_cache[slot].proc->forker;
    pthread_mutex_unlock(&proc_lock);
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
 * parent, for watch_exit() to take (this worker's, under proc_lock). */
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

static bool has_exited(const struct kbox_proc *p)
{
    struct pollfd pf = { p->pidfd, POLLIN, 0 };

    return p->pidfd >= 0 && poll(&pf, 1, 0) == 1;
}

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
        epoll_ctl(exit_watch, EPOLL_CTL_DEL, fd, NULL) ||
        epoll_ctl(linger_watch, EPOLL_CTL_ADD, fd, &ev))
        return false;
    pthread_mutex_lock(&proc_lock);
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
    pthread_mutex_unlock(&proc_lock);
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
        pthread_mutex_lock(&proc_lock);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < nlingering; k++)
                if (lingering[k] == ev[i].data.fd) {
                    lingering[k] = lingering[--nlingering];
                    close(ev[i].data.fd); /* leaves the watch */
                    break;
                }
        pthread_mutex_unlock(&proc_lock);
    } while (n == 64);
}

/* New process entry, linked in (proc_lock held). */
static struct kbox_proc *new_proc_locked(pid_t tgid, struct lx_task *task,
                                         struct kbox_fdt *fdt)
{
    struct kbox_proc *p = calloc(1, sizeof(*p));

    if (!p)
        return NULL;
    p->tgid = tgid;
    p->task = task;
    p->fdt = fdt;
    p->start_time = start_time(tgid);
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
    pthread_mutex_lock(&proc_lock);
    p = new_proc_locked(tgid, task, fdt);
    pthread_mutex_unlock(&proc_lock);
    if (!p)
        kbox_fdt_put(fdt);
    return p;
}

/* Unlink @p (proc_lock held). */
static void unlink_proc(struct kbox_proc *p)
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

static void note_ended_ids(pid_t tgid, unsigned long long st, unsigned int uid,
                           unsigned int suid);

static void free_proc(struct kbox_proc *p)
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
        prep_release(&p->pending[i]);
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
    if (p->pidfd >= 0 && (!p->exited || has_exited(p) || !linger(p->pidfd)))
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
    pthread_mutex_lock(&proc_lock);
    gone = --p->refs == 0 && p->dead;
    pthread_mutex_unlock(&proc_lock);
    if (gone)
        free_proc(p);
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
    pthread_mutex_lock(&proc_lock);
    for (unsigned i = 0; i < ENDED_MAX && i < nended; i++)
        if (ended[i].tgid == tgid && ended[i].start_time == st) {
            ended[i].uid = uid;
            ended[i].suid = suid;
            ended[i].ids = true;
        }
    pthread_mutex_unlock(&proc_lock);
}

int kbox_proc_ended_ids(pid_t tgid, unsigned int *uid, unsigned int *suid)
{
    unsigned long long st = start_time(tgid);
    int rc = -ESRCH;

    pthread_mutex_lock(&proc_lock);
    for (unsigned i = 0; i < ENDED_MAX && i < nended; i++)
        if (ended[i].tgid == tgid && ended[i].start_time == st &&
            ended[i].ids) {
            *uid = ended[i].uid;
            *suid = ended[i].suid;
            rc = 0;
        }
    pthread_mutex_unlock(&proc_lock);
    return rc;
}

/* @tgid is a process whose entry was dropped (proc_lock held). */
static bool ended_before(pid_t tgid)
{
    unsigned n = nended < ENDED_MAX ? nended : ENDED_MAX;

    for (unsigned i = 0; i < n; i++)
        if (ended[i].tgid == tgid)
            return start_time(tgid) == ended[i].start_time;
    return false;
}

/* Mark dead and unlink (proc_lock held); unclaimed children's tasks are
 * kept for them. */
static void kill_locked(struct kbox_proc *p)
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
    unlink_proc(p);
    while (p->npending > 0 && norphans < MAX_ORPHANS)
        orphans[norphans++] = prep_take(p, 0);
}

void kbox_proc_main_exits(pid_t tgid)
{
    struct kbox_proc *p;

    pthread_mutex_lock(&proc_lock);
    p = find_tgid(tgid);
    if (p && !p->main_gone) {
        p->main_gone = true;
        while (p->npending > 0 && norphans < MAX_ORPHANS)
            orphans[norphans++] = prep_take(p, 0);
    }
    pthread_mutex_unlock(&proc_lock);
}

/* Take adopted entry @i out (proc_lock held). */
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

/* Sweeps a CLONE_PARENT preparation waits for its child (proc_lock held). */
static void adopted_age_locked(void)
{
    for (int i = 0; i < nadopted;) {
        if (++adopted[i].sweeps <= 3) {
            i++;
            continue;
        }
        struct adopted gone = adopted_take(i);

        prep_release(&gone.e);
    }
}

void kbox_proc_release_orphans(void)
{
    pthread_mutex_lock(&proc_lock);
    while (norphans > 0)
        prep_release(&orphans[--norphans]);
    while (nadopted > 0)
        prep_release(&adopted[--nadopted].e);
    pthread_mutex_unlock(&proc_lock);
}

/*
 * A child that dies before its first supervised call (a fault right after
 * fork, a clone the host refused) never claims what its fork prepared:
 * the lx task kept its cwd, root and files (at the end the unmount found
 * its cwd busy and kbox exited 1; in a long run, memory and open files).
 * A preparation whose thread has had no child born of it alive for two
 * sweeps (so the clone itself is long done) is dropped (proc_lock held).
 */
static void drop_stillborn_locked(struct kbox_proc *p)
{
    for (int i = 0; i < p->npending;) {
        struct kbox_fork_prep *e = &p->pending[i];
        pid_t *kids;
        int n = e->nbefore < 0 ? -1 : read_children(p->tgid, e->by, &kids);
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

        prep_release(&gone);
    }
}

void kbox_proc_exit(struct kbox_proc *p)
{
    pthread_mutex_lock(&proc_lock);
    kill_locked(p);
    pthread_mutex_unlock(&proc_lock);
}

void kbox_proc_remove(struct kbox_proc *p)
{
    bool gone;

    pthread_mutex_lock(&proc_lock);
    kill_locked(p);
    gone = p->refs == 0;
    pthread_mutex_unlock(&proc_lock);
    if (gone)
        free_proc(p);
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

    p = find_tgid(tgid);
    if (!p) {
        int i = -2;

        if (ended_before(tgid))
            return NULL; /* it has exited: nothing is for it */
        /* A new process: claim what its parent prepared at fork. */
        parent = find_tgid(ppid);
        if (parent && parent->npending > 0)
            i = prep_for_child(parent, tgid);
        if (i < 0 && adopted_for(ppid) >= 0) {
            /* clone(CLONE_PARENT): its forker's, not its parent's */
            struct adopted a = adopted_take(adopted_for(ppid));

            e = a.e;
            forker = a.forker;
            t = e.task;
            fdt = e.fdt;
            free(e.before);
        } else if (i > -2) {
            e = prep_take(parent, i < 0 ? 0 : i);
            t = e.task;
            fdt = e.fdt;
            free(e.before);
        } else if ((!parent || parent->main_gone) && norphans > 0) {
            /* Its parent exited before this first call: reparented to
             * kbox (or about to be), it takes its orphaned preparation. */
            e = orphans[0];
            t = e.task;
            fdt = e.fdt;
            free(e.before);
            norphans--;
            memmove(orphans, orphans + 1, (size_t)norphans * sizeof(*orphans));
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
    pthread_mutex_lock(&proc_lock);
    p = find_tgid(tgid);
    if (p && !p->dead)
        p->refs++;
    else
        p = NULL;
    pthread_mutex_unlock(&proc_lock);
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
    pthread_mutex_lock(&proc_lock);
    p = pid == 0 || pid == r->proc->tgid ? r->proc : find_tgid((pid_t)pid);
    if (p && p->exe[0] && strlen(p->exe) < outlen) {
        strcpy(out, p->exe);
        rc = 0;
    }
    pthread_mutex_unlock(&proc_lock);
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
    parent = find_tgid(ppid);
    if (!parent || parent->dead || parent->npending <= 0 || exited(pid) ||
        ended_before(pid) || prep_for_child(parent, pid) == -2)
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
        nk = read_children(p->tgid, by, &kids);
        for (int k = 0; k < nk && *n < 64; k++)
            if (!find_tgid(kids[k]))
                unseen[(*n)++] = kids[k];
        free(kids);
    }
}

/* For a listing of /proc: every child not seen yet, of every process. */
static void claim_unseen_children_locked(void)
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

    pthread_mutex_lock(&proc_lock);
    if (!p->dead)
        unseen_children_locked(p, unseen, &n);
    for (int i = 0; i < n; i++)
        claim_unseen_locked(unseen[i]);
    pthread_mutex_unlock(&proc_lock);
}

bool kbox_proc_is_guest(pid_t tgid)
{
    struct kbox_proc *p;
    bool live, gone = false;

    pthread_mutex_lock(&proc_lock);
    p = find_tgid(tgid);
    if (!p)
        p = claim_unseen_locked(tgid);
    live = p && !p->dead && start_time(tgid) == p->start_time &&
           (tgid == kbox_sup.main_pid || !has_exited(p));
    if (p && !p->dead && !live && tgid != kbox_sup.main_pid) {
        /* Reaped or killed since the last sweep: its kernel task goes
         * now (a zombie while the host's is one: kbox_zombie_held). */
        kill_locked(kbox_release_begin(p));
        gone = p->refs == 0;
    }
    pthread_mutex_unlock(&proc_lock);
    if (gone)
        free_proc(p);
    return live;
}

/*
 * A process takes its host pid in lx at its first call that reaches lx
 * (new_proc_locked); one whose calls so far were served on the host (a
 * child that wrote to a pipe and waits in pause()) kept lx's number, and
 * its /proc/<pid> directory, cwd, root, fd/ were ENOENT while stat and
 * status (the host's) were there.
 */
/* Take @p for numbering (proc_lock held): true once per process. */
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

    pthread_mutex_lock(&proc_lock);
    p = find_tgid(tgid);
    set = number_take_locked(p);
    pthread_mutex_unlock(&proc_lock);
    if (set)
        number_put(p);
}

void kbox_proc_number_all(void)
{
    struct kbox_proc *v[64];
    int n = 0;

    pthread_mutex_lock(&proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs; p && n < 64; p = p->next)
        if (!__atomic_load_n(&p->numbered, __ATOMIC_RELAXED) &&
            number_take_locked(p))
            v[n++] = p;
    pthread_mutex_unlock(&proc_lock);
    for (int i = 0; i < n; i++)
        number_put(v[i]);
}

bool kbox_proc_known(pid_t tgid)
{
    bool known;

    pthread_mutex_lock(&proc_lock);
    known = find_tgid(tgid) != NULL;
    pthread_mutex_unlock(&proc_lock);
    return known;
}

int kbox_proc_peer_lxfd(pid_t pid, int gfd, pid_t *tgid)
{
    struct kbox_proc *p;
    pid_t t = pid, pp;
    int l = -ESRCH;

    for (int pass = 0; pass < 2; pass++) {
        pthread_mutex_lock(&proc_lock);
        p = find_tgid(t);
        if (p && !p->dead)
            l = kbox_fdt_lookup(p->fdt, gfd);
        pthread_mutex_unlock(&proc_lock);
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

    pthread_mutex_lock(&proc_lock);
    p = lookup_locked(tid);
    if (p)
        p->refs++;
    pthread_mutex_unlock(&proc_lock);
    return p;
}

long kbox_proc_ended_ms(pid_t tid)
{
    pid_t tgid, ppid;
    struct timespec now;
    long ms = -1;

    if (kbox_proc_status(tid, &tgid, &ppid))
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    pthread_mutex_lock(&proc_lock);
    if (!find_tgid(tgid)) {
        unsigned n = nended < ENDED_MAX ? nended : ENDED_MAX;

        /* the newest entry of @tgid, if it is this process */
        for (unsigned i = 1; i <= n && ms < 0; i++) {
            unsigned k = (nended - i) % ENDED_MAX;

            if (ended[k].tgid != tgid)
                continue;
            if (start_time(tgid) != ended[k].start_time)
                break;
            ms = (now.tv_sec - ended[k].when.tv_sec) * 1000 +
                 (now.tv_nsec - ended[k].when.tv_nsec) / 1000000;
        }
    }
    pthread_mutex_unlock(&proc_lock);
    return ms;
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

    pthread_mutex_lock(&proc_lock);
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
    pthread_mutex_unlock(&proc_lock);
    *out = v;
    return v ? n : -ENOMEM;
}

pid_t kbox_proc_of_lx_pid(pid_t lxpid)
{
    struct lx_task *prep = NULL;
    pid_t found = 0;

    pthread_mutex_lock(&proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs; p && !found; p = p->next) {
        if (!p->dead && p->task && lx_task_tid(p->task) == lxpid)
            found = p->tgid;
        for (int i = 0; i < p->npending && !prep; i++)
            if (p->pending[i].task && lx_task_tid(p->pending[i].task) == lxpid)
                prep = p->pending[i].task;
    }
    pthread_mutex_unlock(&proc_lock);
    if (found || !prep)
        return found;
    kbox_proc_sweep(); /* the child the preparation is for comes in */
    pthread_mutex_lock(&proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs; p && !found; p = p->next)
        if (!p->dead && p->task == prep)
            found = p->tgid;
    pthread_mutex_unlock(&proc_lock);
    return found;
}

int kbox_proc_in_group(pid_t pgid, pid_t **out)
{
    int n = kbox_proc_list(out), k = 0;

    for (int i = 0; i < n; i++)
        if ((pid_t)stat_field((*out)[i], 5) == pgid)
            (*out)[k++] = (*out)[i];
    return n < 0 ? n : k;
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
    pthread_mutex_lock(&proc_lock);
    for (struct kbox_proc *p = kbox_sup.procs, *next; p && n < 64; p = next) {
        next = p->next;
        if (p->tgid == kbox_sup.main_pid) {
            if (p->npending)
                drop_stillborn_locked(p);
            continue;
        }
        if (has_exited(p) || start_time(p->tgid) != p->start_time) {
            kill_locked(kbox_release_begin(p)); /* killed, or pid reused */
            if (p->refs == 0)
                dead[n++] = p;
        } else if (p->npending) {
            drop_stillborn_locked(p);
        }
    }
    claim_unseen_children_locked();
    adopted_age_locked();
    /* What only a later sweep settles: preparations waiting for their
     * child, processes whose exit no pidfd shows (n == 64: the rest). */
    due = nadopted > 0 || n == 64;
    for (struct kbox_proc *p = kbox_sup.procs; p && !due; p = p->next)
        due = !p->dead && (p->npending > 0 ||
                           (p->pidfd < 0 && p->tgid != kbox_sup.main_pid));
    pthread_mutex_unlock(&proc_lock);
    for (int i = 0; i < n; i++)
        free_proc(dead[i]);
    return kbox_zombie_sweep() > 0 || due; /* a zombie left: look again */
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
    e = (struct kbox_fork_prep){ t, fdt, r->pid, 0, NULL, 0, NULL, NULL };
    e.nbefore = read_children(p->tgid, r->pid, &e.before);
    /* The child's bind cwd and program are its parent's now: the parent
     * may chdir or exit before the child's first call (`cmd & cd x`,
     * a double fork), and an orphan finds no parent to copy from. */
    pthread_mutex_lock(&proc_lock);
    e.exe = p->exe[0] ? strdup(p->exe) : NULL;
    pthread_mutex_unlock(&proc_lock);
    /* CLONE_FS: one cwd for both, a chdir in either moves the other */
    if (kbox_bind_cwd_fork(p, r->task, flags & CLONE_FS, &e.cwd) ||
        (p->exe[0] && !e.exe)) {
        prep_release(&e);
        return kbox_ret(-ENOMEM);
    }
    if (flags & CLONE_PARENT) {
        pid_t tgid, adopter;

        if (kbox_proc_parent(r->pid, &tgid, &adopter) == 0) {
            pthread_mutex_lock(&proc_lock);
            if (nadopted == MAX_ADOPTED) {
                struct adopted gone = adopted_take(0);

                prep_release(&gone.e);
            }
            adopted[nadopted++] = (struct adopted){ e, adopter, p->tgid, 0 };
            pthread_mutex_unlock(&proc_lock);
            return kbox_continue();
        }
    }
    pthread_mutex_lock(&proc_lock);
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

            prep_release(&gone);
        }
        break;
    }
    if (p->npending >= (int)(sizeof(p->pending) / sizeof(p->pending[0]))) {
        pthread_mutex_unlock(&proc_lock);
        prep_release(&e);
        return kbox_ret(-EAGAIN);
    }
    p->pending[p->npending++] = e;
    pthread_mutex_unlock(&proc_lock);
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

static struct kbox_resp h_exit_group(struct kbox_req *r)
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
    bool threads = r->pid != r->proc->tgid || stat_field(r->proc->tgid, 20) > 1;
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
    if (f & CLONE_FILES)
        r->proc->fdt = kbox_fdt_unshare(r->proc->fdt);
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

    if (r->pid != r->proc->tgid || stat_field(r->proc->tgid, 20) > 1)
        return -EINVAL;
    rc = kbox_lx(r, LX__NR_unshare, CLONE_FILES, 0, 0, 0, 0, 0);
    if (rc < 0)
        return (int)rc;
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
        return h_exit_group;
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
