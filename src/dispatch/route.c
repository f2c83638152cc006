/* SPDX-License-Identifier: MIT */
/*
 * Path routing for the fs family: a guest path, relative to a guest
 * dirfd, is resolved lexically against the binds, the allow-listed /dev
 * nodes and the host-served /proc names; whatever is left is lx's, and
 * lx's task (with the guest's root and cwd) walks it.
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
static int host_dir_path(struct kbox_req *r, int dirfd, const char *path,
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
static int hostdev_change(struct kbox_req *r, const char *rest)
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

    return l >= 0 && proc_dir_path(r, l, path, out, len) ? 0 : -1;
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
    } else if (host_dir_path(r, (int)n, rest, out, sizeof(out), NULL, 0)) {
        return 0;
    }
    snprintf(norm, len, "%s", out);
    return 1;
}

/*
 * A path relative to lx directory fd @lxfd that enters a bind, as its
 * absolute guest path in @norm. Where the bind's place is a directory in
 * the image, lx's walk stops there (kbox-bind trap, EXDEV) and the engine
 * retries; where the image has none, lx walked on in the image: mkdirat
 * of "b/new" from /mnt made /mnt/b/new in the image, hidden under the
 * bind, and `mkdir -p` into a bind failed.
 */
static bool into_bind(struct kbox_req *r, int lxfd, const char *path, char *dir,
                      char *norm, size_t len, char *raw, size_t rawlen)
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
static int bind_physical_rest(struct kbox_req *r, int idx, const char *raw,
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
            if (proc_dir_path(r, l, path, norm, sizeof(norm))) {
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
            } else if (!into_bind(r, l, path, ldir, norm, sizeof(norm), raw,
                                  sizeof(raw))) {
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
            rc = host_dir_path(r, dirfd, path, norm, sizeof(norm), raw,
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
        from_host_dir = fd_dir_path(r, norm, sizeof(norm));
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
    res = kbox_path_route(norm, o->binds, o->nbinds, kbox_sup.hostdev_dir >= 0);
    /* the place the text names, before a guest's rbind renames it */
    if (res.route == KBOX_ROUTE_BIND && by_text &&
        kbox_bind_place_search(r, res.bind_index, rt->lxdir,
                               from_lx_dir ? ldir : abs, norm, res.rest))
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
        int rc = hostdev_change(r, res.rest);

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
                int ph = bind_physical_rest(r, res.bind_index, raw, rt, tail);

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

char *kbox_lx_bind_path(struct kbox_req *r, int *err)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char left[KBOX_PATH_MAX], cur[KBOX_PATH_MAX], cand[KBOX_PATH_MAX];
    char target[KBOX_PATH_MAX], base[KBOX_PATH_MAX];
    const char *p, *end;
    int links = 0, n, k;
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
            memcpy(cur, cand, (size_t)n + 1);
            continue;
        }
        /* Stopped short of any bind: lx's EXDEV was its own (openat2's
         * RESOLVE_BENEATH or NO_XDEV), not a bind reached, and stands
         * (this walk's ENOENT replaced it for ".." to a missing name).
         * So it does when this walk fails on an empty link or a loop
         * first: lx's walk, had it gone on, would have failed there too
         * before any bind (openat2(RESOLVE_BENEATH) of "../loop" was
         * ELOOP, not EXDEV). */
        if (t <= 0 || ++links > 40)
            return NULL;
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

    if (rt->kind != KBOX_ROUTE_BIND)
        return -1;
    for (i = 0; i < o->nbinds && kbox_sup.bind_dirs[i] != rt->hostdir; i++)
        ;
    if (i == o->nbinds || o->binds[i].file ||
        kbox_fd_beneath(rt->hostdir, hfd, rel, sizeof(rel)))
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
