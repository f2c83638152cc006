/* SPDX-License-Identifier: MIT */
/*
 * name_to_handle_at and open_by_handle_at. Both were EPERM (refused by the
 * filter); natively any user gets a handle, and a process with
 * CAP_DAC_READ_SEARCH opens one. lx answers for its own files (ext4 and
 * tmpfs encode handles), the host for binds, with the mount id the guest's
 * mountinfo shows. Opening by handle in a bind must stay beneath the bind's
 * source: the host's decoder reaches the whole host file system.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/mntview.h"
#include "route.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/* uapi values glibc 2.36's headers lack */
#define HANDLE_FID       0x200 /* AT_HANDLE_FID */
#define HANDLE_UNIQUE    0x001 /* AT_HANDLE_MNT_ID_UNIQUE, Linux 6.12 */
#define MAX_HANDLE       128   /* MAX_HANDLE_SZ */
#define STATX_UNIQUE_MNT 0x4000U
#define CAP_READ_SEARCH  2 /* CAP_DAC_READ_SEARCH */
#define HANDLE_HDR       8 /* handle_bytes, handle_type */

struct handle_buf {
    uint32_t bytes;
    int32_t type;
    unsigned char f[MAX_HANDLE];
};

/*
 * A host object's handle (@hfd, an O_PATH fd; @gpath its guest path or
 * NULL), and the mount id of the guest's mount for it.
 */
static long host_handle(int hfd, const char *gpath, int flags,
                        struct handle_buf *fh, uint64_t *mnt)
{
    struct statx sx;
    int hostmnt[2];
    long rc;

    rc = syscall(SYS_name_to_handle_at, hfd, "", fh, hostmnt,
                 AT_EMPTY_PATH | (flags & (HANDLE_FID | HANDLE_UNIQUE)));
    rc = rc ? -errno : 0;
    if (rc && rc != -EOVERFLOW)
        return rc;
    memset(&sx, 0, sizeof(sx));
    if (statx(hfd, "", AT_EMPTY_PATH,
              (flags & HANDLE_UNIQUE) ? STATX_UNIQUE_MNT : STATX_MNT_ID, &sx))
        return -errno;
    if (gpath)
        kbox_mntview_statx(gpath, &sx);
    *mnt = sx.stx_mnt_id;
    return rc;
}

static struct kbox_resp h_name_to_handle_at(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX], gbuf[KBOX_PATH_MAX];
    int dirfd = FD(0), flags = (int)A(4);
    struct handle_buf fh;
    struct route rt;
    uint64_t mnt = 0;
    bool have_hdr;
    long rc;

    if (flags &
        ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | HANDLE_FID | HANDLE_UNIQUE))
        return kbox_ret(-EINVAL);
    rc = kbox_read_path(r, r->args[1], path, sizeof(path),
                        (flags & AT_EMPTY_PATH) != 0);
    if (rc)
        return kbox_ret(rc);
    /* Linux reads the handle's size after the walk: a bad pointer is
     * EFAULT only for a name that exists (size 0 stands in meanwhile). */
    memset(&fh, 0, sizeof(fh));
    have_hdr = !r->ops->read(r, r->args[2], &fh, HANDLE_HDR);
    if (!have_hdr)
        fh.bytes = 0;
    if (!path[0] && dirfd != AT_FDCWD && !kbox_fd_is_lx(r, dirfd)) {
        char p[64];
        int hfd;

        snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, dirfd);
        hfd = open(p, O_PATH | O_CLOEXEC);
        if (hfd < 0)
            return kbox_ret(errno == ENOENT ? -EBADF : -errno);
        rc = host_handle(
            hfd,
            kbox_mntview_fd_path(r, dirfd, gbuf, sizeof(gbuf)) ? NULL : gbuf,
            flags, &fh, &mnt);
        close(hfd);
        goto out;
    }
    rc = kbox_route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd = kbox_route_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_FOLLOW) ? 0 : O_NOFOLLOW), 0);

        if (hfd < 0)
            return kbox_ret(hfd);
        rc = host_handle(hfd,
                         kbox_mntview_route_path(r, &rt, gbuf, sizeof(gbuf)),
                         flags, &fh, &mnt);
        close(hfd);
        goto out;
    }
    rc = kbox_lx(r, LX__NR_name_to_handle_at, rt.lxdir,
                 (long)kbox_route_lx_path(&rt, path), (long)&fh, (long)&mnt,
                 flags, 0);
out:
    if (rc && rc != -EOVERFLOW)
        return kbox_ret(rc);
    if (!have_hdr)
        return kbox_ret(-EFAULT);
    /* the mount id (an int, or a u64 with AT_HANDLE_MNT_ID_UNIQUE), then
     * the handle: its header alone when it did not fit */
    if (!(flags & HANDLE_UNIQUE)) {
        int32_t id = (int32_t)mnt;

        if (r->ops->write(r, r->args[3], &id, sizeof(id)))
            return kbox_ret(-EFAULT);
    } else if (r->ops->write(r, r->args[3], &mnt, sizeof(mnt))) {
        return kbox_ret(-EFAULT);
    }
    if (r->ops->write(r, r->args[2], &fh, HANDLE_HDR + (rc ? 0 : fh.bytes)))
        return kbox_ret(-EFAULT);
    return kbox_ret(rc);
}

/* The guest's handle at @addr, as Linux checks it: 0 or -errno. */
static int read_handle(struct kbox_req *r, uint64_t addr, struct handle_buf *fh)
{
    if (r->ops->read(r, addr, fh, HANDLE_HDR))
        return -EFAULT;
    if (fh->bytes == 0 || fh->bytes > MAX_HANDLE)
        return -EINVAL;
    if (r->ops->read(r, addr + HANDLE_HDR, fh->f, fh->bytes))
        return -EFAULT;
    return 0;
}

/* The host directory the guest's mount fd @mfd stands for, or -errno (not
 * O_PATH: open_by_handle_at does not take one). */
static int host_mount_fd(struct kbox_req *r, int mfd)
{
    char p[64];
    int fd;

    if (mfd == AT_FDCWD) {
        struct route cw;

        /* the cwd's directory, where it is now (bindcwd.c) */
        if (!kbox_bind_cwd_on(r->proc, r->task) ||
            kbox_route_path(r, AT_FDCWD, ".", &cw) ||
            cw.kind != KBOX_ROUTE_BIND)
            return -EPERM;
        return kbox_route_open(&cw, O_RDONLY | O_DIRECTORY, 0);
    }
    snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, mfd);
    fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    return fd < 0 ? (errno == ENOENT ? -EBADF : -errno) : fd;
}

static struct kbox_resp h_open_by_handle_at(struct kbox_req *r)
{
    int mfd = FD(0), flags = (int)A(2) | O_LARGEFILE;
    struct handle_buf fh;
    int hmfd, bind, hfd;
    long rc;

    if (mfd == AT_FDCWD ? !kbox_bind_cwd_on(r->proc, r->task)
                        : kbox_fd_is_lx(r, mfd)) {
        /* lx has no user namespaces: CAP_DAC_READ_SEARCH decides */
        if (!kbox_lx_capable(r, CAP_READ_SEARCH))
            return kbox_ret(-EPERM);
        rc = read_handle(r, r->args[1], &fh);
        if (rc)
            return kbox_ret(rc);
        rc = kbox_lx(r, LX__NR_open_by_handle_at,
                     mfd == AT_FDCWD ? AT_FDCWD : kbox_lxfd(r, mfd), (long)&fh,
                     flags, 0, 0, 0);
        if (rc < 0)
            return kbox_ret(rc);
        return kbox_fd_open_reply(r, (int)rc, flags);
    }
    hmfd = host_mount_fd(r, mfd);
    if (hmfd < 0)
        return kbox_ret(hmfd);
    bind = kbox_bind_of_fd(hmfd);
    /* The guest's privilege, not kbox's; and only in a bind: a host
     * /dev or /proc is not the guest's to decode handles in. */
    if (bind < 0 || !kbox_lx_capable(r, CAP_READ_SEARCH)) {
        close(hmfd);
        return kbox_ret(-EPERM);
    }
    rc = read_handle(r, r->args[1], &fh);
    if (rc) {
        close(hmfd);
        return kbox_ret(rc);
    }
    /*
     * Decoded as O_PATH, looked at, and only then opened as asked: the
     * guest's own flags decoded a handle of any file of the bind's host
     * file system (an ext4 handle with generation 0 names an inode by its
     * number alone) and O_TRUNC emptied it before the look said ESTALE.
     */
    hfd = (int)syscall(SYS_open_by_handle_at, hmfd, &fh, O_PATH | O_CLOEXEC);
    rc = hfd < 0 ? -errno : 0;
    close(hmfd);
    if (rc)
        return kbox_ret(rc);
    {
        char rel[KBOX_PATH_MAX];

        /* decoded outside the bind: as a handle the mount cannot reach */
        if (kbox_fd_beneath(kbox_sup.bind_dirs[bind], hfd, rel, sizeof(rel))) {
            close(hfd);
            return kbox_ret(-ESTALE);
        }
    }
    if (flags & O_PATH) {
        if ((hfd = kbox_path_reopened(hfd)) < 0)
            return kbox_ret(hfd);
    } else {
        char self[64];
        struct stat st;
        int o;

        snprintf(self, sizeof(self), "/proc/self/fd/%d", hfd);
        /* a link's handle: may_open's ELOOP (the reopen would follow it) */
        o = fstat(hfd, &st) ? -errno
            : S_ISLNK(st.st_mode)
                ? -ELOOP
                : open(self, (flags & ~(O_CLOEXEC | O_NOFOLLOW | O_CREAT)) |
                                 O_CLOEXEC | O_NOCTTY);
        if (o == -1)
            o = -errno;
        close(hfd);
        if (o < 0)
            return kbox_ret(o);
        hfd = o;
    }
    struct kbox_resp resp =
        kbox_fd_give_reply(r, hfd, (flags & O_CLOEXEC) != 0);
    close(hfd);
    return resp;
}

kbox_handler kbox_fhandle_handler(long nr)
{
    switch (nr) {
    case SYS_name_to_handle_at:
        return h_name_to_handle_at;
    case SYS_open_by_handle_at:
        return h_open_by_handle_at;
    default:
        return NULL;
    }
}
