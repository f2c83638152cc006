/* SPDX-License-Identifier: MIT */
/*
 * Files the guest polls, and inotify.
 *
 * A guest's poll, select and epoll run on the host, on the host fds the
 * guest holds. For an lx file that host fd is normally the shared
 * placeholder (/dev/null: always ready), which is right for regular files
 * and directories but wrong for files whose readiness changes: inotify
 * instances and FIFO read ends. Those get a readiness mirror instead: a
 * host pipe whose read end stands at the guest's number and which lx
 * keeps readable exactly while the lx file is (lx_task_mirror; the
 * wake-up side runs inside lx in the context of the task that made the
 * file readable, so the pipe is readable before that syscall returns).
 * Reads still go to lx through the fd map (exact inotify records, FIFO
 * data); after each one kbox asks lx to re-check, since readiness going
 * away is not signalled. dup and F_DUPFD hand out the same pipe; fork
 * copies it with the host table.
 *
 * inotify instances and watches live in lx, so events come from the
 * kernel that serves the guest's file operations. A watch on a host path
 * (a bind, a host /dev node or /proc entry) goes to a host inotify
 * instance that kbox pairs with the lx one: its wds are offset by
 * HOST_WD_BASE and reads merge its events after lx's. The guest's fds of
 * an instance are an epoll set of the mirror and the host instance, so
 * its poll sees both at once, each event once. Only when that set could
 * not be made does a relay thread feed the host's readiness into the
 * mirror (its "ext" readiness), a little later.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/fdtable.h"
#include "kbox/path.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/* Mirrors lx may still hold (a hint: garbage collection is skipped at 0). */
static int mirrors_live;

/* Guest wds of watches on host paths: far above any wd lx hands out. */
#define HOST_WD_BASE (1 << 30)

/* The bits inotify_add_watch takes (Linux's include/linux/inotify.h). */
#define ALL_INOTIFY_BITS                                                    \
    (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | \
     IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD | IN_MASK_CREATE |       \
     IN_ISDIR | IN_ONESHOT)

/* The host inotify instance paired with an lx one. */
struct hwatch {
    struct hwatch *next;
    int rfd;              /* the lx instance's mirror (its read end) */
    int hfd;              /* host inotify instance, non-blocking */
    int refs;             /* under hw_lock */
    bool dead;            /* its lx instance is gone */
    bool fronted;         /* in the guest's epoll set: no relay */
    pthread_mutex_t sync; /* one readiness update at a time */
};

/*
 * What the guest holds of an inotify instance: an epoll set of its
 * mirror's read end, and of the paired host instance once there is one.
 * Polling it is polling both directly, so a change made in a bind is seen
 * by the guest's poll as soon as the call that made it returns; the
 * relay thread (which updates the mirror) came a little later.
 */
struct front {
    struct front *next;
    int rfd;  /* the mirror's read end */
    int epfd; /* what the guest's numbers hold */
};

/* The list, and mirror garbage collection (read ends get reused). */
static pthread_mutex_t hw_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hwatch *hwatches;
static struct front *fronts;
static int hw_epfd = -1;
static pthread_once_t hw_once = PTHREAD_ONCE_INIT;

/* The last reference: a reader may use hfd until it lets go of it. */
static void hw_free(struct hwatch *hw)
{
    close(hw->hfd);
    pthread_mutex_destroy(&hw->sync);
    free(hw);
}

static void hw_put(struct hwatch *hw)
{
    bool gone;

    pthread_mutex_lock(&hw_lock);
    gone = --hw->refs == 0 && hw->dead;
    pthread_mutex_unlock(&hw_lock);
    if (gone)
        hw_free(hw);
}

/* hw_lock held; takes a reference. */
static struct hwatch *hw_find_locked(int rfd)
{
    for (struct hwatch *hw = hwatches; hw; hw = hw->next) {
        if (hw->rfd == rfd && !hw->dead) {
            hw->refs++;
            return hw;
        }
    }
    return NULL;
}

/*
 * The mirror shows what is queued in lx, and on the host for an instance
 * without a front. Serialised, so that the last update always saw the
 * latest state of both.
 */
static void hw_update(struct hwatch *hw)
{
    int n = 0;

    pthread_mutex_lock(&hw->sync);
    /*
     * A fronted instance's host events reach the guest's poll directly;
     * shown on the mirror as well, they woke its epoll set a second time,
     * late (the relay), and an EPOLLET item was reported twice.
     */
    if (hw->fronted || ioctl(hw->hfd, FIONREAD, &n) < 0)
        n = 0;
    lx_task_mirror(NULL, LX_MIRROR_SYNC, -1, hw->rfd, n > 0);
    pthread_mutex_unlock(&hw->sync);
}

/* Wakes on new host events (edge-triggered) and updates the mirror. */
static void *hw_relay(void *arg)
{
    struct epoll_event ev[16];

    (void)arg;
    for (;;) {
        int n = epoll_wait(hw_epfd, ev, 16, -1);

        for (int i = 0; i < n; i++) {
            struct hwatch *hw = NULL;

            pthread_mutex_lock(&hw_lock);
            for (struct hwatch *h = hwatches; h; h = h->next) {
                if (h == ev[i].data.ptr && !h->dead) {
                    hw = h;
                    hw->refs++;
                    break;
                }
            }
            pthread_mutex_unlock(&hw_lock);
            if (hw) {
                hw_update(hw);
                hw_put(hw);
            }
        }
        if (n < 0 && errno != EINTR)
            return NULL;
    }
}

static void hw_start(void)
{
    pthread_t t;
    pthread_attr_t a;

    hw_epfd = epoll_create1(EPOLL_CLOEXEC);
    if (hw_epfd < 0)
        return;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 64 * 1024);
    if (pthread_create(&t, &a, hw_relay, NULL)) {
        close(hw_epfd);
        hw_epfd = -1;
    }
    pthread_attr_destroy(&a);
}

/* The host instance paired with the lx one whose mirror is @rfd, made
 * when @create. Returns it referenced, or NULL (errno set). */
static struct hwatch *hw_get(int rfd, bool create)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
    struct hwatch *hw;

    pthread_mutex_lock(&hw_lock);
    hw = hw_find_locked(rfd);
    if (hw || !create) {
        pthread_mutex_unlock(&hw_lock);
        if (!hw)
            errno = ENOENT;
        return hw;
    }
    pthread_once(&hw_once, hw_start);
    hw = calloc(1, sizeof(*hw));
    if (!hw || hw_epfd < 0)
        goto fail;
    hw->rfd = rfd;
    /*
     * The list's reference and the caller's. With one, the caller's put
     * left 0 while listed: the drop then freed it under a reader still
     * blocked in read() of the instance (another guest thread closed
     * it), or never (refs -1: a leak per instance).
     */
    hw->refs = 2;
    pthread_mutex_init(&hw->sync, NULL);
    hw->hfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (hw->hfd < 0)
        goto fail;
    for (struct front *f = fronts; f; f = f->next) {
        if (f->rfd == rfd) {
            struct epoll_event fev = { .events = EPOLLIN };

            hw->fronted = !epoll_ctl(f->epfd, EPOLL_CTL_ADD, hw->hfd, &fev);
            break;
        }
    }
    /* Without a front, the relay shows host events on the mirror, later. */
    ev.data.ptr = hw;
    if (!hw->fronted && epoll_ctl(hw_epfd, EPOLL_CTL_ADD, hw->hfd, &ev) < 0) {
        close(hw->hfd);
        goto fail;
    }
    hw->next = hwatches;
    hwatches = hw;
    pthread_mutex_unlock(&hw_lock);
    return hw;
fail:
    if (!errno)
        errno = ENOMEM;
    free(hw);
    pthread_mutex_unlock(&hw_lock);
    return NULL;
}

/* The host instance paired with lx inotify fd @lxfd, if it has one. */
static struct hwatch *hw_of(struct kbox_req *r, int lxfd)
{
    int rfd;

    if (!__atomic_load_n(&hwatches, __ATOMIC_RELAXED))
        return NULL;
    rfd = kbox_mirror_rfd(r, lxfd);
    return rfd < 0 ? NULL : hw_get(rfd, false);
}

/* hw_lock held: the lx instance whose mirror was @rfd is gone. */
static void hw_drop_locked(int rfd)
{
    for (struct front **pp = &fronts; *pp; pp = &(*pp)->next) {
        struct front *f = *pp;

        if (f->rfd == rfd) {
            *pp = f->next;
            close(f->epfd);
            free(f);
            break;
        }
    }
    for (struct hwatch **pp = &hwatches; *pp; pp = &(*pp)->next) {
        struct hwatch *hw = *pp;

        if (hw->rfd != rfd || hw->dead)
            continue;
        *pp = hw->next;
        epoll_ctl(hw_epfd, EPOLL_CTL_DEL, hw->hfd, NULL);
        hw->dead = true;
        if (--hw->refs == 0)
            hw_free(hw);
        return;
    }
}

/* An epoll set in front of inotify mirror @rfd: its fd, or -1. */
static int front_new(int rfd)
{
    struct epoll_event ev = { .events = EPOLLIN };
    struct front *f = calloc(1, sizeof(*f));
    int epfd = f ? epoll_create1(EPOLL_CLOEXEC) : -1;

    if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, rfd, &ev) < 0) {
        if (epfd >= 0)
            close(epfd);
        free(f);
        return -1;
    }
    f->rfd = rfd;
    f->epfd = epfd;
    pthread_mutex_lock(&hw_lock);
    f->next = fronts;
    fronts = f;
    pthread_mutex_unlock(&hw_lock);
    return epfd;
}

int kbox_mirror_guest_fd(struct kbox_req *r, int lxfd)
{
    int rfd = kbox_mirror_rfd(r, lxfd), fd = rfd;

    if (rfd < 0 || !__atomic_load_n(&fronts, __ATOMIC_RELAXED))
        return rfd;
    pthread_mutex_lock(&hw_lock);
    for (struct front *f = fronts; f; f = f->next) {
        if (f->rfd == rfd) {
            fd = f->epfd;
            break;
        }
    }
    pthread_mutex_unlock(&hw_lock);
    return fd;
}

static struct kbox_resp mirror_install(struct kbox_req *r, int lxfd,
                                       bool cloexec, bool writable,
                                       bool inotify)
{
    int p[2], gfd;
    long rc;

    /*
     * A pipe's read end never polls writable; a stream socket nobody
     * sends through always does, and is readable once its peer (the
     * signal end) has written, as the pipe is.
     */
    if ((writable ? socketpair(AF_UNIX,
                               SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p)
                  : pipe2(p, O_NONBLOCK | O_CLOEXEC)) < 0) {
        rc = -errno;
        kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
        return kbox_ret(rc);
    }
    /*
     * A full POSIX message queue stops its mirror polling writable by
     * filling the read end's send buffer (lx's mirror.c): the smallest
     * buffer the host allows makes that a few kilobytes.
     */
    if (writable) {
        int one = 1;

        setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, &one, sizeof(one));
    }
    rc = lx_task_mirror(r->task, LX_MIRROR_ADD, lxfd, p[0], p[1]);
    if (rc < 0) {
        close(p[0]);
        close(p[1]);
        kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
        return kbox_ret(rc);
    }
    __atomic_add_fetch(&mirrors_live, 1, __ATOMIC_RELAXED);
    /* lx owns both ends now; the guest gets its own reference to p[0],
     * or to an epoll set of it for an inotify instance (without one, it
     * still works: host events then reach poll through the relay). */
    gfd = inotify ? front_new(p[0]) : -1;
    return kbox_fd_install_host_reply(r, lxfd, gfd >= 0 ? gfd : p[0],
                                      KBOX_FDT_MIRROR, -1, cloexec);
}

struct kbox_resp kbox_mirror_install_reply(struct kbox_req *r, int lxfd,
                                           bool cloexec, bool writable)
{
    return mirror_install(r, lxfd, cloexec, writable, false);
}

struct kbox_resp kbox_mirror_install_wend_reply(struct kbox_req *r, int lxfd,
                                                bool cloexec)
{
    int p[2];
    long rc;

    /*
     * The guest holds the pipe's write end; lx fills the pipe while the
     * FIFO is full, and closes the read end while it has no reader
     * (POLLERR). One page makes a fill a few small writes.
     */
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) {
        rc = -errno;
        kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
        return kbox_ret(rc);
    }
    fcntl(p[1], F_SETPIPE_SZ, 4096);
    rc = lx_task_mirror(r->task, LX_MIRROR_ADD, lxfd, p[1], p[0]);
    if (rc < 0) {
        close(p[0]);
        close(p[1]);
        kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
        return kbox_ret(rc);
    }
    __atomic_add_fetch(&mirrors_live, 1, __ATOMIC_RELAXED);
    return kbox_fd_install_host_reply(r, lxfd, p[1], KBOX_FDT_MIRROR, -1,
                                      cloexec);
}

int kbox_mirror_rfd(struct kbox_req *r, int lxfd)
{
    long rc;

    if (__atomic_load_n(&mirrors_live, __ATOMIC_RELAXED) <= 0)
        return -1;
    rc = lx_task_mirror(r->task, LX_MIRROR_RFD, lxfd, -1, -1);

    return rc < 0 ? -1 : (int)rc;
}

void kbox_mirror_sync(struct kbox_req *r, int lxfd)
{
    lx_task_mirror(r->task, LX_MIRROR_SYNC, lxfd, -1, -1);
}

void kbox_mirror_gc(void)
{
    int live = __atomic_load_n(&mirrors_live, __ATOMIC_RELAXED);
    int *closed;
    long n;

    if (live <= 0)
        return;
    closed = calloc((size_t)live, sizeof(*closed));
    /* Under hw_lock: no host instance may be found by a read end that
     * was closed just now and is about to be reused. */
    pthread_mutex_lock(&hw_lock);
    n = lx_mirror_gc(closed, closed ? live : 0);
    for (long i = 0; closed && i < n && i < live; i++)
        hw_drop_locked(closed[i]);
    pthread_mutex_unlock(&hw_lock);
    free(closed);
    if (n > 0)
        __atomic_sub_fetch(&mirrors_live, (int)n, __ATOMIC_RELAXED);
}

/* Host events in @buf[0..n): give their wds the guest's numbering. */
static void hw_renumber(char *buf, size_t n)
{
    for (size_t off = 0; off + sizeof(struct inotify_event) <= n;) {
        struct inotify_event *e = (struct inotify_event *)(buf + off);

        if (e->wd >= 0)
            e->wd += HOST_WD_BASE;
        off += sizeof(*e) + e->len;
    }
}

/*
 * An lx call on the instance being read (@lxfd, first argument). The
 * guest may close @lxfd under a blocked read, and open something else
 * at that number: natively the read keeps its file and returns the next
 * event. So while @lxfd still names the instance (its mirror is still
 * @hw's) the call goes there, else to the reference @held in kbox's
 * holder task, which also keeps the instance, its mirror and @hw alive.
 */
static long inst_call(struct kbox_req *r, int lxfd, struct hwatch *hw,
                      long held, long nr, long a1, long a2)
{
    long a[6] = { held, a1, a2, 0, 0, 0 };

    if (held < 0 || kbox_mirror_rfd(r, lxfd) == hw->rfd)
        return kbox_lx(r, nr, lxfd, a1, a2, 0, 0, 0);
    return lx_task_syscall(kbox_sup.holder, nr, a);
}

/*
 * read() of an lx inotify instance paired with a host one: lx's events,
 * then as many whole host events as fit; waits (unless O_NONBLOCK) until
 * either has one. Returns the byte count or -errno.
 */
/* Read events of both instances into @buf (kbox memory, @cnt bytes). */
static long hw_read(struct kbox_req *r, int lxfd, struct hwatch *hw, char *buf,
                    size_t cnt)
{
    size_t got;
    long rc = 0, n, held = -1;

    if (kbox_sup.holder)
        held = kbox_lx_getfd(kbox_sup.holder, r->task, lxfd, true);
    for (;;) {
        int nl = 0, nh = 0;

        got = 0;
        inst_call(r, lxfd, hw, held, LX__NR_ioctl, FIONREAD, (long)&nl);
        if (ioctl(hw->hfd, FIONREAD, &nh) < 0)
            nh = 0;
        if (nl > 0) {
            n = inst_call(r, lxfd, hw, held, LX__NR_read, (long)buf, (long)cnt);
            if (n < 0 && n != -EAGAIN) {
                rc = n; /* EINVAL: the first event does not fit */
                break;
            }
            got = n > 0 ? (size_t)n : 0;
        }
        if (nh > 0 && got < cnt) {
            n = read(hw->hfd, buf + got, cnt - got);
            if (n > 0) {
                hw_renumber(buf + got, (size_t)n);
                got += (size_t)n;
            } else if (n < 0 && got == 0 && errno != EAGAIN) {
                rc = -errno;
                break;
            }
        }
        if (got > 0) {
            rc = (long)got;
            break;
        }
        n = inst_call(r, lxfd, hw, held, LX__NR_fcntl, F_GETFL, 0);
        if (n < 0 || (n & O_NONBLOCK)) {
            rc = -EAGAIN;
            break;
        }
        /* Nothing yet: wait on the mirror and the host instance. */
        hw_update(hw);
        {
            struct pollfd p[2] = { { hw->rfd, POLLIN, 0 },
                                   { hw->hfd, POLLIN, 0 } };

            poll(p, 2, 50);
        }
        if (__atomic_load_n(&r->interrupted, __ATOMIC_ACQUIRE) ||
            !r->ops->valid(r)) {
            rc = -EINTR; /* a signal for the guest, or it is gone */
            break;
        }
    }
    hw_update(hw);
    if (held >= 0) {
        long a[6] = { held, 0, 0, 0, 0, 0 };

        lx_task_syscall(kbox_sup.holder, LX__NR_close, a);
    }
    return rc;
}

bool kbox_watch_read(struct kbox_req *r, int lxfd, struct kbox_resp *out)
{
    struct hwatch *hw = hw_of(r, lxfd);
    size_t cnt = (size_t)r->args[2];
    char *buf;
    long n;

    if (!hw)
        return false;
    if (cnt > (1u << 20))
        cnt = 1u << 20; /* events are small; the guest may ask again */
    buf = malloc(cnt ? cnt : 1);
    n = buf ? hw_read(r, lxfd, hw, buf, cnt) : -ENOMEM;
    if (n > 0 && r->ops->write(r, r->args[1], buf, (size_t)n))
        n = -EFAULT;
    free(buf);
    *out = kbox_ret(n);
    hw_put(hw);
    return true;
}

bool kbox_watch_read_buf(struct kbox_req *r, int lxfd, char *buf, size_t cnt,
                         long *got)
{
    struct hwatch *hw = hw_of(r, lxfd);

    if (!hw)
        return false;
    *got = hw_read(r, lxfd, hw, buf, cnt);
    hw_put(hw);
    return true;
}

int kbox_watch_host_pending(struct kbox_req *r, int lxfd)
{
    struct hwatch *hw = hw_of(r, lxfd);
    int n = 0;

    if (!hw)
        return 0;
    if (ioctl(hw->hfd, FIONREAD, &n) < 0 || n < 0)
        n = 0;
    hw_put(hw);
    return n;
}

static struct kbox_resp h_inotify_init(struct kbox_req *r)
{
    long flags = r->nr == SYS_inotify_init1 ? (long)(int)A(0) : 0;
    long lxfd;

    if (flags & ~(long)(IN_CLOEXEC | IN_NONBLOCK))
        return kbox_ret(-EINVAL);
    lxfd = kbox_lx(r, LX__NR_inotify_init1, flags, 0, 0, 0, 0, 0);
    if (lxfd < 0)
        return kbox_ret(lxfd);
    return mirror_install(r, (int)lxfd, (flags & IN_CLOEXEC) != 0, false, true);
}

/*
 * The lx inotify fd behind guest fd @gfd, or the error a host kernel
 * gives for a number that is no inotify instance: EBADF when nothing is
 * open there, EINVAL for another kind of file.
 */
static int inotify_lxfd(struct kbox_req *r, int gfd)
{
    char path[64];
    int lxfd = kbox_lxfd(r, gfd);

    if (lxfd >= 0)
        return lxfd; /* lx says EINVAL if it is no inotify instance */
    if (gfd < 0)
        return -EBADF;
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)r->pid, gfd);
    return faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) ? -EBADF
                                                                : -EINVAL;
}

static struct kbox_resp h_inotify_add_watch(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX], lxpath[KBOX_PATH_MAX];
    uint32_t mask = (uint32_t)r->args[2];
    int lxfd, hostfd, lxdir;
    long rc;

    /* Linux checks the mask, then the fd, then the path: an invalid mask
     * on a path that is missing or in a bind was ENOENT here */
    if ((mask & ~ALL_INOTIFY_BITS) || !(mask & ALL_INOTIFY_BITS))
        return kbox_ret(-EINVAL);
    lxfd = inotify_lxfd(r, FD(0));
    if (lxfd < 0)
        return kbox_ret(lxfd);
    /* lx checks the rest of the mask and that this is an inotify
     * instance before the lookup, which "" then fails with ENOENT */
    rc = kbox_lx(r, LX__NR_inotify_add_watch, lxfd, (long)"", (long)mask, 0, 0,
                 0);
    if (rc != -ENOENT)
        return kbox_ret(rc < 0 ? rc : -EINVAL);
    rc = kbox_read_path(r, r->args[1], path, sizeof(path), false);
    if (rc)
        return kbox_ret(rc);
    rc = kbox_fs_resolve(r, AT_FDCWD, path,
                         O_PATH | O_CLOEXEC |
                             ((mask & IN_DONT_FOLLOW) ? O_NOFOLLOW : 0),
                         &hostfd, &lxdir, lxpath, sizeof(lxpath));
    if (rc)
        return kbox_ret(rc);
    if (hostfd >= 0) {
        /* A host bind, /dev node or /proc entry: lx never sees its
         * changes; the host instance paired with this one watches it. */
        char hpath[64];
        struct hwatch *hw;
        int rfd;

        rfd = kbox_mirror_rfd(r, lxfd);
        hw = rfd >= 0 ? hw_get(rfd, true) : NULL;
        if (!hw) {
            close(hostfd);
            return kbox_ret(rfd < 0 ? -EINVAL : -errno);
        }
        /* The O_PATH open applied IN_DONT_FOLLOW; the magic link leads to
         * exactly what it opened. */
        snprintf(hpath, sizeof(hpath), "/proc/self/fd/%d", hostfd);
        mask &= ~(uint32_t)IN_DONT_FOLLOW;
        /* IN_DONT_FOLLOW alone is a watch of no events (Linux takes it);
         * IN_UNMOUNT is in every watch's mask anyway */
        rc = inotify_add_watch(hw->hfd, hpath, mask ? mask : IN_UNMOUNT);
        rc = rc < 0 ? -errno : rc + HOST_WD_BASE;
        close(hostfd);
        hw_put(hw);
        return kbox_ret(rc);
    }
    if (lxdir != AT_FDCWD)
        return kbox_ret(-EINVAL); /* only relative to a dirfd; not here */
    return kbox_ret(kbox_lx(r, LX__NR_inotify_add_watch, lxfd, (long)lxpath,
                            (long)mask, 0, 0, 0));
}

static struct kbox_resp h_inotify_rm_watch(struct kbox_req *r)
{
    int lxfd = inotify_lxfd(r, FD(0)), wd = (int)A(1);

    if (lxfd < 0)
        return kbox_ret(lxfd);
    if (wd >= HOST_WD_BASE) {
        struct hwatch *hw = hw_of(r, lxfd);
        long rc = -EINVAL;

        if (hw) {
            rc = inotify_rm_watch(hw->hfd, wd - HOST_WD_BASE) ? -errno : 0;
            hw_put(hw);
        }
        return kbox_ret(rc);
    }
    return kbox_ret(
        kbox_lx(r, LX__NR_inotify_rm_watch, lxfd, (long)(int)A(1), 0, 0, 0, 0));
}

kbox_handler kbox_watch_handler(long nr)
{
    switch (nr) {
    case SYS_inotify_init:
    case SYS_inotify_init1:
        return h_inotify_init;
    case SYS_inotify_add_watch:
        return h_inotify_add_watch;
    case SYS_inotify_rm_watch:
        return h_inotify_rm_watch;
    default:
        return NULL;
    }
}
