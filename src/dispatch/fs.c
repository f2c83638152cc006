/* SPDX-License-Identifier: MIT */
/*
 * fs family: path-based calls. The path is copied out of the guest once
 * and resolved here (never CONTINUEd): by lx, whose task has the guest's
 * root, cwd and credentials; or, for host binds and allow-listed /dev
 * nodes, on the host with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * beneath the bind source, and the host fd is injected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/fdtable.h"
#include "kbox/path.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

struct route {
    enum kbox_route kind;
    int hostdir; /* dir fd the host path is beneath */
    char rest[KBOX_PATH_MAX];
    /* KBOX_ROUTE_LX: a path that lexically left a bind ("/mnt/..") is
     * given to lx normalised, since lx does not see the bind. */
    bool use_norm;
    char norm[KBOX_PATH_MAX];
    int lxdir; /* KBOX_ROUTE_LX: the lx dirfd for the call */
    /* KBOX_ROUTE_HOSTPROC: @rest is a guest's "<pid>/fd/<n>", a magic link
     * kbox follows for the guest (the guest could follow it natively) */
    bool fdlink;
    /* KBOX_ROUTE_BIND: the path is a file bind itself (a mount point:
     * it cannot be removed or renamed) */
    bool bound_file;
};

/*
 * A relative path under a host directory fd the guest holds (one it
 * opened inside a bind): the guest path it names, or -ENOTDIR.
 */
static int host_dir_path(struct kbox_req *r, int dirfd, const char *path,
                         char *out, size_t outlen)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char link[64], hp[KBOX_PATH_MAX], g[2 * KBOX_PATH_MAX + 2];
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)r->pid, dirfd);
    n = readlink(link, hp, sizeof(hp) - 1);
    if (n < 0)
        return -EBADF;
    hp[n] = '\0';
    for (int i = 0; i < o->nbinds; i++) {
        const char *rest;

        if (hp[0] == '/' &&
            kbox_path_beneath(hp, o->binds[i].host_src, &rest)) {
            snprintf(g, sizeof(g), "%s/%s/%s", o->binds[i].guest_dst, rest,
                     path);
            if (kbox_path_normalize(g, out, outlen, false, NULL) < 0)
                return -ENAMETOOLONG;
            return 0;
        }
    }
    /* Host /proc and CPU directories have the same guest paths (guest
     * pids are host pids): what is relative to one is routed as the
     * absolute path, ".." and all (find /proc/self). */
    if (kbox_path_beneath(hp, "/proc", NULL) ||
        kbox_path_beneath(hp, "/sys/devices/system/cpu", NULL)) {
        snprintf(g, sizeof(g), "%s/%s", hp, path);
        if (kbox_path_normalize(g, out, outlen, false, NULL) < 0)
            return -ENAMETOOLONG;
        return 0;
    }
    return -ENOTDIR;
}

/*
 * A host fd's /proc link target (@n bytes in @buf) as the guest names it:
 * a file beneath a bind source has its guest path; anything else (pipes,
 * sockets, /dev nodes, files outside the guest root) reads as the host
 * says, as a chroot shows a file opened outside it.
 */
static long host_link_to_guest(char *buf, long n, size_t cap)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char g[KBOX_PATH_MAX + 1];
    const char *rest;

    buf[n] = '\0';
    for (int i = 0; buf[0] == '/' && i < o->nbinds; i++) {
        if (!kbox_path_beneath(buf, o->binds[i].host_src, &rest))
            continue;
        n = snprintf(g, sizeof(g), "%s%s%s", o->binds[i].guest_dst,
                     *rest ? "/" : "", rest);
        if (n >= (long)cap)
            return -ENAMETOOLONG;
        memcpy(buf, g, (size_t)n + 1);
        break;
    }
    return n;
}

/*
 * /proc/<pid>/[task/<tid>/]fd[info][/<n>] of a guest process: the host's
 * /proc lists the guest's own numbers, and an entry naming an lx file is
 * lx's entry for the lx fd behind it (lx numbers its files apart from the
 * host objects). Returns 0 (routed), -errno, or 1 when @pid is no guest
 * process (then it takes the usual way).
 */
static int route_proc_fd(struct kbox_req *r, int which, long pid, long task,
                         int n, struct route *rt)
{
    const char *dir = which == KBOX_PROC_FD ? "fd" : "fdinfo";
    pid_t tgid = (pid_t)pid;
    char t[64];
    int l, k;

    if (pid == r->proc->tgid) {
        l = n >= 0 ? kbox_lxfd(r, n) : -1;
    } else {
        l = kbox_proc_peer_lxfd((pid_t)pid, n >= 0 ? n : 0, &tgid);
        if (l == -ESRCH || !kbox_proc_is_guest(tgid))
            return 1;
        if (kbox_proc_may_read(r, tgid))
            return -EACCES; /* fd/ is the owner's (and root's) */
        if (n < 0)
            l = -1;
    }
    if (task) {
        /* the thread must be the process's, as in the host's /proc */
        snprintf(t, sizeof(t), "%ld/task/%ld", pid, task);
        if (faccessat(kbox_sup.hostproc_dir, t, F_OK, AT_SYMLINK_NOFOLLOW))
            return -ENOENT;
    }
    if (l >= 0) {
        rt->use_norm = true;
        if (tgid == r->proc->tgid)
            k = snprintf(rt->norm, sizeof(rt->norm), "/proc/self/%s/%d", dir,
                         l);
        else
            k = snprintf(rt->norm, sizeof(rt->norm), "/proc/%d/%s/%d",
                         (int)tgid, dir, l); /* its task has its pid */
        return k < (int)sizeof(rt->norm) ? 0 : -ENAMETOOLONG;
    }
    rt->kind = KBOX_ROUTE_HOSTPROC;
    rt->hostdir = kbox_sup.hostproc_dir;
    if (task)
        k = snprintf(rt->rest, sizeof(rt->rest), "%ld/task/%ld/%s", pid, task,
                     dir);
    else
        k = snprintf(rt->rest, sizeof(rt->rest), "%ld/%s", pid, dir);
    if (n >= 0)
        k += snprintf(rt->rest + k, sizeof(rt->rest) - (size_t)k, "/%d", n);
    rt->fdlink = which == KBOX_PROC_FD && n >= 0;
    return 0;
}

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
    case SYS_faccessat:
    case SYS_faccessat2:
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
 * A name relative to an lx directory of /proc (/proc itself or a
 * /proc/<pid>): its absolute path, for the /proc routing an absolute one
 * gets (htop reads <pid>/stat, statm relative to such fds, and got lx's
 * tasks, which have no memory: statm all zeros). Only names a /proc
 * directory has are looked at, so other relative calls pay nothing.
 */
static bool proc_dir_path(struct kbox_req *r, int lxfd, const char *path,
                          char *out, size_t len)
{
    static const char *const names[] = {
        "stat",   "statm",  "status",    "cmdline", "comm",      "environ",
        "io",     "maps",   "smaps",     "limits",  "task",      "fd",
        "fdinfo", "cwd",    "exe",       "root",    "wchan",     "sched",
        "cgroup", "mounts", "mountinfo", "auxv",    "oom_score", NULL,
    };
    char dir[KBOX_PATH_MAX], g[2 * KBOX_PATH_MAX + 2];
    size_t first = strcspn(path, "/");
    bool digits = first > 0, known = false;

    for (size_t i = 0; i < first; i++)
        digits &= path[i] >= '0' && path[i] <= '9';
    for (int i = 0; !digits && names[i]; i++)
        known |= strlen(names[i]) == first && !strncmp(path, names[i], first);
    if ((!digits && !known) ||
        lx_task_fd_path(r->task, lxfd, dir, sizeof(dir)) <= 0 ||
        (strcmp(dir, "/proc") && strncmp(dir, "/proc/", 6)))
        return false;
    snprintf(g, sizeof(g), "%s/%s", dir, path);
    return kbox_path_normalize(g, out, len, false, NULL) >= 0;
}

/*
 * "/proc/self/fd/N/rest" (or /proc/<own pid>/fd/N/rest): a path beneath a
 * directory the guest holds open. For a host directory (in a bind) it is
 * rewritten to the guest path it names, and for an lx one to lx's own fd
 * number, so either kernel walks it (it was ENOENT: lx has no fd N).
 * Returns 1 when @norm was rewritten.
 */
static int fd_dir_path(struct kbox_req *r, char *norm, size_t len)
{
    const char *p = NULL, *rest;
    char own[40], out[KBOX_PATH_MAX];
    long n = 0;
    int lx;

    snprintf(own, sizeof(own), "/proc/%d/fd/", (int)r->proc->tgid);
    if (!strncmp(norm, "/proc/self/fd/", 14))
        p = norm + 14;
    else if (!strncmp(norm, own, strlen(own)))
        p = norm + strlen(own);
    if (!p || *p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9' && n <= INT_MAX; p++)
        n = n * 10 + (*p - '0');
    if (*p != '/' || !p[1] || n > INT_MAX)
        return 0;
    rest = p + 1;
    lx = kbox_lxfd(r, (int)n);
    if (lx >= 0) {
        char dir[KBOX_PATH_MAX], g[2 * KBOX_PATH_MAX + 2];

        if (lx_task_fd_path(r->task, lx, dir, sizeof(dir)) <= 0 ||
            dir[0] != '/')
            return 0;
        snprintf(g, sizeof(g), "%s/%s", dir, rest);
        if (kbox_path_normalize(g, out, sizeof(out), false, NULL) < 0)
            return 0;
    } else if (host_dir_path(r, (int)n, rest, out, sizeof(out))) {
        return 0;
    }
    snprintf(norm, len, "%s", out);
    return 1;
}

static int route_lexically(struct kbox_req *r, int dirfd, const char *path,
                           struct route *rt)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char abs[KBOX_PATH_MAX], norm[KBOX_PATH_MAX];
    struct kbox_route_result res;

    bool from_host_dir = false;

    rt->kind = KBOX_ROUTE_LX;
    rt->bound_file = false;
    rt->use_norm = false;
    rt->lxdir = AT_FDCWD;
    rt->fdlink = false;
    if (path[0] != '/' && dirfd != AT_FDCWD) {
        int l = kbox_lxfd(r, dirfd);
        int rc;

        if (l >= 0) {
            rt->lxdir = l; /* relative to a directory in the image */
            if (!proc_dir_path(r, l, path, norm, sizeof(norm)))
                return 0;
            from_host_dir = true; /* routed as its /proc path */
        } else {
            rc = host_dir_path(r, dirfd, path, norm, sizeof(norm));
            if (rc)
                return rc;
            from_host_dir = true;
        }
    } else if (path[0] != '/' && r->proc->bind_cwd[0]) {
        /* cwd inside a bind: relative paths start there */
        if (kbox_path_join(r->proc->bind_cwd, path, norm, sizeof(norm)) < 0)
            return -ENAMETOOLONG;
        from_host_dir = true;
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
        if (kbox_path_join(abs, path, norm, sizeof(norm)) < 0)
            return -ENAMETOOLONG;
    } else {
        (void)abs;
        if (o->nbinds == 0 && strncmp(path, "/dev/", 5) != 0 &&
            strncmp(path, "/proc", 5) != 0 && strstr(path, "dev") == NULL &&
            strstr(path, "/cpu") == NULL)
            return 0;
        if (kbox_path_normalize(path, norm, sizeof(norm), false, NULL) < 0)
            return -ENAMETOOLONG;
    }
    if (!from_host_dir) {
        follow_dev_fd(r, norm, sizeof(norm));
        /* lx is given the rewritten path if it serves it (as for a path
         * that left a bind with "..") */
        from_host_dir = fd_dir_path(r, norm, sizeof(norm));
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
             * walk takes: kbox's own, the same network as the guest's */
            if (where == KBOX_MACHINE_PROC && !strncmp(rest, "net", 3))
                snprintf(rt->rest, sizeof(rt->rest), "%d/%s", (int)getpid(),
                         rest);
            else
                snprintf(rt->rest, sizeof(rt->rest), "%s", rest);
            return 0;
        }
    }
    if (!strcmp(norm, "/proc"))
        kbox_proc_sweep(); /* a listing shows no process already reaped */
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
            int rc = route_proc_fd(r, which, fpid, ftask, fdn, rt);

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
                guest = kbox_proc_is_guest((pid_t)n) &&
                        (k != KBOX_PROC_HOST || n == pid);
                /* lx's other tasks are kernel threads, or kbox's own,
                 * which /proc does not list either */
                if (!guest && !kbox_proc_known((pid_t)n) &&
                    lx_pid_is_kthread((int)n) != 1)
                    return -ENOENT;
            }
        }
        if (k == KBOX_PROC_HOST && guest && pid != r->proc->tgid &&
            kbox_path_proc_private(rt->rest) && kbox_proc_may_read(r, pid))
            return -EACCES; /* opened with kbox's rights: ask lx first */
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
    res = kbox_path_route(norm, o->binds, o->nbinds, kbox_sup.hostdev_dir >= 0);
    if (res.route == KBOX_ROUTE_LX) {
        if (from_host_dir) { /* left the bind with "..": absolute in lx */
            rt->use_norm = true;
            snprintf(rt->norm, sizeof(rt->norm), "%s", norm);
            return 0;
        }
        for (int i = 0; i < o->nbinds; i++) {
            size_t l = strlen(o->binds[i].guest_dst);

            if (path[0] == '/' && !strncmp(path, o->binds[i].guest_dst, l) &&
                path[l] == '/') {
                rt->use_norm = true;
                snprintf(rt->norm, sizeof(rt->norm), "%s", norm);
                break;
            }
        }
        return 0;
    }
    rt->kind = res.route;
    rt->hostdir = res.route == KBOX_ROUTE_BIND
                      ? kbox_sup.bind_dirs[res.bind_index]
                      : kbox_sup.hostdev_dir;
    if (res.route == KBOX_ROUTE_BIND) {
        kbox_ids_for_host(r); /* the host checks the guest's rights */
        /* for a retry through a symlink leaving the bind (engine.c) */
        free(r->bind_path);
        r->bind_path = strdup(norm);
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
            k = snprintf(rt->rest, sizeof(rt->rest), "%s%s",
                         *res.rest ? res.rest : ".", tail);
        }
        return k < (int)sizeof(rt->rest) ? 0 : -ENAMETOOLONG;
    }
}

/* The path lx should see. */
static const char *lx_path(const struct route *rt, const char *path)
{
    return rt->use_norm ? rt->norm : path;
}

/*
 * Route by the path's text. A walk lx does can still reach a bind (a
 * symlink in the image into it, a name relative to an lx directory):
 * lx then says EXDEV, and the engine retries on kbox_lx_bind_path().
 */
static int route_path(struct kbox_req *r, int dirfd, const char *path,
                      struct route *rt)
{
    int rc = route_lexically(r, dirfd, path, rt);

    if (!kbox_sup.opts->nbinds)
        return rc;
    free(r->lx_walk);
    r->lx_walk = NULL;
    if (!rc && rt->kind == KBOX_ROUTE_LX) {
        r->lx_walk = strdup(lx_path(rt, path));
        r->lx_walk_dir = rt->lxdir;
    }
    return rc;
}

char *kbox_lx_bind_path(struct kbox_req *r, int *err)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char left[KBOX_PATH_MAX], cur[KBOX_PATH_MAX], cand[KBOX_PATH_MAX];
    char target[KBOX_PATH_MAX], base[KBOX_PATH_MAX];
    const char *p, *end;
    int links = 0, n;

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
    n = snprintf(left, sizeof(left), "%s/%s", base, r->lx_walk);
    if (n < 0 || (size_t)n >= sizeof(left))
        return NULL;
    cur[0] = '\0'; /* resolved so far, free of links: "" is the root */
    for (p = left;; p = end) {
        long t;

        while (*p == '/')
            p++;
        if (!*p)
            return NULL; /* the walk reached no bind */
        end = strchrnul(p, '/');
        if (end - p == 1 && p[0] == '.')
            continue;
        if (end - p == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(cur, '/');

            if (slash)
                *slash = '\0';
            continue;
        }
        n = snprintf(cand, sizeof(cand), "%s/%.*s", cur, (int)(end - p), p);
        if (n < 0 || (size_t)n >= sizeof(cand)) {
            *err = -ENAMETOOLONG;
            return NULL;
        }
        if (kbox_path_route(cand, o->binds, o->nbinds, false).route ==
            KBOX_ROUTE_BIND) {
            char *out = malloc(KBOX_PATH_MAX);

            if (out && snprintf(out, KBOX_PATH_MAX, "%s%s", cand, end) >=
                           KBOX_PATH_MAX) {
                free(out);
                out = NULL;
                *err = -ENAMETOOLONG;
            }
            return out;
        }
        t = kbox_lx(r, LX__NR_readlinkat, AT_FDCWD, (long)cand, (long)target,
                    sizeof(target) - 1, 0, 0);
        if (t == -EINVAL) { /* not a link: a step further */
            memcpy(cur, cand, (size_t)n + 1);
            continue;
        }
        if (t <= 0) {
            *err = t < 0 ? (int)t : -ENOENT;
            return NULL;
        }
        if (++links > 40) {
            *err = -ELOOP;
            return NULL;
        }
        target[t] = '\0';
        if (target[0] == '/')
            cur[0] = '\0';
        /* the link's target, then what followed it, walked afresh */
        n = snprintf(cand, sizeof(cand), "%s%s", target, end);
        if (n < 0 || (size_t)n >= sizeof(cand)) {
            *err = -ENAMETOOLONG;
            return NULL;
        }
        memcpy(left, cand, (size_t)n + 1);
        end = left;
    }
}

static int host_open(const struct route *rt, int flags, int mode)
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
    if (flags & (O_CREAT | O_TMPFILE))
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

/* Open the parent of a bind path beneath the bind; *last = final name. */
static int host_parent(const struct route *rt, char *last, size_t lastlen)
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
    return host_open(&pr, O_PATH | O_DIRECTORY, 0);
}

/* /dev/stdin, /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N */
static int fd_alias(const char *path)
{
    const char *n = NULL;
    char *end;
    long v;

    if (!strcmp(path, "/dev/stdin"))
        return 0;
    if (!strcmp(path, "/dev/stdout"))
        return 1;
    if (!strcmp(path, "/dev/stderr"))
        return 2;
    if (!strncmp(path, "/dev/fd/", 8))
        n = path + 8;
    else if (!strncmp(path, "/proc/self/fd/", 14))
        n = path + 14;
    if (!n || *n < '0' || *n > '9')
        return -1;
    v = strtol(n, &end, 10);
    if (*end || v > 1 << 20)
        return -1;
    return (int)v;
}

/* Reopen the guest's own fd @n (host object: via /proc/<pid>/fd/n). */
static struct kbox_resp reopen_fd(struct kbox_req *r, int n, int flags)
{
    struct kbox_resp resp;
    char p[64];
    long rc;
    int hfd;

    if (kbox_fd_is_lx(r, n)) {
        /* A new open file (own offset and flags) as Linux makes it, by
         * lx's magic link; with no /proc in the guest, a duplicate. */
        snprintf(p, sizeof(p), "/proc/self/fd/%d", kbox_lxfd(r, n));
        rc = kbox_lx(r, LX__NR_openat, AT_FDCWD, (long)p,
                     flags & ~(O_CREAT | O_EXCL | O_DIRECT), 0, 0, 0);
        if (rc == -ENOENT)
            rc = kbox_lx(r, LX__NR_fcntl, kbox_lxfd(r, n),
                         (flags & O_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0, 0,
                         0, 0);
        if (rc < 0)
            return kbox_ret(rc);
        return kbox_fd_open_reply(r, (int)rc, flags);
    }
    snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, n);
    hfd = open(p, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
    if (hfd < 0)
        return kbox_ret(errno == ENOENT ? -ENOENT : -errno);
    resp = kbox_fd_give_reply(r, hfd, (flags & O_CLOEXEC) != 0);
    close(hfd);
    return resp;
}

int kbox_fs_resolve(struct kbox_req *r, int dirfd, const char *path,
                    int host_flags, int *hostfd, int *lxdir, char *lxpath,
                    size_t lxlen)
{
    struct route rt;
    int rc = route_path(r, dirfd, path, &rt);

    *hostfd = -1;
    if (rc)
        return rc;
    if (rt.kind != KBOX_ROUTE_LX) {
        int fd = host_open(&rt, host_flags, 0);

        if (fd < 0)
            return fd;
        *hostfd = fd;
        return 0;
    }
    *lxdir = rt.lxdir;
    if (snprintf(lxpath, lxlen, "%s", lx_path(&rt, path)) >= (int)lxlen)
        return -ENAMETOOLONG;
    return 0;
}

/*
 * The host object behind O_PATH fd @hfd, opened for reading: the seccomp
 * tier cannot install an O_PATH file in the guest (ADDFD's fget() skips
 * them; open(O_PATH) of any bind path was EBADF and rsync failed in a
 * bind). A directory or file fd serves the guest's O_PATH uses (a dir
 * fd, fstat, fchdir, /proc/self/fd); it also reads, which O_PATH does
 * not. Others (symlinks, sockets) cannot be reopened: their error.
 */
static int reopen_for_path(int hfd)
{
    char self[64];
    struct stat st;
    int fl = O_RDONLY | O_CLOEXEC | O_NOCTTY, fd;

    if (fstat(hfd, &st))
        return -errno;
    if (S_ISDIR(st.st_mode))
        fl |= O_DIRECTORY;
    else if (!S_ISREG(st.st_mode))
        fl |= O_NONBLOCK; /* a FIFO must not wait for a writer */
    snprintf(self, sizeof(self), "/proc/self/fd/%d", hfd);
    fd = open(self, fl);
    return fd < 0 ? -errno : fd;
}

/*
 * /dev/tty is the caller's controlling terminal, which kbox opening
 * /dev/tty would take for its own (a guest that got a pty as its
 * terminal - sshd's sessions, expect, script - got ENXIO). The caller's
 * is in its /proc/<pid>/stat (tty_nr): a pty is opened by its number in
 * /dev/pts, another terminal through /dev/char; none is ENXIO, as on
 * Linux. O_NOCTTY: kbox never takes it as its own.
 */
static int open_ctty(struct kbox_req *r, int flags)
{
    char path[64], buf[1024], name[64], *p;
    unsigned long tty;
    unsigned int major, minor;
    int fd, n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)r->pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -ENXIO;
    n = (int)read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -ENXIO;
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the name may hold anything */
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %lu", &tty) != 1 || !tty)
        return -ENXIO;
    major = (unsigned int)((tty >> 8) & 0xfff);
    minor = (unsigned int)((tty & 0xff) | ((tty >> 12) & 0xfff00));
    if (major >= 136 && major <= 143) /* Unix98 ptys */
        snprintf(name, sizeof(name), "pts/%u", (major - 136) * 256 + minor);
    else
        snprintf(name, sizeof(name), "char/%u:%u", major, minor);
    fd = openat(kbox_sup.hostdev_dir, name,
                (flags & ~O_CREAT) | O_NOCTTY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static struct kbox_resp do_open(struct kbox_req *r, int dirfd, uint64_t upath,
                                int flags, int mode, uint64_t resolve)
{
    char path[KBOX_PATH_MAX];
    struct route rt;
    long rc;
    int alias;

    rc = kbox_read_path(r, upath, path, sizeof(path), false);
    if (rc)
        return kbox_ret(rc);
    alias = fd_alias(path);
    if (alias >= 0)
        return reopen_fd(r, alias, flags);
    rc = route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd = rt.kind == KBOX_ROUTE_HOSTDEV && !strcmp(rt.rest, "tty")
                      ? open_ctty(r, flags)
                      : host_open(&rt, flags,
                                  flags & (O_CREAT | O_TMPFILE)
                                      ? (int)(mode & ~kbox_guest_umask(r))
                                      : mode);

        if (hfd < 0)
            return kbox_ret(hfd);
        if (flags & O_PATH) {
            int ro = reopen_for_path(hfd);

            close(hfd);
            if (ro < 0)
                return kbox_ret(ro);
            hfd = ro;
        }
        if (rt.kind == KBOX_ROUTE_HOSTPROC && (flags & O_ACCMODE) == O_RDONLY) {
            int m = kbox_proc_status_fd(r, rt.rest, hfd);

            if (m == -ENOENT)
                m = kbox_proc_maps_fd(rt.rest, hfd);

            if (m >= 0) {
                close(hfd);
                hfd = m;
            } else if (m != -ENOENT) {
                close(hfd);
                return kbox_ret(m);
            }
        }
        struct kbox_resp resp =
            kbox_fd_give_reply(r, hfd, (flags & O_CLOEXEC) != 0);
        close(hfd);
        return resp;
    }
    /*
     * O_DIRECT cannot work in lx: its data goes through kbox's buffers,
     * which are neither aligned nor lx's memory (read and write failed
     * with EINVAL). lx buffers the file instead; the data is the same.
     */
    flags &= ~O_DIRECT;
    if (resolve) {
        struct open_how how = { (unsigned long long)flags,
                                (unsigned long long)mode, resolve };
        rc = kbox_lx(r, LX__NR_openat2, rt.lxdir, (long)lx_path(&rt, path),
                     (long)&how, sizeof(how), 0, 0);
    } else {
        rc = kbox_lx(r, LX__NR_openat, rt.lxdir, (long)lx_path(&rt, path),
                     flags, mode, 0, 0);
    }
    if (rc < 0)
        return kbox_ret(rc);
    if (strstr(path, "sysvipc") && (flags & O_ACCMODE) == O_RDONLY) {
        int m = kbox_ipc_proc_shm_fd(r, (int)rc);

        if (m >= 0) { /* the guest's segments are host memory */
            struct kbox_resp resp;

            kbox_lx(r, LX__NR_close, rc, 0, 0, 0, 0, 0);
            resp = kbox_fd_give_reply(r, m, (flags & O_CLOEXEC) != 0);
            close(m);
            return resp;
        }
    }
    return kbox_fd_open_reply(r, (int)rc, flags);
}

static struct kbox_resp h_openat(struct kbox_req *r)
{
    return do_open(r, FD(0), r->args[1], (int)A(2), (int)A(3), 0);
}

static struct kbox_resp h_openat2(struct kbox_req *r)
{
    struct open_how how;
    size_t sz = (size_t)r->args[3];

    if (sz < sizeof(how))
        return kbox_ret(-EINVAL);
    memset(&how, 0, sizeof(how));
    if (r->ops->read(r, r->args[2], &how, sizeof(how)))
        return kbox_ret(-EFAULT);
    if (how.flags >> 32)
        return kbox_ret(-EINVAL);
    return do_open(r, FD(0), r->args[1], (int)how.flags, (int)how.mode,
                   how.resolve ? how.resolve : 0);
}

/*
 * A guest process's files in the host /proc belong to kbox's host user;
 * the guest sees them as the kernel's /proc does: owned by the process's
 * effective ids, which lx's /proc/<pid> directory carries.
 */
static void hostproc_owner(struct kbox_req *r, const struct route *rt,
                           uint32_t *uid, uint32_t *gid)
{
    struct kbox_gstat g;
    char p[64];
    long pid = strtol(rt->rest, NULL, 10);

    if (rt->kind != KBOX_ROUTE_HOSTPROC || *uid != (uint32_t)geteuid())
        return;
    if (pid == r->proc->tgid)
        snprintf(p, sizeof(p), "/proc/self");
    else
        snprintf(p, sizeof(p), "/proc/%ld", pid);
    if (kbox_lx(r, LX__NR_newfstatat, AT_FDCWD, (long)p, (long)&g, 0, 0, 0))
        return; /* a thread's id, or no /proc in the guest: as it is */
    *uid = g.st_uid;
    *gid = g.st_gid;
}

/* stat family on a host object the guest holds (fd is not lx). */
static int host_fd_stat(struct kbox_req *r, int fd, struct stat *st)
{
    char p[64];

    snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, fd);
    if (stat(p, st))
        return errno == ENOENT ? -EBADF : -errno;
    return 0;
}

static struct kbox_resp h_newfstatat(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX];
    int dirfd = FD(0), flags = (int)A(3);
    struct kbox_gstat g;
    struct kbox_hstat h;
    struct route rt;
    long rc;

    rc = kbox_read_path(r, r->args[1], path, sizeof(path),
                        (flags & AT_EMPTY_PATH) != 0);
    if (rc)
        return kbox_ret(rc);
    if (!path[0] && dirfd != AT_FDCWD && !kbox_fd_is_lx(r, dirfd)) {
        struct stat st;

        rc = host_fd_stat(r, dirfd, &st);
        if (rc)
            return kbox_ret(rc);
        memcpy(&h, &st, sizeof(h));
        goto out;
    }
    rc = route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        struct stat st;
        int hfd = host_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);
        if (hfd < 0)
            return kbox_ret(hfd);
        rc = fstat(hfd, &st) ? -errno : 0;
        close(hfd);
        if (rc)
            return kbox_ret(rc);
        hostproc_owner(r, &rt, &st.st_uid, &st.st_gid);
        memcpy(&h, &st, sizeof(h));
        goto out;
    }
    rc = kbox_lx(r, LX__NR_newfstatat, rt.lxdir, (long)lx_path(&rt, path),
                 (long)&g, flags, 0, 0);
    if (rc < 0)
        return kbox_ret(rc);
    kbox_abi_stat_to_host(&g, &h);
out:
    if (r->ops->write(r, r->args[2], &h, sizeof(h)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

static struct kbox_resp h_statx(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX];
    int dirfd = FD(0), flags = (int)A(2);
    struct statx sx;
    struct route rt;
    long rc;

    rc = kbox_read_path(r, r->args[1], path, sizeof(path),
                        (flags & AT_EMPTY_PATH) != 0);
    if (rc)
        return kbox_ret(rc);
    memset(&sx, 0, sizeof(sx));
    if (!path[0] && dirfd != AT_FDCWD && !kbox_fd_is_lx(r, dirfd)) {
        char p[64];

        snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, dirfd);
        if (statx(AT_FDCWD, p, 0, (unsigned)A(3), &sx))
            return kbox_ret(errno == ENOENT ? -EBADF : -errno);
        goto out;
    }
    rc = route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd = host_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);
        if (hfd < 0)
            return kbox_ret(hfd);
        rc = statx(hfd, "", AT_EMPTY_PATH, (unsigned)A(3), &sx) ? -errno : 0;
        close(hfd);
        if (rc)
            return kbox_ret(rc);
        hostproc_owner(r, &rt, &sx.stx_uid, &sx.stx_gid);
        goto out;
    }
    /* struct statx is the same on every architecture. */
    rc = kbox_lx(r, LX__NR_statx, rt.lxdir, (long)lx_path(&rt, path), flags,
                 A(3), (long)&sx, 0);
    if (rc < 0)
        return kbox_ret(rc);
out:
    if (r->ops->write(r, r->args[4], &sx, sizeof(sx)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

static struct kbox_resp h_faccessat(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX];
    int dirfd = FD(0);
    int flags = r->nr == SYS_faccessat2 ? (int)A(3) : 0;
    struct route rt;
    long rc;

    rc = kbox_read_path(r, r->args[1], path, sizeof(path),
                        (flags & AT_EMPTY_PATH) != 0);
    if (rc)
        return kbox_ret(rc);
    rc = route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd = host_open(&rt, O_PATH, 0);
        if (hfd < 0)
            return kbox_ret(hfd);
        rc = faccessat(hfd, "", (int)A(2), AT_EMPTY_PATH) ? -errno : 0;
        close(hfd);
        return kbox_ret(rc);
    }
    return kbox_ret(kbox_lx(r, LX__NR_faccessat2, rt.lxdir,
                            (long)lx_path(&rt, path), A(2), flags, 0, 0));
}

/*
 * readlink of the caller's /proc/self/root and /proc/self/cwd: "/" and
 * the cwd, which may be inside a bind lx knows nothing of. -ENOSYS when
 * @path is neither (fd links are routed: route_proc_fd).
 */
static long proc_self_link(struct kbox_req *r, const char *path, uint64_t ubuf,
                           size_t sz)
{
    const char *q;
    char target[KBOX_PATH_MAX];
    long n, pid;

    q = kbox_path_proc_pid(path, &pid);
    if (!q || (pid && pid != r->proc->tgid))
        return -ENOSYS;
    if (!strcmp(q, "root")) {
        n = 1;
        strcpy(target, "/");
    } else if (!strcmp(q, "cwd")) {
        if (r->proc->bind_cwd[0])
            n = snprintf(target, sizeof(target), "%s", r->proc->bind_cwd);
        else
            n = kbox_lx(r, LX__NR_getcwd, (long)target, sizeof(target), 0, 0, 0,
                        0) -
                1;
        if (n < 0)
            return n;
    } else {
        return -ENOSYS;
    }
    if ((long)sz <= 0)
        return -EINVAL;
    if ((size_t)n > sz)
        n = (long)sz;
    if (r->ops->write(r, ubuf, target, (size_t)n))
        return -EFAULT;
    return n;
}

/* Calls with one path that lx serves as is. */
static struct kbox_resp h_path1(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX];
    struct route rt;
    long rc;
    int dirfd = FD(0);
    int pidx = 1;

    switch (r->nr) {
    case SYS_chdir:
    case SYS_chroot:
    case SYS_truncate:
    case SYS_statfs:
        pidx = 0;
        dirfd = AT_FDCWD;
        break;
    default:
        break;
    }
    rc = kbox_read_path(r, r->args[pidx], path, sizeof(path),
                        r->nr == SYS_fchownat && (A(4) & AT_EMPTY_PATH));
    if (rc)
        return kbox_ret(rc);
    if (r->nr == SYS_readlinkat) {
        /* readlink("/proc/<pid>/exe"), which kbox_read_path turned into
         * the program's path: answer with that path, wherever the
         * program is (a program in a bind got EINVAL: Go's
         * os.Executable failed) */
        char raw[64], exe[KBOX_PATH_MAX];
        size_t sz = (size_t)r->args[3];

        if (!r->ops->read_str(r, r->args[1], raw, sizeof(raw)) &&
            !kbox_proc_exe_link(r, raw, exe, sizeof(exe)) &&
            !strcmp(path, exe)) {
            rc = (long)strlen(exe);
            if ((long)sz <= 0)
                return kbox_ret(-EINVAL);
            if ((size_t)rc > sz)
                rc = (long)sz;
            if (r->ops->write(r, r->args[2], exe, (size_t)rc))
                rc = -EFAULT;
            return kbox_ret(rc);
        }
    }
    rc = route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        /* Writes through a bind: run the host *at call beneath it. */
        int hfd;

        switch (r->nr) {
        case SYS_mkdirat:
        case SYS_unlinkat:
        case SYS_mknodat:
            if (rt.bound_file) /* the mount point of a file bind */
                return kbox_ret(r->nr == SYS_unlinkat ? -EBUSY : -EEXIST);
            break;
        case SYS_fchmodat:
            break;
        case SYS_chdir: {
            char g[KBOX_PATH_MAX];

            hfd = host_open(&rt, O_PATH | O_DIRECTORY, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            close(hfd);
            if (path[0] == '/')
                rc = kbox_path_normalize(path, g, sizeof(g), false, NULL);
            else if (rt.use_norm)
                rc = snprintf(g, sizeof(g), "%s", rt.norm);
            else
                rc = kbox_path_join(r->proc->bind_cwd[0] ? r->proc->bind_cwd
                                                         : "/",
                                    path, g, sizeof(g));
            if (rc < 0)
                return kbox_ret(-ENAMETOOLONG);
            snprintf(r->proc->bind_cwd, sizeof(r->proc->bind_cwd), "%s", g);
            return kbox_ret(0);
        }
        case SYS_readlinkat: {
            char buf[KBOX_PATH_MAX];
            size_t sz = (size_t)r->args[3];

            if ((long)sz <= 0)
                return kbox_ret(-EINVAL);
            hfd = host_open(&rt, O_PATH | O_NOFOLLOW, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            rc = readlinkat(hfd, "", buf, sizeof(buf) - 1);
            rc = rc < 0 ? -errno : rc;
            if (rc == -ENOENT) { /* "" names no link: not a symlink */
                struct stat st;

                if (!fstat(hfd, &st) && !S_ISLNK(st.st_mode))
                    rc = -EINVAL;
            }
            close(hfd);
            if (rc > 0 && rt.fdlink)
                rc = host_link_to_guest(buf, rc, sizeof(buf));
            if (rc > (long)sz)
                rc = (long)sz;
            if (rc > 0 && r->ops->write(r, r->args[2], buf, (size_t)rc))
                rc = -EFAULT;
            return kbox_ret(rc);
        }
        case SYS_statfs: {
            struct statfs sf;

            hfd = host_open(&rt, O_PATH, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            rc = fstatfs(hfd, &sf) ? -errno : 0;
            close(hfd);
            if (!rc && r->ops->write(r, r->args[1], &sf, sizeof(sf)))
                rc = -EFAULT;
            return kbox_ret(rc);
        }
        case SYS_truncate:
            hfd = host_open(&rt, O_WRONLY, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            rc = ftruncate(hfd, (off_t)A(1)) ? -errno : 0;
            close(hfd);
            return kbox_ret(rc);
        case SYS_fchownat: /* as the host's user, as every bind write */
            hfd = host_open(
                &rt, O_PATH | ((A(4) & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0),
                0);
            if (hfd < 0)
                return kbox_ret(hfd);
            rc = fchownat(hfd, "", (uid_t)A(2), (gid_t)A(3), AT_EMPTY_PATH)
                     ? -errno
                     : 0;
            close(hfd);
            return kbox_ret(rc);
        default:
            return kbox_ret(-EACCES);
        }
        {
            char parent[KBOX_PATH_MAX];

            hfd = host_parent(&rt, parent, sizeof(parent));
            if (hfd < 0)
                return kbox_ret(hfd);
            switch (r->nr) {
            case SYS_mkdirat:
                rc = mkdirat(hfd, parent, (mode_t)A(2) & ~kbox_guest_umask(r));
                break;
            case SYS_unlinkat:
                rc = unlinkat(hfd, parent, (int)A(2));
                break;
            case SYS_fchmodat:
                rc = fchmodat(hfd, parent, (mode_t)A(2), 0);
                break;
            default:
                rc = mknodat(hfd, parent, (mode_t)A(2) & ~kbox_guest_umask(r),
                             (dev_t)A(3));
                break;
            }
            rc = rc ? -errno : 0;
            close(hfd);
            return kbox_ret(rc);
        }
    }
    if (rt.use_norm)
        snprintf(path, sizeof(path), "%s", rt.norm);
    dirfd = rt.lxdir;
    switch (r->nr) {
    case SYS_mkdirat:
        rc = kbox_lx(r, LX__NR_mkdirat, dirfd, (long)path, A(2), 0, 0, 0);
        break;
    case SYS_mknodat:
        rc = kbox_lx(r, LX__NR_mknodat, dirfd, (long)path, A(2), A(3), 0, 0);
        break;
    case SYS_unlinkat:
        rc = kbox_lx(r, LX__NR_unlinkat, dirfd, (long)path, A(2), 0, 0, 0);
        break;
    case SYS_fchmodat:
        rc = kbox_lx(r, LX__NR_fchmodat, dirfd, (long)path, A(2), 0, 0, 0);
        break;
    case 452: /* fchmodat2 */
        rc = kbox_lx(r, 452, dirfd, (long)path, A(2), A(3), 0, 0);
        break;
    case SYS_fchownat:
        rc =
            kbox_lx(r, LX__NR_fchownat, dirfd, (long)path, A(2), A(3), A(4), 0);
        break;
    case SYS_chdir:
        rc = kbox_lx(r, LX__NR_chdir, (long)path, 0, 0, 0, 0, 0);
        if (rc == 0)
            r->proc->bind_cwd[0] = '\0';
        break;
    case SYS_chroot:
        rc = kbox_lx(r, LX__NR_chroot, (long)path, 0, 0, 0, 0, 0);
        break;
    case SYS_truncate:
        rc = kbox_lx(r, LX__NR_truncate, (long)path, A(1), 0, 0, 0, 0);
        if (rc == 0 && kbox_shmap_any()) {
            struct kbox_gstat g;

            if (kbox_lx(r, LX__NR_newfstatat, AT_FDCWD, (long)path, (long)&g, 0,
                        0, 0) == 0)
                kbox_shmap_resize(g.st_dev, g.st_ino, g.st_size);
        }
        break;
    case SYS_statfs: {
        struct kbox_gstatfs g;
        struct kbox_hstatfs h;

        rc = kbox_lx(r, LX__NR_statfs, (long)path, (long)&g, 0, 0, 0, 0);
        if (rc >= 0) {
            kbox_abi_statfs_to_host(&g, &h);
            if (r->ops->write(r, r->args[1], &h, sizeof(h)))
                rc = -EFAULT;
        }
        break;
    }
    case SYS_readlinkat: {
        size_t sz = (size_t)r->args[3];
        char *buf;

        rc = proc_self_link(r, path, r->args[2], sz);
        if (rc != -ENOSYS)
            break;

        if ((long)sz <= 0)
            return kbox_ret(-EINVAL);
        if (sz > KBOX_PATH_MAX)
            sz = KBOX_PATH_MAX;
        buf = malloc(sz);
        if (!buf)
            return kbox_ret(-ENOMEM);
        rc = kbox_lx(r, LX__NR_readlinkat, dirfd, (long)path, (long)buf,
                     (long)sz, 0, 0);
        if (rc > 0 && r->ops->write(r, r->args[2], buf, (size_t)rc))
            rc = -EFAULT;
        free(buf);
        break;
    }
    default:
        rc = -ENOSYS;
    }
    return kbox_ret(rc);
}

/* Two-path calls: rename, link, symlink. */
static struct kbox_resp h_path2(struct kbox_req *r)
{
    char p1[KBOX_PATH_MAX], p2[KBOX_PATH_MAX];
    struct route r1, r2;
    long rc;

    if (r->nr == SYS_symlinkat) {
        /* symlinkat(target, newdirfd, linkpath): target is just data. */
        rc = kbox_read_path(r, r->args[0], p1, sizeof(p1), false);
        if (!rc)
            rc = kbox_read_path(r, r->args[2], p2, sizeof(p2), false);
        if (rc)
            return kbox_ret(rc);
        rc = route_path(r, FD(1), p2, &r2);
        if (rc)
            return kbox_ret(rc);
        if (r2.kind == KBOX_ROUTE_BIND) {
            char l2[KBOX_PATH_MAX];
            int d2 = host_parent(&r2, l2, sizeof(l2));

            if (d2 < 0)
                return kbox_ret(d2);
            rc = symlinkat(p1, d2, l2) ? -errno : 0;
            close(d2);
            return kbox_ret(rc);
        }
        if (r2.kind != KBOX_ROUTE_LX)
            return kbox_ret(-EACCES);
        if (r2.use_norm)
            snprintf(p2, sizeof(p2), "%s", r2.norm);
        return kbox_ret(kbox_lx(r, LX__NR_symlinkat, (long)p1, r2.lxdir,
                                (long)p2, 0, 0, 0));
    }
    rc = kbox_read_path(r, r->args[1], p1, sizeof(p1),
                        r->nr == SYS_linkat && (A(4) & AT_EMPTY_PATH));
    if (!rc)
        rc = kbox_read_path(r, r->args[3], p2, sizeof(p2), false);
    if (rc)
        return kbox_ret(rc);
    if (route_path(r, FD(0), p1, &r1) || route_path(r, FD(2), p2, &r2))
        return kbox_ret(-ENAMETOOLONG);
    if (r1.kind != KBOX_ROUTE_LX || r2.kind != KBOX_ROUTE_LX) {
        char l1[KBOX_PATH_MAX], l2[KBOX_PATH_MAX];
        int d1, d2;

        if (r1.bound_file || r2.bound_file)
            return kbox_ret(-EBUSY); /* a file bind is a mount point */
        if (r1.kind != KBOX_ROUTE_BIND || r2.kind != KBOX_ROUTE_BIND ||
            r1.hostdir != r2.hostdir)
            return kbox_ret(-EXDEV);
        d1 = host_parent(&r1, l1, sizeof(l1));
        if (d1 < 0)
            return kbox_ret(d1);
        d2 = host_parent(&r2, l2, sizeof(l2));
        if (d2 < 0) {
            close(d1);
            return kbox_ret(d2);
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
        snprintf(p1, sizeof(p1), "%s", r1.norm);
    if (r2.use_norm)
        snprintf(p2, sizeof(p2), "%s", r2.norm);
    switch (r->nr) {
    case SYS_renameat:
        rc = kbox_lx(r, LX__NR_renameat2, r1.lxdir, (long)p1, r2.lxdir,
                     (long)p2, 0, 0);
        break;
    case SYS_renameat2:
        rc = kbox_lx(r, LX__NR_renameat2, r1.lxdir, (long)p1, r2.lxdir,
                     (long)p2, A(4), 0);
        break;
    case SYS_linkat:
        rc = kbox_lx(r, LX__NR_linkat, r1.lxdir, (long)p1, r2.lxdir, (long)p2,
                     A(4), 0);
        break;
    default:
        rc = -ENOSYS;
    }
    return kbox_ret(rc);
}

/* utimensat(@dirfd, @path, @tsp, @flags) on lx or on the host (a bind) */
static long set_times(struct kbox_req *r, int dirfd, const char *path,
                      const struct timespec *tsp, int flags)
{
    struct route rt;
    long rc = route_path(r, dirfd, path, &rt);

    if (rc)
        return rc;
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd = host_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);

        if (hfd < 0)
            return hfd;
        rc = utimensat(hfd, "", tsp, AT_EMPTY_PATH) ? -errno : 0;
        close(hfd);
        return rc;
    }
    return kbox_lx(r, LX__NR_utimensat, rt.lxdir,
                   (long)(rt.use_norm ? rt.norm : path), (long)tsp, flags, 0,
                   0);
}

static struct kbox_resp h_utimensat(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX], *pp = NULL;
    struct timespec ts[2], *tsp = NULL;
    int dirfd = FD(0), flags = (int)A(3);
    long rc;

    if (r->args[1]) {
        rc = kbox_read_path(r, r->args[1], path, sizeof(path), true);
        if (rc)
            return kbox_ret(rc);
        pp = path;
    }
    if (r->args[2]) {
        if (r->ops->read(r, r->args[2], ts, sizeof(ts)))
            return kbox_ret(-EFAULT);
        tsp = ts;
    }
    if (!pp) {
        int l = kbox_lxfd(r, dirfd);

        if (l < 0)
            return kbox_continue(); /* futimens on a host fd: no path */
        return kbox_ret(
            kbox_lx(r, LX__NR_utimensat, l, 0, (long)tsp, flags, 0, 0));
    }
    return kbox_ret(set_times(r, dirfd, path, tsp, flags));
}

/* utimes(path, tv[2]) / futimesat(dirfd, path, tv[2]) / utime(path, ub) */
static struct kbox_resp h_utimes(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX];
    struct timespec ts[2], *tsp = NULL;
    int dirfd = AT_FDCWD, pidx = 0, tidx = 1;
    long rc;

    if (r->nr == SYS_futimesat)
        dirfd = FD(0), pidx = 1, tidx = 2;
    rc = kbox_read_path(r, r->args[pidx], path, sizeof(path), false);
    if (rc)
        return kbox_ret(rc);
    if (r->args[tidx]) {
        if (r->nr == SYS_utime) {
            struct {
                long actime, modtime;
            } ub;
            if (r->ops->read(r, r->args[tidx], &ub, sizeof(ub)))
                return kbox_ret(-EFAULT);
            ts[0].tv_sec = ub.actime, ts[0].tv_nsec = 0;
            ts[1].tv_sec = ub.modtime, ts[1].tv_nsec = 0;
        } else {
            struct timeval tv[2];
            if (r->ops->read(r, r->args[tidx], tv, sizeof(tv)))
                return kbox_ret(-EFAULT);
            for (int i = 0; i < 2; i++) {
                if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
                    return kbox_ret(-EINVAL);
                ts[i].tv_sec = tv[i].tv_sec;
                ts[i].tv_nsec = tv[i].tv_usec * 1000;
            }
        }
        tsp = ts;
    }
    return kbox_ret(set_times(r, dirfd, path, tsp, 0));
}

static struct kbox_resp h_getcwd(struct kbox_req *r)
{
    char buf[KBOX_PATH_MAX];
    size_t sz = (size_t)r->args[1];
    long rc;

    if (r->proc->bind_cwd[0]) {
        rc = (long)strlen(r->proc->bind_cwd) + 1;
        if ((size_t)rc > sz)
            return kbox_ret(-ERANGE);
        memcpy(buf, r->proc->bind_cwd, (size_t)rc);
    } else {
        rc = kbox_lx(r, LX__NR_getcwd, (long)buf,
                     (long)(sz < sizeof(buf) ? sz : sizeof(buf)), 0, 0, 0, 0);
    }
    if (rc > 0 && r->ops->write(r, r->args[0], buf, (size_t)rc))
        rc = -EFAULT;
    return kbox_ret(rc);
}

mode_t kbox_guest_umask(struct kbox_req *r)
{
    /* Linux has no call that only reads it: set and put back at once. */
    long um = kbox_lx(r, LX__NR_umask, 0, 0, 0, 0, 0, 0);

    if (um < 0)
        return 022;
    kbox_lx(r, LX__NR_umask, um, 0, 0, 0, 0, 0);
    return (mode_t)um & 0777;
}

static struct kbox_resp h_umask(struct kbox_req *r)
{
    return kbox_ret(kbox_lx(r, LX__NR_umask, A(0) & 0777, 0, 0, 0, 0, 0));
}

static struct kbox_resp h_mount(struct kbox_req *r)
{
    char src[KBOX_PATH_MAX], tgt[KBOX_PATH_MAX], type[64], data[4096];
    char *s = NULL, *t = NULL, *d = NULL;
    long rc;

    if (r->args[0]) {
        if ((rc = kbox_read_path(r, r->args[0], src, sizeof(src), true)))
            return kbox_ret(rc);
        s = src;
    }
    if ((rc = kbox_read_path(r, r->args[1], tgt, sizeof(tgt), false)))
        return kbox_ret(rc);
    if (r->args[2]) {
        if ((rc = kbox_read_path(r, r->args[2], type, sizeof(type), true)))
            return kbox_ret(rc);
        t = type;
    }
    if (r->args[4]) {
        if (r->ops->read_str(r, r->args[4], data, sizeof(data)))
            return kbox_ret(-EFAULT);
        d = data;
    }
    (void)t;
    rc =
        kbox_lx(r, LX__NR_mount, (long)s, (long)tgt, (long)t, A(3), (long)d, 0);
    return kbox_ret(rc);
}

static struct kbox_resp h_umount2(struct kbox_req *r)
{
    char tgt[KBOX_PATH_MAX];
    long rc = kbox_read_path(r, r->args[0], tgt, sizeof(tgt), false);

    if (rc)
        return kbox_ret(rc);
    return kbox_ret(kbox_lx(r, LX__NR_umount2, (long)tgt, A(1), 0, 0, 0, 0));
}

kbox_handler kbox_fs_handler(long nr)
{
    switch (nr) {
    case SYS_openat:
        return h_openat;
    case SYS_openat2:
        return h_openat2;
    case SYS_newfstatat:
        return h_newfstatat;
    case SYS_statx:
        return h_statx;
    case SYS_faccessat:
    case SYS_faccessat2:
        return h_faccessat;
    case SYS_mkdirat:
    case SYS_mknodat:
    case SYS_unlinkat:
    case SYS_fchmodat:
    case 452:
    case SYS_fchownat:
    case SYS_chdir:
    case SYS_chroot:
    case SYS_truncate:
    case SYS_statfs:
    case SYS_readlinkat:
        return h_path1;
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat:
    case SYS_symlinkat:
        return h_path2;
    case SYS_utimensat:
        return h_utimensat;
    case SYS_utimes:
    case SYS_utime:
    case SYS_futimesat:
        return h_utimes;
    case SYS_getcwd:
        return h_getcwd;
    case SYS_umask:
        return h_umask;
    case SYS_mount:
        return h_mount;
    case SYS_umount2:
        return h_umount2;
    default:
        return NULL;
    }
}
