/* SPDX-License-Identifier: MIT */
/*
 * Two-path calls: rename, link, symlink (from fs.c). Both names are
 * routed; calls within lx go to lx, within one bind to the host beneath
 * the bind's root, and between the two are EXDEV, with Linux's order of
 * errors: the old name is looked up before anything of the new one
 * fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"
#include "route.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/*
 * @path's directory before its last name, as "dir/." (or "." for one
 * name): opening it checks what Linux's walk to that last name does,
 * that the directory (or the dirfd) is one and may be searched.
 */
static int parent_dot(const char *path, char *out, size_t len)
{
    size_t n = strlen(path);

    if (n + 3 > len)
        return -ENAMETOOLONG;
    memcpy(out, path, n + 1);
    while (n > 1 && out[n - 1] == '/')
        out[--n] = '\0';
    while (n > 0 && out[n - 1] != '/')
        n--;
    if (n == 0) {
        snprintf(out, len, ".");
        return 0;
    }
    while (n > 1 && out[n - 1] == '/')
        n--;
    snprintf(out + n, len - n, "%s.", out[n - 1] == '/' ? "" : "/");
    return 0;
}

/*
 * Does the parent directory of @path (routed in @rt) resolve? 0 or its
 * error (ENOENT, ENOTDIR, EACCES...): Linux's rename and link resolve
 * both parents before they compare mounts (EXDEV), and rename's old
 * parent before anything of the new name.
 */
static long parent_resolves(struct kbox_req *r, const struct route *rt,
                            const char *path)
{
    char parent[KBOX_PATH_MAX];
    long fd;

    if (rt->kind == KBOX_ROUTE_BIND && !rt->bound_file) {
        /* the last name may be "." or "..": their EBUSY and EEXIST come
         * after both parents resolved */
        struct route pr = *rt;

        if (parent_dot(rt->rest, pr.rest, sizeof(pr.rest)))
            return 0;
        fd = kbox_route_open(&pr, O_PATH | O_DIRECTORY, 0);
        if (fd < 0)
            return fd == -EXDEV ? 0 : fd; /* left the bind: not known here */
        close((int)fd);
        return 0;
    }
    if (rt->kind != KBOX_ROUTE_LX ||
        parent_dot(kbox_route_lx_path(rt, path), parent, sizeof(parent)))
        return 0;
    fd = kbox_lx(r, LX__NR_openat, rt->lxdir, (long)parent,
                 O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return fd;
    kbox_lx(r, LX__NR_close, fd, 0, 0, 0, 0, 0);
    return 0;
}

/*
 * Does link's old name (routed in @rt) resolve, as do_linkat looks it up
 * (following a last symlink with AT_SYMLINK_FOLLOW)? 0 or its error.
 */
static long old_resolves(struct kbox_req *r, const struct route *rt,
                         const char *path, int flags)
{
    int nofollow = (flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW;
    struct kbox_gstat g;
    int fd;

    if (rt->kind == KBOX_ROUTE_LX)
        return kbox_lx(r, LX__NR_newfstatat, rt->lxdir,
                       (long)kbox_route_lx_path(rt, path), (long)&g,
                       nofollow | (flags & AT_EMPTY_PATH), 0, 0);
    if (rt->kind != KBOX_ROUTE_BIND)
        return 0;
    fd = kbox_route_open(rt, O_PATH | (nofollow ? O_NOFOLLOW : 0), 0);
    if (fd < 0)
        return fd == -EXDEV ? 0 : fd; /* left the bind: not known here */
    close(fd);
    return 0;
}

/* Is @path's last name "." or ".." (Linux's LAST_DOT, LAST_DOTDOT)? */
static bool last_is_dots(const char *path)
{
    size_t n = strlen(path), k;

    while (n > 1 && path[n - 1] == '/')
        n--;
    k = n;
    while (k > 0 && path[k - 1] != '/')
        k--;
    return (n - k == 1 && path[k] == '.') ||
           (n - k == 2 && path[k] == '.' && path[k + 1] == '.');
}

/*
 * Split @path before its last name: @dir gets what precedes it, @last
 * the name with any trailing slashes. False for a single name: no
 * symlink can come before it in the path's own text. A last "." or ".."
 * splits too: the names before it are walked first (symlinkat of
 * "link-into-bind/." was EXDEV, not EEXIST).
 */
static bool split_last(const char *path, char *dir, size_t dlen, char *last,
                       size_t llen)
{
    size_t n = strlen(path), k;

    while (n > 1 && path[n - 1] == '/')
        n--;
    k = n;
    while (k > 0 && path[k - 1] != '/')
        k--;
    if (k == 0)
        return false;
    if ((size_t)snprintf(last, llen, "%s", path + k) >= llen)
        return false;
    while (k > 1 && path[k - 1] == '/')
        k--;
    return (size_t)snprintf(dir, dlen, "%.*s", (int)k, path) < dlen;
}

/*
 * Rewrite @path (relative to guest dirfd @dirfd) as the path Linux's
 * walk takes when a symlink before its last name (or that name too,
 * @last_too) leaves the bind the name is in, or leads from lx into a
 * bind: the host's RESOLVE_BENEATH refuses the first and lx's bind trap
 * stops at the second, both with EXDEV, so a rename or link through
 * such a link was EXDEV (`ln` failed, `mv` copied). True when rewritten
 * (to an absolute guest path).
 */
static bool follow_links(struct kbox_req *r, int *dirfd, char *path, size_t len,
                         bool last_too, bool second)
{
    char dir[KBOX_PATH_MAX], last[KBOX_PATH_MAX], rest[KBOX_PATH_MAX];
    const char *full;
    char *next = NULL;
    struct route rt;
    int err, n;

    int np = r->npaths;

    r->npaths = 1 + !!second;
    err = *path ? kbox_route_path(r, *dirfd, path, &rt) : -ENOENT;
    r->npaths = np;
    if (err)
        return false;
    if (rt.kind == KBOX_ROUTE_BIND) {
        if (rt.bound_file || !r->bind_idx1 || !r->bind_path)
            return false;
        full = r->bind_path;
    } else if (rt.kind == KBOX_ROUTE_LX) {
        full = kbox_route_lx_path(&rt, path);
    } else {
        return false;
    }
    if (last_too) {
        snprintf(dir, sizeof(dir), "%s", full);
        last[0] = '\0';
    } else if (!split_last(full, dir, sizeof(dir), last, sizeof(last)) ||
               !split_last(path, rest, sizeof(rest), last, sizeof(last))) {
        return false; /* (the last name as given: "d/" stays one) */
    }
    if (rt.kind == KBOX_ROUTE_BIND) {
        next = kbox_bind_symlink_path(r->bind_idx1 - 1, dir);
    } else {
        free(r->lx_walk);
        r->lx_walk = strdup(dir);
        r->lx_walk_dir = rt.lxdir;
        next = kbox_lx_bind_path(r, &err);
        r->bind_reached1 = 0; /* two names: each checked again */
    }
    if (!next)
        return false;
    n = snprintf(path, len, "%s%s%s", next, *last ? "/" : "", last);
    free(next);
    if (n < 0 || (size_t)n >= len)
        return false;
    *dirfd = AT_FDCWD;
    return true;
}

static struct kbox_resp path2_routed(struct kbox_req *r, int dfd1, char *p1,
                                     int dfd2, char *p2, long rc2);

/*
 * linkat(fd, "", dirfd, p2, AT_EMPTY_PATH) of a host file the guest
 * holds (one in a bind, an O_TMPFILE's there): it was routed by the
 * fd's name, a deleted file's "#N (deleted)" said ENOTDIR and
 * O_TMPFILE then linkat never made a file in a bind. The host links it
 * through kbox's /proc/self/fd link into the new name's bind directory.
 */
static struct kbox_resp link_host_fd(struct kbox_req *r, int gfd, int d2,
                                     char *p2)
{
    char l2[KBOX_PATH_MAX], self[64];
    struct route r2;
    int hfd, pd;
    long rc;

    if (!*p2)
        return kbox_ret(-ENOENT);
    r->npaths = 2;
    rc = kbox_route_path(r, d2, p2, &r2);
    if (rc)
        return kbox_ret(rc);
    hfd = (int)syscall(SYS_pidfd_getfd, r->proc->pidfd, gfd, 0);
    if (hfd < 0)
        return kbox_ret(-EBADF);
    if (r2.kind != KBOX_ROUTE_BIND || r2.bound_file ||
        kbox_bind_of_fd(hfd) < 0 ||
        kbox_sup.bind_dirs[kbox_bind_of_fd(hfd)] != kbox_route_mount(&r2)) {
        close(hfd);
        return kbox_ret(r2.bound_file ? -EEXIST : -EXDEV);
    }
    pd = kbox_route_parent(&r2, l2, sizeof(l2));
    if (pd < 0) {
        close(hfd);
        return kbox_ret(pd);
    }
    snprintf(self, sizeof(self), "/proc/self/fd/%d", hfd);
    rc = linkat(AT_FDCWD, self, pd, l2, AT_SYMLINK_FOLLOW) ? -errno : 0;
    close(pd);
    close(hfd);
    return kbox_ret(rc);
}

/* symlinkat of target @p1 as @p2 (relative to guest dirfd @d2) */
static struct kbox_resp symlink_routed(struct kbox_req *r, const char *p1,
                                       int d2, char *p2)
{
    struct route r2;
    long rc;

    rc = kbox_route_path(r, d2, p2, &r2);
    if (rc)
        return kbox_ret(rc);
    if (r2.kind == KBOX_ROUTE_BIND) {
        char l2[KBOX_PATH_MAX];
        int hd = kbox_route_parent(&r2, l2, sizeof(l2));

        if (hd < 0)
            return kbox_ret(hd);
        rc = symlinkat(p1, hd, l2) ? -errno : 0;
        close(hd);
        return kbox_ret(rc);
    }
    if (r2.kind != KBOX_ROUTE_LX)
        return kbox_ret(-EACCES);
    if (r2.use_norm)
        snprintf(p2, KBOX_PATH_MAX, "%s", r2.norm);
    return kbox_ret(
        kbox_lx(r, LX__NR_symlinkat, (long)p1, r2.lxdir, (long)p2, 0, 0, 0));
}

struct kbox_resp kbox_fs_path2(struct kbox_req *r)
{
    char p1[KBOX_PATH_MAX], p2[KBOX_PATH_MAX];
    struct kbox_resp resp;
    int d1 = FD(0), d2 = FD(2);
    long rc, rc2;

    if (r->nr == SYS_symlinkat) {
        /* symlinkat(target, newdirfd, linkpath): target is just data. */
        rc = kbox_read_path(r, r->args[0], p1, sizeof(p1), false);
        if (!rc)
            rc = kbox_read_path(r, r->args[2], p2, sizeof(p2), false);
        if (rc)
            return kbox_ret(rc);
        d2 = FD(1);
        resp = symlink_routed(r, p1, d2, p2);
        /* the new name's directory reached through a symlink into a bind
         * or out of one: again on the path Linux's walk takes (EXDEV
         * from the bind trap; the engine retries one-path calls only,
         * and symlinkat reads two strings) */
        for (int links = 0; kbox_sup.opts->nbinds &&
                            resp.kind == KBOX_RESP_RET && resp.val == -EXDEV;
             links++) {
            if (!follow_links(r, &d2, p2, sizeof(p2), false, true))
                break;
            if (links >= 40)
                return kbox_ret(-ELOOP);
            resp = symlink_routed(r, p1, d2, p2);
        }
        return resp;
    }
    /*
     * Linux's order (do_linkat, do_renameat2): the flags; then the old
     * name, whose read (EFAULT, ENAMETOOLONG, ENOENT for "") and dirfd
     * (EBADF, ENOTDIR) fail only when it is looked up, and is looked up
     * in full for link, up to its parent for rename; only then the new
     * name's read, dirfd and parent. kbox reads and routes both first,
     * so link("missing", badfd, "x") said EBADF, not ENOENT: the old
     * name is looked up here when anything about the new one fails (and
     * for a bind, where kbox makes the later checks itself).
     */
    if (r->nr == SYS_linkat && (A(4) & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)))
        return kbox_ret(-EINVAL);
    if (r->nr == SYS_renameat2 &&
        ((A(4) & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) ||
         ((A(4) & (RENAME_NOREPLACE | RENAME_WHITEOUT)) &&
          (A(4) & RENAME_EXCHANGE))))
        return kbox_ret(-EINVAL);
    rc = kbox_read_path(r, r->args[1], p1, sizeof(p1),
                        r->nr == SYS_linkat && (A(4) & AT_EMPTY_PATH));
    if (rc)
        return kbox_ret(rc);
    rc2 = kbox_read_path(r, r->args[3], p2, sizeof(p2), false);
    if (r->nr == SYS_linkat && (A(4) & AT_EMPTY_PATH) && !p1[0] && FD(0) >= 0 &&
        kbox_lxfd(r, FD(0)) < 0 && r->proc && r->proc->pidfd >= 0)
        return rc2 ? kbox_ret(rc2) : link_host_fd(r, FD(0), FD(2), p2);
    resp = path2_routed(r, FD(0), p1, FD(2), p2, rc2);
    /* a name reached through a symlink that leaves a bind or leads into
     * one: again on the paths Linux's walk takes (at most 40 links) */
    for (int links = 0; !rc2 && kbox_sup.opts->nbinds &&
                        resp.kind == KBOX_RESP_RET && resp.val == -EXDEV;
         links++) {
        bool c1 = follow_links(
            r, &d1, p1, sizeof(p1),
            r->nr == SYS_linkat && (A(4) & AT_SYMLINK_FOLLOW), false);
        bool c2 = follow_links(r, &d2, p2, sizeof(p2), false, true);

        if (!c1 && !c2)
            break;
        if (links >= 40)
            return kbox_ret(-ELOOP);
        resp = path2_routed(r, d1, p1, d2, p2, 0);
    }
    return resp;
}

/* rename and link on names read: @rc2 is the new name's read error */
static struct kbox_resp path2_routed(struct kbox_req *r, int dfd1, char *p1,
                                     int dfd2, char *p2, long rc2)
{
    struct route r1, r2;
    long rc;
    bool dots2;

    /* a bad dirfd is EBADF, as each route's own error (every error was
     * ENAMETOOLONG: gnulib's test-renameat, `perl -i`) */
    /* routing tells rename's old name from its new one by the count of
     * names read (route.c) */
    r->npaths = 1;
    rc = kbox_route_path(r, dfd1, p1, &r1);
    if (rc)
        return kbox_ret(rc);
    r->npaths = 2;
    if (!rc2)
        rc2 = kbox_route_path(r, dfd2, p2, &r2);
    /* a bind's "." or ".." as the new name: the routing's answer (EBUSY,
     * EEXIST), given once the names before it resolved */
    dots2 = (rc2 == -EBUSY || rc2 == -EEXIST) && last_is_dots(p2);
    if (rc2 || r1.kind != KBOX_ROUTE_LX || r2.kind != KBOX_ROUTE_LX) {
        rc = r->nr == SYS_linkat ? old_resolves(r, &r1, p1, (int)A(4))
                                 : parent_resolves(r, &r1, p1);
        if (!rc && !dots2)
            rc = rc2;
        if (!rc && !dots2)
            rc = parent_resolves(r, &r2, p2);
        if (rc)
            return kbox_ret(rc);
        if (dots2 && r->nr != SYS_linkat && last_is_dots(p1))
            return kbox_ret(-EBUSY); /* the old name's first */
        if (dots2)
            return kbox_ret(rc2);
    }
    if (r1.kind != KBOX_ROUTE_LX || r2.kind != KBOX_ROUTE_LX) {
        char l1[KBOX_PATH_MAX], l2[KBOX_PATH_MAX];
        int d1, d2;

        /* A bind's mount point cannot be renamed or replaced (EBUSY),
         * but the kernel's first check is the parents' mounts: with the
         * other name inside a bind they differ (mv /work/x /work). */
        if (r1.bound_file || r2.bound_file) {
            const struct route *o = r1.bound_file ? &r2 : &r1;

            return kbox_ret(
                o->kind == KBOX_ROUTE_BIND && !o->bound_file ? -EXDEV : -EBUSY);
        }
        if (r1.kind != KBOX_ROUTE_BIND || r2.kind != KBOX_ROUTE_BIND ||
            kbox_route_mount(&r1) != kbox_route_mount(&r2)) {
            rc = parent_resolves(r, &r1, p1);
            if (!rc)
                rc = parent_resolves(r, &r2, p2);
            return kbox_ret(rc ? rc : -EXDEV);
        }
        /* rename's "." or ".." (do_renameat2), once the mounts agree */
        if (r->nr != SYS_linkat && last_is_dots(p1))
            return kbox_ret(-EBUSY);
        if (r1.held_bind1 && !strcmp(r1.rest, ".")) {
            /* link's old name is a removed directory itself (bindcwd.c),
             * which has no name to link by: Linux's new name's checks,
             * then a directory's EPERM (vfs_link) */
            struct stat st;

            d2 = kbox_route_parent(&r2, l2, sizeof(l2));
            if (d2 < 0)
                return kbox_ret(d2);
            rc = !fstatat(d2, l2, &st, AT_SYMLINK_NOFOLLOW) ? -EEXIST
                 : errno == ENOENT                          ? -EPERM
                                                            : -errno;
            close(d2);
            return kbox_ret(rc);
        }
        d1 = kbox_route_parent(&r1, l1, sizeof(l1));
        if (d1 < 0)
            return kbox_ret(d1);
        d2 = kbox_route_parent(&r2, l2, sizeof(l2));
        /* Linux walks the old name's parent first, its search right
         * included (an O_PATH open of it needs none): a missing new
         * parent said ENOENT where Linux says EACCES */
        if (d2 < 0 && faccessat(d1, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) &&
            errno == EACCES)
            d2 = -EACCES;
        if (d2 < 0) {
            close(d1);
            return kbox_ret(d2);
        }
        if (r->nr == SYS_linkat && (A(4) & AT_SYMLINK_FOLLOW)) {
            /* The old name's last symlink followed beneath the bind,
             * never by the host (an absolute target is the host's):
             * linked through its /proc/self/fd magic link. With 0 the
             * symlink itself was linked and `ln -L dirlink x` made x
             * where Linux says EPERM. */
            int o = kbox_route_open(&r1, O_PATH, 0);
            char self[64];

            if (o < 0) {
                rc = o;
            } else {
                snprintf(self, sizeof(self), "/proc/self/fd/%d", o);
                rc = linkat(AT_FDCWD, self, d2, l2, AT_SYMLINK_FOLLOW) ? -errno
                                                                       : 0;
                close(o);
            }
            close(d1);
            close(d2);
            return kbox_ret(rc);
        }
        if (r->nr == SYS_linkat)
            rc = linkat(d1, l1, d2, l2, 0);
        else
            rc = renameat2(d1, l1, d2, l2,
                           r->nr == SYS_renameat2 ? (unsigned)A(4) : 0);
        rc = rc ? -errno : 0;
        close(d1);
        close(d2);
        return kbox_ret(rc);
    }
    if (r1.use_norm)
        snprintf(p1, KBOX_PATH_MAX, "%s", r1.norm);
    if (r2.use_norm)
        snprintf(p2, KBOX_PATH_MAX, "%s", r2.norm);
    switch (r->nr) {
    case SYS_renameat:
    case SYS_renameat2: {
        unsigned long fl = r->nr == SYS_renameat2 ? A(4) : 0;
        struct kbox_gstat g, now;
        /* a socket node renamed over: its host name goes (unlinkat) */
        bool sock =
            !(fl & RENAME_EXCHANGE) && kbox_sock_node_last(r, r2.lxdir, p2, &g);

        if (!(fl & RENAME_EXCHANGE))
            kbox_shmap_unlinking(r, r2.lxdir, p2);
        rc = kbox_lx(r, LX__NR_renameat2, r1.lxdir, (long)p1, r2.lxdir,
                     (long)p2, (long)fl, 0);
        /* not when it was renamed onto itself (a no-op, as Linux's) */
        if (rc == 0 && sock &&
            !(kbox_lx(r, LX__NR_newfstatat, r2.lxdir, (long)p2, (long)&now,
                      AT_SYMLINK_NOFOLLOW, 0, 0) == 0 &&
              now.st_dev == g.st_dev && now.st_ino == g.st_ino))
            kbox_sock_node_gone(&g);
        if (rc == 0)
            kbox_shmap_unlinked();
        if (rc == 0 && kbox_sup.opts->nbinds) {
            kbox_bind_renamed(r, r2.lxdir, p2);
            if (fl & RENAME_EXCHANGE)
                kbox_bind_renamed(r, r1.lxdir, p1);
        }
        break;
    }
    case SYS_linkat:
        rc = kbox_lx(r, LX__NR_linkat, r1.lxdir, (long)p1, r2.lxdir, (long)p2,
                     A(4), 0);
        break;
    default:
        rc = -ENOSYS;
    }
    return kbox_ret(rc);
}
