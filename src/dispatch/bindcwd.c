/* SPDX-License-Identifier: MIT */
/*
 * A cwd or directory fd inside a bind, taken as the directory itself.
 *
 * kbox kept a bind cwd by its guest path text and named a guest's dir fd
 * by its /proc link, so after `mv` of the directory or of one above it
 * (by a guest or on the host) the cwd still named the old place, and a
 * removed directory's "." and ".." were ENOENT, or reached a directory
 * made again under its name. Now the cwd holds an O_PATH host fd of the
 * directory; its current name (the host's /proc link) gives the text
 * routes start from. A removed one (a cwd, or a guest's dir fd) answers
 * as Linux does: "." is the directory, ".." its last parent, and a name
 * in it the host's answer from the directory itself (ENOENT, or Linux's
 * earlier errors). Nothing is reached beyond the bind's source: ".."
 * from the bind's root goes by the text into the image, and a parent
 * found by the host must lie beneath the same bind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

#include "route.h"

/* Guest path of bind @i's @rest (a host path beneath its source). */
static int guest_of(int i, const char *rest, char *out, size_t len)
{
    const char *dst = kbox_sup.opts->binds[i].guest_dst;
    char g[2 * KBOX_PATH_MAX + 2];

    snprintf(g, sizeof(g), "%s/%s", dst, rest);
    return kbox_path_normalize(g, out, len, false, NULL) < 0 ? -1 : 0;
}

/* kbox's /proc/self/fd, opened once: each name's walk costs (a relative
 * call in a bind cwd reads its directory's name every time) */
static int self_fd_dir(void)
{
    static int dir = -1;
    int d = __atomic_load_n(&dir, __ATOMIC_ACQUIRE), e = -1;

    if (d >= 0)
        return d;
    d = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (d >= 0 && !__atomic_compare_exchange_n(
                      &dir, &e, d, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        close(d);
        d = e;
    }
    return d;
}

int kbox_bind_held_name(int hfd, int hint, char *out, size_t len, int *idx)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char link[64], hp[KBOX_PATH_MAX];
    const char *rest;
    bool gone = false;
    int pd = self_fd_dir();
    ssize_t n;

    if (pd >= 0) {
        snprintf(link, sizeof(link), "%d", hfd);
        n = readlinkat(pd, link, hp, sizeof(hp) - 1);
    } else {
        snprintf(link, sizeof(link), "/proc/self/fd/%d", hfd);
        n = readlink(link, hp, sizeof(hp) - 1);
    }
    if (n <= 0 || hp[0] != '/')
        return -1;
    hp[n] = '\0';
    /* d_path's mark of a removed dentry; a name that merely ends so has
     * links still */
    if (n > 10 && !strcmp(hp + n - 10, " (deleted)")) {
        struct stat st;

        if (fstat(hfd, &st) == 0 && st.st_nlink == 0) {
            hp[n - 10] = '\0';
            gone = true;
        }
    }
    /* the bind it was entered by first: one source may be bound twice */
    if (hint >= 0 && hint < o->nbinds && !o->binds[hint].file &&
        kbox_path_beneath(hp, o->binds[hint].host_src, &rest)) {
        if (idx)
            *idx = hint;
        return guest_of(hint, rest, out, len) ? -1 : gone;
    }
    for (int i = 0; i < o->nbinds; i++) {
        if (o->binds[i].file ||
            !kbox_path_beneath(hp, o->binds[i].host_src, &rest))
            continue;
        if (idx)
            *idx = i;
        return guest_of(i, rest, out, len) ? -1 : gone;
    }
    return -1;
}

/* The bind the guest path @text lies in (a directory bind), or -1. */
static int bind_of_text(const char *text)
{
    const struct kbox_opts *o = kbox_sup.opts;
    struct kbox_route_result res =
        kbox_path_route(text, o->binds, o->nbinds, false);

    if (res.route != KBOX_ROUTE_BIND || o->binds[res.bind_index].file)
        return -1;
    return res.bind_index;
}

int kbox_bind_text_dir(const char *text)
{
    const struct kbox_opts *o = kbox_sup.opts;
    struct kbox_route_result res;
    struct open_how how;

    if (!text[0] || !o)
        return -1;
    res = kbox_path_route(text, o->binds, o->nbinds, false);
    if (res.route != KBOX_ROUTE_BIND || o->binds[res.bind_index].file)
        return -1;
    memset(&how, 0, sizeof(how));
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    return (int)syscall(SYS_openat2, kbox_sup.bind_dirs[res.bind_index],
                        *res.rest ? res.rest : ".", &how, sizeof(how));
}

/*
 * Guards each process's held fd while it is read: threads of one process
 * share it, and a chdir in one closes the fd another was about to name
 * (its number then reused by any other file of kbox's).
 */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Does the cwd's text still name the held directory? One stat beneath
 * the bind, where reading the fd's name costs a walk of /proc: the same
 * inode there means no rename or removal moved it.
 */
static bool text_still_names(const struct kbox_proc *p)
{
    const struct kbox_opts *o = kbox_sup.opts;
    struct kbox_route_result res;
    struct stat st;

    if (!p->bind_cwd_ino || p->bind_cwd_gone)
        return false;
    res = kbox_path_route(p->bind_cwd, o->binds, o->nbinds, false);
    if (res.route != KBOX_ROUTE_BIND || o->binds[res.bind_index].file)
        return false;
    return !fstatat(kbox_sup.bind_dirs[res.bind_index],
                    *res.rest ? res.rest : ".", &st, AT_SYMLINK_NOFOLLOW) &&
           S_ISDIR(st.st_mode) && st.st_nlink && st.st_ino == p->bind_cwd_ino &&
           st.st_dev == p->bind_cwd_dev;
}

static int sync_locked(struct kbox_proc *p)
{
    char g[KBOX_PATH_MAX];
    int fd1 = p->bind_cwd_fd1, rc;
    struct stat st;

    if (!p->bind_cwd[0])
        return 0;
    if (fd1 && text_still_names(p))
        return 0;
    if (!fd1) {
        /* set by its text (the -w directory at start-up): held from the
         * first use on */
        int fd = kbox_bind_text_dir(p->bind_cwd);

        if (fd < 0)
            return 0;
        p->bind_cwd_fd1 = fd1 = fd + 1;
    }
    rc = kbox_bind_held_name(fd1 - 1, bind_of_text(p->bind_cwd), g, sizeof(g),
                             NULL);
    if (rc >= 0 && strcmp(g, p->bind_cwd))
        snprintf(p->bind_cwd, sizeof(p->bind_cwd), "%s", g);
    p->bind_cwd_gone = rc != 0;
    if (!p->bind_cwd_ino && !fstat(fd1 - 1, &st)) {
        p->bind_cwd_dev = st.st_dev;
        p->bind_cwd_ino = st.st_ino;
    }
    return rc != 0;
}

int kbox_bind_cwd_sync(struct kbox_proc *p)
{
    int rc;

    if (!p->bind_cwd[0])
        return 0;
    pthread_mutex_lock(&held_lock);
    rc = sync_locked(p);
    pthread_mutex_unlock(&held_lock);
    return rc;
}

void kbox_bind_cwd_set(struct kbox_proc *p, int hfd, const char *text)
{
    int old;

    if (hfd >= 0 && bind_of_text(text) < 0) {
        /* not a directory bind (the host's /dev/pts): by the text */
        close(hfd);
        hfd = -1;
    }
    pthread_mutex_lock(&held_lock);
    old = p->bind_cwd_fd1;
    p->bind_cwd_fd1 = hfd >= 0 ? hfd + 1 : 0;
    p->bind_cwd_gone = false;
    p->bind_cwd_ino = p->bind_cwd_dev = 0;
    if (text != p->bind_cwd)
        snprintf(p->bind_cwd, sizeof(p->bind_cwd), "%s", text);
    if (hfd >= 0)
        sync_locked(p);
    pthread_mutex_unlock(&held_lock);
    if (old)
        close(old - 1);
}

void kbox_bind_cwd_clear(struct kbox_proc *p)
{
    int old;

    pthread_mutex_lock(&held_lock);
    old = p->bind_cwd_fd1;
    p->bind_cwd[0] = '\0';
    p->bind_cwd_fd1 = 0;
    p->bind_cwd_gone = false;
    p->bind_cwd_ino = p->bind_cwd_dev = 0;
    pthread_mutex_unlock(&held_lock);
    if (old)
        close(old - 1);
}

int kbox_bind_cwd_dup(struct kbox_proc *p)
{
    int fd1;

    pthread_mutex_lock(&held_lock);
    fd1 = p->bind_cwd_fd1;
    fd1 = fd1 ? fcntl(fd1 - 1, F_DUPFD_CLOEXEC, 0) + 1 : 0;
    pthread_mutex_unlock(&held_lock);
    return fd1;
}

static bool same_dir(int a, int b)
{
    struct stat sa, sb;

    return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/*
 * A name to make or remove that is "." or ".." after only "." and "..":
 * Linux's answer from the last name's type (do_rmdir, do_unlinkat,
 * filename_create, do_renameat2), before any lookup; the walk up must
 * not reach the parent's name (rmdir("..") would remove it). 0 if not.
 */
static int dots_errno(const struct kbox_req *r, const char *path)
{
    const char *p = path, *last = NULL;

    for (;;) {
        const char *e;

        while (*p == '/')
            p++;
        if (!*p)
            break;
        e = strchrnul(p, '/');
        if (!(e - p == 1 && p[0] == '.') &&
            !(e - p == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        last = p;
        p = e;
    }
    if (!last)
        return 0;
    switch (r->nr) {
    case SYS_linkat: /* the old name is looked up, not made */
    case SYS_renameat:
    case SYS_renameat2: /* the old name's EBUSY: rename.c */
        if (r->npaths == 1)
            return 0;
        break;
    case SYS_unlinkat:
    case SYS_mkdirat:
    case SYS_mknodat:
    case SYS_symlinkat:
        break;
    default:
        return 0;
    }
    if (r->nr == SYS_unlinkat && !(r->args[2] & AT_REMOVEDIR))
        return -EISDIR;
    if (r->nr == SYS_unlinkat)
        return last[1] == '.' ? -ENOTEMPTY : -EINVAL;
    if (r->nr == SYS_renameat2 && (r->args[4] & RENAME_NOREPLACE))
        return -EEXIST;
    if (r->nr == SYS_renameat || r->nr == SYS_renameat2)
        return -EBUSY;
    return -EEXIST;
}

int kbox_bind_gone_route(struct kbox_req *r, int dfd, int hint,
                         const char *path, struct route *rt, char *text,
                         size_t len)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char name[KBOX_PATH_MAX], rel[KBOX_PATH_MAX];
    const char *p = path;
    int cur = fcntl(dfd, F_DUPFD_CLOEXEC, 0), idx, st, slot;

    if (cur < 0)
        return -errno;
    if ((st = dots_errno(r, path))) {
        close(cur);
        return st;
    }
    /* the bind it is in, the one it was entered by first (nested
     * sources): every step up stays beneath it */
    idx = hint >= 0 && hint < o->nbinds && !o->binds[hint].file &&
                  !kbox_fd_beneath(kbox_sup.bind_dirs[hint], cur, rel,
                                   sizeof(rel))
              ? hint
              : kbox_bind_of_fd(cur);
    if (idx < 0)
        goto enoent;
    for (;;) {
        const char *e;
        int up;

        while (*p == '/')
            p++;
        e = strchrnul(p, '/');
        if (e - p == 1 && p[0] == '.') {
            p = e;
            continue;
        }
        if (e - p != 2 || p[0] != '.' || p[1] != '.')
            break;
        if (same_dir(cur, kbox_sup.bind_dirs[idx])) {
            /* ".." of the bind's root is its place's parent in the image:
             * by the text, never the host's directory above the source */
            close(cur);
            return snprintf(text, len, "%s/%s", o->binds[idx].guest_dst, p) <
                           (int)len
                       ? 1
                       : -ENAMETOOLONG;
        }
        up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        close(cur);
        if (up < 0)
            return -errno;
        cur = up;
        /* a host rename may have moved it out of the source */
        if (kbox_fd_beneath(kbox_sup.bind_dirs[idx], cur, rel, sizeof(rel)))
            goto enoent;
        p = e;
    }
    st = kbox_bind_held_name(cur, idx, name, sizeof(name), &idx);
    if (st == 0) { /* a live directory: routed by its current name */
        close(cur);
        return snprintf(text, len, "%s/%s", name, p) < (int)len ? 1
                                                                : -ENAMETOOLONG;
    }
    /* nothing is reached from one moved out of the bind */
    if (st < 0)
        goto enoent;
    for (slot = 0; slot < 2 && r->held_fd1[slot]; slot++)
        ;
    if (slot == 2) {
        close(cur);
        return -ENOMEM;
    }
    r->held_fd1[slot] = cur + 1;
    /* the directory itself, or the rest beneath it: no name can be
     * looked up in a removed directory, so the host's walk stops at the
     * first one, with Linux's answer and its order of errors (ENOENT;
     * EISDIR for O_CREAT of "name/"; a rename's checks of the other
     * name first) */
    rt->kind = KBOX_ROUTE_BIND;
    rt->hostdir = cur;
    rt->held_bind1 = idx + 1;
    rt->bound_file = false;
    if (snprintf(rt->rest, sizeof(rt->rest), "%s", *p ? p : ".") >=
        (int)sizeof(rt->rest))
        return -ENAMETOOLONG; /* cur is the request's now */
    free(r->bind_path);
    r->bind_path = NULL;
    r->bind_idx1 = 0;
    kbox_ids_for_host(r); /* the host checks the guest's rights */
    return 0;
enoent:
    close(cur);
    return -ENOENT;
}

/*
 * /proc/self/cwd (thread-self, the caller's pid) followed while the cwd
 * is in a bind: lx's task has its own cwd there (the last one in lx), so
 * a walk through the link reached that directory, or "/". The guest's
 * cwd path and the rest of @path, in @out; false if not such a path.
 * (route.c's; @follows: the call follows a last link.)
 */
bool kbox_proc_cwd_in_bind(struct kbox_req *r, const char *path, bool follows,
                           char *out, size_t len)
{
    const char *p = path, *who, *rest;
    char pid[16];
    size_t wl;

    if (!r->proc || !r->proc->bind_cwd[0] ||
        (r->o2_resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)))
        return false; /* lx refuses the magic link (ELOOP) */
    while (*p == '/')
        p++;
    if (strncmp(p, "proc/", 5))
        return false;
    for (p += 5; *p == '/'; p++)
        ;
    who = p;
    p = strchrnul(p, '/');
    wl = (size_t)(p - who);
    snprintf(pid, sizeof(pid), "%d", (int)r->proc->tgid);
    if (!((wl == 4 && !strncmp(who, "self", 4)) ||
          (wl == 11 && !strncmp(who, "thread-self", 11)) ||
          (wl == strlen(pid) && !strncmp(who, pid, wl))))
        return false;
    while (*p == '/')
        p++;
    if (strncmp(p, "cwd", 3) || (p[3] && p[3] != '/'))
        return false;
    rest = p + 3;
    if (!*rest && !follows)
        return false;            /* the link itself (lstat; readlink: fs.c) */
    kbox_bind_cwd_sync(r->proc); /* where it is now */
    return snprintf(out, len, "%s%s", r->proc->bind_cwd, rest) < (int)len;
}

int kbox_bind_gone_path(struct kbox_req *r, int gfd, const char *path,
                        struct route *rt, char *norm, size_t nlen, char *raw,
                        size_t rlen)
{
    int fd, rc;

    if (gfd >= 0) {
        /* a copy of the guest's fd, taken as kbox (see route.c's
         * host_dir_path) */
        if (r->host_ids) {
            kbox_ids_restore(r);
            fd = kbox_guest_sock(r, gfd);
            kbox_ids_for_host(r);
        } else {
            fd = kbox_guest_sock(r, gfd);
        }
    } else {
        fd = kbox_bind_cwd_dup(r->proc) - 1;
        if (fd < 0)
            return -ENOENT;
    }
    if (fd < 0)
        return fd;
    rc = kbox_bind_gone_route(r, fd,
                              gfd >= 0 ? -1 : bind_of_text(r->proc->bind_cwd),
                              path, rt, raw, rlen);
    close(fd);
    if (rc == 1 && kbox_path_normalize(raw, norm, nlen, false, NULL) < 0)
        return -ENAMETOOLONG;
    return rc;
}

int kbox_route_mount(const struct route *rt)
{
    return rt->held_bind1 ? kbox_sup.bind_dirs[rt->held_bind1 - 1]
                          : rt->hostdir;
}

void kbox_bind_held_release(struct kbox_req *r)
{
    for (int i = 0; i < 2; i++) {
        if (r->held_fd1[i])
            close(r->held_fd1[i] - 1);
        r->held_fd1[i] = 0;
    }
}
