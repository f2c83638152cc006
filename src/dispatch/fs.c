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
#include <linux/capability.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/fdtable.h"
#include "kbox/mntview.h"
#include "kbox/path.h"
#include "route.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

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

/*
 * An anonymous inode's file (eventfd, epoll, timerfd, signalfd) is the
 * one host inode of mode 0600 owned by root: Linux's permission check
 * refuses a reopen of it through /proc/self/fd to a caller who is not
 * root in the guest and lacks CAP_DAC_OVERRIDE (CAP_DAC_READ_SEARCH for
 * reading) with EACCES, before the open's ENXIO. kbox follows such a
 * link with its own rights (kbox_guest_made_object), which pass: a guest user
 * got ENXIO. @p is the link beneath the host /proc.
 */
static bool anon_refused(struct kbox_req *r, const char *p, int flags)
{
    struct stat st;
    long fsuid;

    if (fstatat(kbox_sup.hostproc_dir, p, &st, 0) || (st.st_mode & S_IFMT))
        return false;
    fsuid = kbox_lx(r, LX__NR_setfsuid, -1, 0, 0, 0, 0, 0);
    if (fsuid <= 0 || kbox_lx_capable(r, CAP_DAC_OVERRIDE))
        return false;
    return (flags & O_ACCMODE) != O_RDONLY ||
           !kbox_lx_capable(r, CAP_DAC_READ_SEARCH);
}

/* A memfd or a device: its O_PATH open has a stand-in (see reopen_fd). */
static bool hostfd_has_stand_in(int hfd)
{
    struct stat st;

    return !fstat(hfd, &st) &&
           (S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode));
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
    snprintf(p, sizeof(p), "%d/fd/%d", (int)r->pid, n);
    kbox_fdlink_as_guest(r, p, sizeof(p)); /* the guest's rights on it */
    if (!(flags & O_PATH) && anon_refused(r, p, flags))
        return kbox_ret(-EACCES);
    hfd = openat(kbox_sup.hostproc_dir, p,
                 (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
    if (hfd < 0)
        return kbox_ret(errno == ENOENT ? -ENOENT : -errno);
    if ((rc = kbox_proc_net_opened_may(hfd, flags))) {
        close(hfd); /* a network setting opened to read (netview.c) */
        return kbox_ret(rc);
    }
    /* O_PATH: a memfd's or a device's stand-in (reopen_for_path); a
     * pipe's would be one more reader (a write past the last one must
     * still be EPIPE), and sockets and anonymous inodes do not reopen:
     * those stay EBADF (ADDFD installs no O_PATH file) */
    if ((flags & O_PATH) && hostfd_has_stand_in(hfd) &&
        (hfd = kbox_path_reopened(hfd)) < 0)
        return kbox_ret(hfd);
    if (!(flags & O_PATH) && (rc = kbox_tty_excl(r, hfd))) {
        close(hfd); /* a terminal set TIOCEXCL (ptyown.c) */
        return kbox_ret(rc);
    }
    if (!(flags & O_PATH))
        kbox_pty_opened(r, hfd); /* a link to /dev/ptmx makes a new pty */
    resp = kbox_fd_give_reply(r, hfd, (flags & O_CLOEXEC) != 0);
    close(hfd);
    return resp;
}
/*
 * The host object behind O_PATH fd @hfd, opened for reading: the seccomp
 * tier cannot install an O_PATH file in the guest (ADDFD's fget() skips
 * them; open(O_PATH) of any bind path was EBADF and rsync failed in a
 * bind). A directory or file fd serves the guest's O_PATH uses (a dir
 * fd, fstat, fchdir, /proc/self/fd); it also reads, which O_PATH does
 * not. Sockets cannot be reopened: their error. Nor can a symlink
 * (O_PATH | O_NOFOLLOW): EOPNOTSUPP, which is what glibc's lchmod
 * (fchmodat AT_SYMLINK_NOFOLLOW: this open, then fstat) answers for a
 * link natively and its callers expect (tar -x of any symlink into a
 * bind said "Cannot change mode: Too many levels of symbolic links" and
 * exited 2; shutil.copystat). Other users of such an fd (readlinkat
 * with "") get that error too.
 */
static int reopen_for_path(int hfd)
{
    char self[64];
    struct stat st;
    int fl = O_RDONLY | O_CLOEXEC | O_NOCTTY, fd;

    if (fstat(hfd, &st))
        return -errno;
    if (S_ISLNK(st.st_mode))
        return -EOPNOTSUPP;
    if (S_ISDIR(st.st_mode))
        fl |= O_DIRECTORY;
    else if (!S_ISREG(st.st_mode))
        fl |= O_NONBLOCK; /* a FIFO must not wait for a writer */
    snprintf(self, sizeof(self), "/proc/self/fd/%d", hfd);
    /* A device opened with neither access (mode 3, rights to both
     * needed) reads and writes EBADF, as O_PATH (`open("/dev/null",
     * O_PATH)` read as empty); without write rights, for reading. */
    if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) &&
        (fd = open(self, (fl & ~O_ACCMODE) | O_ACCMODE)) >= 0)
        return fd;
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

/* Is host fd @fd a directory beneath one of the binds' sources? */
static bool host_dir_in_bind(int fd)
{
    struct stat st;

    return !fstat(fd, &st) && S_ISDIR(st.st_mode) && kbox_bind_of_fd(fd) >= 0;
}

int kbox_path_reopened(int hfd)
{
    int ro = reopen_for_path(hfd);

    close(hfd);
    return ro;
}

/*
 * openat2 of @path beneath host directory @dfd of bind route @rt, with
 * the guest's create mode and @resolve; the fd it gives is the guest's.
 */
static struct kbox_resp bind_openat2(struct kbox_req *r, const struct route *rt,
                                     int dfd, const char *path, int flags,
                                     int mode, unsigned long long resolve,
                                     bool *ordinary)
{
    struct open_how how = { (unsigned long long)(flags | O_CLOEXEC),
                            KBOX_WILL_CREATE(flags)
                                ? (unsigned long long)kbox_bind_create_mode(
                                      r, rt, -1, (mode_t)mode) &
                                      07777
                                : 0,
                            resolve };
    struct kbox_resp resp;
    int hfd;
    long rc;

    kbox_inflight_host_wait(true); /* a FIFO waits for its peer */
    if (ordinary) {
        hfd = kbox_bind_openat2_unscoped(dfd, path, &how);
        rc = hfd < 0 ? hfd : 0;
    } else {
        hfd = (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
        rc = hfd < 0 ? -errno : 0;
    }
    kbox_inflight_host_wait(false);
    if (ordinary && rc == -EXDEV && !(resolve & RESOLVE_NO_XDEV)) {
        /* it leaves the bind, as Linux may: the usual way decides */
        *ordinary = true;
        return kbox_ret(rc);
    }
    if (rc) {
        r->bind_idx1 = 0; /* final: no walk of a link out of it */
        return kbox_ret(rc);
    }
    if ((flags & O_PATH) && (hfd = kbox_path_reopened(hfd)) < 0)
        return kbox_ret(hfd);
    resp = kbox_fd_give_reply(r, hfd, (flags & O_CLOEXEC) != 0);
    close(hfd);
    return resp;
}

static struct kbox_resp open_path(struct kbox_req *r, int dirfd, uint64_t upath,
                                  int flags, int mode, uint64_t resolve,
                                  bool *named)
{
    char path[KBOX_PATH_MAX];
    struct route rt;
    struct kbox_gstat tg;
    bool held = false;
    unsigned long gen = 0;
    long rc;
    int alias;

    rc = kbox_read_path(r, upath, path, sizeof(path), false);
    if (rc)
        return kbox_ret(rc);
    *named = true;
    /* a full table creates and truncates nothing (see do_open) */
    if ((flags & (O_CREAT | O_TRUNC)) && kbox_fd_table_full(r))
        return kbox_ret(-EMFILE);
    /* O_NOFOLLOW opens the link itself (O_PATH) or is ELOOP: routed */
    alias = (flags & O_NOFOLLOW) ? -1 : fd_alias(path);
    if (alias >= 0)
        return reopen_fd(r, alias, flags);
    if (resolve && path[0] == '/') {
        /*
         * kbox routes an absolute path by its text (a bind, the host's
         * /proc) and opens it there beneath the bind's root, where the
         * guest's dirfd and its RESOLVE_* flags are unseen: openat2 with
         * RESOLVE_BENEATH opened "/bind/file" from any dirfd. Linux
         * refuses an absolute path under RESOLVE_BENEATH (EXDEV,
         * nd_jump_root) and starts it at the dirfd under RESOLVE_IN_ROOT:
         * decide both before routing, the latter as the relative path.
         */
        size_t skip = 0;

        if ((resolve & RESOLVE_BENEATH) && (resolve & RESOLVE_IN_ROOT))
            return kbox_ret(-EINVAL);
        if (resolve & RESOLVE_BENEATH)
            return kbox_ret(-EXDEV);
        if (resolve & RESOLVE_IN_ROOT) {
            while (path[skip] == '/')
                skip++;
            memmove(path, path + skip, strlen(path + skip) + 1);
            if (!path[0])
                snprintf(path, sizeof(path), ".");
        }
    }
    r->o2_resolve = resolve;
    rc = kbox_route_path(r, dirfd, path, &rt);
    r->o2_resolve = 0;
    /* the host's walk from a bind's dirfd (below) errs first */
    if (rc && !(resolve && path[0] != '/'))
        return kbox_ret(rc);
    if (rc) {
        rt.kind = KBOX_ROUTE_LX;
        rt.hostdir = -1;
        snprintf(rt.rest, sizeof(rt.rest), ".");
    } else if (resolve) {
        kbox_openat2_scoped_to_lx(r, dirfd, path, resolve, &rt, 0);
    }
    if (resolve && path[0] == '/' &&
        (rt.kind == KBOX_ROUTE_BIND || rt.kind == KBOX_ROUTE_HOSTPROC)) {
        /* from "/" the walk crosses into the bind's (or /proc's) mount */
        if (resolve & RESOLVE_NO_XDEV)
            return kbox_ret(-EXDEV);
        /* a symlink below the bind: the host walk refuses it as Linux */
        if ((resolve & RESOLVE_NO_SYMLINKS) && rt.kind == KBOX_ROUTE_BIND &&
            !rt.fdlink)
            return bind_openat2(r, &rt, rt.hostdir, rt.rest, flags, mode,
                                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
                                    RESOLVE_NO_SYMLINKS,
                                NULL);
    }
    /* the host's from the dirfd even where the text left the bind (lx
     * got the absolute path: IN_ROOT's root was left) */
    if ((rc || rt.kind == KBOX_ROUTE_BIND ||
         (rt.kind == KBOX_ROUTE_LX &&
          (resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_NO_XDEV)))) &&
        resolve && path[0] != '/' && r->proc &&
        (dirfd != AT_FDCWD ? r->proc->pidfd >= 0
                           : kbox_bind_cwd_on(r->proc, r->task))) {
        /* openat2's RESOLVE_* flags are relative to the guest's dirfd
         * (or cwd), which the route flattened into the bind's root:
         * resolve the guest's path on the host beneath that directory */
        int dfd = -1;

        if (dirfd != AT_FDCWD) {
            dfd = (int)syscall(SYS_pidfd_getfd, r->proc->pidfd, dirfd, 0);
            if (dfd >= 0 && !host_dir_in_bind(dfd)) {
                close(dfd); /* an lx directory's placeholder: as before */
                dfd = -1;
            }
        } else {
            struct route cw;
            char text[KBOX_PATH_MAX];
            int fd1;

            /* the cwd's directory itself, removed or not (bindcwd.c;
             * held from its first use), with its text taken at once */
            kbox_bind_cwd_get(r->proc, r->task, text, sizeof(text), &fd1,
                              KBOX_CWD_FD);
            if (fd1) {
                dfd = fd1 - 1;
                if (!host_dir_in_bind(dfd)) {
                    close(dfd); /* moved out of the bind: as before */
                    dfd = -1;
                }
            } else if (text[0] && !kbox_route_path(r, AT_FDCWD, text, &cw) &&
                       cw.kind == KBOX_ROUTE_BIND) {
                dfd = kbox_route_open(&cw, O_PATH | O_DIRECTORY, 0);
            }
        }

        if (dfd >= 0) {
            bool scoped = resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT),
                 ordinary = false;
            struct kbox_resp resp = bind_openat2(
                r, &rt, dfd, path, flags, mode, resolve | RESOLVE_NO_MAGICLINKS,
                scoped ? NULL : &ordinary);

            close(dfd);
            if (!ordinary)
                return resp;
            /* the cwd's routing replaced the path's (bind_path) */
            if (dirfd == AT_FDCWD &&
                (rc = kbox_route_path(r, dirfd, path, &rt)))
                return kbox_ret(rc);
        }
        /* no link may be followed on the usual way either */
        if (!rc && (resolve & RESOLVE_NO_SYMLINKS) &&
            rt.kind == KBOX_ROUTE_BIND)
            return bind_openat2(r, &rt, rt.hostdir, rt.rest, flags, mode,
                                RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
                                    RESOLVE_NO_SYMLINKS,
                                NULL);
    }
    if (rc && !kbox_openat2_scoped_to_lx(r, dirfd, path, resolve, &rt, rc))
        return kbox_ret(rc); /* not from a bind's dirfd: the route's error */
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd;

        if (rt.kind == KBOX_ROUTE_HOSTPROC &&
            rt.hostdir == kbox_sup.hostproc_dir &&
            (rc = kbox_proc_sys_net_may(r, rt.rest, flags)))
            return kbox_ret(rc);       /* the host's settings (netview.c) */
        kbox_inflight_host_wait(true); /* a FIFO waits for its peer */
        hfd = rt.kind == KBOX_ROUTE_HOSTDEV && !strcmp(rt.rest, "tty")
                  ? open_ctty(r, flags)
                  : kbox_route_open(&rt, flags,
                                    KBOX_WILL_CREATE(flags)
                                        ? (int)kbox_bind_create_mode(
                                              r, &rt, -1, (mode_t)mode)
                                        : mode);
        kbox_inflight_host_wait(false);

        if (hfd < 0)
            return kbox_ret(hfd);
        if (rt.kind == KBOX_ROUTE_HOSTPROC &&
            rt.hostdir == kbox_sup.hostproc_dir &&
            (rc = kbox_proc_net_opened_may(hfd, flags))) {
            close(hfd); /* a reopened network setting (netview.c) */
            return kbox_ret(rc);
        }
        if (rt.kind == KBOX_ROUTE_HOSTDEV && !strncmp(rt.rest, "pts/", 4) &&
            (rc = kbox_pty_may(r, hfd, flags))) {
            close(hfd); /* another session's terminal (ptyown.c) */
            return kbox_ret(rc);
        }
        if (!(flags & O_PATH) && (rt.kind == KBOX_ROUTE_HOSTDEV || rt.fdlink)) {
            /* a new pty: its slave is the caller's */
            kbox_pty_opened(r, hfd);
            if ((rc = kbox_tty_excl(r, hfd))) {
                close(hfd); /* a terminal set TIOCEXCL (ptyown.c) */
                return kbox_ret(rc);
            }
        }
        if ((flags & O_PATH) && (hfd = kbox_path_reopened(hfd)) < 0)
            return kbox_ret(hfd);
        if (rt.kind == KBOX_ROUTE_HOSTPROC && (flags & O_ACCMODE) == O_RDONLY) {
            int m = kbox_proc_status_fd(r, rt.rest, hfd);

            if (m == -ENOENT)
                m = kbox_proc_maps_fd(rt.rest, hfd);
            if (m == -ENOENT)
                m = kbox_mntview_fdinfo_fd(rt.rest, hfd);
            if (m == -ENOENT)
                m = kbox_proc_net_unix_fd(rt.rest, hfd);

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
    /* O_TRUNC of a file mapped shared, or as one is: see kbox_shmap_hold */
    if (flags & O_TRUNC)
        held = kbox_shmap_hold(r, rt.lxdir, kbox_route_lx_path(&rt, path),
                               (flags & O_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0,
                               &tg, &gen);
    if (resolve) {
        struct open_how how = { (unsigned long long)flags,
                                (unsigned long long)mode, resolve };
        rc = kbox_lx(r, LX__NR_openat2, rt.lxdir,
                     (long)kbox_route_lx_path(&rt, path), (long)&how,
                     sizeof(how), 0, 0);
    } else {
        rc = kbox_lx(r, LX__NR_openat, rt.lxdir,
                     (long)kbox_route_lx_path(&rt, path), flags, mode, 0, 0);
    }
    if (held) {
        struct kbox_gstat ng;
        bool same = rc >= 0 &&
                    kbox_lx(r, LX__NR_fstat, rc, (long)&ng, 0, 0, 0, 0) == 0 &&
                    ng.st_dev == tg.st_dev && ng.st_ino == tg.st_ino;

        kbox_shmap_release(true, &tg, same ? ng.st_size : -1, gen);
    } else if (flags & O_TRUNC) {
        kbox_shmap_release(false, NULL, -1, gen); /* resized by the reply */
    }
    if (rc < 0)
        return kbox_ret(rc);
    if ((strstr(path, "sysvipc") || strstr(path, "locks")) &&
        (flags & O_ACCMODE) == O_RDONLY) {
        int m = strstr(path, "locks") ? kbox_proc_locks_fd(r, (int)rc)
                                      : kbox_ipc_proc_shm_fd(r, (int)rc);

        if (m >= 0) { /* host segments' and host locks' lines added */
            struct kbox_resp resp;

            kbox_lx(r, LX__NR_close, rc, 0, 0, 0, 0, 0);
            resp = kbox_fd_give_reply(r, m, (flags & O_CLOEXEC) != 0);
            close(m);
            return resp;
        }
    }
    return kbox_fd_open_reply(r, (int)rc, flags);
}

/*
 * Linux reserves the new fd number once it has the name and before the
 * walk (do_sys_openat2): with no number free below RLIMIT_NOFILE, an
 * open is EMFILE, not the path's ENOENT, ENOTDIR or EISDIR. kbox opens
 * first (a success then fails to install with EMFILE); the table is
 * asked only when the open failed, so ordinary opens cost nothing more
 * (an O_CREAT or O_TRUNC one asks before: a prlimit and a kcmp).
 */
static struct kbox_resp do_open(struct kbox_req *r, int dirfd, uint64_t upath,
                                int flags, int mode, uint64_t resolve)
{
    bool named = false;
    struct kbox_resp resp =
        open_path(r, dirfd, upath, flags, mode, resolve, &named);

    if (named && resp.kind == KBOX_RESP_RET && resp.val < 0 &&
        resp.val != -EMFILE && kbox_fd_table_full(r))
        return kbox_ret(-EMFILE);
    return resp;
}

/* Linux's VALID_OPEN_FLAGS and O_PATH_FLAGS (fs/fcntl.c, fs/open.c); the
 * kernel's O_LARGEFILE, which glibc defines as 0 on x86_64 */
#define OPEN_O_LARGEFILE 0100000
#define OPEN_VALID_FLAGS                                                     \
    (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |          \
     O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | OPEN_O_LARGEFILE |           \
     O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE | \
     O_SYNC)
#define OPEN_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

/*
 * build_open_flags()'s refusals, in its order: Linux makes them before
 * it reads the path or looks at the dirfd, so open("", O_CREAT |
 * O_DIRECTORY) is EINVAL, not the ENOENT of the empty name (nor EBADF of
 * a closed dirfd). @strict: openat2's checks of the mode and resolve.
 */
static long open_flags_check(int flags, unsigned long long mode,
                             unsigned long long resolve, bool strict)
{
    if (strict) {
        if (resolve & ~0x3full) /* VALID_RESOLVE_FLAGS */
            return -EINVAL;
        if ((resolve & RESOLVE_BENEATH) && (resolve & RESOLVE_IN_ROOT))
            return -EINVAL;
        if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
            if (mode & ~07777ull)
                return -EINVAL;
        } else if (mode) {
            return -EINVAL;
        }
    }
    if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
        return -EINVAL;
    if (flags & (O_TMPFILE & ~O_DIRECTORY)) {
        if (!(flags & O_DIRECTORY) || (flags & O_ACCMODE) == O_RDONLY)
            return -EINVAL;
    }
    return 0;
}

static struct kbox_resp h_openat(struct kbox_req *r)
{
    int flags = (int)A(2) & OPEN_VALID_FLAGS;

    /*
     * open and openat ignore unknown flags and, with O_PATH, every flag
     * O_PATH does not use (build_open_how()); a bind path's host open is
     * an openat2, which refuses both (EINVAL): musl's open() adds
     * O_LARGEFILE to every open and its lchmod O_NOCTTY, so each O_PATH
     * open of a musl program in a bind failed. openat2's own callers keep
     * its strictness (h_openat2).
     */
    if (flags & O_PATH)
        flags &= OPEN_PATH_FLAGS;
    if (open_flags_check(flags, 0, 0, false))
        return kbox_ret(-EINVAL);
    return do_open(r, FD(0), r->args[1], flags, (int)A(3), 0);
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
    /* openat2 refuses what open ignores (build_open_flags()); lx's
     * openat, which serves it without RESOLVE_* flags, would take it */
    if ((how.flags & ~(unsigned long long)OPEN_VALID_FLAGS) ||
        ((how.flags & O_PATH) &&
         (how.flags & ~(unsigned long long)OPEN_PATH_FLAGS)))
        return kbox_ret(-EINVAL);
    if (open_flags_check((int)how.flags, how.mode, how.resolve, true))
        return kbox_ret(-EINVAL);
    return do_open(r, FD(0), r->args[1], (int)how.flags, (int)how.mode,
                   how.resolve ? how.resolve : 0);
}

/*
 * A guest process's files in the host /proc belong to kbox's host user;
 * the guest sees them as the kernel's /proc does: owned by the process's
 * effective ids, which lx's /proc/<pid> directory carries, and the files
 * and links (every entry but a world-readable directory) by root while it
 * is not dumpable, as lx's /proc/<pid>/stat is.
 */
static void hostproc_owner(struct kbox_req *r, const struct route *rt, int hfd,
                           unsigned int mode, uint32_t *uid, uint32_t *gid)
{
    struct kbox_gstat g;
    char p[64];
    long pid = rt->fdlink_pid ? rt->fdlink_pid : strtol(rt->rest, NULL, 10);
    /* (what a followed fd link leads to is the object's, as below) */
    bool dump_owned = (mode & (S_IFMT | 0777)) != (S_IFDIR | 0555) &&
                      !(rt->fdlink && !S_ISLNK(mode));

    if (rt->kind != KBOX_ROUTE_HOSTPROC || *uid != (uint32_t)geteuid())
        return;
    /*
     * A followed fd link leads to the file itself: /dev/null, the
     * terminal kbox was started from or a bind file keeps its host owner
     * (a guest user saw them as its own: test -O /dev/fd/3 3</dev/null);
     * ptys are ptyown.c's. Only what the guest made stands for it.
     */
    if (rt->fdlink && !S_ISLNK(mode) &&
        (S_ISCHR(mode) || S_ISBLK(mode) || S_ISDIR(mode) ||
         !kbox_guest_made_object(hfd)))
        return;
    if (pid == r->proc->tgid)
        snprintf(p, sizeof(p), "/proc/self%s", dump_owned ? "/stat" : "");
    else
        snprintf(p, sizeof(p), "/proc/%ld%s", pid, dump_owned ? "/stat" : "");
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

/* Linux 6.11 on: statx and newfstatat take a NULL path with AT_EMPTY_PATH
 * as "" (an fstat of dirfd); reading it from the guest would be EFAULT. */
static int read_stat_path(struct kbox_req *r, uint64_t addr, char *path,
                          size_t len, int flags)
{
    if (!addr && (flags & AT_EMPTY_PATH)) {
        path[0] = '\0';
        return 0;
    }
    return kbox_read_path(r, addr, path, len, (flags & AT_EMPTY_PATH) != 0);
}

static struct kbox_resp h_newfstatat(struct kbox_req *r)
{
    char path[KBOX_PATH_MAX];
    int dirfd = FD(0), flags = (int)A(3);
    struct kbox_gstat g;
    struct kbox_hstat h;
    struct route rt;
    long rc;

    /* as vfs_statx checks them (the host's fstat below would not) */
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
                  AT_STATX_SYNC_TYPE))
        return kbox_ret(-EINVAL);
    rc = read_stat_path(r, r->args[1], path, sizeof(path), flags);
    if (rc)
        return kbox_ret(rc);
    if (!path[0] && dirfd != AT_FDCWD && !kbox_fd_is_lx(r, dirfd)) {
        struct stat st;

        rc = host_fd_stat(r, dirfd, &st);
        if (rc)
            return kbox_ret(rc);
        kbox_pty_owner(st.st_mode, st.st_rdev, &st.st_uid, &st.st_gid);
        memcpy(&h, &st, sizeof(h));
        goto out;
    }
    rc = kbox_route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        struct stat st;
        int hfd = kbox_route_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);
        if (hfd < 0)
            return kbox_ret(hfd);
        rc = fstat(hfd, &st) ? -errno : 0;
        if (!rc)
            hostproc_owner(r, &rt, hfd, st.st_mode, &st.st_uid, &st.st_gid);
        close(hfd);
        if (rc)
            return kbox_ret(rc);
        kbox_pty_owner(st.st_mode, st.st_rdev, &st.st_uid, &st.st_gid);
        memcpy(&h, &st, sizeof(h));
        goto out;
    }
    rc = kbox_lx(r, LX__NR_newfstatat, rt.lxdir,
                 (long)kbox_route_lx_path(&rt, path), (long)&g, flags, 0, 0);
    if (rc == 0 && S_ISREG(g.st_mode) &&
        kbox_shmap_before_stat(g.st_dev, g.st_ino))
        rc =
            kbox_lx(r, LX__NR_newfstatat, rt.lxdir,
                    (long)kbox_route_lx_path(&rt, path), (long)&g, flags, 0, 0);
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

    /* Linux checks the flags first; the host's statx of a bind or host
     * object below gets only AT_EMPTY_PATH, so it would not. */
    if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
                   AT_STATX_SYNC_TYPE)) ||
        (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
        return kbox_ret(-EINVAL);
    rc = read_stat_path(r, r->args[1], path, sizeof(path), flags);
    if (rc)
        return kbox_ret(rc);
    memset(&sx, 0, sizeof(sx));
    if (!path[0] && dirfd != AT_FDCWD && !kbox_fd_is_lx(r, dirfd)) {
        char p[64];

        snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, dirfd);
        if (statx(AT_FDCWD, p, 0, (unsigned)A(3), &sx))
            return kbox_ret(errno == ENOENT ? -EBADF : -errno);
        if (!kbox_mntview_fd_path(r, dirfd, path, sizeof(path)))
            kbox_mntview_statx(path, &sx);
        kbox_pty_owner(sx.stx_mode,
                       makedev(sx.stx_rdev_major, sx.stx_rdev_minor),
                       &sx.stx_uid, &sx.stx_gid);
        goto out;
    }
    rc = kbox_route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd = kbox_route_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);
        if (hfd < 0)
            return kbox_ret(hfd);
        rc = statx(hfd, "", AT_EMPTY_PATH, (unsigned)A(3), &sx) ? -errno : 0;
        if (!rc)
            hostproc_owner(r, &rt, hfd, sx.stx_mode, &sx.stx_uid, &sx.stx_gid);
        close(hfd);
        if (rc)
            return kbox_ret(rc);
        kbox_mntview_statx(kbox_mntview_route_path(r, &rt, path, sizeof(path)),
                           &sx);
        kbox_pty_owner(sx.stx_mode,
                       makedev(sx.stx_rdev_major, sx.stx_rdev_minor),
                       &sx.stx_uid, &sx.stx_gid);
        goto out;
    }
    /* struct statx is the same on every architecture. */
    rc = kbox_lx(r, LX__NR_statx, rt.lxdir, (long)kbox_route_lx_path(&rt, path),
                 flags, A(3), (long)&sx, 0);
    if (rc == 0 && S_ISREG(sx.stx_mode) && (sx.stx_mask & STATX_INO) &&
        kbox_shmap_before_stat(makedev(sx.stx_dev_major, sx.stx_dev_minor),
                               sx.stx_ino))
        rc = kbox_lx(r, LX__NR_statx, rt.lxdir,
                     (long)kbox_route_lx_path(&rt, path), flags, A(3),
                     (long)&sx, 0);
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
    rc = kbox_route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        int hfd, fl = AT_EMPTY_PATH;

        /*
         * The guest's identity (kbox is root): access() checks the real
         * ids, which are kbox's root, so a guest user was told a mode 000
         * file was readable (`test -r`, find -readable). Checked with the
         * thread's fs ids instead, set to the guest's real ones (and a
         * real root's capabilities) unless it asked AT_EACCESS; before
         * the walk, whose search rights are the real ids' too.
         */
        if (flags & AT_EACCESS || rt.kind != KBOX_ROUTE_BIND
                ? r->host_ids
                : kbox_ids_for_access(r))
            fl |= AT_EACCESS;
        /* AT_SYMLINK_NOFOLLOW: the link itself (a loop was ELOOP;
         * rename -s checks a dangling link) */
        hfd = kbox_route_open(
            &rt, O_PATH | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);
        if (hfd < 0)
            return kbox_ret(hfd);
        rc = faccessat(hfd, "", (int)A(2), fl) ? -errno : 0;
        close(hfd);
        return kbox_ret(rc);
    }
    return kbox_ret(kbox_lx(r, LX__NR_faccessat2, rt.lxdir,
                            (long)kbox_route_lx_path(&rt, path), A(2), flags, 0,
                            0));
}

/*
 * Another guest process's cwd when it is in a bind (lx's task stayed
 * where it was: "/"), as readlink of /proc/<pid>/cwd; its length, or
 * -ENOSYS to ask lx.
 */
static long other_bind_cwd(struct kbox_req *r, pid_t pid, char *out, size_t len)
{
    struct kbox_proc *o =
        kbox_proc_is_guest(pid) ? kbox_proc_lookup(pid) : NULL;
    long n = -ENOSYS;

    if (o && o->tgid == pid && !o->dead && kbox_bind_cwd_on(o, o->task))
        n = kbox_proc_may_read(r, pid)
                ? -EACCES
                : kbox_bind_cwd_text(o, o->task, out, len, false);
    kbox_proc_put(o);
    return n;
}

/*
 * readlink of the caller's /proc/self/root and /proc/self/cwd: "/" and
 * the cwd, which may be inside a bind lx knows nothing of; and of
 * /proc/thread-self: "<tgid>/task/<tid>" in host numbers. -ENOSYS when
 * @path is neither (fd links are routed: route_proc_fd).
 */
static long proc_self_link(struct kbox_req *r, const char *path, uint64_t ubuf,
                           size_t sz)
{
    const char *q;
    char target[KBOX_PATH_MAX], raw[32];
    struct lx_task *t = r->proc->task;
    long n, pid;

    /* lx's link names the thread's lx task, whose number is not the
     * thread's (only a process's task takes its host pid) */
    if (!strcmp(path, "/proc/thread-self")) {
        n = snprintf(target, sizeof(target), "%d/task/%d", (int)r->proc->tgid,
                     (int)r->pid);
        goto answer;
    }
    q = kbox_path_proc_pid(path, &pid);
    if (q && pid && pid != r->proc->tgid && !strcmp(q, "cwd")) {
        n = other_bind_cwd(r, (pid_t)pid, target, sizeof(target));
        if (n < 0)
            return n;
        goto answer;
    }
    if (!q || (pid && pid != r->proc->tgid))
        return -ENOSYS;
    if (!strcmp(q, "root")) {
        n = 1;
        strcpy(target, "/");
    } else if (!strcmp(q, "cwd")) {
        /* the process's is its leader's, /proc/thread-self's (routed as
         * /proc/self: lx has a task per process) the caller's own */
        if (!r->ops->read_str(r, r->args[1], raw, sizeof(raw)) &&
            !strncmp(raw, "/proc/thread-self/", 18))
            t = r->task;
        n = kbox_bind_cwd_text(r->proc, t, target, sizeof(target), false);
        if (n == -ENOSYS && (n = kbox_lx(r, LX__NR_getcwd, (long)target,
                                         sizeof(target), 0, 0, 0, 0)) > 0)
            n--;   /* getcwd counts the NUL */
        if (n < 0) /* a cwd past PATH_MAX: ENAMETOOLONG, as Linux says */
            return n;
    } else {
        return -ENOSYS;
    }
answer:
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
    /* readlinkat(fd, "") reads the link an O_PATH fd names */
    rc = kbox_read_path(r, r->args[pidx], path, sizeof(path),
                        (r->nr == SYS_fchownat && (A(4) & AT_EMPTY_PATH)) ||
                            (r->nr == 452 && (A(3) & AT_EMPTY_PATH)) ||
                            r->nr == SYS_readlinkat);
    if (rc)
        return kbox_ret(rc);
    if (r->nr == SYS_readlinkat) {
        /* readlink("/proc/<pid>/exe"), which kbox_read_path turned into
         * the program's path: answer with that path, wherever the
         * program is (a program in a bind got EINVAL: Go's
         * os.Executable failed) */
        char raw[64], exe[KBOX_PATH_MAX], abs[KBOX_PATH_MAX];
        size_t sz = (size_t)r->args[3];
        /* "exe" relative to a /proc/<pid> fd (lsfd) is the same link */
        bool rel = !kbox_proc_dir_abs(r, dirfd, path, abs, sizeof(abs));

        if (rel &&
            (rc = kbox_proc_exe_link(r, abs, exe, sizeof(exe))) == -EACCES)
            return kbox_ret(rc);
        if ((rel && !rc) ||
            (!rel && !r->ops->read_str(r, r->args[1], raw, sizeof(raw)) &&
             !kbox_proc_exe_link(r, raw, exe, sizeof(exe)) &&
             !strcmp(path, exe))) {
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
    rc = kbox_route_path(r, dirfd, path, &rt);
    if (rc)
        return kbox_ret(rc);
    if (rt.kind != KBOX_ROUTE_LX) {
        /* Writes through a bind: run the host *at call beneath it. */
        int hfd;

        switch (r->nr) {
        case SYS_mkdirat:
        case SYS_unlinkat:
        case SYS_mknodat:
            if (rt.bound_file) { /* a bind's mount point */
                if (r->nr != SYS_unlinkat)
                    return kbox_ret(-EEXIST);
                if (!kbox_sup.opts->binds[r->bind_idx1 - 1].file &&
                    !(r->args[2] & AT_REMOVEDIR))
                    return kbox_ret(-EISDIR);
                return kbox_ret(-EBUSY);
            }
            break;
        case SYS_fchmodat:
        case 452: { /* fchmodat2 */
            /* by the file itself, not its parent and name: the bind's
             * own root has no name there (chmod 755 /b was EINVAL) */
            bool nofollow = r->nr == 452 && (A(3) & AT_SYMLINK_NOFOLLOW);
            struct stat st;
            char self[64];

            if (r->nr == 452 && (A(3) & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
                return kbox_ret(-EINVAL);
            hfd = kbox_route_open(&rt, O_PATH | (nofollow ? O_NOFOLLOW : 0), 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            snprintf(self, sizeof(self), "/proc/self/fd/%d", hfd);
            if (nofollow && !fstat(hfd, &st) && S_ISLNK(st.st_mode))
                rc = -EOPNOTSUPP; /* as Linux for a link */
            else if (rt.kind == KBOX_ROUTE_HOSTDEV &&
                     (rc = kbox_pty_may(r, hfd, -1)))
                ; /* a /dev/pts node: its owner in guest ids (ptyown.c) */
            else
                rc = chmod(self, (mode_t)A(2)) ? -errno : 0;
            close(hfd);
            return kbox_ret(rc);
        }
        case SYS_chdir: {
            char g[KBOX_PATH_MAX], cw[KBOX_PATH_MAX];

            hfd = kbox_route_open(&rt, O_PATH | O_DIRECTORY, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            /* an O_PATH open needs no search right on the directory
             * itself, chdir does (a guest user of a root kbox entered a
             * 0700 root directory in a bind); the thread has the guest's
             * ids then (else kbox's own would judge a guest root);
             * without them as -w is judged (lookup.c): a rootless kbox's
             * guest user is the host user there; through /proc/self/fd/N
             * of a bind directory too */
            rc = r->host_ids ? (syscall(SYS_faccessat2, hfd, "", X_OK,
                                        AT_EMPTY_PATH | AT_EACCESS)
                                    ? -errno
                                    : 0)
                 : rt.kind == KBOX_ROUTE_BIND ||
                         (rt.fdlink && kbox_bind_of_fd(hfd) >= 0)
                     ? kbox_exec_bind_may_search_fd(r->task, hfd)
                     : 0;
            if (rc) {
                close(hfd);
                return kbox_ret(rc);
            }
            /* where the host found it: through symlinks, as getcwd and
             * pwd -P say (the text kept a link's name) */
            rc = kbox_bind_guest_path(&rt, hfd, g, sizeof(g));
            if (rc == 0)
                ;
            else if (path[0] == '/')
                rc = kbox_path_normalize(path, g, sizeof(g), false, NULL);
            else if (rt.use_norm)
                rc = snprintf(g, sizeof(g), "%s", rt.norm);
            else if (r->bind_path) /* where the route found the bind */
                rc = snprintf(g, sizeof(g), "%s", r->bind_path);
            else
                rc = kbox_path_join(kbox_bind_cwd_get(r->proc, r->task, cw,
                                                      sizeof(cw), NULL, 0) < 0
                                        ? "/"
                                        : cw,
                                    path, g, sizeof(g));
            if (rc < 0) {
                close(hfd);
                return kbox_ret(-ENAMETOOLONG);
            }
            /* the directory itself is kept: a rename or rmdir of it
             * later is seen (bindcwd.c) */
            return kbox_ret(kbox_bind_cwd_set(r->proc, r->task, hfd, g));
        }
        case SYS_readlinkat: {
            char buf[KBOX_PATH_MAX];
            size_t sz = (size_t)r->args[3];

            if ((long)sz <= 0)
                return kbox_ret(-EINVAL);
            hfd = kbox_route_open(&rt, O_PATH | O_NOFOLLOW, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            rc = readlinkat(hfd, "", buf, sizeof(buf) - 1);
            rc = rc < 0 ? -errno : rc;
            if (rc == -ENOENT && path[0]) { /* not a symlink */
                struct stat st;

                if (!fstat(hfd, &st) && !S_ISLNK(st.st_mode))
                    rc = -EINVAL;
            }
            close(hfd);
            if (rc > 0 && rt.fdlink)
                rc = kbox_host_link_to_guest(buf, rc, sizeof(buf));
            if (rc > (long)sz)
                rc = (long)sz;
            if (rc > 0 && r->ops->write(r, r->args[2], buf, (size_t)rc))
                rc = -EFAULT;
            return kbox_ret(rc);
        }
        case SYS_statfs: {
            char g[KBOX_PATH_MAX];
            struct statfs sf;

            hfd = kbox_route_open(&rt, O_PATH, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            rc = fstatfs(hfd, &sf) ? -errno : 0;
            close(hfd);
            if (!rc)
                kbox_mntview_statfs(
                    kbox_mntview_route_path(r, &rt, g, sizeof(g)), &sf);
            if (!rc && r->ops->write(r, r->args[1], &sf, sizeof(sf)))
                rc = -EFAULT;
            return kbox_ret(rc);
        }
        case SYS_truncate: {
            /* the file's type first, as Linux checks it before the
             * right to write: a FIFO's write open waited for a reader */
            struct stat st;
            char self[64];

            hfd = kbox_route_open(&rt, O_PATH, 0);
            if (hfd < 0)
                return kbox_ret(hfd);
            if (fstat(hfd, &st))
                rc = -errno;
            else if (S_ISDIR(st.st_mode))
                rc = -EISDIR;
            else if (!S_ISREG(st.st_mode))
                rc = -EINVAL;
            else
                rc = 0;
            if (!rc) {
                /* truncate, not an open for writing: that also made
                 * inotify see IN_OPEN and IN_CLOSE_WRITE */
                snprintf(self, sizeof(self), "/proc/self/fd/%d", hfd);
                rc = truncate(self, (off_t)A(1)) ? -errno : 0;
            }
            close(hfd);
            return kbox_ret(rc);
        }
        case SYS_fchownat: /* as the host's user, as every bind write */
            hfd = kbox_route_open(
                &rt, O_PATH | ((A(4) & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0),
                0);
            if (hfd < 0)
                return kbox_ret(hfd);
            /* a pty slave: its owner in guest ids (ptyown.c) */
            rc = rt.kind == KBOX_ROUTE_HOSTDEV
                     ? kbox_pty_chown(r, hfd, (uid_t)A(2), (gid_t)A(3))
                     : -ENOSYS;
            if (rc == -ENOSYS)
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

            hfd = kbox_route_parent(&rt, parent, sizeof(parent));
            if (hfd < 0)
                return kbox_ret(hfd);
            switch (r->nr) {
            case SYS_mkdirat:
                rc = mkdirat(hfd, parent,
                             kbox_bind_create_mode(r, &rt, hfd, (mode_t)A(2)));
                break;
            case SYS_unlinkat:
                rc = unlinkat(hfd, parent, (int)A(2));
                break;

            default:
                rc = mknodat(hfd, parent,
                             kbox_bind_create_mode(r, &rt, hfd, (mode_t)A(2)),
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
    case SYS_unlinkat: {
        struct kbox_gstat g;
        bool sock =
            !(A(2) & AT_REMOVEDIR) && kbox_sock_node_last(r, dirfd, path, &g);

        if (!(A(2) & AT_REMOVEDIR))
            kbox_shmap_unlinking(r, dirfd, path);
        rc = kbox_lx(r, LX__NR_unlinkat, dirfd, (long)path, A(2), 0, 0, 0);
        if (rc == 0 && sock)
            kbox_sock_node_gone(&g);
        if (rc == 0)
            kbox_shmap_unlinked();
        break;
    }
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
            kbox_bind_cwd_clear(r->proc, r->task);
        break;
    case SYS_chroot:
        rc = kbox_lx(r, LX__NR_chroot, (long)path, 0, 0, 0, 0, 0);
        if (rc == 0) /* /mnt/b may name another place now */
            kbox_bind_tree_changed(true);
        break;
    case SYS_truncate: {
        struct kbox_gstat tg;
        unsigned long gen;
        bool held = kbox_shmap_hold(r, AT_FDCWD, path, 0, &tg, &gen);

        rc = kbox_lx(r, LX__NR_truncate, (long)path, A(1), 0, 0, 0, 0);
        kbox_shmap_release(held, &tg, rc == 0 ? (long long)A(1) : -1, gen);
        /* the path may have named another inode by then */
        if (rc == 0 && kbox_shmap_any()) {
            struct kbox_gstat g;

            if (kbox_lx(r, LX__NR_newfstatat, AT_FDCWD, (long)path, (long)&g, 0,
                        0, 0) == 0)
                kbox_shmap_resize(g.st_dev, g.st_ino, g.st_size);
        }
        break;
    }
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

static struct kbox_resp h_getcwd(struct kbox_req *r)
{
    char buf[KBOX_PATH_MAX];
    size_t sz = (size_t)r->args[1];
    long rc;

    rc = kbox_bind_cwd_text(r->proc, r->task, buf, sizeof(buf), true);
    if (rc > 0 && (size_t)rc > sz)
        return kbox_ret(-ERANGE);
    if (rc == -ENOSYS) {
        rc = kbox_lx(r, LX__NR_getcwd, (long)buf,
                     (long)(sz < sizeof(buf) ? sz : sizeof(buf)), 0, 0, 0, 0);
    }
    if (rc > 0 && r->ops->write(r, r->args[0], buf, (size_t)rc))
        rc = -EFAULT;
    return kbox_ret(rc);
}

/* Holds the umask's set and put back as one step: the threads and
 * CLONE_FS sharers of one fs saw the 0 between (umask() answered 0, or
 * a create took it). */
static pthread_mutex_t umask_lock = PTHREAD_MUTEX_INITIALIZER;

mode_t kbox_guest_umask(struct kbox_req *r)
{
    long um;

    /* Linux has no call that only reads it: set and put back at once. */
    pthread_mutex_lock(&umask_lock);
    um = kbox_lx(r, LX__NR_umask, 0, 0, 0, 0, 0, 0);
    if (um >= 0)
        kbox_lx(r, LX__NR_umask, um, 0, 0, 0, 0, 0);
    pthread_mutex_unlock(&umask_lock);
    return um < 0 ? 022 : (mode_t)um & 0777;
}

static struct kbox_resp h_umask(struct kbox_req *r)
{
    long rc;

    pthread_mutex_lock(&umask_lock);
    rc = kbox_lx(r, LX__NR_umask, A(0) & 0777, 0, 0, 0, 0, 0);
    pthread_mutex_unlock(&umask_lock);
    return kbox_ret(rc);
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
    if (rc == 0) /* it may cover or copy a bind (bindwalk.c) */
        kbox_bind_tree_changed(false);
    return kbox_ret(rc);
}

static struct kbox_resp h_umount2(struct kbox_req *r)
{
    char tgt[KBOX_PATH_MAX];
    long rc = kbox_read_path(r, r->args[0], tgt, sizeof(tgt), false);

    if (rc)
        return kbox_ret(rc);
    rc = kbox_lx(r, LX__NR_umount2, (long)tgt, A(1), 0, 0, 0, 0);
    if (rc == 0)
        kbox_bind_tree_changed(false);
    return kbox_ret(rc);
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
        return kbox_fs_path2;
    case SYS_utimensat:
        return kbox_fs_utimensat;
    case SYS_utimes:
    case SYS_utime:
    case SYS_futimesat:
        return kbox_fs_utimes;
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
