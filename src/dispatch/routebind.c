/* SPDX-License-Identifier: MIT */
/*
 * Path routing into binds: a walk from lx that enters one, "." and ".."
 * resolved by the host beneath one, lx's EXDEV retried on the bind, and
 * the host fds, modes and names of bind routes. route.c decides where a
 * path goes, routeproc.c reads /proc and host paths.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/fdtable.h"
#include "kbox/guard.h"
#include "kbox/path.h"

#include "route.h"

/*
 * A path relative to lx directory fd @lxfd that enters a bind, as its
 * absolute guest path in @norm. Where the bind's place is a directory in
 * the image, lx's walk stops there (kbox-bind trap, EXDEV) and the engine
 * retries; where the image has none, lx walked on in the image: mkdirat
 * of "b/new" from /mnt made /mnt/b/new in the image, hidden under the
 * bind, and `mkdir -p` into a bind failed.
 */
bool kbox_route_into_bind(struct kbox_req *r, int lxfd, const char *path,
                          char *dir, char *norm, size_t len, char *raw,
                          size_t rawlen)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char g[2 * KBOX_PATH_MAX + 2];
    struct kbox_gstat st;

    if (o->nbinds == 0 || !path[0] ||
        lx_task_fd_path(r->task, lxfd, dir, KBOX_PATH_MAX) <= 0 ||
        dir[0] != '/')
        return false;
    /* a file's name with "../.." after it led into a bind: lx says
     * ENOTDIR for a path relative to a file */
    if (kbox_lx(r, LX__NR_newfstatat, lxfd, (long)"", (long)&st, AT_EMPTY_PATH,
                0, 0) == 0 &&
        !S_ISDIR(st.st_mode))
        return false;
    snprintf(g, sizeof(g), "%s/%s", dir, path);
    if (kbox_path_normalize(g, norm, len, false, NULL) < 0)
        return false;
    if (snprintf(raw, rawlen, "%s", g) >= (int)rawlen)
        raw[0] = '\0';
    return kbox_path_route(norm, o->binds, o->nbinds, false).route ==
           KBOX_ROUTE_BIND;
}

/*
 * "." and ".." inside a bind path are the filesystem's, not the text's:
 * ".." after a symlink goes up from the link's target, and every name
 * before one must exist and be a directory. The path was normalised by
 * its text, so in a bind `rm sl/../f` removed the wrong file,
 * mkdir("nosuch/..") said EEXIST, access("nosuch/../f") found f, and
 * mkdir("nd/.//") made nd (gnulib's test-mkdir, test-rename, test-rmdir).
 * When the raw path enters bind @idx by its mount point and has such
 * names after it, its directory part is resolved by the host beneath the
 * bind and @rt->rest becomes the physical path there. 1 done, 0 not
 * needed (or the walk leaves the bind: the text decides, as before),
 * else the error Linux gives.
 */
int kbox_route_bind_physical(struct kbox_req *r, int idx, const char *raw,
                             struct route *rt, const char *tail)
{
    const char *dst = kbox_sup.opts->binds[idx].guest_dst, *p = raw, *q;
    char rem[KBOX_PATH_MAX], dir[KBOX_PATH_MAX], rel[KBOX_PATH_MAX];
    const char *last;
    struct open_how how;
    bool dots = false, lastdot;
    size_t n;
    int fd;

    /* the mount point's names, one by one, with no "." or ".." */
    for (q = dst;;) {
        const char *a, *b;

        while (*q == '/')
            q++;
        while (*p == '/')
            p++;
        if (!*q)
            break;
        a = q;
        while (*q && *q != '/')
            q++;
        b = p;
        while (*p && *p != '/')
            p++;
        if ((size_t)(q - a) != (size_t)(p - b) || memcmp(a, b, (size_t)(q - a)))
            return 0;
    }
    while (*p == '/')
        p++;
    n = strlen(p);
    while (n > 0 && p[n - 1] == '/')
        n--;
    if (n >= sizeof(rem))
        return 0;
    memcpy(rem, p, n);
    rem[n] = '\0';
    for (q = rem; *q;) {
        const char *a = q;

        while (*q && *q != '/')
            q++;
        if ((q - a == 1 && a[0] == '.') ||
            (q - a == 2 && a[0] == '.' && a[1] == '.'))
            dots = true;
        while (*q == '/')
            q++;
    }
    if (!dots)
        return 0;
    last = strrchr(rem, '/');
    if (last) {
        memcpy(dir, rem, (size_t)(last - rem));
        dir[last - rem] = '\0';
        last++;
    } else {
        snprintf(dir, sizeof(dir), ".");
        last = rem;
    }
    lastdot = !strcmp(last, ".") || !strcmp(last, "..");
    if (lastdot) {
        /* the name a call makes or removes is "." or "..": Linux's
         * answers (do_rmdir, do_unlinkat, filename_create, rename), once
         * the names before it exist */
        switch (r->nr) {
        case SYS_linkat: /* the old name is looked up, not made */
            if (r->npaths == 1)
                goto names_dir;
            break;
        case SYS_unlinkat:
        case SYS_mkdirat:
        case SYS_mknodat:
        case SYS_symlinkat:
        case SYS_renameat:
        case SYS_renameat2:
            break;
        default: /* the directory it names */
        names_dir:
            snprintf(dir, sizeof(dir), "%s", rem);
            last = "";
            tail = "";
            break;
        }
    }
    memset(&how, 0, sizeof(how));
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    fd = (int)syscall(SYS_openat2, kbox_sup.bind_dirs[idx], dir, &how,
                      sizeof(how));
    if (fd < 0)
        return errno == EXDEV ? 0 : -errno;
    /* looking "." or ".." up in it needs the right to search it, which
     * the open did not check: rmdir(".") in a cwd of mode 0644 was
     * EINVAL, not EACCES (the worker has the guest's fs ids here) */
    if (lastdot && faccessat(fd, ".", X_OK, AT_EACCESS)) {
        int e = errno;

        close(fd);
        return -e;
    }
    /* rename's old name: its EBUSY comes after the new name's parent
     * resolved (h_path2) */
    if ((!strcmp(last, ".") || !strcmp(last, "..")) &&
        !((r->nr == SYS_renameat || r->nr == SYS_renameat2) &&
          r->npaths == 1)) {
        close(fd);
        if (r->nr == SYS_unlinkat && !(r->args[2] & AT_REMOVEDIR))
            return -EISDIR;
        if (r->nr == SYS_unlinkat)
            return last[1] ? -ENOTEMPTY : -EINVAL;
        if (r->nr == SYS_renameat2 && (r->args[4] & RENAME_NOREPLACE))
            return -EEXIST; /* do_renameat2's, for the new name */
        if (r->nr == SYS_renameat || r->nr == SYS_renameat2)
            return -EBUSY;
        return -EEXIST;
    }
    n = kbox_fd_beneath(kbox_sup.bind_dirs[idx], fd, rel, sizeof(rel)) ? 1 : 0;
    close(fd);
    if (n)
        return 0; /* cannot be named beneath the bind: the text decides */
    n = (size_t)snprintf(rt->rest, sizeof(rt->rest), "%s%s%s%s",
                         *rel ? rel : ".", *last ? "/" : "", last, tail);
    if (n >= sizeof(rt->rest))
        return -ENAMETOOLONG;
    rt->bound_file = !*rel && !*last && !*tail;
    free(r->bind_path);
    r->bind_path = malloc(KBOX_PATH_MAX);
    if (r->bind_path && snprintf(r->bind_path, KBOX_PATH_MAX, "%s%s%s%s%s", dst,
                                 *rel ? "/" : "", rel, *last ? "/" : "",
                                 last) >= KBOX_PATH_MAX) {
        free(r->bind_path);
        r->bind_path = NULL;
    }
    r->bind_idx1 = r->bind_path ? idx + 1 : 0;
    return 1;
}

char *kbox_lx_bind_path(struct kbox_req *r, int *err)
{
    const struct kbox_opts *o = kbox_sup.opts;
    struct kbox_walk w;
    char target[KBOX_PATH_MAX], base[KBOX_PATH_MAX];
    int k, step;
    bool moved = kbox_bind_tree_moved();
    struct kbox_route_result res;

    *err = 0;
    if (!r->lx_walk)
        return NULL;
    if (r->lx_walk[0] == '/') {
        base[0] = '\0';
    } else {
        long got =
            r->lx_walk_dir == AT_FDCWD
                ? kbox_lx(r, LX__NR_getcwd, (long)base, sizeof(base), 0, 0, 0,
                          0)
                : lx_task_fd_path(r->task, r->lx_walk_dir, base, sizeof(base));
        if (got < 0)
            return NULL;
    }
    /* The walk of lx_walk, as exec's lookup.c walks (kbox_walk), up to
     * the first bind; its links read in lx. */
    if (kbox_walk_init(&w, base, r->lx_walk))
        return NULL;
    for (;;) {
        const char *cand = w.cand, *end;
        long t;

        step = kbox_walk_next(&w);
        if (step == 0)
            return NULL; /* the walk reached no bind */
        if (step < 0) {
            *err = step;
            return NULL;
        }
        end = w.end;
        res = kbox_path_route(cand, o->binds, o->nbinds, kbox_sup.host_pts);
        k = res.route;
        if (k == KBOX_ROUTE_BIND && moved) {
            /* the guest's mounts decide what its walk meets there */
            int j = kbox_bind_reached(r, res.bind_index);

            if (j < 0)
                k = KBOX_ROUTE_LX; /* covered: a step in lx */
            else if (j != res.bind_index)
                return kbox_bind_reached_path(r, j, res.rest, end, err);
        }
        if (k != KBOX_ROUTE_LX) { /* a bind, or the host's /dev/pts */
            char *out = malloc(KBOX_PATH_MAX);

            if (out && snprintf(out, KBOX_PATH_MAX, "%s%s", cand, end) >=
                           KBOX_PATH_MAX) {
                free(out);
                out = NULL;
                *err = -ENAMETOOLONG;
            }
            /* /dev/pts/.. is /dev, in lx: the text decides there (bind
             * paths have their own "." and ".." handling) */
            if (out && k == KBOX_ROUTE_HOSTDEV &&
                (snprintf(target, sizeof(target), "%s", out) >=
                     (int)sizeof(target) ||
                 kbox_path_normalize(target, out, KBOX_PATH_MAX, false, NULL) <
                     0)) {
                free(out);
                out = NULL;
                *err = -ENAMETOOLONG;
            }
            return out;
        }
        t = kbox_lx(r, LX__NR_readlinkat, AT_FDCWD, (long)cand, (long)target,
                    sizeof(target) - 1, 0, 0);
        if (t == -EXDEV && moved) { /* a trap the guest's mounts put here */
            int j = kbox_bind_at(r, cand);

            return j >= 0 ? kbox_bind_reached_path(r, j, "", end, err) : NULL;
        }
        if (t == -EINVAL) { /* not a link: a step further */
            kbox_walk_step(&w);
            continue;
        }
        /* Stopped short of any bind: lx's EXDEV was its own (openat2's
         * RESOLVE_BENEATH or NO_XDEV), not a bind reached, and stands
         * (this walk's ENOENT replaced it for ".." to a missing name).
         * So it does when this walk fails on an empty link or a loop
         * first: lx's walk, had it gone on, would have failed there too
         * before any bind (openat2(RESOLVE_BENEATH) of "../loop" was
         * ELOOP, not EXDEV). */
        if (t <= 0)
            return NULL;
        target[t] = '\0';
        step = kbox_walk_link(&w, target);
        if (step < 0) {
            if (step == -ENAMETOOLONG)
                *err = step;
            return NULL;
        }
    }
}

int kbox_route_open(const struct route *rt, int flags, int mode)
{
    struct open_how how;
    int fd;

    if (rt->fdlink) {
        fd = openat(rt->hostdir, rt->rest, flags | O_CLOEXEC, mode);
        return fd < 0 ? -errno : fd;
    }
    memset(&how, 0, sizeof(how));
    how.flags =
        (unsigned long long)(flags | O_CLOEXEC) & ~(unsigned long long)0;
    if (KBOX_WILL_CREATE(flags))
        how.mode = (unsigned)mode & 07777;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    if (rt->kind == KBOX_ROUTE_HOSTDEV || rt->kind == KBOX_ROUTE_HOSTPROC)
        how.resolve |= RESOLVE_NO_SYMLINKS;
    fd = (int)syscall(SYS_openat2, rt->hostdir, rt->rest, &how, sizeof(how));
    return fd < 0 ? -errno : fd;
}

char *kbox_bind_symlink_path(int idx, const char *norm)
{
    const char *dst = kbox_sup.opts->binds[idx].guest_dst, *rest, *end;
    char guest[KBOX_PATH_MAX], target[KBOX_PATH_MAX], comp[NAME_MAX + 1];
    size_t l = strlen(dst);
    int cur = kbox_sup.bind_dirs[idx], owned = -1, n;
    char *out = NULL;

    if (strncmp(norm, dst, l) || (norm[l] && norm[l] != '/' && l > 1) ||
        kbox_sup.opts->binds[idx].file)
        return NULL; /* a file bind's name is no link (main.c) */
    rest = norm + (l > 1 ? l : 0);
    snprintf(guest, sizeof(guest), "%s", l > 1 ? dst : "");
    for (; *rest; rest = end) {
        struct stat st;
        int fd;

        while (*rest == '/')
            rest++;
        end = strchrnul(rest, '/');
        if (end == rest)
            break;
        if ((size_t)(end - rest) >= sizeof(comp))
            break;
        memcpy(comp, rest, (size_t)(end - rest));
        comp[end - rest] = '\0';
        fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            break;
        if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode)) {
            ssize_t t = readlinkat(fd, "", target, sizeof(target) - 1);

            close(fd);
            if (t <= 0)
                break;
            target[t] = '\0';
            out = malloc(KBOX_PATH_MAX);
            if (!out)
                break;
            /* absolute: from the guest's root; relative: from its dir */
            n = target[0] == '/'
                    ? snprintf(out, KBOX_PATH_MAX, "%s%s", target, end)
                    : snprintf(out, KBOX_PATH_MAX, "%s/%s%s", guest, target,
                               end);
            if (n < 0 || n >= KBOX_PATH_MAX) {
                free(out);
                out = NULL;
            }
            break;
        }
        if (owned >= 0)
            close(owned);
        owned = cur = fd;
        n = snprintf(guest + strlen(guest), sizeof(guest) - strlen(guest),
                     "/%s", comp);
        if (n < 0 || (size_t)n >= sizeof(guest))
            break;
    }
    if (owned >= 0)
        close(owned);
    return out;
}

/*
 * Linux takes the set-group-ID bit off a new non-directory whose mode has
 * group execute, in a set-group-ID directory whose group the creator is
 * not in, without CAP_FSETID (mode_strip_sgid), and only then applies the
 * umask. kbox applied the guest's umask first, so a mode the umask took
 * group execute from kept the bit in a bind (06755 with umask 033 made a
 * set-group-ID file of a group the creator is not in; found by
 * tests/guest/cred-fuzz). The thread has the guest's fs identity here.
 */
static mode_t strip_sgid(struct kbox_req *r, int dirfd, mode_t mode)
{
    unsigned int hdr[2] = { 0x20080522, 0 }, d[6] = { 0 };
    struct stat st;
    gid_t *g;
    int n;

    if ((mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) ||
        r->nr == SYS_mkdirat || fstat(dirfd, &st) || !(st.st_mode & S_ISGID) ||
        (gid_t)syscall(SYS_setfsgid, -1) == st.st_gid)
        return mode;
    n = (int)syscall(SYS_getgroups, 0, NULL);
    g = n > 0 ? calloc((size_t)n, sizeof(*g)) : NULL;
    if (g && syscall(SYS_getgroups, n, g) == n)
        for (int i = 0; i < n; i++)
            if (g[i] == st.st_gid) {
                free(g);
                return mode;
            }
    free(g);
    if (syscall(SYS_capget, hdr, d) == 0 && (d[0] & (1u << 4))) /* FSETID */
        return mode;
    return mode & ~(mode_t)S_ISGID;
}

mode_t kbox_bind_create_mode(struct kbox_req *r, const struct route *rt,
                             int dirfd, mode_t mode)
{
    char self[64], last[KBOX_PATH_MAX];
    int fd = dirfd >= 0 ? dirfd : kbox_route_parent(rt, last, sizeof(last));
    ssize_t n = -1;

    if (fd >= 0) {
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        n = getxattr(self, "system.posix_acl_default", NULL, 0);
        if (n <= 0)
            mode = strip_sgid(r, fd, mode);
        if (fd != dirfd)
            close(fd);
    }
    return n > 0 ? mode : mode & ~kbox_guest_umask(r);
}

int kbox_bind_guest_path(const struct route *rt, int hfd, char *out, size_t len)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char rel[KBOX_PATH_MAX];
    int i;

    if (rt->kind != KBOX_ROUTE_BIND) /* /proc/self/fd/N of a bind's dir */
        i = rt->fdlink ? kbox_bind_of_fd(hfd) : -1;
    else
        for (i = 0; i < o->nbinds && kbox_sup.bind_dirs[i] != rt->hostdir; i++)
            ;
    if (i < 0 || i == o->nbinds || o->binds[i].file ||
        kbox_fd_beneath(kbox_sup.bind_dirs[i], hfd, rel, sizeof(rel)))
        return -1;
    return snprintf(out, len, "%s%s%s", o->binds[i].guest_dst,
                    *rel && strcmp(o->binds[i].guest_dst, "/") ? "/" : "",
                    rel) < (int)len
               ? 0
               : -1;
}

/* Open the parent of a bind path beneath the bind; *last = final name. */
int kbox_route_parent(const struct route *rt, char *last, size_t lastlen)
{
    char parent[KBOX_PATH_MAX], *slash;
    struct route pr = *rt;

    size_t l;
    const char *tail = "";

    snprintf(parent, sizeof(parent), "%s", rt->rest);
    /* a trailing "/" or "/." goes with the last name (route_lexically) */
    l = strlen(parent);
    if (l > 2 && !strcmp(parent + l - 2, "/.")) {
        tail = "/.";
        parent[l - 2] = '\0';
    } else if (l > 1 && parent[l - 1] == '/') {
        tail = "/";
        parent[l - 1] = '\0';
    }
    slash = strrchr(parent, '/');
    if (slash) {
        *slash = '\0';
        snprintf(pr.rest, sizeof(pr.rest), "%s", parent);
        snprintf(last, lastlen, "%s%s", slash + 1, tail);
    } else {
        snprintf(pr.rest, sizeof(pr.rest), ".");
        snprintf(last, lastlen, "%s%s", parent, tail);
    }
    if (!strcmp(last, ".") || !strcmp(last, "..") || !strcmp(last, "./") ||
        !strcmp(last, "./."))
        return -EINVAL;
    return kbox_route_open(&pr, O_PATH | O_DIRECTORY, 0);
}
