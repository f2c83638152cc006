/* SPDX-License-Identifier: MIT */
/*
 * Settling exits. pool.c holds a child's exit_group reply while its
 * parent could lose a request to the SIGCHLD (a request not yet received
 * is withdrawn by any signal: EINTR from stat or close). Some exits are
 * let go without a wait for the child to be gone: by the sentinel (the
 * parent sleeps in a host call, or has been in a request a worker took
 * for 5 ms, or has run long), or when that wait timed out. A child with
 * much memory to free takes milliseconds after our reply, and its
 * SIGCHLD came after the reply to the parent's current call, into its
 * next request before any worker had it (tests/guest/sigchld-slow-call).
 * So such an exit is settling until the child is gone: each reply to the
 * parent, and its next request once received, waits for that first,
 * KBOX_SC_RELEASE_WAIT_MS in all.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "settle.h"

struct settling {
    struct settling *next;
    pid_t parent;
    bool others;
    int pidfd; /* the child's */
    struct timespec since;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct settling *list; /* under lock */
static int n_others;          /* entries whose SIGCHLD goes to another
                                 thread than the main one (atomic) */

bool kbox_sc_child_gone(int pidfd, int ms)
{
    struct pollfd pf = { pidfd, POLLIN, 0 };

    return poll(&pf, 1, ms) != 0;
}

void kbox_sc_settling_add(pid_t parent, int pidfd, bool others)
{
    struct settling *s;

    if (pidfd < 0 || !(s = calloc(1, sizeof(*s))))
        return;
    s->pidfd = fcntl(pidfd, F_DUPFD_CLOEXEC, 0);
    if (s->pidfd < 0) {
        free(s);
        return;
    }
    s->parent = parent;
    s->others = others;
    if (others)
        __atomic_add_fetch(&n_others, 1, __ATOMIC_RELAXED);
    clock_gettime(CLOCK_MONOTONIC, &s->since);
    pthread_mutex_lock(&lock);
    s->next = list;
    __atomic_store_n(&list, s, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&lock);
}

bool kbox_sc_settling_any(void)
{
    return __atomic_load_n(&list, __ATOMIC_ACQUIRE) != NULL;
}

/* Unlink the entries @go picks. */
static struct settling *take(bool (*go)(struct settling *, const void *),
                             const void *arg)
{
    struct settling *out = NULL, **pp;

    pthread_mutex_lock(&lock);
    pp = &list;
    while (*pp) {
        struct settling *s = *pp;

        if (go(s, arg)) {
            *pp = s->next;
            s->next = out;
            out = s;
        } else {
            pp = &s->next;
        }
    }
    pthread_mutex_unlock(&lock);
    return out;
}

/* Wait until each child of @s is gone (KBOX_SC_RELEASE_WAIT_MS in all,
 * or not at all), and free the list. */
static void finish(struct settling *s, bool wait)
{
    struct timespec t0, t;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (s) {
        struct settling *next = s->next;
        long ms;

        clock_gettime(CLOCK_MONOTONIC, &t);
        ms = KBOX_SC_RELEASE_WAIT_MS - ((t.tv_sec - t0.tv_sec) * 1000L +
                                        (t.tv_nsec - t0.tv_nsec) / 1000000);
        if (wait && ms > 0)
            kbox_sc_child_gone(s->pidfd, (int)ms);
        if (s->others)
            __atomic_sub_fetch(&n_others, 1, __ATOMIC_RELAXED);
        close(s->pidfd);
        free(s);
        s = next;
    }
}

/* @arg: a thread id and its process's */
static bool of_parent(struct settling *s, const void *arg)
{
    const pid_t *ids = arg;

    return s->parent == ids[0] || s->parent == ids[1];
}

void kbox_sc_settle(pid_t pid)
{
    pid_t ids[2] = { pid, 0 };

    if (!kbox_sc_settling_any())
        return;
    /* when a SIGCHLD goes to other threads (sigchld.c), any thread of
     * that parent waits: waiting is only a delay */
    if (__atomic_load_n(&n_others, __ATOMIC_RELAXED))
        ids[1] = kbox_sc_tgid_of(pid);
    finish(take(of_parent, ids), true);
}

static bool done(struct settling *s, const void *arg)
{
    long max_us = *(const long *)arg;
    struct timespec now;

    if (max_us < 0)
        return true;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - s->since.tv_sec) * 1000000L +
                   (now.tv_nsec - s->since.tv_nsec) / 1000 >
               max_us ||
           kbox_sc_child_gone(s->pidfd, 0);
}

void kbox_sc_settling_prune(long max_us)
{
    if (kbox_sc_settling_any())
        finish(take(done, &max_us), false);
}
