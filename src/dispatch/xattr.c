/* SPDX-License-Identifier: MIT */
/*
 * Extended attributes. Image files: the kernel's own ext4 xattrs (user.*,
 * trusted.*, security.* with its permission rules), by path as the
 * guest's task or on the mapped lx fd. Host objects (pipes, sockets, tty):
 * CONTINUEd. Paths inside a bind: the host file's xattrs, reached through
 * an O_PATH fd opened beneath the bind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "hostfd.h"
#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/* Linux's limits: XATTR_NAME_MAX, XATTR_SIZE_MAX, XATTR_LIST_MAX. */
#define NAME_MAX_LEN 255
#define VALUE_MAX    65536

enum xop { XSET, XGET, XLIST, XREMOVE };

struct xcall {
    enum xop op;
    bool nofollow; /* l* variants */
    bool byfd;     /* f* variants */
    long lxnr;     /* the lx syscall with the same shape */
};

static struct xcall classify(long nr)
{
    struct xcall c = { XGET, false, false, 0 };

    switch (nr) {
    case SYS_setxattr:
        c = (struct xcall){ XSET, false, false, LX__NR_setxattr };
        break;
    case SYS_lsetxattr:
        c = (struct xcall){ XSET, true, false, LX__NR_lsetxattr };
        break;
    case SYS_fsetxattr:
        c = (struct xcall){ XSET, false, true, LX__NR_fsetxattr };
        break;
    case SYS_getxattr:
        c = (struct xcall){ XGET, false, false, LX__NR_getxattr };
        break;
    case SYS_lgetxattr:
        c = (struct xcall){ XGET, true, false, LX__NR_lgetxattr };
        break;
    case SYS_fgetxattr:
        c = (struct xcall){ XGET, false, true, LX__NR_fgetxattr };
        break;
    case SYS_listxattr:
        c = (struct xcall){ XLIST, false, false, LX__NR_listxattr };
        break;
    case SYS_llistxattr:
        c = (struct xcall){ XLIST, true, false, LX__NR_llistxattr };
        break;
    case SYS_flistxattr:
        c = (struct xcall){ XLIST, false, true, LX__NR_flistxattr };
        break;
    case SYS_removexattr:
        c = (struct xcall){ XREMOVE, false, false, LX__NR_removexattr };
        break;
    case SYS_lremovexattr:
        c = (struct xcall){ XREMOVE, true, false, LX__NR_lremovexattr };
        break;
    case SYS_fremovexattr:
        c = (struct xcall){ XREMOVE, false, true, LX__NR_fremovexattr };
        break;
    }
    return c;
}

/*
 * listxattr of host file @p for a guest without CAP_SYS_ADMIN: the host
 * lists trusted.* to kbox (it has the capability whatever its fsuid), so
 * leave those names out as the kernel does for such a caller.
 */
static long host_list_untrusted(const char *p, char *buf, size_t size)
{
    char *all = malloc(VALUE_MAX);
    long n, out = 0;

    if (!all)
        return -ENOMEM;
    n = listxattr(p, all, VALUE_MAX);
    if (n < 0) {
        n = -errno;
        free(all);
        return n;
    }
    for (long i = 0; i < n;) {
        size_t l = strnlen(all + i, (size_t)(n - i)) + 1;

        if (strncmp(all + i, "trusted.", 8)) {
            if (size && (size_t)out + l > size) {
                free(all);
                return -ERANGE;
            }
            if (size)
                memcpy(buf + out, all + i, l);
            out += (long)l;
        }
        i += (long)l;
    }
    free(all);
    return out;
}

/*
 * The same call on a host file, through /proc/self/fd of an O_PATH fd.
 * For an l* call on a symlink the fd is the link itself, and so is the
 * file /proc/self/fd names: the kernel's own rules for links apply
 * (user.* EPERM/ENODATA, trusted.* and security.* kept for root).
 */
static long host_xattr(struct kbox_req *r, const struct xcall *c, int hfd,
                       const char *name, void *buf, size_t size, int flags)
{
    /* the thread has the guest's file identity, not its CAP_SYS_ADMIN
     * (a guest root only lacking a file capability keeps trusted.*) */
    bool admin = !r->host_ids || kbox_lx_capable(r, CAP_SYS_ADMIN);
    char p[64];
    long rc;

    snprintf(p, sizeof(p), "/proc/self/fd/%d", hfd);
    if (!admin && c->op == XLIST)
        return host_list_untrusted(p, buf, size);
    if (!admin && c->op == XGET && !strncmp(name, "trusted.", 8))
        return -ENODATA; /* xattr_permission() without CAP_SYS_ADMIN */
    switch (c->op) {
    case XSET:
        rc = setxattr(p, name, buf, size, flags);
        break;
    case XGET:
        rc = getxattr(p, name, buf, size);
        break;
    case XLIST:
        rc = listxattr(p, buf, size);
        break;
    default:
        rc = removexattr(p, name);
        break;
    }
    return rc < 0 ? -errno : rc;
}

/*
 * May a guest without root's rights change @name on a host file? kbox's
 * capabilities (CAP_SETFCAP, CAP_SYS_ADMIN) are not dropped with the
 * fsuid, so the kernel's checks for them are made here, in its order:
 * a security.capability value that is no v2/v3 capability is EINVAL
 * before the capability check (cap_convert_nscap).
 */
static long host_priv_refused(struct kbox_req *r, enum xop op, const char *name,
                              const void *buf, size_t size)
{
    if (!strcmp(name, "security.capability")) {
        uint32_t magic = 0;

        if (op == XSET && size >= 4)
            memcpy(&magic, buf, 4);
        magic &= VFS_CAP_REVISION_MASK;
        if (op == XSET &&
            !(size == XATTR_CAPS_SZ_2 && magic == VFS_CAP_REVISION_2) &&
            !(size == XATTR_CAPS_SZ_3 && magic == VFS_CAP_REVISION_3))
            return -EINVAL;
        return kbox_lx_capable(r, CAP_SETFCAP) ? 0 : -EPERM;
    }
    if (!strncmp(name, "security.", 9) || !strncmp(name, "trusted.", 8))
        return kbox_lx_capable(r, CAP_SYS_ADMIN) ? 0 : -EPERM;
    return 0;
}

/*
 * An empty security.capability: Linux 6.12 (lx) skips the value's check
 * for size 0 and stores it, on any file whose owner it is not too
 * (security.* needs no write right, and the capability check is in that
 * skipped step). Later kernels, the host's, say EINVAL once the target
 * is found: look it up in lx with a getxattr of the same shape, which
 * checks nothing more for security.*.
 */
static long empty_fcaps(struct kbox_req *r, const struct xcall *c, long target)
{
    long nr = c->byfd       ? LX__NR_fgetxattr
              : c->nofollow ? LX__NR_lgetxattr
                            : LX__NR_getxattr;
    long rc = kbox_lx(r, nr, target, (long)"security.capability", 0, 0, 0, 0);

    return rc >= 0 || rc == -ENODATA || rc == -EOPNOTSUPP ? -EINVAL : rc;
}

static struct kbox_resp h_xattr(struct kbox_req *r)
{
    struct xcall c = classify(r->nr);
    char path[KBOX_PATH_MAX], lxpath[KBOX_PATH_MAX];
    char name[NAME_MAX_LEN + 2];
    int narg = c.op == XLIST ? -1 : 1;
    int bufarg = c.op == XLIST ? 1 : 2;
    size_t size = (size_t)r->args[c.op == XLIST ? 2 : 3];
    int flags = c.op == XSET ? (int)A(4) : 0;
    int lxfd = -1, hfd = -1, lxdir = AT_FDCWD;
    char *buf = NULL;
    long rc;

    /* the kernel refuses unknown flags before reading the name or
     * looking up the path (after the fd) */
    if (c.op == XSET && (flags & ~(XATTR_CREATE | XATTR_REPLACE)) && !c.byfd)
        return kbox_ret(-EINVAL);
    if (c.byfd) {
        lxfd = kbox_lxfd(r, FD(0));
        if (lxfd < 0) {
            /*
             * A host object: the host answers; as the guest when kbox is
             * the host's root and the guest is not (reading checks the
             * inode's rights and hides trusted.*, as a write does). Under
             * a root kbox never the host's call on the guest's number:
             * had the copy failed (kbox out of fds, or no fd there a
             * moment ago and a second thread's dup2 since), that call
             * ran with root's rights for a guest user.
             */
            hfd = kbox_host_fd_as_guest(r, FD(0));
            if (hfd < 0 && geteuid() == 0) {
                hfd = kbox_guest_sock(r, FD(0)); /* guest root: a copy */
                if (hfd < 0)
                    return kbox_ret(hfd);
                if (!kbox_hostfd_lx_root(r)) {
                    close(hfd); /* a guest user whose ids did not apply */
                    return kbox_ret(-EPERM);
                }
            }
            if (hfd < 0)
                return kbox_continue();
        }
    } else {
        rc = kbox_read_path(r, r->args[0], path, sizeof(path), false);
        if (rc)
            return kbox_ret(rc);
    }
    /* kbox's copy of a host fd is closed on every way out from here */
    rc = 0;
    if (c.op == XSET && (flags & ~(XATTR_CREATE | XATTR_REPLACE)))
        rc = -EINVAL;
    if (!rc && narg >= 0) {
        rc = r->ops->read_str(r, r->args[narg], name, sizeof(name));
        if (rc == -ENAMETOOLONG || (!rc && strlen(name) > NAME_MAX_LEN))
            rc = -ERANGE; /* as the kernel says */
        else if (!rc && !name[0])
            rc = -ERANGE;
    }
    if (!rc && c.op != XREMOVE && size) {
        if (size > VALUE_MAX && c.op == XSET)
            rc = -E2BIG;
        else if (size > VALUE_MAX)
            size = VALUE_MAX; /* no value or list is longer */
        if (!rc && !(buf = malloc(size)))
            rc = -ENOMEM;
        if (!rc && c.op == XSET && r->ops->read(r, r->args[bufarg], buf, size))
            rc = -EFAULT;
    }
    if (rc) {
        if (hfd >= 0)
            close(hfd);
        free(buf);
        return kbox_ret(rc);
    }
    if (!c.byfd) {
        int hflags = O_PATH | (c.nofollow ? O_NOFOLLOW : 0);

        rc = kbox_fs_resolve(r, AT_FDCWD, path, hflags, &hfd, &lxdir, lxpath,
                             sizeof(lxpath));
        if (rc) {
            free(buf);
            return kbox_ret(rc);
        }
    }
    if (hfd >= 0 && r->host_ids && (c.op == XSET || c.op == XREMOVE) &&
        (rc = host_priv_refused(r, c.op, name, buf, size))) {
        close(hfd);
    } else if (hfd >= 0) {
        rc = host_xattr(r, &c, hfd, name, buf, size, flags);
        close(hfd);
    } else if (c.byfd || lxdir == AT_FDCWD) {
        long target = c.byfd ? lxfd : (long)lxpath;

        switch (c.op) {
        case XSET:
            if (!size && !strcmp(name, "security.capability")) {
                rc = empty_fcaps(r, &c, target);
                break;
            }
            rc = kbox_lx(r, c.lxnr, target, (long)name, (long)buf, (long)size,
                         flags, 0);
            break;
        case XGET:
            rc = kbox_lx(r, c.lxnr, target, (long)name, (long)buf, (long)size,
                         0, 0);
            break;
        case XLIST:
            rc = kbox_lx(r, c.lxnr, target, (long)buf, (long)size, 0, 0, 0);
            break;
        default:
            rc = kbox_lx(r, c.lxnr, target, (long)name, 0, 0, 0, 0);
            break;
        }
    } else {
        rc = -EOPNOTSUPP; /* path-based calls always start at the cwd */
    }
    if (rc > 0 && (c.op == XGET || c.op == XLIST) && size &&
        r->ops->write(r, r->args[bufarg], buf, (size_t)rc))
        rc = -EFAULT;
    free(buf);
    return kbox_ret(rc);
}

kbox_handler kbox_xattr_handler(long nr)
{
    switch (nr) {
    case SYS_setxattr:
    case SYS_lsetxattr:
    case SYS_fsetxattr:
    case SYS_getxattr:
    case SYS_lgetxattr:
    case SYS_fgetxattr:
    case SYS_listxattr:
    case SYS_llistxattr:
    case SYS_flistxattr:
    case SYS_removexattr:
    case SYS_lremovexattr:
    case SYS_fremovexattr:
        return h_xattr;
    default:
        return NULL;
    }
}
