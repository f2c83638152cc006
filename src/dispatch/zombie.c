/* SPDX-License-Identifier: MIT */
/*
 * Guest zombies in /proc. A guest process that has exited and is not yet
 * reaped is a zombie on the host; natively /proc/<pid> is there (stat
 * says Z, status "Z (zombie)", cmdline is empty) and ps lists it as
 * <defunct>. Its lx task ended at exit_group and lx reaped it at once, so
 * /proc/<pid> (lx's directory, the /proc listing) was ENOENT. Its task now
 * stays a zombie in lx (lx_task_exit_zombie) until kbox sees the host
 * reap the process: wait4 and waitid run on the host unseen, so each
 * zombie keeps a pidfd of its process, and one that signal 0 through it
 * finds gone (ESRCH: reaped) is reaped in lx too. That is looked at at
 * each guest exit (the reaped ones go in its lx call), when the guest
 * looks at /proc/<pid> or lists /proc, at the serve loop's sweeps, and
 * as zombies pile up (twice as many as the last look left). lx reaps one
 * itself when its number goes to a new process's task, or its lx parent
 * ends (reparented to lx's init, which ignores SIGCHLD).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>

#include "kbox/dispatch.h"

struct zombie {
    pid_t tgid;
    int pidfd; /* of the host process: exact, whatever reuses the pid */
    struct lx_zombie *z;
};

static pthread_mutex_t zlock = PTHREAD_MUTEX_INITIALIZER;
static struct zombie *zv;
static int nz, capz;
static int next_look = 16; /* a look at all when there are this many */
#define CHECK_AT_EXIT 8    /* each exit looks at this many at most */
#define KEPT_MAX      1024 /* each holds a pidfd */

/*
 * How many may be kept: each pidfd is one of kbox's own fds, and at the
 * usual soft RLIMIT_NOFILE of 1024 a guest with 1000 unreaped children
 * left kbox none (EMFILE for the guest's exec, open, ...). A quarter of
 * the limit, the rest for the live processes' pidfds and kbox's own.
 */
static int kept_max(void)
{
    static int max = -1; /* not read yet */
    int m = __atomic_load_n(&max, __ATOMIC_RELAXED);
    struct rlimit rl;

    if (m >= 0)
        return m;
    m = KEPT_MAX;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur / 4 < KEPT_MAX)
        m = (int)(rl.rlim_cur / 4);
    __atomic_store_n(&max, m, __ATOMIC_RELAXED);
    return m;
}

/*
 * Processes whose entry is dropped and whose task free_proc has yet to
 * end (the serve loop's sweep, or a request still holding the entry):
 * meanwhile their lx task is still there, and a look at /proc/<pid> (a
 * parent's waitid(WNOWAIT) on a killed child, then its look) takes them
 * for held. Their pidfds stay open until free_proc's keep.
 */
#define EXPECT_MAX 64
static struct {
    pid_t tgid;
    int pidfd;
} expected[EXPECT_MAX];
static int nexpected;

void kbox_zombie_expect(pid_t tgid, int pidfd)
{
    pthread_mutex_lock(&zlock);
    if (nexpected < EXPECT_MAX) {
        expected[nexpected].tgid = tgid;
        expected[nexpected++].pidfd = pidfd;
    }
    pthread_mutex_unlock(&zlock);
}

/* @tgid's keep is done (zlock held). */
static void expect_done_locked(pid_t tgid)
{
    for (int i = 0; i < nexpected; i++)
        if (expected[i].tgid == tgid) {
            expected[i] = expected[--nexpected];
            break;
        }
}

/* Has the host reaped the process of @pidfd? */
static bool reaped(int pidfd)
{
    return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 &&
           errno == ESRCH;
}

/* Take the reaped zombies (all of them: @all) out, into @out (zlock
 * held); their pidfds are closed. Returns how many. */
static int take_reaped_locked(struct lx_zombie **out, bool all)
{
    int n = 0;

    for (int i = 0; i < nz;) {
        if (!all && !reaped(zv[i].pidfd)) {
            i++;
            continue;
        }
        out[n++] = zv[i].z;
        close(zv[i].pidfd);
        zv[i] = zv[--nz];
    }
    return n;
}

static void reap(struct lx_zombie **v, int n)
{
    if (n > 0)
        lx_zombie_reap(v, n);
    free(v);
}

/* Reap in lx every zombie the host has reaped; how many are left. */
static int sweep(bool all)
{
    struct lx_zombie **v;
    int n, left;

    pthread_mutex_lock(&zlock);
    v = malloc(((size_t)nz + 1) * sizeof(*v));
    n = v ? take_reaped_locked(v, all) : 0;
    left = nz;
    next_look = 2 * nz > 16 ? 2 * nz : 16;
    pthread_mutex_unlock(&zlock);
    reap(v, n);
    return left;
}

int kbox_zombie_sweep(void)
{
    return sweep(false);
}

void kbox_zombie_release_all(void)
{
    sweep(true);
}

bool kbox_zombie_keep(pid_t tgid, int pidfd, struct lx_task *task)
{
    struct lx_zombie *z, *gone[CHECK_AT_EXIT];
    int fd = -1, ngone = 0;
    bool more;

    if (!task) {
        pthread_mutex_lock(&zlock);
        expect_done_locked(tgid);
        pthread_mutex_unlock(&zlock);
        return false;
    }
    /*
     * A pidfd of its own (a dup would keep the process's one in the exit
     * watch after its close), opened while @pidfd shows the process not
     * reaped, so that the number is still its. None if it is gone (kbox's
     * own end, a process found reaped): no zombie to show; none past
     * kept_max() either.
     */
    if ((pidfd < 0 || !reaped(pidfd)) &&
        __atomic_load_n(&nz, __ATOMIC_RELAXED) < kept_max())
        fd = (int)syscall(SYS_pidfd_open, tgid, 0); /* close-on-exec */
    if (fd >= 0 && (reaped(fd) || (pidfd >= 0 && reaped(pidfd)))) {
        close(fd);
        fd = -1;
    }
    /*
     * Those the host reaped since go in the same lx call, as Linux
     * releases a task within an exit: a batch reaped apart, on kbox's
     * root task, made the callers waiting for lx's CPU spin ~15% longer
     * in a fork+exec loop. Only while there are few to look at.
     */
    pthread_mutex_lock(&zlock);
    if (nz <= CHECK_AT_EXIT)
        ngone = take_reaped_locked(gone, false);
    pthread_mutex_unlock(&zlock);
    z = lx_task_exit_zombie(task, fd >= 0 ? (int)tgid : 0, gone, ngone);
    if (!z && fd >= 0) /* its task had another number: lx reaped it */
        close(fd);
    pthread_mutex_lock(&zlock);
    expect_done_locked(tgid);
    if (!z) {
        pthread_mutex_unlock(&zlock);
        return false;
    }
    if (nz == capz) {
        int cap = capz ? 2 * capz : 16;
        struct zombie *w = realloc(zv, (size_t)cap * sizeof(*w));

        if (w) {
            zv = w;
            capz = cap;
        }
    }
    if (nz < capz) {
        zv[nz++] = (struct zombie){ tgid, fd, z };
        z = NULL;
    }
    more = nz >= next_look;
    pthread_mutex_unlock(&zlock);
    if (z) { /* no room: not shown, but not kept for ever either */
        close(fd);
        lx_zombie_reap(&z, 1);
    }
    if (more)
        sweep(false);
    return true;
}

bool kbox_zombie_held(pid_t tgid)
{
    struct lx_zombie *gone[8];
    bool held = false;
    int n = 0;

    pthread_mutex_lock(&zlock);
    for (int i = 0; i < nexpected && !held; i++)
        if (expected[i].tgid == tgid)
            held = expected[i].pidfd >= 0
                       ? !reaped(expected[i].pidfd)
                       : kill(tgid, 0) == 0 || errno == EPERM;
    for (int i = 0; i < nz; i++) {
        if (zv[i].tgid != tgid)
            continue;
        if (!reaped(zv[i].pidfd)) {
            held = true;
            continue;
        }
        if (n < 8) {
            gone[n++] = zv[i].z;
            close(zv[i].pidfd);
            zv[i--] = zv[--nz];
        }
    }
    pthread_mutex_unlock(&zlock);
    if (n)
        lx_zombie_reap(gone, n);
    return held;
}
