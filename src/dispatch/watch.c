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
 * kernel that serves the guest's file operations.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/inotify.h>
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

struct kbox_resp kbox_mirror_install_reply(struct kbox_req *r, int lxfd,
                                           bool cloexec)
{
    int p[2];
    long rc;

    if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) {
        rc = -errno;
        kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
        return kbox_ret(rc);
    }
    rc = lx_task_mirror(r->proc->task, LX_MIRROR_ADD, lxfd, p[0], p[1]);
    if (rc < 0) {
        close(p[0]);
        close(p[1]);
        kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
        return kbox_ret(rc);
    }
    __atomic_add_fetch(&mirrors_live, 1, __ATOMIC_RELAXED);
    /* lx owns both ends now; the guest gets its own reference to p[0]. */
    return kbox_fd_install_host_reply(r, lxfd, p[0], KBOX_FDT_MIRROR, -1,
                                      cloexec);
}

int kbox_mirror_rfd(struct kbox_req *r, int lxfd)
{
    long rc = lx_task_mirror(r->proc->task, LX_MIRROR_RFD, lxfd, -1, -1);

    return rc < 0 ? -1 : (int)rc;
}

void kbox_mirror_sync(struct kbox_req *r, int lxfd)
{
    lx_task_mirror(r->proc->task, LX_MIRROR_SYNC, lxfd, -1, -1);
}

void kbox_mirror_gc(void)
{
    long n;

    if (__atomic_load_n(&mirrors_live, __ATOMIC_RELAXED) <= 0)
        return;
    n = lx_mirror_gc(NULL, 0);
    if (n > 0)
        __atomic_sub_fetch(&mirrors_live, (int)n, __ATOMIC_RELAXED);
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
    return kbox_mirror_install_reply(r, (int)lxfd, (flags & IN_CLOEXEC) != 0);
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
    int lxfd = inotify_lxfd(r, FD(0)), hostfd, lxdir;
    long rc;

    if (lxfd < 0)
        return kbox_ret(lxfd);
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
        /*
         * A host bind, host /dev node or host /proc entry: lx never sees
         * its changes, so a watch there would stay silent. Refuse it the
         * way a kernel refuses a watch it cannot place.
         */
        close(hostfd);
        return kbox_ret(-ENOSPC);
    }
    if (lxdir != AT_FDCWD)
        return kbox_ret(-EINVAL); /* only relative to a dirfd; not here */
    return kbox_ret(kbox_lx(r, LX__NR_inotify_add_watch, lxfd, (long)lxpath,
                            (long)mask, 0, 0, 0));
}

static struct kbox_resp h_inotify_rm_watch(struct kbox_req *r)
{
    int lxfd = inotify_lxfd(r, FD(0));

    if (lxfd < 0)
        return kbox_ret(lxfd);
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
