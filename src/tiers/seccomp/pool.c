/* SPDX-License-Identifier: MIT */
/*
 * The seccomp tier's loop: the worker pool that receives and answers
 * notifications, with held exits (pool.c); the serve loop
 * (serve.c) around it; the tier's ops and the launch (notify.c).
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

/* ---- the loop ----
 *
 * Leader/follower pool. Exactly one worker (the leader) waits in
 * SECCOMP_IOCTL_NOTIF_RECV, handles what it received and replies, then
 * waits again: a request costs no thread hop (with SYNC_WAKE_UP the
 * guest's CPU wakes the worker). Only one waits because the listener's
 * wait queue is not exclusive: every notification wakes every waiter,
 * and each needless wake-up costs context switches (with a second waiter
 * a round trip took ~4.5 us instead of ~2; docs/supervisor.md).
 *
 * A request that blocks (an flock wait, a FIFO open in lx, a host call on
 * a bind) must not stall the others, so a sentinel thread ticks every
 * TICK_US while requests are in flight: when a whole tick passed with
 * requests being handled and nobody waiting in RECV, it makes another
 * worker the leader (a parked follower, or a new thread up to
 * MAX_WORKERS, below). When the old leader finishes and finds a leader in RECV,
 * it parks as a follower. The sentinel sleeps untimed once the pool has
 * been idle for IDLE_TICKS, and the next request wakes it.
 *
 * A request nobody has received yet is withdrawn by any signal to its
 * thread, and a handler without SA_RESTART then sees EINTR, also from
 * close() or fork(), which never return it natively (dash lost a pipe's
 * close to a SIGCHLD that way, and the pipeline hung). So on a slow
 * request (exec, fork, exit: 20-200 us each) the leader first makes
 * another worker the leader, as the sentinel would, and keeps the request
 * (its reply stays on the guest's CPU; handing the request itself to a
 * helper thread cost ~50 us per fork+exec in cross-CPU wake-ups). The
 * main cause, the SIGCHLD of an exit we answer, is handled by held exits.
 */

/*
 * Every guest call blocked in lx or on a bind holds a worker, so this
 * bounds how many may block at once: with 64, the 65th blocked call's
 * wake-up (the FIFO writer's open, the lock holder's unlock) was never
 * received and the guest hung (Go parks a thread per blocking call).
 * Workers are made one per tick only while all are busy; an idle one
 * costs a parked thread with a 1 MiB stack reservation.
 */
#define MAX_WORKERS  4096
#define TICK_US      1000
#define IDLE_TICKS   50
/*
 * While the only requests in flight are blocked ones that have not changed
 * (a leader waits in RECV, nothing new arrived, no held exit), the tick
 * doubles up to this: a guest blocked for minutes in an flock wait or a
 * FIFO open cost ~3.5% of a CPU at 1 ms ticks. A signal for such a call
 * is then seen within two slow ticks.
 */
#define SLOW_TICK_US 16000

static struct {
    pthread_mutex_t lock;
    pthread_cond_t idle_cond;     /* busy dropped to 0 (drain) */
    pthread_cond_t follower_cond; /* a follower may become the leader */
    pthread_cond_t sentinel_cond; /* the sentinel may start ticking */
    int workers, in_recv, busy, followers;
    int promote;            /* followers allowed to lead beside the leader */
    unsigned long recv_gen; /* bumped each time a worker enters RECV */
    unsigned long gen;      /* bumped by each kbox_seccomp_serve() */
    bool sentinel_asleep;
    bool sentinel_slow; /* ticking slower than TICK_US (see SLOW_TICK_US) */
    struct seccomp_notif_sizes sizes;
    struct sc_tier tier;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER,
           .idle_cond = PTHREAD_COND_INITIALIZER,
           .follower_cond = PTHREAD_COND_INITIALIZER,
           .sentinel_cond = PTHREAD_COND_INITIALIZER };

/*
 * Held exits. Our reply to exit_group ends the process, and its parent gets
 * SIGCHLD then; a request of the parent's not received yet is withdrawn by
 * it (EINTR, see the pool comment), and with the child runnable on the
 * parent's CPU its exit tends to run exactly when the parent blocks in its
 * next call. So while the parent is running or inside a supervised call,
 * the reply waits: the parent's next request, once received (its wait is
 * then killable only), lets the child go and waits for it to be gone, so
 * the SIGCHLD is pending when that call returns. A parent blocked in a
 * host call (wait4, read on a pipe: EINTR there is native) lets it go at
 * once; the sentinel re-checks every tick. A parent inside a request a
 * worker has taken (blocked in lx: a FIFO read) lets it go after
 * HOLD_MAX_US, so that the signal ends that call as natively. A parent
 * running keeps it held until its next request is received, or
 * HOLD_LONG_MAX_US in which it ran half the time: let go at 5 ms like
 * the others, the child's exit (late on a loaded machine: other builds
 * beside CI) still landed in the parent's next call now and then
 * (53-guest-sigchld-eintr failed in CI). A parent waiting for its
 * request to be received, or only for a CPU, keeps it until then: at
 * load ~15 either took over HOLD_LONG_MAX_US, and the exit let go then
 * withdrew the request (EINTR); HOLD_CAP_US bounds that. The 5 ms rule
 * takes a parent in seccomp only: one found running may still have a
 * request in flight (its ADDFD reply sent, the slot not yet cleared).
 *
 * An exit let go without waiting (by the sweep, or a wait that timed
 * out) is "settling" until the child is gone: the parent's next reply,
 * and its next request once received, wait for that first (bounded). A
 * child with much memory to free takes milliseconds to go after our
 * reply, and its SIGCHLD came after the reply to the parent's slow call
 * that had let it go, into the parent's next, unreceived request
 * (tests/guest/sigchld-slow-call: EINTR from stat, open, close).
 * (A parent reading the child's output pipe sleeps in a host call: the
 * child goes at once; holding it would stall every $(...) for a tick.)
 * "The parent" is the threads its SIGCHLD may go to (sigchld.c): its
 * main thread, or the others when that one blocks SIGCHLD.
 */
#define HOLD_MAX_US      5000
#define HOLD_LONG_MAX_US 100000
#define HOLD_CAP_US      1000000

struct held_exit {
    struct held_exit *next;
    __u64 id;
    pid_t child, parent; /* tgids */
    int pidfd;           /* the child's, or -1 */
    long long cpu0;      /* parent's CPU ns at the 1st sweep (0 not yet) */
    bool others;         /* its SIGCHLD goes to threads other than the main one
                            (sigchld.c): their requests let it go */
    struct timespec since;
};

static struct held_exit *held_exits; /* under pool.lock */

/*
 * Has the parent of @h, found running, run for long since the hold? One
 * that computes without a supervised call gets its SIGCHLD after
 * HOLD_LONG_MAX_US; one that only waits for a CPU (load ~15: seen for
 * over 100 ms) is about to make its next call, where the SIGCHLD would
 * withdraw it, so it keeps the hold (HOLD_CAP_US at most).
 */
static bool parent_ran(struct held_exit *h)
{
    long long cpu = kbox_sc_parent_cpu_ns(h->parent);

    if (cpu < 0 || h->cpu0 < 0)
        return true;
    return cpu - h->cpu0 >= HOLD_LONG_MAX_US * 1000LL / 2;
}

static void send_continue(__u64 id)
{
    struct seccomp_notif_resp *resp = calloc(1, pool.sizes.seccomp_notif_resp);

    if (!resp)
        return;
    resp->id = id;
    resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(pool.tier.listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    free(resp);
}

/* Let held exit @h go and, for its parent's request, wait (bounded) until
 * its process is gone: the SIGCHLD is then pending when that returns. */
static void release_exit(struct held_exit *h, bool wait)
{
    send_continue(h->id);
    if (h->pidfd >= 0) {
        if (wait)
            kbox_sc_child_gone(h->pidfd, KBOX_SC_RELEASE_WAIT_MS);
        close(h->pidfd);
    }
    free(h);
}

/* Unlink the held exits that a received request of thread @tid lets go
 * (all with @tid 0, or the expired and no longer exposed ones with
 * @sweep); pool.lock held. */
static struct held_exit *take_held(pid_t tid, bool sweep)
{
    struct held_exit *out = NULL, **pp = &held_exits;
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    while (*pp) {
        struct held_exit *h = *pp;
        long us = (now.tv_sec - h->since.tv_sec) * 1000000L +
                  (now.tv_nsec - h->since.tv_nsec) / 1000;
        bool go = !tid || (tid == h->parent
                               ? !h->others
                               : h->others && kbox_sc_releases(tid, h->parent));

        if (sweep) {
            bool in_flight = false;
            enum kbox_sc_at at =
                us > HOLD_CAP_US
                    ? KBOX_SC_SAFE
                    : kbox_sc_parent_at(h->parent, &in_flight, &h->others);

            go = at == KBOX_SC_SAFE ||
                 (at == KBOX_SC_RUNNING && us > HOLD_LONG_MAX_US &&
                  parent_ran(h)) ||
                 (at == KBOX_SC_IN_CALL && us > HOLD_MAX_US && in_flight);
            if (!go && !h->cpu0)
                h->cpu0 = kbox_sc_parent_cpu_ns(h->parent);
        }

        if (go) {
            *pp = h->next;
            h->next = out;
            out = h;
            /* before its reply is sent: no reply to the parent misses it */
            kbox_sc_settling_add(h->parent, h->pidfd, h->others);
        } else {
            pp = &h->next;
        }
    }
    return out;
}

static void release_list(struct held_exit *h, bool wait)
{
    while (h) {
        struct held_exit *next = h->next;

        release_exit(h, wait);
        h = next;
    }
}

/*
 * exit_group answered CONTINUE: hold it (true) or let the caller reply.
 * @known: kbox_proc_parent's answer for the caller, asked before the
 * dispatch (which forgets the exiting process).
 */
static bool hold_exit(const struct seccomp_notif *req, int known, pid_t child,
                      pid_t parent)
{
    struct held_exit *h;
    bool others;

    if (known || parent <= 1 || !kbox_proc_known(parent) ||
        kbox_sc_parent_at(parent, NULL, &others) == KBOX_SC_SAFE)
        return false;
    h = calloc(1, sizeof(*h));
    if (!h)
        return false;
    h->others = others;
    h->id = req->id;
    h->child = child;
    h->parent = parent;
    h->pidfd = (int)syscall(SYS_pidfd_open, child, 0);
    clock_gettime(CLOCK_MONOTONIC, &h->since);
    pthread_mutex_lock(&pool.lock);
    h->next = held_exits;
    held_exits = h;
    if (pool.sentinel_asleep || pool.sentinel_slow) {
        /* its sweep releases the exit: tick at full rate again */
        pool.sentinel_asleep = false;
        pthread_cond_signal(&pool.sentinel_cond);
    }
    pthread_mutex_unlock(&pool.lock);
    return true;
}

static void req_init(struct kbox_req *kr, const struct seccomp_notif *req)
{
    memset(kr, 0, sizeof(*kr));
    kr->nr = req->data.nr;
    memcpy(kr->args, req->data.args, sizeof(kr->args));
    kr->pid = (pid_t)req->pid;
    kr->ip = req->data.instruction_pointer;
    kr->id = req->id;
    kr->ops = &kbox_sc_ops;
    kr->tier = &pool.tier;
}

static void handle(struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
    struct kbox_req kr;
    struct kbox_resp kres;
    pid_t child = 0, parent = 0;
    int known = -1;
    uint64_t a[6];
    unsigned long freed;

    memcpy(a, req->data.args, sizeof(a));
    req_init(&kr, req);
    if (req->data.nr == SYS_exit_group)
        known = kbox_proc_parent(kr.pid, &child, &parent);
    /* What a killed, reaped process held is free for this call (the loop
     * still looks for the groups its exit orphaned: kicked). */
    if (kbox_exits_matter(req->data.nr, a) && kbox_exits_settle(&kr))
        kbox_serve_kick();
    freed = kbox_exits_freed();
    kres = kbox_dispatch(&kr);
    /* ... also if the loop let one go while the take ran */
    if (kres.kind == KBOX_RESP_RET &&
        kbox_exits_retry(req->data.nr, a, kres.val) &&
        (kbox_exits_settle(&kr) || kbox_exits_freed() != freed)) {
        kbox_serve_kick();
        req_init(&kr, req); /* a failed take changed nothing: again */
        kres = kbox_dispatch(&kr);
    }
    if (kbox_exits_kick_due())
        kbox_serve_kick(); /* a FIFO open let the dead go (reaped.c) */
    if (req->data.nr == SYS_clone || req->data.nr == SYS_clone3 ||
        req->data.nr == SYS_fork || req->data.nr == SYS_vfork)
        kbox_serve_sweep_soon(); /* its preparation waits for the child */
    if (kres.kind == KBOX_RESP_SENT)
        return;
    if (req->data.nr == SYS_exit_group && kres.kind == KBOX_RESP_CONTINUE &&
        hold_exit(req, known, child, parent))
        return;

    kbox_sc_settle((pid_t)req->pid);
    memset(resp, 0, pool.sizes.seccomp_notif_resp);
    resp->id = req->id;
    if (kres.kind == KBOX_RESP_CONTINUE)
        resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    else if (kres.val < 0)
        resp->error = (__s32)kres.val;
    else
        resp->val = kres.val;
    if (ioctl(pool.tier.listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 &&
        errno != ENOENT && kbox_sup.verbose)
        fprintf(stderr, "kbox: notification reply failed: %s\n",
                strerror(errno));
}

static void *worker(void *arg);

static bool spawn_thread(void *(*fn)(void *))
{
    pthread_t t;
    pthread_attr_t a;
    bool ok;

    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 1 << 20);
    errno = pthread_create(&t, &a, fn, NULL);
    ok = errno == 0;
    pthread_attr_destroy(&a);
    return ok;
}

/*
 * pool.lock held. A worker that cannot be made leaves the requests that
 * need one waiting until a busy worker is free: when every worker is
 * blocked for the guest (threads reading FIFOs of the image), the guest
 * waits for good. Under a memory limit (ulimit -v or -d: each worker's
 * stack is 1 MiB of it) that happened with ~110 blocked calls and not a
 * word said, so it is said once.
 */
static void spawn_worker(void)
{
    static bool said;
    int e = EAGAIN;

    if (pool.workers < MAX_WORKERS) {
        if (spawn_thread(worker)) {
            pool.workers++;
            return;
        }
        e = errno ? errno : EAGAIN;
    }
    if (!said) {
        said = true;
        fprintf(stderr,
                "kbox: cannot start another worker thread (%d, all busy): "
                "%s; guest calls wait for one to be free%s\n",
                pool.workers, strerror(e),
                kbox_sup.guest_mem_lim_set[0] || kbox_sup.guest_mem_lim_set[1]
                    ? " (a larger ulimit -v/-d gives room)"
                    : "");
    }
}

static bool slow_request(int nr)
{
    switch (nr) {
    case SYS_execve:
    case SYS_execveat:
    case SYS_clone:
    case SYS_clone3:
    case SYS_fork:
    case SYS_vfork:
    case SYS_exit_group:
        return true;
    default:
        return false;
    }
}

/* Let another worker receive: wake a follower, or start one; pool.lock
 * held. */
static void promote_leader(void)
{
    if (pool.followers > 0) {
        pool.promote++;
        pthread_cond_signal(&pool.follower_cond);
    } else {
        spawn_worker();
    }
}

/*
 * A handler about to wait for another guest (a contended F_SETLKW or
 * flock): make another worker the leader now. Left to the sentinel, the
 * lock holder's next call (its write, its unlock) waited up to a tick
 * (1 ms, 16 ms when slow) unreceived, every hand-over of a contended lock.
 */
void kbox_sc_will_block(struct kbox_req *r)
{
    (void)r;
    pthread_mutex_lock(&pool.lock);
    if (pool.in_recv == 0 && pool.promote == 0) {
        promote_leader();
    }
    pthread_mutex_unlock(&pool.lock);
}

/* The guest side is gone (every filtered task exited). */
static bool listener_hung_up(int listener)
{
    struct pollfd pf = { listener, POLLIN, 0 };

    return poll(&pf, 1, 0) < 0 || (pf.revents & (POLLHUP | POLLNVAL));
}

static void *worker(void *arg)
{
    struct seccomp_notif *req = calloc(1, pool.sizes.seccomp_notif);
    struct seccomp_notif_resp *resp = calloc(1, pool.sizes.seccomp_notif_resp);
    unsigned long gen;
    int listener;

    (void)arg;
    pthread_mutex_lock(&pool.lock);
    gen = pool.gen;
    listener = pool.tier.listener;
    if (!req || !resp)
        goto out;
    for (;;) {
        int rc, e;

        /* Park while another worker leads, unless the sentinel asked
         * for one more leader. */
        while (pool.gen == gen && pool.in_recv > 0 && pool.promote == 0) {
            pool.followers++;
            pthread_cond_wait(&pool.follower_cond, &pool.lock);
            pool.followers--;
        }
        if (pool.gen != gen)
            break; /* an earlier serve's worker */
        if (pool.promote > 0)
            pool.promote--;
        pool.in_recv++;
        pool.recv_gen++;
        pthread_mutex_unlock(&pool.lock);

        memset(req, 0, pool.sizes.seccomp_notif);
        rc = ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req);
        e = errno;

        pthread_mutex_lock(&pool.lock);
        if (pool.gen != gen) {
            /*
             * An earlier serve's worker (unit tests serve several
             * guests). If that serve's listener was closed before this
             * RECV began, the number may be the next serve's listener
             * and the request a new guest's: answer it, or that guest
             * waits for ever.
             */
            if (rc >= 0) {
                pthread_mutex_unlock(&pool.lock);
                handle(req, resp);
                pthread_mutex_lock(&pool.lock);
            }
            break;
        }
        pool.in_recv--;
        if (rc < 0) {
            /* ENOENT: the request went away, or (with POLLHUP) every
             * guest task is gone and RECV would return at once forever. */
            if (e == EINTR || (e == ENOENT && !listener_hung_up(listener)))
                continue;
            break;
        }
        pool.busy++;
        if (pool.sentinel_asleep) {
            pool.sentinel_asleep = false;
            pthread_cond_signal(&pool.sentinel_cond);
        }
        if (held_exits) {
            /* Its sender now waits killably: its children may go. */
            struct held_exit *go = take_held((pid_t)req->pid, false);

            if (go) {
                pthread_mutex_unlock(&pool.lock);
                release_list(go, true);
                pthread_mutex_lock(&pool.lock);
            }
        }
        if (kbox_sc_settling_any()) {
            pthread_mutex_unlock(&pool.lock);
            kbox_sc_settle((pid_t)req->pid);
            pthread_mutex_lock(&pool.lock);
        }
        if (slow_request(req->data.nr)) {
            /* Someone else receives while this one is slow. */
            promote_leader();
        }
        pthread_mutex_unlock(&pool.lock);

        handle(req, resp);

        pthread_mutex_lock(&pool.lock);
        if (pool.gen != gen)
            break;
        if (--pool.busy == 0)
            pthread_cond_broadcast(&pool.idle_cond);
    }
    /* Done: let the followers see why too. */
    pthread_cond_broadcast(&pool.follower_cond);
out:
    if (pool.gen == gen)
        pool.workers--;
    pthread_mutex_unlock(&pool.lock);
    free(req);
    free(resp);
    return NULL;
}

/* The sentinel: see the comment above the pool. */
static void *sentinel(void *arg)
{
    unsigned long seen = 0;
    int idle = 0;
    long tick_us = TICK_US;

    (void)arg;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        struct timespec ts;

        if (pool.sentinel_asleep) {
            pthread_cond_wait(&pool.sentinel_cond, &pool.lock);
            seen = pool.recv_gen;
            idle = 0;
            tick_us = TICK_US;
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += tick_us * 1000L;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&pool.sentinel_cond, &pool.lock, &ts);
        if (held_exits) {
            struct held_exit *go = take_held(0, true);

            if (go) {
                pthread_mutex_unlock(&pool.lock);
                release_list(go, false);
                pthread_mutex_lock(&pool.lock);
            }
        }
        if (kbox_sc_settling_any()) {
            pthread_mutex_unlock(&pool.lock);
            kbox_sc_settling_prune(HOLD_CAP_US);
            pthread_mutex_lock(&pool.lock);
        }

        if (pool.busy > 0) {
            /* Calls blocked in lx that a signal would end natively. */
            pthread_mutex_unlock(&pool.lock);
            kbox_inflight_scan();
            pthread_mutex_lock(&pool.lock);
        }
        if (pool.busy > 0 && pool.in_recv == 0 && pool.promote == 0 &&
            pool.recv_gen == seen) {
            /* Requests in flight for a whole tick and nobody receiving:
             * one of them blocks. Let another worker lead. */
            promote_leader();
        }
        idle = pool.busy > 0 || held_exits || kbox_sc_settling_any() ||
                       pool.recv_gen != seen
                   ? 0
                   : idle + 1;
        if (pool.busy > 0 && pool.in_recv > 0 && !held_exits &&
            pool.recv_gen == seen)
            tick_us = tick_us * 2 > SLOW_TICK_US ? SLOW_TICK_US : tick_us * 2;
        else
            tick_us = TICK_US;
        pool.sentinel_slow = tick_us > TICK_US;
        seen = pool.recv_gen;
        if (idle >= IDLE_TICKS)
            pool.sentinel_asleep = true;
    }
    return NULL;
}

static pthread_once_t sentinel_once = PTHREAD_ONCE_INIT;

static void start_sentinel(void)
{
    pthread_condattr_t ca;

    /* The ticks must not jump with the wall clock. */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&pool.sentinel_cond, &ca);
    pthread_condattr_destroy(&ca);
    if (!spawn_thread(sentinel) && kbox_sup.verbose)
        fprintf(stderr, "kbox: no sentinel thread: a blocking request "
                        "will stall the others\n");
}

/* Wait (bounded) until no request is in flight; true when drained. */
static bool drain(int ms)
{
    struct timespec ts;
    bool ok;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&pool.lock);
    while (pool.busy)
        if (pthread_cond_timedwait(&pool.idle_cond, &pool.lock, &ts))
            break;
    ok = !pool.busy;
    pthread_mutex_unlock(&pool.lock);
    return ok;
}

bool kbox_sc_pool_start(int listener)
{
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &pool.sizes) < 0) {
        pool.sizes.seccomp_notif = sizeof(struct seccomp_notif);
        pool.sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);
    }
    if (pool.sizes.seccomp_notif < sizeof(struct seccomp_notif))
        pool.sizes.seccomp_notif = sizeof(struct seccomp_notif);
    if (pool.sizes.seccomp_notif_resp < sizeof(struct seccomp_notif_resp))
        pool.sizes.seccomp_notif_resp = sizeof(struct seccomp_notif_resp);

    kbox_serve_wakes_init();
    pthread_once(&sentinel_once, start_sentinel);
    pthread_mutex_lock(&pool.lock);
    pool.tier.listener = listener;
    /* A fresh pool for this listener; an earlier serve's workers (unit
     * tests serve several guests) see the new generation and leave. */
    pool.gen++;
    pool.workers = pool.in_recv = pool.busy = pool.promote = 0;
    pthread_cond_broadcast(&pool.follower_cond);
    spawn_worker();
    if (!pool.workers) {
        pthread_mutex_unlock(&pool.lock);
        return false;
    }
    pthread_mutex_unlock(&pool.lock);
    return true;
}

void kbox_sc_pool_end(void)
{
    {
        struct held_exit *go;

        pthread_mutex_lock(&pool.lock);
        go = take_held(0, false);
        pthread_mutex_unlock(&pool.lock);
        release_list(go, true);
        kbox_sc_settling_prune(-1);
    }
    /* Requests still blocked in the kernel get -ESHUTDOWN at halt. */
    if (!drain(2000) && kbox_sup.verbose)
        fprintf(stderr, "kbox: requests still in flight at exit\n");
}
