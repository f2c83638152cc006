/* SPDX-License-Identifier: MIT */
/*
 * kbox's own command lookup: the command given to kbox, found before any
 * guest process exists, as the guest's shell finds it in the guest's
 * tree. Paths were asked of lx alone, and lx's walk stops at a bind's
 * trap (EXDEV): `kbox -b ~/bin:/usr/local/bin -- mytool` was "not found"
 * (127) where `sh -c mytool` inside found it. Here the path is walked
 * one name at a time, its links read in lx or, past a bind's place, on
 * the host (what the guest's exec does after lx's EXDEV,
 * kbox_lx_bind_path), and the link-free end is judged where it lies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
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
#include "kbox/exec.h"
#include "kbox/path.h"

static long lx_t(struct lx_task *t, long nr, long a0, long a1, long a2, long a3,
                 long a4)
{
    long args[6] = { a0, a1, a2, a3, a4, 0 };

    return lx_task_syscall(t, nr, args);
}

/* Bind @idx's host directory fd and the name of @rest in it (a file
 * bind's own name), or NULL: beneath a file nothing is found. */
static const char *bind_name(const struct kbox_opts *o, int idx,
                             const char *rest, int *dfd)
{
    *dfd = kbox_sup.bind_dirs[idx];
    if (o->binds[idx].file)
        return *rest ? NULL : o->binds[idx].file;
    return *rest ? rest : ".";
}

/* readlinkat of link-free guest path @g, in lx or in its bind */
static long read_link(struct lx_task *t, const struct kbox_opts *o,
                      const char *g, char *buf, size_t len)
{
    struct kbox_route_result res =
        kbox_path_route(g, o->binds, o->nbinds, false);
    const char *name;
    ssize_t n;
    int dfd;

    if (res.route != KBOX_ROUTE_BIND)
        return lx_t(t, LX__NR_readlinkat, AT_FDCWD, (long)g, (long)buf,
                    (long)len, 0);
    name = bind_name(o, res.bind_index, res.rest, &dfd);
    if (!name)
        return -ENOTDIR;
    if (!strcmp(name, "."))
        return -EINVAL; /* the bind's root: mount --bind resolved it */
    n = readlinkat(dfd, name, buf, len);
    return n < 0 ? -errno : n;
}

/* The link-free guest path of @path, its links read where each lies
 * (read_link); routebind.c's kbox_lx_bind_path walks the same way
 * (kbox_walk) but stops at the first bind. */
int kbox_exec_guest_walk(struct lx_task *t, const struct kbox_opts *o,
                         const char *path, const char *cwd, char *out,
                         size_t len)
{
    struct kbox_walk w;
    char target[KBOX_PATH_MAX], base[KBOX_PATH_MAX];
    int step;

    if (path[0] != '/' && !cwd) {
        if (lx_t(t, LX__NR_getcwd, (long)base, sizeof(base), 0, 0, 0) < 0)
            return -ENOENT;
        cwd = base;
    }
    if (kbox_walk_init(&w, path[0] == '/' ? "" : cwd, path))
        return -ENAMETOOLONG;
    while ((step = kbox_walk_next(&w)) > 0) {
        long r = read_link(t, o, w.cand, target, sizeof(target) - 1);

        if (r == -EINVAL) { /* not a link: a step further */
            kbox_walk_step(&w);
            continue;
        }
        if (r < 0)
            return (int)r;
        if (r == 0)
            return -ENOENT;
        target[r] = '\0';
        step = kbox_walk_link(&w, target);
        if (step < 0)
            return step;
    }
    if (step < 0)
        return step;
    return snprintf(out, len, "%s", w.cur[0] ? w.cur : "/") < (int)len
               ? 0
               : -ENAMETOOLONG;
}

/*
 * faccessat(X_OK) of @name beneath @dfd; a directory (@dir) is opened
 * first as chdir walks it, never out of the bind by a host link (what
 * that walk cannot judge passes: the guest's own walk decides it).
 */
static int x_ok(int dfd, const char *name, bool dir)
{
    struct open_how how;
    int fd, rc;

    if (!dir)
        return faccessat(dfd, name, X_OK, AT_EACCESS) ? -errno : 0;
    memset(&how, 0, sizeof(how));
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    fd = (int)syscall(SYS_openat2, dfd, name, &how, sizeof(how));
    if (fd < 0)
        return errno == EACCES ? -EACCES : 0;
    rc = syscall(SYS_faccessat2, fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS)
             ? -errno
             : 0;
    close(fd);
    return rc;
}

/*
 * faccessat(X_OK) of a bind's file with guest task @t's fs ids and
 * groups in force on this thread, as the guest's exec is judged
 * (kbox_ids_for_host): as root kbox, --change-id 1000 found a 0700 file
 * of root's first and its exec failed (126) where bash went on to the
 * next PATH entry. A kbox that is no root judges as itself, as its
 * workers do. @dir: a directory's search right, as chdir asks it.
 */
static int guest_may(struct lx_task *t, int dfd, const char *name, bool dir)
{
    enum { NG = 1024 };
    static gid_t mine[NG], theirs[NG];
    static unsigned int g32[NG];
    long uid = t ? lx_t(t, LX__NR_geteuid, 0, 0, 0, 0, 0) : 0;
    long gid = t ? lx_t(t, LX__NR_getegid, 0, 0, 0, 0, 0) : 0;
    long n = t ? lx_t(t, LX__NR_getgroups, NG, (long)g32, 0, 0, 0) : -1;
    long nmine;
    int rc;

    if (geteuid() != 0 || uid <= 0 || gid < 0 || n < 0)
        return x_ok(dfd, name, dir);
    /* kbox's own groups must come back: with more than it can hold the
     * thread kept the guest's; judged as kbox then, never left changed */
    nmine = syscall(SYS_getgroups, NG, mine);
    if (nmine < 0)
        return x_ok(dfd, name, dir);
    for (long i = 0; i < n; i++)
        theirs[i] = g32[i];
    /* raw calls: this thread only (lx's threads run beside it) */
    if (syscall(SYS_setgroups, (size_t)n, theirs) < 0)
        return x_ok(dfd, name, dir);
    syscall(SYS_setfsgid, (gid_t)gid);
    syscall(SYS_setfsuid, (uid_t)uid);
    rc = x_ok(dfd, name, dir);
    syscall(SYS_setfsuid, geteuid());
    syscall(SYS_setfsgid, getegid());
    syscall(SYS_setgroups, (size_t)nmine, mine);
    return rc;
}

/* a guest root of a root kbox enters any directory, as host root's
 * chdir does; a user, or any guest of a rootless kbox (its root too is
 * the host user in a bind: it entered a 000 directory of that user's,
 * where the next lookup was EACCES), as guest_may judges it (-w, chdir
 * and fchdir alike) */
static int search_in_bind(struct lx_task *t, int dfd, const char *name)
{
    if (geteuid() == 0 && lx_t(t, LX__NR_geteuid, 0, 0, 0, 0, 0) == 0)
        return 0;
    return guest_may(t, dfd, name, true);
}

int kbox_exec_bind_stat(struct lx_task *t, const struct kbox_opts *o,
                        const char *g, struct stat *st, bool may_exec)
{
    struct kbox_route_result res =
        kbox_path_route(g, o->binds, o->nbinds, false);
    const char *name;
    int dfd, rc = 0;

    if (res.route != KBOX_ROUTE_BIND)
        return -EXDEV;
    name = bind_name(o, res.bind_index, res.rest, &dfd);
    if (!name)
        return -ENOTDIR;
    if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
        return -errno;
    if (may_exec && S_ISREG(st->st_mode))
        rc = guest_may(t, dfd, name, false);
    return rc;
}

int kbox_exec_bind_may_search(struct lx_task *t, const struct kbox_opts *o,
                              const char *g)
{
    struct kbox_route_result res =
        kbox_path_route(g, o->binds, o->nbinds, false);
    const char *name;
    int dfd;

    if (res.route != KBOX_ROUTE_BIND)
        return 0;
    if (kbox_place_search_as(t, NULL, res.bind_index, AT_FDCWD, NULL, g,
                             res.rest))
        return -EACCES;
    name = bind_name(o, res.bind_index, res.rest, &dfd);
    if (!name)
        return -ENOTDIR;
    return search_in_bind(t, dfd, name);
}

int kbox_exec_bind_may_search_fd(struct lx_task *t, int fd)
{
    return search_in_bind(t, fd, ".");
}

int kbox_exec_bind_dir_search(struct lx_task *t, int dfd, const char *name,
                              bool ids_set)
{
    return ids_set ? x_ok(dfd, name, true) : guest_may(t, dfd, name, true);
}

/*
 * What a shell's lookup says of guest path @path: 0 a regular file the
 * guest may execute (@path in @out), -EACCES one it may not, -EISDIR a
 * directory, -EPERM a directory on the way it may not search, else not
 * there.
 */
static int judge(struct lx_task *t, const struct kbox_opts *o, const char *path,
                 const char *cwd, char *out, size_t len)
{
    char g[KBOX_PATH_MAX];
    struct kbox_gstat gs;
    struct stat st;
    int rc;

    if (o->nbinds == 0) { /* lx alone, as it names it */
        rc = (int)lx_t(t, LX__NR_newfstatat, AT_FDCWD, (long)path, (long)&gs, 0,
                       0);
        if (rc < 0)
            return rc == -EACCES ? -EPERM : -ENOENT;
        if (S_ISDIR(gs.st_mode))
            return -EISDIR;
        if (!S_ISREG(gs.st_mode))
            return -ENOENT;
        if (lx_t(t, LX__NR_faccessat2, AT_FDCWD, (long)path, X_OK, AT_EACCESS,
                 0) < 0)
            return -EACCES;
        return snprintf(out, len, "%s", path) < (int)len ? 0 : -ENAMETOOLONG;
    }
    rc = kbox_exec_guest_walk(t, o, path, cwd, g, sizeof(g));
    if (rc < 0)
        return rc == -EACCES ? -EPERM : -ENOENT;
    rc = kbox_exec_bind_stat(t, o, g, &st, true);
    if (rc == -EXDEV) {
        if (lx_t(t, LX__NR_newfstatat, AT_FDCWD, (long)g, (long)&gs, 0, 0) < 0)
            return -ENOENT;
        st.st_mode = gs.st_mode;
        rc = lx_t(t, LX__NR_faccessat2, AT_FDCWD, (long)g, X_OK, AT_EACCESS, 0)
                 ? -EACCES
                 : 0;
    } else if (rc < 0 && rc != -EACCES) {
        return -ENOENT;
    }
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    if (!S_ISREG(st.st_mode))
        return -ENOENT;
    if (rc)
        return -EACCES;
    /* the name given: the exec resolves it again, as the guest's would */
    return snprintf(out, len, "%s", path) < (int)len ? 0 : -ENAMETOOLONG;
}

int kbox_exec_resolve(struct lx_task *t, const struct kbox_opts *o,
                      const char *cmd, const char *path, const char *cwd,
                      char *out, size_t outlen)
{
    char cand[KBOX_PATH_MAX];
    bool saw_eacces = false;
    const char *p;

    if (strchr(cmd, '/')) {
        int rc = judge(t, o, cmd, cwd, out, outlen);

        if (rc == -EPERM)
            return -EACCES;
        return rc == -EACCES || rc == -EISDIR ? rc : rc ? -ENOENT : 0;
    }
    if (!path)
        path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /* execvp's rules: an empty entry is the cwd, a file the guest may not
     * run is remembered (126 when nothing else is found), and, as the
     * shells do (their stat), a directory, a special file or a place it
     * cannot look into is passed over */
    for (p = path;;) {
        const char *e = strchr(p, ':');
        size_t dl = e ? (size_t)(e - p) : strlen(p);

        int n = dl == 0
                    ? snprintf(cand, sizeof(cand), "%s", cmd)
                    : snprintf(cand, sizeof(cand), "%.*s/%s", (int)dl, p, cmd);

        /* too long for a path (execve's ENAMETOOLONG, passed over): cut
         * short it could name another file, which kbox would then run */
        switch (n < 0 || (size_t)n >= sizeof(cand)
                    ? -ENAMETOOLONG
                    : judge(t, o, cand, cwd, out, outlen)) {
        case 0:
            return 0;
        case -EACCES:
            saw_eacces = true;
            break;
        default:
            break;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return saw_eacces ? -EACCES : -ENOENT;
}
