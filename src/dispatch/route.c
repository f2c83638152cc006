/* SPDX-License-Identifier: MIT */
/*
 * Path routing for the fs family: a guest path, relative to a guest
 * dirfd, is resolved lexically against the binds, the allow-listed /dev
 * nodes and the host-served /proc names; whatever is left is lx's, and
 * lx's task (with the guest's root and cwd) walks it. routeproc.c has
 * the /proc, /dev and host-path pieces, routebind.c the walks into binds.
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

#define A(i) ((long)r->args[i])
#include "route.h"

/*
 * Decide where @path (relative to guest @dirfd) goes. Only absolute paths
 * and AT_FDCWD-relative ones can reach a bind or host device; anything
 * relative to an lx directory fd stays in lx.
 */
/* Does this call follow a symlink in the last component? */
static bool follows_last(const struct kbox_req *r)
{
    switch (r->nr) {
    case SYS_newfstatat:
        return !(A(3) & AT_SYMLINK_NOFOLLOW);
    case SYS_statx:
        return !(A(2) & AT_SYMLINK_NOFOLLOW);
    case SYS_openat:
        return !(A(2) & O_NOFOLLOW);
    case SYS_utimensat:
        return !(A(3) & AT_SYMLINK_NOFOLLOW);
    case SYS_fchownat:
        return !(A(4) & AT_SYMLINK_NOFOLLOW);
    case SYS_faccessat2:
        return !(A(3) & AT_SYMLINK_NOFOLLOW);
    case SYS_faccessat:
    case SYS_chdir:
    case SYS_statfs:
    case SYS_truncate:
        return true;
    default:
        return false;
    }
}

/*
 * /dev/fd and /dev/std{in,out,err} link into /proc/self/fd (the mount
 * profile makes them as udev does; debootstrap puts them in images). lx
 * would follow them into its own task's fd table, whose numbers are not
 * the guest's, so they are followed here, onto the guest's /proc/self/fd
 * routing: only when the guest's link says so, and the last component
 * only for calls that follow it (lstat and readlink see the link).
 */
static void follow_dev_fd(struct kbox_req *r, char *norm, size_t len)
{
    static const char *const links[][2] = {
        { "/dev/fd", "/proc/self/fd" },
        { "/dev/stdin", "/proc/self/fd/0" },
        { "/dev/stdout", "/proc/self/fd/1" },
        { "/dev/stderr", "/proc/self/fd/2" },
    };
    char target[32], out[KBOX_PATH_MAX];

    if (strncmp(norm, "/dev/", 5) != 0)
        return;
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        size_t l = strlen(links[i][0]);
        long n;

        if (strncmp(norm, links[i][0], l) != 0 || (norm[l] && norm[l] != '/'))
            continue;
        if (!norm[l] && !follows_last(r))
            return;
        n = kbox_lx(r, LX__NR_readlinkat, AT_FDCWD, (long)links[i][0],
                    (long)target, sizeof(target) - 1, 0, 0);
        if (n < 0)
            return;
        target[n] = '\0';
        if (strcmp(target, links[i][1]) != 0)
            return;
        if (snprintf(out, sizeof(out), "%s%s", target, norm + l) <
            (int)sizeof(out))
            snprintf(norm, len, "%s", out);
        return;
    }
}

/*
 * Linux lets only CAP_SYS_ADMIN read a kernel stack (/proc/<pid>/stack,
 * of any process, itself too); kbox opens the host's with its own
 * rights, so a guest user read it. Refused at the open (Linux: the read).
 */
static bool stack_refused(struct kbox_req *r, const char *rest)
{
    size_t l = strlen(rest);

    if (l < 6 || strcmp(rest + l - 6, "/stack"))
        return false;
    if (r->nr != SYS_openat && r->nr != SYS_open && r->nr != SYS_openat2)
        return false;
    return !kbox_lx_capable(r, CAP_SYS_ADMIN);
}

/*
 * A stat of a private /proc/<pid> entry (environ, maps, fd/...): Linux
 * checks the caller's ptrace access at an open and for a followed link
 * (exe), not for a stat, which shows the owner (root's while the process
 * is not dumpable). What lies beneath fd/, fdinfo/, map_files/ stays
 * refused, as route_proc_fd has it.
 */
static bool proc_private_stat(const struct kbox_req *r, const char *rest)
{
    const char *p = rest, *t;
    bool nofollow;

    if (r->nr == SYS_newfstatat)
        nofollow = r->args[3] & AT_SYMLINK_NOFOLLOW;
    else if (r->nr == SYS_statx)
        nofollow = r->args[2] & AT_SYMLINK_NOFOLLOW;
    else
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == rest || *p++ != '/')
        return false;
    if (!strncmp(p, "task/", 5)) {
        for (t = p + 5; *t >= '0' && *t <= '9'; t++)
            ;
        if (t == p + 5 || *t != '/')
            return false;
        p = t + 1;
    }
    return !strchr(p, '/') && (nofollow || strcmp(p, "exe"));
}

/* Does the call act on a last symlink itself (readlink, lstat, an
 * O_NOFOLLOW open)? */
static bool names_link_itself(const struct kbox_req *r)
{
    switch (r->nr) {
    case SYS_readlinkat:
    case SYS_readlink:
    case SYS_lstat:
        return true;
    case SYS_newfstatat:
        return r->args[3] & AT_SYMLINK_NOFOLLOW;
    case SYS_statx:
        return r->args[2] & AT_SYMLINK_NOFOLLOW;
    case SYS_openat:
        return r->args[2] & O_NOFOLLOW;
    case SYS_open:
        return r->args[1] & O_NOFOLLOW;
    default:
        return false;
    }
}

/*
 * lx is given @norm, the text-normalised @path, with the trailing "/" or
 * "/." @path had: they say the name must be a directory (a path from a
 * bind's dirfd that left it with ".." opened "file/" and made
 * "file/." with O_CREAT|O_EXCL EEXIST; Linux says ENOTDIR).
 */
static int lx_norm(struct route *rt, const char *norm, const char *path)
{
    size_t pl = strlen(path), nl = strlen(norm);
    const char *tail = pl >= 2 && !strcmp(path + pl - 2, "/.") ? "/."
                       : pl >= 1 && path[pl - 1] == '/'        ? "/"
                                                               : "";

    if (nl == 1 && *tail) /* "/": its own tail */
        tail = "";
    rt->use_norm = true;
    return snprintf(rt->norm, sizeof(rt->norm), "%s%s", norm, tail) <
                   (int)sizeof(rt->norm)
               ? 0
               : -ENAMETOOLONG;
}

static int route_lexically(struct kbox_req *r, int dirfd, const char *path,
                           struct route *rt)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char abs[KBOX_PATH_MAX], norm[KBOX_PATH_MAX], raw[KBOX_PATH_MAX];
    char ldir[KBOX_PATH_MAX]; /* the lx dir fd's path, into_bind's */
    struct kbox_route_result res;
    bool have_raw = false, from_host_dir = false, from_bind_dir = false;
    bool from_lx_dir = false;
    int rc;

    abs[0] = '\0';
    rt->kind = KBOX_ROUTE_LX;
    rt->bound_file = false;
    rt->held_bind1 = 0;
    rt->use_norm = false;
    rt->lxdir = AT_FDCWD;
    rt->fdlink = false;
    rt->fdlink_pid = 0;
    if (path[0] != '/' && dirfd != AT_FDCWD) {
        int l = kbox_lxfd(r, dirfd);

        if (l >= 0) {
            rt->lxdir = l; /* relative to a directory in the image */
            if (kbox_route_proc_dir(r, l, path, norm, sizeof(norm))) {
                /* <pid>/exe, as kbox_read_path gives an absolute one:
                 * the program's guest path (lx's task has no exe) */
                char exe[KBOX_PATH_MAX];
                bool link =
                    r->nr == SYS_readlinkat ||
                    (r->nr == SYS_newfstatat &&
                     (r->args[3] & AT_SYMLINK_NOFOLLOW)) ||
                    (r->nr == SYS_statx && (r->args[2] & AT_SYMLINK_NOFOLLOW));
                int e = r->proc && !link
                            ? kbox_proc_exe_link(r, norm, exe, sizeof(exe))
                            : -ENOENT;

                if (e == -EACCES)
                    return e;
                if (!e)
                    snprintf(norm, sizeof(norm), "%s", exe);
            } else if (!kbox_route_into_bind(r, l, path, ldir, norm,
                                             sizeof(norm), raw, sizeof(raw))) {
                return 0;
            } else {
                /* its "." and ".." are the bind's too (bind_physical_rest):
                 * mkdirat(dirfd, "missing/..") made the dirfd's
                 * "missing" by the text */
                have_raw = raw[0] != '\0';
                from_lx_dir = true;
            }
            from_host_dir = true; /* routed as its /proc or bind path */
        } else {
            raw[0] = '\0';
            rc = kbox_route_host_dir(r, dirfd, path, norm, sizeof(norm), raw,
                                     sizeof(raw));
            if (rc == 1) { /* a removed directory (bindcwd.c) */
                rc = kbox_bind_gone_path(r, dirfd, path, rt, norm, sizeof(norm),
                                         raw, sizeof(raw));
                if (rc <= 0)
                    return rc;
                rc = 0;
            }
            have_raw = !rc && raw[0];
            if (rc)
                return rc;
            from_host_dir = from_bind_dir = true;
        }
    } else if (path[0] != '/' &&
               (rc = kbox_bind_cwd_route(r, path, rt, norm, sizeof(norm), raw,
                                         sizeof(raw))) != 2) {
        /* cwd inside a bind: relative paths start there, from where its
         * directory is now */
        if (rc <= 0)
            return rc;
        have_raw = raw[0] != '\0';
        from_host_dir = from_bind_dir = true;
    } else if (path[0] != '/') {
        long n;

        if (o->nbinds == 0 && kbox_sup.hostdev_dir < 0)
            return 0;
        if (o->nbinds == 0 && strncmp(path, "dev", 3) != 0 &&
            strncmp(path, "..", 2) != 0)
            return 0;
        n = kbox_lx(r, LX__NR_getcwd, (long)abs, sizeof(abs), 0, 0, 0, 0);
        if (n < 0)
            return 0;
        /* Past PATH_MAX only when joined to the cwd: Linux limits the
         * argument, not the result, so lx takes it from its cwd (a bind
         * mounted below a cwd that deep is not seen). */
        if (kbox_path_join(abs, path, norm, sizeof(norm)) < 0)
            return strlen(path) < KBOX_PATH_MAX ? 0 : -ENAMETOOLONG;
        if (snprintf(raw, sizeof(raw), "%s/%s", abs, path) < (int)sizeof(raw))
            have_raw = true;
    } else if ((rc = kbox_proc_cwd_in_bind(r, path, follows_last(r), rt, norm,
                                           sizeof(norm), raw, sizeof(raw))) !=
               2) {
        if (rc <= 0)
            return rc;
        have_raw = true;
        from_host_dir = from_bind_dir = true;
    } else {
        (void)abs;
        if (o->nbinds == 0 && strncmp(path, "/dev/", 5) != 0 &&
            strncmp(path, "/proc", 5) != 0 && strstr(path, "dev") == NULL &&
            strstr(path, "/cpu") == NULL)
            return 0;
        if (kbox_path_normalize(path, norm, sizeof(norm), false, NULL) < 0)
            return -ENAMETOOLONG;
        if (snprintf(raw, sizeof(raw), "%s", path) < (int)sizeof(raw))
            have_raw = true;
    }
    /* from the root, the cwd or an lx dirfd: walks image directories */
    bool by_text = !from_host_dir || from_lx_dir;

    if (!from_host_dir) {
        follow_dev_fd(r, norm, sizeof(norm));
        /* lx is given the rewritten path if it serves it (as for a path
         * that left a bind with "..") */
        from_host_dir = kbox_route_fd_dir(r, norm, sizeof(norm));
        by_text = !from_host_dir;
    }
    {
        int where;
        const char *rest = kbox_path_machine(norm, &where);
        int dir = !rest                       ? -1
                  : where == KBOX_MACHINE_CPU ? kbox_sup.hostcpu_dir
                                              : kbox_sup.hostproc_dir;

        if (dir >= 0) { /* the host's CPUs and memory, not lx's */
            rt->kind = KBOX_ROUTE_HOSTPROC;
            rt->hostdir = dir;
            /* /proc/net is a link to self/net, which no symlink-free
             * walk takes: kbox's own, the same network as the guest's;
             * a call on the link itself gets the link (ls -l /proc
             * showed a directory, readlink failed) */
            if (where == KBOX_MACHINE_PROC && !strncmp(rest, "net", 3) &&
                !(!rest[3] && names_link_itself(r) && *path &&
                  path[strlen(path) - 1] != '/' &&
                  path[strlen(path) - 1] != '.'))
                snprintf(rt->rest, sizeof(rt->rest), "%d/%s", (int)getpid(),
                         rest);
            else
                snprintf(rt->rest, sizeof(rt->rest), "%s", rest);
            return 0;
        }
    }
    if (!strcmp(norm, "/proc")) {
        kbox_proc_sweep();      /* a listing shows no process already reaped */
        kbox_proc_number_all(); /* and each under its host pid */
    }
    /*
     * The guest has no pid 1 (kbox is not an init), but pam_limits reads
     * /proc/1/limits for the system's default limits: without it every
     * `su -`, runuser -l, sshd or cron session got PAM's own (1024 open
     * files, 64 KiB locked). That one file is the limits the guest started
     * with: kbox's guard keeps them (kbox raises its own soft ones).
     */
    if (!strcmp(norm, "/proc/1/limits") && kbox_sup.hostproc_dir >= 0 &&
        !kbox_proc_is_guest(1)) {
        int g = kbox_guard_pid();

        rt->kind = KBOX_ROUTE_HOSTPROC;
        rt->hostdir = kbox_sup.hostproc_dir;
        snprintf(rt->rest, sizeof(rt->rest), "%d/limits",
                 g > 0 ? g : (int)getpid());
        return 0;
    }
    if (!strncmp(norm, "/proc/", 6) && kbox_sup.hostproc_dir >= 0) {
        long pid;
        int k = kbox_path_proc_split(norm, r->proc->tgid, r->pid, rt->rest,
                                     sizeof(rt->rest), &pid);
        bool guest;
        long fpid, ftask;
        int fdn, which;

        which =
            kbox_path_proc_fd(norm, r->proc->tgid, r->pid, &fpid, &ftask, &fdn);
        if (which != KBOX_PROC_FD_NONE) {
            int rc = kbox_route_proc_fd(r, which, fpid, ftask, fdn, rt);

            if (rc <= 0)
                return rc;
        }
        if (k < 0)
            return -ENAMETOOLONG;
        /* Only guest processes: the host's others stay invisible. A
         * guest pid that is gone loses its kernel /proc entry here. */
        guest = k == KBOX_PROC_HOST && pid == r->proc->tgid;
        if (!guest) {
            char *end;
            long n = strtol(norm + 6, &end, 10);

            if (n > 0 && n <= INT_MAX && (*end == '/' || !*end) &&
                norm[6] >= '0' && norm[6] <= '9') {
                /* an unreaped zombie too (one the look at it makes):
                 * lx's entry, the host's files */
                guest = (kbox_proc_is_guest((pid_t)n) ||
                         kbox_zombie_held((pid_t)n)) &&
                        (k != KBOX_PROC_HOST || n == pid);
                if (guest && k != KBOX_PROC_HOST)
                    kbox_proc_number((pid_t)n); /* lx's entry */
                /* lx's other tasks are kernel threads, or kbox's own,
                 * which /proc does not list either */
                if (!guest && !kbox_proc_known((pid_t)n) &&
                    lx_pid_is_kthread((int)n) != 1)
                    return -ENOENT;
            }
        }
        if (k == KBOX_PROC_HOST && guest && pid != r->proc->tgid &&
            kbox_path_proc_private(rt->rest) &&
            !proc_private_stat(r, rt->rest) && kbox_proc_may_read(r, pid))
            return -EACCES; /* opened with kbox's rights: ask lx first */
        if (k == KBOX_PROC_HOST && guest && stack_refused(r, rt->rest))
            return -EACCES;
        if (k == KBOX_PROC_HOST && guest) {
            rt->kind = KBOX_ROUTE_HOSTPROC;
            rt->hostdir = kbox_sup.hostproc_dir;
            return 0;
        }
        if (k == KBOX_PROC_KERNEL) {
            rt->use_norm = true;
            snprintf(rt->norm, sizeof(rt->norm), "%s", rt->rest);
            return 0;
        }
    }
    /* up out of the directory's bind: its place's parent is searched */
    if (from_bind_dir && have_raw && kbox_bind_leave_search(r, raw, path))
        return -EACCES;
    res = kbox_path_route(norm, o->binds, o->nbinds, kbox_sup.hostdev_dir >= 0);
    /* the place the text names, before a guest's rbind renames it */
    if (res.route == KBOX_ROUTE_BIND &&
        (by_text
             ? kbox_bind_place_search(r, res.bind_index, rt->lxdir,
                                      from_lx_dir ? ldir : abs, norm, res.rest)
             : from_bind_dir && have_raw &&
                   kbox_bind_from_dir_search(r, raw, path, norm, res.bind_index,
                                             res.rest)))
        return -EACCES;
    /* the guest's mounts may cover the place or copy another bind there;
     * a directory held in a bind stays in it */
    if (res.route == KBOX_ROUTE_BIND && !from_bind_dir &&
        kbox_bind_rebase(r, from_lx_dir ? rt->lxdir : AT_FDCWD,
                         from_lx_dir ? ldir : NULL, norm, sizeof(norm),
                         &res) < 0)
        return -ENAMETOOLONG;
    if (res.route == KBOX_ROUTE_LX) {
        if (from_lx_dir) /* covered: lx walks it from the directory */
            return 0;
        if (from_host_dir) /* left the bind with "..": absolute in lx */
            return lx_norm(rt, norm, path);
        for (int i = 0; i < o->nbinds; i++) {
            size_t l = strlen(o->binds[i].guest_dst);

            if (path[0] == '/' && !strncmp(path, o->binds[i].guest_dst, l) &&
                path[l] == '/')
                return lx_norm(rt, norm, path);
        }
        return 0;
    }
    if (res.route == KBOX_ROUTE_HOSTDEV) {
        int rc = kbox_route_hostdev_change(r, res.rest);

        if (rc)
            return rc;
    }
    rt->kind = res.route;
    rt->hostdir = res.route == KBOX_ROUTE_BIND
                      ? kbox_sup.bind_dirs[res.bind_index]
                      : kbox_sup.hostdev_dir;
    if (res.route == KBOX_ROUTE_BIND) {
        kbox_ids_for_host(r); /* the host checks the guest's rights */
        /* for a retry through a symlink leaving the bind (engine.c),
         * with the path's trailing "/" or "/.": "abslink/" to a file
         * was followed as "abslink" (access said ok, not ENOTDIR) */
        size_t pl = strlen(path);
        const char *t = pl >= 2 && !strcmp(path + pl - 2, "/.") ? "/."
                        : pl >= 1 && path[pl - 1] == '/'        ? "/"
                                                                : "";

        free(r->bind_path);
        r->bind_path = malloc(KBOX_PATH_MAX);
        if (r->bind_path &&
            snprintf(r->bind_path, KBOX_PATH_MAX, "%s%s", norm,
                     strcmp(norm, "/") ? t : "") >= KBOX_PATH_MAX) {
            free(r->bind_path);
            r->bind_path = NULL;
        }
        r->bind_idx1 = r->bind_path ? res.bind_index + 1 : 0;
    }
    {
        /* A trailing "/" or "/." stays: the host then says what Linux
         * says (unlink("f/") is ENOTDIR; it removed f, and open("new/",
         * O_CREAT) made a file). */
        size_t pl = strlen(path);
        const char *tail = pl >= 2 && !strcmp(path + pl - 2, "/.") ? "/."
                           : pl >= 1 && path[pl - 1] == '/'        ? "/"
                                                                   : "";
        int k;

        if (res.route == KBOX_ROUTE_BIND && o->binds[res.bind_index].file) {
            /* a file bind: its name in its host directory */
            const char *name = o->binds[res.bind_index].file;

            rt->bound_file = !*res.rest && !*tail;
            k = snprintf(rt->rest, sizeof(rt->rest), "%s%s%s%s", name,
                         *res.rest ? "/" : "", res.rest, tail);
        } else {
            rt->bound_file = !*res.rest && !*tail; /* the mount point */
            k = snprintf(rt->rest, sizeof(rt->rest), "%s%s",
                         *res.rest ? res.rest : ".", tail);
            if (have_raw && res.route == KBOX_ROUTE_BIND) {
                int ph =
                    kbox_route_bind_physical(r, res.bind_index, raw, rt, tail);

                if (ph < 0)
                    return ph;
                if (ph > 0)
                    k = 0;
            }
        }
        return k < (int)sizeof(rt->rest) ? 0 : -ENAMETOOLONG;
    }
}

/* The path lx should see. */
const char *kbox_route_lx_path(const struct route *rt, const char *path)
{
    return rt->use_norm ? rt->norm : path;
}

/*
 * Route by the path's text. A walk lx does can still reach a bind (a
 * symlink in the image into it, a name relative to an lx directory):
 * lx then says EXDEV, and the engine retries on kbox_lx_bind_path().
 */
int kbox_route_path(struct kbox_req *r, int dirfd, const char *path,
                    struct route *rt)
{
    int rc = route_lexically(r, dirfd, path, rt);

    if (!kbox_sup.opts->nbinds && !kbox_sup.host_pts)
        return rc;
    free(r->lx_walk);
    r->lx_walk = NULL;
    if (!rc && rt->kind == KBOX_ROUTE_LX) {
        r->lx_walk = strdup(kbox_route_lx_path(rt, path));
        r->lx_walk_dir = rt->lxdir;
    }
    return rc;
}

int kbox_fs_resolve(struct kbox_req *r, int dirfd, const char *path,
                    int host_flags, int *hostfd, int *lxdir, char *lxpath,
                    size_t lxlen)
{
    struct route rt;
    int rc = kbox_route_path(r, dirfd, path, &rt);

    *hostfd = -1;
    if (rc)
        return rc;
    if (rt.kind != KBOX_ROUTE_LX) {
        int fd = kbox_route_open(&rt, host_flags, 0);

        if (fd < 0)
            return fd;
        *hostfd = fd;
        return 0;
    }
    *lxdir = rt.lxdir;
    if (snprintf(lxpath, lxlen, "%s", kbox_route_lx_path(&rt, path)) >=
        (int)lxlen)
        return -ENAMETOOLONG;
    return 0;
}
