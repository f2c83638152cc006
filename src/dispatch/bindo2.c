/* SPDX-License-Identifier: MIT */
/*
 * Which bind a host fd lies in, and where beneath its source; openat2
 * relative to a guest dirfd (or cwd) in a bind whose RESOLVE_*
 * flags do not scope the walk (no RESOLVE_BENEATH or RESOLVE_IN_ROOT):
 * the host walked from the dirfd with only the guest's flags, so ".."
 * past the bind's source (after a link to ".", which the text routing
 * had cancelled) or an absolute symlink reached the host's files
 * outside it. The walk is made from the bind's source instead, through
 * the dirfd's place beneath it, with RESOLVE_BENEATH added.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "route.h"

/*
 * Where host fd @fd lies beneath host directory fd @root, as a relative
 * path in @out ("" for @root itself): 0, or -1 if not beneath it.
 */
int kbox_fd_beneath(int root, int fd, char *out, size_t len)
{
    char self[64], host[KBOX_PATH_MAX], top[KBOX_PATH_MAX];
    ssize_t hl, tl;
    const char *rel;

    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    hl = readlink(self, host, sizeof(host) - 1);
    snprintf(self, sizeof(self), "/proc/self/fd/%d", root);
    tl = readlink(self, top, sizeof(top) - 1);
    if (hl <= 0 || tl <= 0)
        return -1;
    host[hl] = top[tl] = '\0';
    if (!strcmp(top, "/"))
        tl = 0;
    else if (strncmp(host, top, (size_t)tl) || (host[tl] && host[tl] != '/'))
        return -1;
    for (rel = host + tl; *rel == '/'; rel++)
        ;
    return snprintf(out, len, "%s", rel) < (int)len ? 0 : -1;
}

int kbox_bind_of_fd(int fd)
{
    char rel[KBOX_PATH_MAX];

    for (int i = 0; i < kbox_sup.opts->nbinds; i++)
        if (!kbox_sup.opts->binds[i].file &&
            !kbox_fd_beneath(kbox_sup.bind_dirs[i], fd, rel, sizeof(rel)))
            return i;
    return -1;
}

int kbox_bind_openat2_unscoped(int dfd, const char *path,
                               const struct open_how *guest)
{
    char rel[KBOX_PATH_MAX], p[2 * KBOX_PATH_MAX + 2];
    struct open_how how = *guest;
    int idx = kbox_bind_of_fd(dfd), fd;
    struct stat st;

    if (idx >= 0 && !fstat(dfd, &st) && S_ISDIR(st.st_mode) && !st.st_nlink) {
        /* a removed directory has no path: walked from itself, "."
         * alone (".." leaves it: EXDEV, routed as usual) */
        how.resolve |= RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
        fd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : fd;
    }
    if (idx < 0 ||
        kbox_fd_beneath(kbox_sup.bind_dirs[idx], dfd, rel, sizeof(rel)))
        return -EXDEV; /* not beneath a bind's source: never walked */
    if (snprintf(p, sizeof(p), "%s%s%s", rel, *rel ? "/" : "", path) >=
        KBOX_PATH_MAX)
        return -ENAMETOOLONG;
    how.resolve |= RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    fd = (int)syscall(SYS_openat2, kbox_sup.bind_dirs[idx], p, &how,
                      sizeof(how));
    return fd < 0 ? -errno : fd;
}

/* Has @path a ".." component? */
static bool has_dotdot(const char *path)
{
    for (const char *p = path; *p;) {
        const char *e = strchrnul(p, '/');

        if (e - p == 2 && p[0] == '.' && p[1] == '.')
            return true;
        for (p = e; *p == '/'; p++)
            ;
    }
    return false;
}

/*
 * openat2 with RESOLVE_BENEATH or RESOLVE_IN_ROOT relative to an lx
 * directory (or an lx cwd) whose text, ".." and all, leads into a bind:
 * the bind's file was opened with no scope ("../bind/f" from an image
 * directory opened it, where Linux says EXDEV; IN_ROOT's clamp was
 * lost). lx walks it instead, its scope kept: a ".." past the dirfd is
 * EXDEV, IN_ROOT clamps; a walk that then enters the bind stops at it
 * (EXDEV, which is not retried), so a scoped descent through ".." into
 * a bind is refused rather than let out. True if @rt now routes to lx.
 */
bool kbox_openat2_scoped_to_lx(struct kbox_req *r, int dirfd, const char *path,
                               unsigned long long resolve, struct route *rt,
                               long rc)
{
    int l = dirfd != AT_FDCWD ? kbox_lxfd(r, dirfd) : AT_FDCWD;

    /* rc: the text routing failed (a name too long after ".."), where
     * lx's walk may stop first (EXDEV) */
    if ((!rc && rt->kind != KBOX_ROUTE_BIND) || path[0] == '/' ||
        !(resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) || !has_dotdot(path) ||
        (dirfd != AT_FDCWD ? l < 0
                           : !r->proc || kbox_bind_cwd_on(r->proc, r->task)))
        return false;
    rt->kind = KBOX_ROUTE_LX;
    rt->lxdir = l;
    rt->use_norm = false;
    r->bind_idx1 = 0; /* no retry on the bind's path */
    free(r->lx_walk);
    r->lx_walk = NULL;
    return true;
}
