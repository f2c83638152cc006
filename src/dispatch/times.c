/* SPDX-License-Identifier: MIT */
/*
 * Setting a file's times: utimensat, futimens (a NULL path), utimes,
 * futimesat and utime, on lx's files or on a bind's (the host's call, as
 * the guest where kbox routes it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"
#include "route.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/* utimensat(@dirfd, @path, @tsp, @flags) on lx or on the host (a bind) */
static long set_times(struct kbox_req *r, int dirfd, const char *path,
                      const struct timespec *tsp, int flags)
{
    struct route rt;
    long rc = kbox_route_path(r, dirfd, path, &rt);

    if (rc)
        return rc;
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd;

        /* do_utimes_path's check: the host call below takes no flags */
        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
            return -EINVAL;
        hfd = kbox_route_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);
        if (hfd < 0)
            return hfd;
        rc = utimensat(hfd, "", tsp, AT_EMPTY_PATH) ? -errno : 0;
        close(hfd);
        return rc;
    }
    return kbox_lx(r, LX__NR_utimensat, rt.lxdir,
                   (long)(rt.use_norm ? rt.norm : path), (long)tsp, flags, 0,
                   0);
}

static struct kbox_resp fd_times(struct kbox_req *r, int dirfd,
                                 const struct timespec *tsp, int flags);

struct kbox_resp kbox_fs_utimensat(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX], *pp = NULL;
    struct timespec ts[2], *tsp = NULL;
    int dirfd = FD(0), flags = (int)A(3);
    long rc;

    if (r->args[2]) {
        if (r->ops->read(r, r->args[2], ts, sizeof(ts)))
            return kbox_ret(-EFAULT);
        tsp = ts;
        /* Nothing to do: Linux then checks neither the path, the dirfd
         * nor the flags (utimensat); a bind's file was opened for it and
         * a missing one said ENOENT */
        if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
            return kbox_ret(0);
    }
    if (r->args[1] || dirfd == AT_FDCWD) {
        /* do_utimes_path: the flags, then the name ("" is ENOENT without
         * AT_EMPTY_PATH; NULL with AT_FDCWD is EFAULT), before the dirfd */
        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
            return kbox_ret(-EINVAL);
        rc = kbox_read_path(r, r->args[1], path, sizeof(path),
                            (flags & AT_EMPTY_PATH) != 0);
        if (rc)
            return kbox_ret(rc);
        pp = path;
    }
    if (!pp)
        return fd_times(r, dirfd, tsp, flags);
    return kbox_ret(set_times(r, dirfd, path, tsp, flags));
}

/* do_utimes_fd: a NULL name and a dirfd (futimens), which takes no flags */
static struct kbox_resp fd_times(struct kbox_req *r, int dirfd,
                                 const struct timespec *tsp, int flags)
{
    long rc;

    if (flags)
        return kbox_ret(-EINVAL);
    {
        int l = kbox_lxfd(r, dirfd);

        if (l < 0) { /* futimens on a host fd: a bind's file as the guest
                        (kbox_bind_fd_as_guest), others in the guest */
            int hfd = kbox_bind_fd_as_guest(r, dirfd);

            if (hfd == -ENOSYS)
                return kbox_continue();
            if (hfd < 0)
                return kbox_ret(hfd);
            rc = syscall(SYS_utimensat, hfd, NULL, tsp, flags) < 0 ? -errno : 0;
            close(hfd);
            return kbox_ret(rc);
        }
        return kbox_ret(
            kbox_lx(r, LX__NR_utimensat, l, 0, (long)tsp, flags, 0, 0));
    }
}

/* utimes(path, tv[2]) / futimesat(dirfd, path, tv[2]) / utime(path, ub) */
struct kbox_resp kbox_fs_utimes(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX];
    struct timespec ts[2], *tsp = NULL;
    int dirfd = AT_FDCWD, pidx = 0, tidx = 1;
    long rc;

    if (r->nr == SYS_futimesat)
        dirfd = FD(0), pidx = 1, tidx = 2;
    /* the times are read and checked before the name (do_futimesat,
     * utime), and futimesat with a NULL name and a dirfd is futimens */
    if (r->args[tidx]) {
        if (r->nr == SYS_utime) {
            struct {
                long actime, modtime;
            } ub;
            if (r->ops->read(r, r->args[tidx], &ub, sizeof(ub)))
                return kbox_ret(-EFAULT);
            ts[0].tv_sec = ub.actime, ts[0].tv_nsec = 0;
            ts[1].tv_sec = ub.modtime, ts[1].tv_nsec = 0;
        } else {
            struct timeval tv[2];
            if (r->ops->read(r, r->args[tidx], tv, sizeof(tv)))
                return kbox_ret(-EFAULT);
            for (int i = 0; i < 2; i++) {
                if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                    return kbox_ret(-EINVAL);
                ts[i].tv_sec = tv[i].tv_sec;
                ts[i].tv_nsec = tv[i].tv_usec * 1000;
            }
        }
        tsp = ts;
    }
    if (!r->args[pidx] && dirfd != AT_FDCWD)
        return fd_times(r, dirfd, tsp, 0);
    rc = kbox_read_path(r, r->args[pidx], path, sizeof(path), false);
    if (rc)
        return kbox_ret(rc);
    return kbox_ret(set_times(r, dirfd, path, tsp, 0));
}
