/* SPDX-License-Identifier: MIT */
/*
 * The guest's mounts behind host objects (include/kbox/mntview.h). A
 * bind's files are stat'ed by the host, which gave the host's mount id
 * of the source (one that can be another guest mount's id), no
 * STATX_ATTR_MOUNT_ROOT at the bind's place, and statfs flags without
 * the nosuid and nodev the guest's mountinfo shows for the bind. lx's
 * mount there (a kbox-bind trap, /proc, /dev) is what the guest sees in
 * mountinfo: its ids and flags are recorded once, by kbox's root task,
 * and put into the host's answers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/mntview.h"
#include "kbox/path.h"
#include "route.h"

#define MNTVIEW_MAX 64
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U /* Linux 6.8 */
#endif

static struct {
    char *path;
    char *host; /* a trap's host directory, else NULL */
    uint64_t id, uniq;
    unsigned long flags; /* ST_* */
} mounts[MNTVIEW_MAX];
static int nmounts;

/* what a guest mount adds to the host's: its atime rule is the host's */
#define MNT_FLAGS (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)

void kbox_mntview_record(struct lx_task *t, const char *path, const char *host)
{
    struct lx_statx a, b;
    struct kbox_gstatfs sf;
    long x[6] = { AT_FDCWD,     (long)path, AT_SYMLINK_NOFOLLOW,
                  STATX_MNT_ID, (long)&a,   0 };
    long y[6] = {
        AT_FDCWD, (long)path, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE,
        (long)&b, 0
    };
    long z[6] = { (long)path, (long)&sf, 0, 0, 0, 0 };

    if (nmounts == MNTVIEW_MAX || lx_task_syscall(t, LX__NR_statx, x) < 0 ||
        lx_task_syscall(t, LX__NR_statx, y) < 0 ||
        lx_task_syscall(t, LX__NR_statfs, z) < 0 ||
        !(a.stx_attributes & STATX_ATTR_MOUNT_ROOT))
        return;
    for (int i = 0; i < nmounts; i++) {
        if (!strcmp(mounts[i].path, path)) { /* a newer mount over it */
            mounts[i].id = a.stx_mnt_id;
            mounts[i].uniq =
                (b.stx_mask & STATX_MNT_ID_UNIQUE) ? b.stx_mnt_id : 0;
            mounts[i].flags = (unsigned long)sf.f_flags & MNT_FLAGS;
            return;
        }
    }
    mounts[nmounts].path = strdup(path);
    if (!mounts[nmounts].path)
        return;
    mounts[nmounts].host = host ? strdup(host) : NULL;
    mounts[nmounts].id = a.stx_mnt_id;
    mounts[nmounts].uniq =
        (b.stx_mask & STATX_MNT_ID_UNIQUE) ? b.stx_mnt_id : 0;
    mounts[nmounts].flags = (unsigned long)sf.f_flags & MNT_FLAGS;
    nmounts++;
}

/* The recorded mount covering @gpath (deepest), or -1; @root: at it. */
static int covering(const char *gpath, bool *root)
{
    size_t best = 0;
    int k = -1;

    if (!gpath || gpath[0] != '/')
        return -1;
    for (int i = 0; i < nmounts; i++) {
        size_t n = strlen(mounts[i].path);
        const char *rest;

        if (!kbox_path_beneath(gpath, mounts[i].path, &rest) ||
            (k >= 0 && n < best))
            continue;
        best = n;
        k = i;
        *root = !*rest;
    }
    return k;
}

void kbox_mntview_statx(const char *gpath, struct statx *sx)
{
    bool root = false;
    int k = covering(gpath, &root);

    if (k < 0)
        return;
    if (sx->stx_mask & STATX_MNT_ID_UNIQUE) {
        if (mounts[k].uniq)
            sx->stx_mnt_id = mounts[k].uniq;
    } else if (sx->stx_mask & STATX_MNT_ID) {
        sx->stx_mnt_id = mounts[k].id;
    }
    sx->stx_attributes_mask |= STATX_ATTR_MOUNT_ROOT;
    if (root)
        sx->stx_attributes |= STATX_ATTR_MOUNT_ROOT;
    else
        sx->stx_attributes &= ~(uint64_t)STATX_ATTR_MOUNT_ROOT;
}

void kbox_mntview_statfs(const char *gpath, struct statfs *sf)
{
    bool root = false;
    int k = covering(gpath, &root);

    if (k >= 0)
        sf->f_flags |= (long)mounts[k].flags;
}

int kbox_mntview_fd_path(struct kbox_req *r, int fd, char *out, size_t len)
{
    char p[64];
    long n;

    if (len < 2)
        return -1;
    snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, fd);
    n = readlink(p, out, len - 1);
    if (n <= 0 || out[0] != '/')
        return -1;
    n = kbox_host_link_to_guest(out, n, len);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

struct kbox_resp kbox_mntview_fstatfs(struct kbox_req *r, int fd)
{
    char g[KBOX_PATH_MAX], p[64];
    struct statfs sf;
    bool root = false;

    if (!nmounts || kbox_mntview_fd_path(r, fd, g, sizeof(g)) ||
        covering(g, &root) < 0)
        return kbox_continue();
    snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, fd);
    if (statfs(p, &sf))
        return kbox_continue();
    kbox_mntview_statfs(g, &sf);
    if (r->ops->write(r, r->args[1], &sf, sizeof(sf)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

const char *kbox_mntview_route_path(struct kbox_req *r, const struct route *rt,
                                    char *buf, size_t len)
{
    const char *dir;

    if (rt->kind == KBOX_ROUTE_BIND)
        return r->bind_path;
    if (rt->kind == KBOX_ROUTE_HOSTDEV)
        dir = "/dev";
    else if (rt->kind == KBOX_ROUTE_HOSTPROC &&
             rt->hostdir == kbox_sup.hostproc_dir)
        dir = "/proc";
    else if (rt->kind == KBOX_ROUTE_HOSTPROC &&
             rt->hostdir == kbox_sup.hostcpu_dir)
        dir = "/sys/devices/system/cpu";
    else
        return NULL;
    if (snprintf(buf, len, "%s/%s", dir, rt->rest) >= (int)len)
        return NULL;
    return buf;
}

/*
 * /proc/<pid>/[task/<tid>/]fdinfo/<n> of a host fd (@rest, opened as
 * @hostfd): its text with the mnt_id of the guest's mount. A new fd, or
 * -ENOENT to give the host's as it is.
 */
int kbox_mntview_fdinfo_fd(const char *rest, int hostfd)
{
    char link[KBOX_PATH_MAX], g[KBOX_PATH_MAX], text[8192], *at;
    const char *fi = strstr(rest, "/fdinfo/");
    bool root = false;
    ssize_t n, l;
    int k, fd;

    if (!fi || !nmounts || kbox_sup.hostproc_dir < 0 ||
        snprintf(link, sizeof(link), "%.*s/fd/%s", (int)(fi - rest), rest,
                 fi + 8) >= (int)sizeof(link))
        return -ENOENT;
    l = readlinkat(kbox_sup.hostproc_dir, link, g, sizeof(g) - 1);
    if (l <= 0 || g[0] != '/')
        return -ENOENT;
    l = kbox_host_link_to_guest(g, l, sizeof(g));
    if (l <= 0 || (k = covering(g, &root)) < 0)
        return -ENOENT;
    n = pread(hostfd, text, sizeof(text) - 1, 0);
    if (n <= 0 || n == (ssize_t)sizeof(text) - 1) /* a file's is short */
        return -ENOENT;
    text[n] = '\0';
    at = strstr(text, "\nmnt_id:\t");
    if (!at)
        return -ENOENT;
    at += 9;
    fd = memfd_create("kbox-fdinfo", MFD_CLOEXEC);
    if (fd < 0)
        return -errno;
    /* the text before the id, the guest's id, the rest of its line on */
    if (dprintf(fd, "%.*s%llu%s", (int)(at - text), text,
                (unsigned long long)mounts[k].id,
                at + strspn(at, "0123456789")) < 0 ||
        lseek(fd, 0, SEEK_SET)) {
        close(fd);
        return -EIO;
    }
    return fd;
}

int kbox_mntview_host_statfs(const char *gpath, struct statfs *sf)
{
    for (int i = nmounts - 1; i >= 0; i--)
        if (!strcmp(mounts[i].path, gpath) && mounts[i].host) {
            if (statfs(mounts[i].host, sf))
                return -errno;
            kbox_mntview_statfs(gpath, sf);
            return 0;
        }
    return -ENOENT;
}
