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
 * found by the host must lie beneath the same bind. The cwd is shared by
 * the processes a clone(CLONE_FS) made, as Linux's fs_struct (one was
 * kept per process), a thread with an fs of its own has its own, and
 * each use takes it once under one lock.
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
 * A bind cwd, shared as Linux shares its fs_struct: by the processes a
 * clone(CLONE_FS) made (a chdir in one moves them all) until one
 * unshares it. @text is "" while the cwd is in lx; @fd1 the directory
 * itself (fd + 1; 0: by the text alone); @gone removed, or no longer
 * beneath a bind (@out: the host moved it out of every bind's source);
 * @dev, @ino its identity once its name was read.
 */
struct kbox_bcwd {
    int refs;
    int fd1;
    bool gone, out;
    unsigned long long dev, ino;
    char text[KBOX_PATH_MAX];
};

/*
 * Guards every kbox_proc's cwd pointer and every kbox_bcwd: threads and
 * CLONE_FS sharers use one, and a chdir in one closes the fd another was
 * about to name (its number then reused by any other file of kbox's) or
 * rewrites the text another is reading.
 */
static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Does the cwd's text still name the held directory? One stat beneath
 * the bind, where reading the fd's name costs a walk of /proc: the same
 * inode there means no rename or removal moved it.
 */
static bool text_still_names(const struct kbox_bcwd *c)
{
    const struct kbox_opts *o = kbox_sup.opts;
    struct kbox_route_result res;
    struct stat st;

    if (!c->ino || c->gone)
        return false;
    res = kbox_path_route(c->text, o->binds, o->nbinds, false);
    if (res.route != KBOX_ROUTE_BIND || o->binds[res.bind_index].file)
        return false;
    return !fstatat(kbox_sup.bind_dirs[res.bind_index],
                    *res.rest ? res.rest : ".", &st, AT_SYMLINK_NOFOLLOW) &&
           S_ISDIR(st.st_mode) && st.st_nlink && st.st_ino == c->ino &&
           st.st_dev == c->dev;
}

static int sync_locked(struct kbox_bcwd *c)
{
    char g[KBOX_PATH_MAX];
    int fd1 = c->fd1, rc;
    struct stat st;

    if (!c->text[0])
        return 0;
    if (fd1 && text_still_names(c))
        return 0;
    if (!fd1) {
        /* set by its text (the -w directory at start-up): held from the
         * first use on */
        int fd = kbox_bind_text_dir(c->text);

        if (fd < 0)
            return 0;
        c->fd1 = fd1 = fd + 1;
    }
    rc =
        kbox_bind_held_name(fd1 - 1, bind_of_text(c->text), g, sizeof(g), NULL);
    if (rc >= 0 && strcmp(g, c->text))
        snprintf(c->text, sizeof(c->text), "%s", g);
    c->gone = rc != 0;
    c->out = rc < 0 && !fstat(fd1 - 1, &st) && st.st_nlink;
    if (!c->ino && !fstat(fd1 - 1, &st)) {
        c->dev = st.st_dev;
        c->ino = st.st_ino;
    }
    return c->out ? 2 : rc != 0;
}

/* held_lock held: drop a reference (the fd closed by the last) */
static void put_locked(struct kbox_bcwd *c)
{
    if (!c || --c->refs > 0)
        return;
    if (c->fd1)
        close(c->fd1 - 1);
    free(c);
}

/* held_lock held: a private copy of @c (its own fd of the directory) */
static struct kbox_bcwd *copy_locked(const struct kbox_bcwd *c)
{
    struct kbox_bcwd *n = calloc(1, sizeof(*n));

    if (!n)
        return NULL;
    n->refs = 1;
    if (c && c->text[0]) {
        memcpy(n->text, c->text, sizeof(n->text));
        n->gone = c->gone;
        n->out = c->out;
        n->dev = c->dev;
        n->ino = c->ino;
        n->fd1 = c->fd1 ? fcntl(c->fd1 - 1, F_DUPFD_CLOEXEC, 0) + 1 : 0;
    }
    return n;
}

/*
 * Threads with an fs of their own (cloned without CLONE_FS, or after
 * their unshare(CLONE_FS)) have their own cwd, by their lx task: lx
 * gives such a task its own fs_struct, and a task with one is never
 * handed to another thread (thread.c). Few: searched in turn.
 */
struct task_cwd {
    struct lx_task *task;
    struct kbox_bcwd *c;
};
static struct task_cwd *own;
static int nown, capown;

/* held_lock held: where thread task @t's cwd is kept */
static struct kbox_bcwd **slot_locked(struct kbox_proc *p, struct lx_task *t)
{
    for (int i = 0; t && i < nown; i++)
        if (own[i].task == t)
            return &own[i].c;
    return &p->cwd;
}

bool kbox_bind_cwd_on(struct kbox_proc *p, struct lx_task *t)
{
    struct kbox_bcwd *c;
    bool on;

    pthread_mutex_lock(&held_lock);
    c = *slot_locked(p, t);
    on = c && c->text[0];
    pthread_mutex_unlock(&held_lock);
    return on;
}

int kbox_bind_cwd_get(struct kbox_proc *p, struct lx_task *t, char *out,
                      size_t len, int *fd1, int want)
{
    struct kbox_bcwd *c;
    int rc = -1;

    if (fd1)
        *fd1 = 0;
    if (len)
        out[0] = '\0';
    pthread_mutex_lock(&held_lock);
    c = *slot_locked(p, t);
    if (c && c->text[0]) {
        rc = sync_locked(c);
        snprintf(out, len, "%s", c->text);
        if (fd1 && c->fd1 && (want == KBOX_CWD_FD || rc))
            *fd1 = fcntl(c->fd1 - 1, F_DUPFD_CLOEXEC, 0) + 1;
    }
    pthread_mutex_unlock(&held_lock);
    return rc;
}

int kbox_bind_cwd_set(struct kbox_proc *p, struct lx_task *t, int hfd,
                      const char *text)
{
    struct kbox_bcwd **s, *c;
    int old;

    if (hfd >= 0 && bind_of_text(text) < 0) {
        /* not a directory bind (the host's /dev/pts): by the text */
        close(hfd);
        hfd = -1;
    }
    pthread_mutex_lock(&held_lock);
    s = slot_locked(p, t);
    if (!*s)
        *s = copy_locked(NULL);
    if (!(c = *s)) {
        pthread_mutex_unlock(&held_lock);
        if (hfd >= 0)
            close(hfd);
        return -ENOMEM;
    }
    old = c->fd1;
    c->fd1 = hfd >= 0 ? hfd + 1 : 0;
    c->gone = c->out = false;
    c->ino = c->dev = 0;
    snprintf(c->text, sizeof(c->text), "%s", text);
    if (hfd >= 0)
        sync_locked(c);
    pthread_mutex_unlock(&held_lock);
    if (old)
        close(old - 1);
    return 0;
}

void kbox_bind_cwd_clear(struct kbox_proc *p, struct lx_task *t)
{
    struct kbox_bcwd *c;
    int old = 0;

    pthread_mutex_lock(&held_lock);
    if ((c = *slot_locked(p, t))) {
        old = c->fd1;
        c->text[0] = '\0';
        c->fd1 = 0;
        c->gone = c->out = false;
        c->ino = c->dev = 0;
    }
    pthread_mutex_unlock(&held_lock);
    if (old)
        close(old - 1);
}

int kbox_bind_cwd_fork(struct kbox_proc *p, struct lx_task *t, bool share,
                       struct kbox_bcwd **out)
{
    struct kbox_bcwd **s;
    int rc = 0;

    pthread_mutex_lock(&held_lock);
    s = slot_locked(p, t); /* the forking thread's */
    if (share) {
        /* one for both, though neither is in a bind yet: a chdir into
         * one by either later moves the other */
        if (!*s)
            *s = copy_locked(NULL);
        if (*s)
            (*s)->refs++;
        *out = *s;
        if (!*out)
            rc = -ENOMEM;
    } else {
        /* as it is now: the parent may chdir before the child's first
         * call */
        *out = *s && (*s)->text[0] ? copy_locked(*s) : NULL;
        if (*s && (*s)->text[0] && !*out)
            rc = -ENOMEM;
    }
    pthread_mutex_unlock(&held_lock);
    return rc;
}

void kbox_bind_cwd_put(struct kbox_bcwd *c)
{
    pthread_mutex_lock(&held_lock);
    put_locked(c);
    pthread_mutex_unlock(&held_lock);
}

void kbox_bind_cwd_adopt(struct kbox_proc *p, struct kbox_bcwd *c)
{
    struct kbox_bcwd *old;

    pthread_mutex_lock(&held_lock);
    old = p->cwd;
    p->cwd = c;
    put_locked(old);
    pthread_mutex_unlock(&held_lock);
}

int kbox_bind_cwd_unshare(struct kbox_proc *p, struct lx_task *t)
{
    struct kbox_bcwd **s, *n;
    int rc = 0;

    pthread_mutex_lock(&held_lock);
    s = slot_locked(p, t);
    if (*s && (*s)->refs > 1) {
        if ((n = copy_locked(*s))) {
            put_locked(*s);
            *s = n;
        } else {
            rc = -ENOMEM;
        }
    }
    pthread_mutex_unlock(&held_lock);
    return rc;
}

int kbox_bind_cwd_task_own(struct kbox_proc *p, struct lx_task *from,
                           struct lx_task *t)
{
    struct kbox_bcwd **s, *n;
    int rc = 0;

    if (!t)
        return 0;
    pthread_mutex_lock(&held_lock);
    s = slot_locked(p, t);
    if (s != &p->cwd) { /* has one: only a CLONE_FS child shares it */
        pthread_mutex_unlock(&held_lock);
        return kbox_bind_cwd_unshare(p, t);
    }
    /* a copy of @from's, made even when it is not in a bind: the
     * thread's chdir into one later is its own */
    n = copy_locked(*slot_locked(p, from));
    if (n && nown == capown) {
        int nc = capown ? 2 * capown : 8;
        void *v = realloc(own, (size_t)nc * sizeof(*own));

        if (v) {
            own = v;
            capown = nc;
        }
    }
    if (n && nown < capown) {
        own[nown].task = t;
        own[nown].c = n;
        nown++;
    } else {
        put_locked(n);
        rc = -ENOMEM;
    }
    pthread_mutex_unlock(&held_lock);
    return rc;
}

void kbox_bind_cwd_task_gone(struct lx_task *t)
{
    pthread_mutex_lock(&held_lock);
    for (int i = 0; t && i < nown; i++) {
        if (own[i].task != t)
            continue;
        put_locked(own[i].c);
        own[i] = own[--nown];
        break;
    }
    pthread_mutex_unlock(&held_lock);
}

void kbox_bind_cwd_exec(struct kbox_proc *p, struct lx_task *t)
{
    pthread_mutex_lock(&held_lock);
    /* the leader's own cwd (its unshare) dies with it: the new program
     * runs on its task with the exec'ing thread's */
    for (int i = 0; t && t != p->task && i < nown; i++) {
        if (own[i].task != p->task)
            continue;
        put_locked(own[i].c);
        own[i] = own[--nown];
        break;
    }
    for (int i = 0; t && i < nown; i++) {
        if (own[i].task != t)
            continue;
        /* the thread's cwd becomes the process's (de_thread) */
        put_locked(p->cwd);
        p->cwd = own[i].c;
        own[i] = own[--nown];
        break;
    }
    pthread_mutex_unlock(&held_lock);
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
 * @path from the removed directory @fd1 - 1 (taken) that was the cwd
 * @cwd: kbox_bind_gone_route's answer, @norm normalised from @raw.
 */
static int from_gone_cwd(struct kbox_req *r, const char *cwd, int fd1,
                         const char *path, struct route *rt, char *norm,
                         size_t nlen, char *raw, size_t rlen)
{
    int rc;

    if (!fd1)
        return -ENOENT;
    rc = kbox_bind_gone_route(r, fd1 - 1, bind_of_text(cwd), path, rt, raw,
                              rlen);
    close(fd1 - 1);
    if (rc == 1 && kbox_path_normalize(raw, norm, nlen, false, NULL) < 0)
        return -ENAMETOOLONG;
    return rc;
}

int kbox_bind_cwd_route(struct kbox_req *r, const char *path, struct route *rt,
                        char *norm, size_t nlen, char *raw, size_t rlen)
{
    char cwd[KBOX_PATH_MAX];
    int fd1, st;

    /* the cwd's text (or removed directory) taken once: a chdir of
     * another thread or CLONE_FS sharer meanwhile gives the call one of
     * the two directories, never a mix */
    st = kbox_bind_cwd_get(r->proc, r->task, cwd, sizeof(cwd), &fd1,
                           KBOX_CWD_FD_GONE);
    if (st < 0)
        return 2; /* in lx (a sharer's chdir) */
    if (st)
        return from_gone_cwd(r, cwd, fd1, path, rt, norm, nlen, raw, rlen);
    if (kbox_path_join(cwd, path, norm, nlen) < 0)
        return -ENAMETOOLONG;
    if (snprintf(raw, rlen, "%s/%s", cwd, path) >= (int)rlen)
        raw[0] = '\0';
    return 1;
}

/*
 * /proc/self/cwd (thread-self, the caller's pid) followed while the cwd
 * is in a bind: lx's task has its own cwd there (the last one in lx), so
 * a walk through the link reached that directory, or "/". Answers as
 * kbox_bind_cwd_route for the cwd's guest path and the rest of @path;
 * 2 if not such a path. (route.c's; @follows: the call follows a last
 * link.)
 */
int kbox_proc_cwd_in_bind(struct kbox_req *r, const char *path, bool follows,
                          struct route *rt, char *norm, size_t nlen, char *raw,
                          size_t rlen)
{
    const char *p = path, *who, *rest;
    char pid[16], cwd[KBOX_PATH_MAX], dot[KBOX_PATH_MAX];
    size_t wl;
    int fd1, st;

    if (!r->proc ||
        (r->o2_resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)))
        return 2; /* lx refuses the magic link (ELOOP) */
    while (*p == '/')
        p++;
    if (strncmp(p, "proc/", 5))
        return 2;
    for (p += 5; *p == '/'; p++)
        ;
    who = p;
    p = strchrnul(p, '/');
    wl = (size_t)(p - who);
    snprintf(pid, sizeof(pid), "%d", (int)r->proc->tgid);
    if (!((wl == 4 && !strncmp(who, "self", 4)) ||
          (wl == 11 && !strncmp(who, "thread-self", 11)) ||
          (wl == strlen(pid) && !strncmp(who, pid, wl))))
        return 2;
    while (*p == '/')
        p++;
    if (strncmp(p, "cwd", 3) || (p[3] && p[3] != '/'))
        return 2;
    rest = p + 3;
    if (!*rest && !follows)
        return 2; /* the link itself (lstat; readlink: fs.c) */
    /* where it is now, taken once: the process's (its leader's), or
     * the thread's own */
    st = kbox_bind_cwd_get(r->proc, wl == 11 ? r->task : r->proc->task, cwd,
                           sizeof(cwd), &fd1, KBOX_CWD_FD_GONE);
    if (st < 0)
        return 2;
    if (st) { /* the link leads to the removed directory itself */
        if (snprintf(dot, sizeof(dot), ".%s", rest) >= (int)sizeof(dot)) {
            if (fd1)
                close(fd1 - 1);
            return -ENAMETOOLONG;
        }
        return from_gone_cwd(r, cwd, fd1, dot, rt, norm, nlen, raw, rlen);
    }
    if (snprintf(raw, rlen, "%s%s", cwd, rest) >= (int)rlen ||
        kbox_path_normalize(raw, norm, nlen, false, NULL) < 0)
        return -ENAMETOOLONG;
    return 1;
}

int kbox_bind_gone_path(struct kbox_req *r, int gfd, const char *path,
                        struct route *rt, char *norm, size_t nlen, char *raw,
                        size_t rlen)
{
    int fd, rc;

    /* a copy of the guest's fd, taken as kbox (see routeproc.c's
     * kbox_route_host_dir) */
    if (r->host_ids) {
        kbox_ids_restore(r);
        fd = kbox_guest_sock(r, gfd);
        kbox_ids_for_host(r);
    } else {
        fd = kbox_guest_sock(r, gfd);
    }
    if (fd < 0)
        return fd;
    rc = kbox_bind_gone_route(r, fd, -1, path, rt, raw, rlen);
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

long kbox_bind_cwd_text(struct kbox_proc *p, struct lx_task *t, char *out,
                        size_t len, bool getcwd)
{
    char cwd[KBOX_PATH_MAX];
    int st = kbox_bind_cwd_get(p, t, cwd, sizeof(cwd), NULL, 0), n;

    if (st < 0)
        return -ENOSYS;
    if (st == 1 && getcwd)
        return -ENOENT; /* removed (Linux: d_unlinked) */
    if (st == 2)        /* moved out of the source: Linux's answer for a path
                         * not beneath the root names nothing (d_path) */
        n = snprintf(out, len, "%s", getcwd ? "(unreachable)/" : "/");
    else
        n = snprintf(out, len, "%s%s", cwd, st ? " (deleted)" : "");
    if (n < 0 || (size_t)n >= len)
        return getcwd ? -ERANGE : -ENAMETOOLONG;
    return getcwd ? n + 1 : n;
}
