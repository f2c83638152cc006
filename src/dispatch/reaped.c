/* SPDX-License-Identifier: MIT */
/*
 * What a killed process held is free once its parent has reaped it.
 *
 * Linux closes a dying process's files (its flocks, fcntl locks, mq_notify
 * registration), applies its semaphore undos and ends its blocked msgrcv
 * or mq_receive before the parent can wait for it, so `kill -9 $p; wait
 * $p` and then a non-blocking take succeeds, and a message sent then
 * stays queued. Here the process's lx task holds them until kbox lets the
 * task go, which the serve loop does when the process's pidfd fires in
 * the exit watch: the parent's next call raced that and found the lock
 * held in about half the tries (tests/guest/wait-released). A pidfd is
 * readable before the parent's wait can return, so a take that failed
 * looks at the exit watch (one poll), sweeps and runs again (also when
 * the loop let a process go while it ran: kbox_exits_freed); a call that
 * would not fail (F_GETLK, a send) looks before it runs. The
 * loop is told (kbox_exits_settled_take) so that it still looks for the
 * process groups the exit orphaned: the sweep closes the pidfd, and with
 * it the event the loop would have seen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#endif

static int settled, taking;

/* Killed processes found whose entries are not freed yet: another
 * thread's sweep may have found the process first, or a call of its
 * still holds the entry (a msgrcv it was blocked in). */
static int releasing;
static unsigned long ends, stuck_at = ~0UL; /* frees; ends at a timeout */
static pthread_mutex_t released_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released_cond = PTHREAD_COND_INITIALIZER;

struct kbox_proc *kbox_release_begin(struct kbox_proc *p)
{
    if (!p->reaped_wait) {
        p->reaped_wait = true;
        __atomic_add_fetch(&releasing, 1, __ATOMIC_SEQ_CST);
    }
    return p;
}

void kbox_release_end(struct kbox_proc *p)
{
    if (!p->reaped_wait)
        return;
    pthread_mutex_lock(&released_lock);
    __atomic_add_fetch(&ends, 1, __ATOMIC_SEQ_CST);
    if (__atomic_sub_fetch(&releasing, 1, __ATOMIC_SEQ_CST) == 0)
        pthread_cond_broadcast(&released_cond);
    pthread_mutex_unlock(&released_lock);
}

/* An open that a FIFO's dead reader would let succeed (rare: most
 * write-only opens block or are of regular files, and this is one poll). */
static bool nonblock_writer(uint64_t flags)
{
    return (flags & O_NONBLOCK) && (flags & O_ACCMODE) == O_WRONLY;
}

/* Calls whose result shows a dead holder without failing: looked at
 * before they run (rare, or a send a dead receiver would take). */
bool kbox_exits_matter(long nr, const uint64_t *args)
{
    switch (nr) {
    case SYS_semctl:       /* GETVAL, GETNCNT of an undone semaphore */
    case SYS_msgsnd:       /* a dead msgrcv must not take it */
    case SYS_mq_timedsend: /* nor a dead mq_receive */
        return true;
    case SYS_fcntl:
        return (int)args[1] == F_GETLK || (int)args[1] == F_OFD_GETLK;
    /* a FIFO whose only reader was a dead process: ENXIO, not opened */
    case SYS_open:
        return nonblock_writer(args[1]);
    case SYS_openat:
        return nonblock_writer(args[2]);
    }
    return false;
}

/* Takes that fail while a dead process holds the thing: tried again
 * once the dead are swept, so the common success costs nothing. A
 * blocking take just waits for the loop's sweep. */
bool kbox_exits_retry(long nr, const uint64_t *args, long ret)
{
    switch (nr) {
    case SYS_flock:
        return ret == -EWOULDBLOCK;
    case SYS_semop:
        return ret == -EAGAIN; /* IPC_NOWAIT */
    case SYS_semtimedop:       /* without a timeout, whose end is EAGAIN too */
        return ret == -EAGAIN && !args[3];
    case SYS_mq_notify:
        return ret == -EBUSY;
    case SYS_fcntl:
        switch ((int)args[1]) {
        case F_SETLK:
        case F_OFD_SETLK:
            return ret == -EAGAIN || ret == -EACCES;
        case F_SETLEASE:
            return ret == -EAGAIN;
        }
    }
    return false;
}

/* The loop's look at the exit watch: take its events and sweep; true
 * when a later sweep is due. */
bool kbox_exits_take(void)
{
    struct epoll_event ev[64];
    struct pollfd pf = { kbox_proc_exit_watch(), POLLIN, 0 };
    bool due = false;

    __atomic_add_fetch(&taking, 1, __ATOMIC_SEQ_CST);
    if (pf.fd >= 0 && poll(&pf, 1, 0) == 1) {
        kbox_inflight_exits(); /* before the exit watch is emptied */
        while (epoll_wait(pf.fd, ev, 64, 0) == 64)
            ; /* each fires once: taken */
        due = kbox_proc_sweep();
    }
    __atomic_sub_fetch(&taking, 1, __ATOMIC_SEQ_CST);
    return due;
}

/* @ms from now on CLOCK_REALTIME, pthread_cond_timedwait's clock. */
static struct timespec in_ms(long ms)
{
    struct timespec t;

    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

bool kbox_exits_settle(struct kbox_req *r)
{
    struct pollfd pf = { kbox_proc_exit_watch(), POLLIN, 0 };
    unsigned long e = 0;

    /*
     * Fired; or the loop took the events and may not have swept yet; or
     * a killed process found is not let go yet, unless a wait for it
     * timed out and none has gone since. In this order: the loop marks
     * taking before it empties the watch, and counts what its sweep
     * finds (kbox_release_begin) before it unmarks.
     */
    if (pf.fd < 0 ||
        (poll(&pf, 1, 0) != 1 && !__atomic_load_n(&taking, __ATOMIC_SEQ_CST) &&
         (!__atomic_load_n(&releasing, __ATOMIC_SEQ_CST) ||
          __atomic_load_n(&ends, __ATOMIC_SEQ_CST) ==
              __atomic_load_n(&stuck_at, __ATOMIC_RELAXED))))
        return false;
    kbox_inflight_exits(); /* as the loop does before it sweeps */
    kbox_proc_sweep();
    /* A wait to come: another worker receives the other guests' calls
     * meanwhile (this one stayed the leader until the sentinel's tick). */
    if (r && r->ops && r->ops->will_block &&
        __atomic_load_n(&releasing, __ATOMIC_SEQ_CST) > 0)
        r->ops->will_block(r);
    /*
     * Their calls still in flight end (a blocked one holds its entry),
     * again each ms (lx drops an interrupt that comes between two calls),
     * then the entries go. At most 2 s, for a wait nothing ends.
     */
    for (int ms = 0; ms < 2000; ms++) {
        struct timespec t = in_ms(1);

        kbox_inflight_end_killed();
        pthread_mutex_lock(&released_lock);
        if (__atomic_load_n(&releasing, __ATOMIC_SEQ_CST) > 0)
            pthread_cond_timedwait(&released_cond, &released_lock, &t);
        e = __atomic_load_n(&releasing, __ATOMIC_SEQ_CST);
        pthread_mutex_unlock(&released_lock);
        if (!e)
            break;
    }
    if (e)
        __atomic_store_n(&stuck_at, __atomic_load_n(&ends, __ATOMIC_SEQ_CST),
                         __ATOMIC_RELAXED);
    __atomic_store_n(&settled, 1, __ATOMIC_RELEASE);
    return true;
}

unsigned long kbox_exits_freed(void)
{
    return __atomic_load_n(&ends, __ATOMIC_SEQ_CST);
}

bool kbox_exits_settled_take(void)
{
    return __atomic_load_n(&settled, __ATOMIC_RELAXED) &&
           __atomic_exchange_n(&settled, 0, __ATOMIC_ACQ_REL);
}

/* A FIFO open let the dead go and kept its end: the loop is kicked
 * (kbox_exits_kick_due) as after any settle. */
static __thread bool kick_due;

bool kbox_exits_kick_due(void)
{
    bool due = kick_due;

    kick_due = false;
    return due;
}

/*
 * Once the dead are let go: has the FIFO end @lxfd (@mode) no peer
 * left, so that a blocking open would still be waiting? A write end
 * polls POLLERR without readers. A read end's POLLHUP only tells of a
 * writer that came after it, so a one-byte tee into a scratch pipe asks:
 * 0 when nothing is buffered and no writer is left.
 */
static bool peerless(struct kbox_req *r, int lxfd, int mode)
{
    struct pollfd pf = { lxfd, POLLOUT, 0 };
    struct timespec zero = { 0, 0 };
    int p[2];
    long rc;

    if (mode == O_WRONLY)
        return kbox_lx(r, LX__NR_ppoll, (long)&pf, 1, (long)&zero, 0, 0, 0) ==
                   1 &&
               (pf.revents & POLLERR);
    if (kbox_lx(r, LX__NR_pipe2, (long)p, O_CLOEXEC, 0, 0, 0, 0))
        return false;
    rc = kbox_lx(r, LX__NR_tee, lxfd, p[1], 1, SPLICE_F_NONBLOCK, 0, 0);
    kbox_lx(r, LX__NR_close, p[0], 0, 0, 0, 0, 0);
    kbox_lx(r, LX__NR_close, p[1], 0, 0, 0, 0, 0);
    return rc == 0;
}

/*
 * A blocking open of a FIFO's one end pairs at once with a dead
 * process's other end that lx still holds (EPIPE at the first write, EOF
 * at the first read; natively it waits for a new peer), and a
 * non-blocking reader sees that writer (EAGAIN, not EOF). Looked at once
 * the open found a FIFO, so other opens pay nothing; and only when
 * processes died is anything done. The dead are let go; a blocking open
 * left without a peer then waits for one as Linux would: a second open
 * of the same FIFO (lx's /proc/self/fd link) blocks until a peer comes,
 * then the first end goes. Closing it and opening again would be seen: a
 * peer that came meanwhile paired with the closed end (EOF, EPIPE).
 * Returns the lx fd to install, or -errno (the open interrupted).
 */
int kbox_exits_fifo(struct kbox_req *r, int lxfd, int oflags)
{
    char path[64];
    long fd;

    if (kbox_exits_settle(r))
        kick_due = true;
    else if (kbox_exits_freed() == r->exits_freed)
        return lxfd; /* nobody died: the common case, one poll */
    if ((oflags & O_NONBLOCK) || !peerless(r, lxfd, oflags & O_ACCMODE))
        return lxfd;
    snprintf(path, sizeof(path), "/proc/self/fd/%d", lxfd);
    fd = kbox_lx(r, LX__NR_openat, AT_FDCWD, (long)path,
                 oflags & ~(O_CREAT | O_EXCL | O_TRUNC | O_NOFOLLOW), 0, 0, 0);
    if (fd == -ENOENT) /* no /proc in the guest: as before */
        return lxfd;
    kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
    return (int)fd;
}
