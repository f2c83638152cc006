/* SPDX-License-Identifier: MIT */
/*
 * Path routing, the host's side: names under /proc (fd links, a /proc
 * directory's entries, /dev/fd), host device nodes, and a guest
 * directory's path read from the host. route.c decides where a path
 * goes, routebind.c walks into binds.
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

/* Has @path a "." or ".." component? */
static bool dot_component(const char *path)
{
    for (const char *p = path; *p;) {
        if (p[0] == '.' &&
            (p[1] == '/' || !p[1] || (p[1] == '.' && (p[2] == '/' || !p[2]))))
            return true;
        p = strchr(p, '/');
        if (!p)
            break;
        while (*p == '/')
            p++;
    }
    return false;
}

/* stat of a guest's fd link, as kbox (see host_dir_path) */
static int link_stat(struct kbox_req *r, const char *link, struct stat *st)
{
    int e;

    if (!r->host_ids)
        return stat(link, st);
    kbox_ids_restore(r);
    e = stat(link, st);
    kbox_ids_for_host(r);
    return e;
}

/*
 * A relative path under a host directory fd the guest holds (one it
 * opened inside a bind): the guest path it names, -ENOTDIR, or 1 for a
 * removed directory (kbox_bind_gone_path).
 */
int kbox_route_host_dir(struct kbox_req *r, int dirfd, const char *path,
                        char *out, size_t outlen, char *raw, size_t rawlen)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char link[64], hp[KBOX_PATH_MAX], g[2 * KBOX_PATH_MAX + 2];
    bool gone = false;
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)r->pid, dirfd);
    if (r->host_ids) {
        /* kbox reads the guest's fd table as itself: with the guest's
         * ids (the second path of a renameat in a bind, by a non-root
         * guest) it was EBADF, and `perl -i` failed */
        kbox_ids_restore(r);
        n = readlink(link, hp, sizeof(hp) - 1);
        kbox_ids_for_host(r);
    } else {
        n = readlink(link, hp, sizeof(hp) - 1);
    }
    if (n < 0)
        return -EBADF;
    hp[n] = '\0';
    /* The path is joined to the fd's name and resolved lexically, so a
     * "." or ".." in it would step past a non-directory (openat(file fd,
     * "..") opened the file's directory) and an unlinked file's name
     * "#12 (deleted)" said ENOENT: Linux says ENOTDIR for both. A stat
     * only then keeps plain names (find, rm -r) at one readlink. */
    if (dot_component(path) || (n > 10 && !strcmp(hp + n - 10, " (deleted)"))) {
        struct stat st;
        int e = link_stat(r, link, &st);

        if (e == 0 && !S_ISDIR(st.st_mode))
            return -ENOTDIR;
        gone = e == 0 && st.st_nlink == 0 && n > 10 &&
               !strcmp(hp + n - 10, " (deleted)");
    }
    for (int i = 0; i < o->nbinds; i++) {
        const char *rest;

        if (hp[0] == '/' &&
            kbox_path_beneath(hp, o->binds[i].host_src, &rest)) {
            if (gone) /* a removed directory: by itself (bindcwd.c) */
                return 1;
            snprintf(g, sizeof(g), "%s/%s/%s", o->binds[i].guest_dst, rest,
                     path);
            if (kbox_path_normalize(g, out, outlen, false, NULL) < 0)
                return -ENAMETOOLONG;
            if (raw && snprintf(raw, rawlen, "%s", g) >= (int)rawlen)
                raw[0] = '\0';
            return 0;
        }
    }
    /* Host /proc and CPU directories have the same guest paths (guest
     * pids are host pids): what is relative to one is routed as the
     * absolute path, ".." and all (find /proc/self). */
    if (kbox_path_beneath(hp, "/proc", NULL) ||
        kbox_path_beneath(hp, "/sys/devices/system/cpu", NULL) ||
        (kbox_sup.host_pts && kbox_path_beneath(hp, "/dev/pts", NULL))) {
        snprintf(g, sizeof(g), "%s/%s", hp, path);
        if (kbox_path_normalize(g, out, outlen, false, NULL) < 0)
            return -ENAMETOOLONG;
        return 0;
    }
    /* a bind's directory the host moved out of its source: no name is
     * reached there (ENOENT, as from a removed one); other host objects
     * are not directories */
    {
        struct stat st;

        return !link_stat(r, link, &st) && S_ISDIR(st.st_mode) ? -ENOENT
                                                               : -ENOTDIR;
    }
}

/*
 * A host fd's /proc link target (@n bytes in @buf) as the guest names it:
 * a file beneath a bind source has its guest path; anything else (pipes,
 * sockets, /dev nodes, files outside the guest root) reads as the host
 * says, as a chroot shows a file opened outside it.
 */
long kbox_host_link_to_guest(char *buf, long n, size_t cap)
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
int kbox_route_proc_fd(struct kbox_req *r, int which, long pid, long task,
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
    if (rt->fdlink) {
        rt->fdlink_pid = pid;
        kbox_fdlink_as_guest(r, rt->rest, sizeof(rt->rest));
    }
    return 0;
}

/*
 * The allow-listed /dev nodes are the host's own (kbox_sup.hostdev_dir is
 * the host's /dev), and calls on them ran with kbox's rights: under a
 * root kbox a guest user unlinked the host's /dev/zero, made a device
 * node of its choosing under that name (CAP_MKNOD), and chmod/chown'd
 * /dev/full. Names in the host's /dev are never the guest's to make,
 * remove or move, whoever it is (EACCES, what the host tells a user);
 * changes of a node's mode, owner, times or xattrs are checked by the
 * host with the guest's ids, as in a bind. A pty slave's chown has its
 * own check in guest ids (ptyown.c) and its chmod stays as it was (the
 * host owner of the guest's ptys is kbox's user).
 */
int kbox_route_hostdev_change(struct kbox_req *r, const char *rest)
{
    struct stat st;

    switch (r->nr) {
    case SYS_mkdirat:
    case SYS_mknodat:
    case SYS_symlinkat: /* Linux finds the name before the permission */
        if (!fstatat(kbox_sup.hostdev_dir, rest, &st, AT_SYMLINK_NOFOLLOW))
            return -EEXIST;
        return -EACCES;
    case SYS_unlinkat:
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat:
        return -EACCES;
    case SYS_fchmodat:
    case 452: /* fchmodat2 */
    case SYS_fchownat:
        if (!strncmp(rest, "pts/", 4))
            return 0;
        /* fall through */
    case SYS_utimensat:
    case SYS_truncate:
    case SYS_setxattr:
    case SYS_lsetxattr:
    case SYS_removexattr:
    case SYS_lremovexattr:
        kbox_ids_for_host(r);
        return 0;
    default:
        return 0;
    }
}

/*
 * Host objects a guest process made itself (pipes, sockets, eventfds and
 * the like, memfds, ptys): their host owner is kbox's user, not the
 * guest's, so the guest's own rights would refuse it its own pipe
 * (/dev/stdin reopened: EACCES). Natively it owns them.
 */
bool kbox_guest_made_object(int fd)
{
    char link[64], target[16];
    struct statfs sf;
    ssize_t n;

    if (fstatfs(fd, &sf))
        return true;
    switch ((unsigned long)sf.f_type) {
    case 0x50495045: /* PIPEFS_MAGIC */
    case 0x534F434B: /* SOCKFS_MAGIC */
    case 0x09041934: /* ANON_INODE_FS_MAGIC */
    case 0x1cd1:     /* DEVPTS_SUPER_MAGIC: ptyown.c has their owners */
        return true;
    }
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof(target));
    return n >= 7 && !strncmp(target, "/memfd:", 7);
}

/*
 * Is the file behind kbox's @fd beneath a bind's host directory? A device
 * node there is the bind's, not one of the host /dev nodes the guest may
 * open with kbox's rights: a guest user opened a root-owned 0644 node in
 * a bind read-only and reopened it for writing through /dev/fd/N.
 */
static bool in_bind(int fd)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char link[64], hp[KBOX_PATH_MAX];
    const char *rest;
    ssize_t n;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    n = readlink(link, hp, sizeof(hp) - 1);
    if (n <= 0)
        return true; /* unknown: the guest's rights */
    hp[n] = '\0';
    for (int i = 0; i < o->nbinds; i++)
        if (kbox_path_beneath(hp, o->binds[i].host_src, &rest))
            return true;
    return false;
}

static bool is_open_call(long nr)
{
    return nr == SYS_openat || nr == SYS_openat2 || nr == SYS_open ||
           nr == SYS_creat;
}

/*
 * A guest's host fd reached by its magic link (/proc/<pid>/fd/<n>, and
 * /dev/fd/<n>, /proc/self/fd/<n>, reopen_fd): kbox followed it with its
 * own rights, so under a root kbox a guest user reopened a read-only fd
 * of a root-owned file in a bind for writing, and chmod/chown'd it
 * through that name (musl's fchmod and fchown of an O_PATH fd do so), or
 * the host's /dev/null; Linux checks the caller's rights on the file the
 * link leads to. The file is pinned from kbox's own fd table (whatever a
 * second thread puts at that number meanwhile, the call reaches the file
 * looked at) and followed with the guest's filesystem identity, except
 * for objects the guest made (kbox_guest_made_object) and opens of device
 * nodes: those open with kbox's rights, as the allowed /dev nodes do by
 * their paths (a guest user's /dev/stdout on kbox's terminal).
 */
void kbox_fdlink_as_guest(struct kbox_req *r, char *rest, size_t len)
{
    bool had = r->host_ids;
    struct stat st;
    int fd;

    if (geteuid() != 0 || !r->task || kbox_sup.hostproc_dir < 0)
        return;
    /* an lstat sees the link itself, whose mode tells the fd's access
     * (lr-x, l-wx, lrwx); kbox's O_PATH fd's link has none (l---) */
    if ((r->nr == SYS_newfstatat && (A(3) & AT_SYMLINK_NOFOLLOW)) ||
        (r->nr == SYS_statx && (A(2) & AT_SYMLINK_NOFOLLOW)))
        return;
    if (had) /* /proc/<pid>/fd is walked as kbox (host_dir_path) */
        kbox_ids_restore(r);
    fd = openat(kbox_sup.hostproc_dir, rest, O_PATH | O_CLOEXEC);
    if (had)
        kbox_ids_for_host(r);
    if (fd < 0)
        return;
    if (r->fdlink_fd1)
        close(r->fdlink_fd1 - 1);
    r->fdlink_fd1 = fd + 1;
    snprintf(rest, len, "self/fd/%d", fd);
    if (fstat(fd, &st) || kbox_guest_made_object(fd))
        return;
    if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && is_open_call(r->nr) &&
        !in_bind(fd))
        return;
    kbox_ids_for_host(r); /* a no-op for root in the guest */
}

/*
 * A name relative to an lx directory of /proc (/proc itself or a
 * /proc/<pid>): its absolute path, for the /proc routing an absolute one
 * gets (htop reads <pid>/stat, statm relative to such fds, and got lx's
 * tasks, which have no memory: statm all zeros). Only names a /proc
 * directory has are looked at, so other relative calls pay nothing.
 */
bool kbox_route_proc_dir(struct kbox_req *r, int lxfd, const char *path,
                         char *out, size_t len)
{
    /* /proc/<pid>'s entries, and of /proc itself the caller (self,
     * thread-self) and the machine's files, which are the host's */
    static const char *const names[] = {
        "stat",         "statm",     "status",    "cmdline",   "comm",
        "environ",      "io",        "maps",      "smaps",     "limits",
        "task",         "fd",        "fdinfo",    "cwd",       "exe",
        "root",         "wchan",     "sched",     "cgroup",    "mounts",
        "mountinfo",    "auxv",      "oom_score", "schedstat", "numa_maps",
        "smaps_rollup", "pagemap",   "mem",       "stack",     "syscall",
        "personality",  "map_files", "ns",        "self",      "thread-self",
        "cpuinfo",      "meminfo",   "uptime",    "loadavg",   "net",
        NULL,
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

/* @path relative to guest directory fd @dirfd of /proc or /proc/<pid>,
 * as its absolute path in @out: 0, or -1 when it is not such a name. */
int kbox_proc_dir_abs(struct kbox_req *r, int dirfd, const char *path,
                      char *out, size_t len)
{
    int l = path[0] != '/' && dirfd != AT_FDCWD ? kbox_lxfd(r, dirfd) : -1;

    return l >= 0 && kbox_route_proc_dir(r, l, path, out, len) ? 0 : -1;
}

/*
 * "/proc/self/fd/N/rest" (or /proc/<own pid>/fd/N/rest): a path beneath a
 * directory the guest holds open. For a host directory (in a bind) it is
 * rewritten to the guest path it names, and for an lx one to lx's own fd
 * number, so either kernel walks it (it was ENOENT: lx has no fd N).
 * Returns 1 when @norm was rewritten.
 */
int kbox_route_fd_dir(struct kbox_req *r, char *norm, size_t len)
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
    } else if (kbox_route_host_dir(r, (int)n, rest, out, sizeof(out), NULL,
                                   0)) {
        return 0;
    }
    snprintf(norm, len, "%s", out);
    return 1;
}
