/* SPDX-License-Identifier: MIT */
/*
 * Calls on host fds the guest holds that kbox checks or makes itself
 * (split from fd.c): the calls whose check is a file's owner or a
 * capability, made on kbox's checked copy of the fd; fd owners for
 * SIGIO; ioctls that act on the host's file system, network or another
 * session's terminal.
 */
#define _GNU_SOURCE
#include "hostfd.h"
#include "kbox/abi.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <lx/lx.h>
#include <lx/uapi.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/*
 * A guest process is the host's root under kbox run by root, whatever its
 * guest identity, and calls on its host fds run in it (CONTINUE). For a
 * file in a bind, the calls whose check is the file's owner or a
 * capability (futimens with times, FS_IOC_SETFLAGS and FS_IOC_FSSETXATTR,
 * F_SETFL with O_NOATIME, F_SETLEASE) then passed for a guest user on
 * any file it could open: it made a root-owned host file immutable. So
 * those run in kbox as the guest (kbox_host_fd_as_guest: the fs identity
 * also drops CAP_FOWNER and CAP_LINUX_IMMUTABLE). Other host objects
 * (pipes, sockets, memfds, terminals) keep the plain call, made by kbox
 * on the copy it looked at. Returns that copy (kbox as the guest for a
 * bind's file), -ENOSYS when kbox is not root (the host's call is then
 * the user's), else -errno.
 */
/* Is the caller root in lx (fsuid 0)? Then kbox's own rights are its on
 * its binds, as in a chroot (kbox_ids_for_host keeps them). */
bool kbox_hostfd_lx_root(struct kbox_req *r)
{
    return kbox_lx(r, LX__NR_setfsuid, -1, 0, 0, 0, 0, 0) == 0;
}

int kbox_bind_fd_as_guest(struct kbox_req *r, int gfd)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char link[64], hp[4096];
    const char *rest;
    ssize_t n;
    int c;

    if (geteuid() != 0)
        return -ENOSYS;
    /*
     * Always a copy, looked at and then used: had the host made the call
     * on the guest's number (CONTINUE) after a look that found no bind
     * file there, a second thread could have put one at that number in
     * between (dup2), and the call ran with root's CAP_FOWNER on it.
     */
    c = kbox_guest_sock(r, gfd); /* a copy of any host fd */
    if (c < 0)
        return c;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", c);
    n = readlink(link, hp, sizeof(hp) - 1);
    if (n <= 0 || hp[0] != '/' || !o)
        return c;
    hp[n] = '\0';
    for (int i = 0; i < o->nbinds; i++)
        if (kbox_path_beneath(hp, o->binds[i].host_src, &rest)) {
            kbox_ids_for_host(r);
            if (!r->host_ids && !kbox_hostfd_lx_root(r)) {
                close(c);
                return -EPERM;
            }
            return c;
        }
    return c;
}

/*
 * May a host fd of the caller's get owner @pid (of F_SETOWN_EX's @type)
 * for SIGIO and SIGURG? The host sends those signals with the rights of
 * whoever set the owner, checked only when one is sent: under kbox run
 * by root a guest user killed any host process (F_SETOWN, F_SETSIG
 * SIGKILL, O_ASYNC on a pipe, a write), under a rootless kbox any
 * process of its user, kbox itself included. As for kill() (target.c):
 * guest processes and their threads, else ESRCH as from a pid namespace;
 * a process group that holds a guest process, but not kbox's own (the
 * guest starts in it: its host processes would get the signals) nor one
 * with any other host process in it: setpgid(0, pgid) is the host's, and
 * a guest joined the group of the shell that ran kbox (getsid names it)
 * and had that shell signalled (thirty-third session, 380-sigio-host-pgrp).
 */
static long host_stat_field(pid_t pid, int field);

/* A live process in group @pgid that is no guest's (an exited one is
 * signalled no more: a guest's unreaped child does not count). */
static bool pgrp_has_host_member(pid_t pgid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    bool host = false;

    if (!d)
        return true;
    while (!host && (e = readdir(d))) {
        pid_t p = (pid_t)atoi(e->d_name);
        char path[64], st[512], *c;
        ssize_t n;
        int fd;

        if (p <= 0 || host_stat_field(p, 5) != (long)pgid ||
            kbox_proc_is_guest(p))
            continue;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        n = fd < 0 ? -1 : read(fd, st, sizeof(st) - 1);
        if (fd >= 0)
            close(fd);
        if (n <= 0)
            continue; /* gone since */
        st[n] = '\0';
        c = strrchr(st, ')');
        host = !c || (c[1] && c[2] != 'Z' && c[2] != 'X');
    }
    closedir(d);
    return host;
}

/*
 * The cheap exact case of the above, without a walk of every host
 * process: a group lives in one session, and a session kbox did not
 * start in was made by a guest's setsid(); nothing enters a session but
 * by fork from its members, and a guest's children are guests, so no host
 * process is in it. The session is read of a guest member (@v, @n) held
 * by a pidfd, so that its pid is no other's meanwhile: its session first,
 * then its group (a setsid() between makes a new group, never @pgid if
 * that existed: the order cannot show kbox's session as another).
 */
static bool pgrp_in_guest_session(pid_t pgid, const pid_t *v, int n)
{
    pid_t own = getsid(0);

    for (int i = 0; i < n && i < 4; i++) {
        int pfd = (int)syscall(SYS_pidfd_open, v[i], 0);
        pid_t sid;
        bool ok;

        if (pfd < 0)
            continue;
        ok = kbox_proc_is_guest(v[i]) && (sid = getsid(v[i])) > 0 &&
             sid != own && getpgid(v[i]) == pgid &&
             !syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0);
        close(pfd);
        if (ok)
            return true;
    }
    return false;
}

static long owner_allowed(int type, pid_t pid)
{
    pid_t tgid, ppid;
    pid_t *v = NULL;
    bool host;
    int n;

    if (!pid)
        return 0; /* no owner */
    if (type == F_OWNER_PGRP) {
        if (pid == getpgrp())
            return -EPERM;
        n = kbox_proc_in_group(pid, &v);
        host = !(n > 0 && pgrp_in_guest_session(pid, v, n)) &&
               pgrp_has_host_member(pid);
        free(v);
        return host ? -EPERM : n > 0 ? 0 : -ESRCH;
    }
    if (kbox_proc_is_guest(pid) ||
        (type == F_OWNER_TID && !kbox_proc_status(pid, &tgid, &ppid) &&
         kbox_proc_is_guest(tgid)))
        return 0;
    return -ESRCH;
}

/*
 * F_SETOWN_EX, FIOSETOWN and SIOCSPGRP name the owner in memory, which
 * another thread of the guest could change after the check: set here,
 * on a copy of the caller's fd (the owner's rights are then kbox's, the
 * host ids the guest's host process has too), with what was checked.
 */
long kbox_hostfd_set_owner(struct kbox_req *r, int gfd, unsigned long op)
{
    struct f_owner_ex ex;
    int pid, hfd;
    long rc;

    if (op == F_SETOWN_EX) {
        if (r->ops->read(r, r->args[2], &ex, sizeof(ex)))
            return -EFAULT;
        if (ex.type != F_OWNER_TID && ex.type != F_OWNER_PID &&
            ex.type != F_OWNER_PGRP)
            return -EINVAL;
        if (ex.pid < 0)
            return -EINVAL;
    } else {
        if (r->ops->read(r, r->args[2], &pid, sizeof(pid)))
            return -EFAULT;
        if (pid == INT_MIN)
            return -EINVAL;
        ex.type = pid < 0 ? F_OWNER_PGRP : F_OWNER_PID;
        ex.pid = pid < 0 ? -pid : pid;
    }
    rc = owner_allowed(ex.type, ex.pid);
    if (rc)
        return rc;
    hfd = kbox_guest_sock(r, gfd);
    if (hfd < 0)
        return hfd;
    if (op == F_SETOWN_EX)
        rc = fcntl(hfd, F_SETOWN_EX, &ex);
    else
        rc = ioctl(hfd, op, &pid);
    rc = rc < 0 ? -errno : 0;
    close(hfd);
    return rc;
}

/* fcntl on a host fd: see kbox_bind_fd_as_guest */
struct kbox_resp kbox_hostfd_fcntl(struct kbox_req *r, int gfd, int cmd)
{
    int hfd;
    long rc;

    if (cmd == F_SETOWN) { /* the pid is in a register: checked, then the
                              host's */
        int pid = (int)A(2);

        rc = pid == INT_MIN
                 ? 0
                 : owner_allowed(pid < 0 ? F_OWNER_PGRP : F_OWNER_PID,
                                 pid < 0 ? -pid : pid);
        return rc ? kbox_ret(rc) : kbox_continue();
    }
    if (cmd == F_SETOWN_EX)
        return kbox_ret(kbox_hostfd_set_owner(r, gfd, F_SETOWN_EX));
    if (cmd != F_SETLEASE && !(cmd == F_SETFL && (A(2) & O_NOATIME)))
        return kbox_continue();
    hfd = kbox_bind_fd_as_guest(r, gfd);
    if (hfd == -ENOSYS)
        return kbox_continue();
    if (hfd < 0)
        return kbox_ret(hfd);
    if (cmd == F_SETFL) {
        rc = fcntl(hfd, F_SETFL, (int)A(2)) < 0 ? -errno : 0;
        close(hfd);
        return kbox_ret(rc);
    }
    /*
     * The file's owner, or CAP_LEASE; then the lease is taken here, on the
     * copy that was checked (had the host taken it on the guest's number,
     * a second thread could have put a root-owned bind file there since),
     * and its break signal aimed at the caller's process, which the host
     * would have made the owner.
     */
    struct stat st;
    long fsuid = syscall(SYS_setfsuid, -1);

    rc = fstat(hfd, &st) < 0 ? -errno : 0;
    if (!rc && st.st_uid != (uid_t)fsuid && !kbox_lx_capable(r, CAP_LEASE))
        rc = -EACCES;
    if (!rc)
        rc = fcntl(hfd, F_SETLEASE, (int)A(2)) < 0 ? -errno : 0;
    if (!rc && (int)A(2) != F_UNLCK)
        fcntl(hfd, F_SETOWN, (int)(r->proc ? r->proc->tgid : r->pid));
    close(hfd);
    return kbox_ret(rc);
}

/* FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR on a host fd: as the guest in a bind */
struct kbox_resp kbox_hostfd_setflags(struct kbox_req *r, int gfd,
                                      unsigned long req)
{
    struct fsxattr fa;
    int flags, hfd;
    long rc;

    if (req != FS_IOC_SETFLAGS && req != FS_IOC_FSSETXATTR)
        return kbox_continue();
    hfd = kbox_bind_fd_as_guest(r, gfd);
    if (hfd == -ENOSYS)
        return kbox_continue();
    if (hfd < 0)
        return kbox_ret(hfd);
    if (req == FS_IOC_SETFLAGS
            ? r->ops->read(r, r->args[2], &flags, sizeof(flags))
            : r->ops->read(r, r->args[2], &fa, sizeof(fa)))
        rc = -EFAULT;
    else
        rc = ioctl(hfd, req,
                   req == FS_IOC_SETFLAGS ? (void *)&flags : (void *)&fa) < 0
                 ? -errno
                 : 0;
    close(hfd);
    return kbox_ret(rc);
}

/*
 * ioctls on a host object that act on the host's whole file system:
 * freezing it (FIFREEZE: every writer on the host hangs), shutting it
 * down (EXT4_IOC_SHUTDOWN, XFS_IOC_GOINGDOWN), trimming, resizing, its
 * label or UUID, ext4's boot-loader swap and journal checkpoint. They
 * need CAP_SYS_ADMIN or CAP_SYS_RESOURCE, which a guest process of a
 * root kbox holds as the host's root whatever its guest identity: any
 * guest, also a user, froze the file system a bind lives on. As in a
 * container they are EPERM, guest root included (kbox refuses mounts
 * likewise); lx's own file systems are not concerned.
 */
bool kbox_hostfd_fs_admin_ioctl(unsigned long req)
{
    switch (req) {
    case 0xc0045877: /* FIFREEZE */
    case 0xc0045878: /* FITHAW */
    case 0xc0185879: /* FITRIM */
    case 0x8004587d: /* EXT4_IOC_SHUTDOWN, XFS_IOC_GOINGDOWN */
    case 0x41009432: /* FS_IOC_SETFSLABEL */
    case 0x40086607: /* EXT4_IOC_GROUP_EXTEND */
    case 0x40286608: /* EXT4_IOC_GROUP_ADD */
    case 0x40086610: /* EXT4_IOC_RESIZE_FS */
    case 0x00006611: /* EXT4_IOC_SWAP_BOOT */
    case 0x4004662b: /* EXT4_IOC_CHECKPOINT */
    case 0x4008662c: /* EXT4_IOC_SETFSUUID */
        return true;
    default:
        return false;
    }
}

/*
 * Their error for a guest: EPERM on a file system's object. Linux handles
 * them in the file system, so a pipe, socket or device knows none of them
 * (ENOTTY), except a freeze or thaw, checked for any fd (ioctl_fsfreeze).
 */
long kbox_hostfd_fs_admin_errno(struct kbox_req *r, int gfd, unsigned long req)
{
    struct statfs sf;
    struct stat st;
    int c;

    if (req == 0xc0045877 || req == 0xc0045878)
        return -EPERM;
    c = kbox_guest_sock(r, gfd);
    if (c < 0)
        return c;
    if (fstatfs(c, &sf) < 0 || fstat(c, &st) < 0) {
        sf.f_type = 0xEF53;
        st.st_mode = S_IFREG;
    }
    close(c);
    /* a FIFO or device node's ioctls are its driver's */
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return -ENOTTY;
    switch (sf.f_type) { /* the file systems that have such ioctls */
    case 0xEF53:         /* ext2/3/4 */
    case 0x58465342:     /* xfs */
    case 0x9123683E:     /* btrfs */
    case 0xF2F52010:     /* f2fs */
        return -EPERM;
    default:
        return -ENOTTY;
    }
}

/*
 * Socket ioctls that change the host's network (interface flags,
 * addresses, MTU, routes, ARP, bridges, bonds, tunnels and other device
 * privates; wireless sets) need CAP_NET_ADMIN, and the host checks the
 * caller, which under a root kbox is root whatever the guest's identity
 * is: the guest's own lx capability decides instead. The reads among
 * 0x89xx (SIOCGIF*, SIOCGSTAMP, SIOCATMARK, FIOGETOWN...) and the owner
 * sets any user may make (FIOSETOWN, SIOCSPGRP) stay free;
 * SIOCETHTOOL is let through (its sets check inside, see docs).
 */
bool kbox_hostfd_net_admin_ioctl(unsigned long req)
{
    static const unsigned short reads[] = {
        0x8901, 0x8902, 0x8903, 0x8904, 0x8905, 0x8906, 0x8907, /* own, stamp */
        0x8910, 0x8912, 0x8913, 0x8915, 0x8917, 0x8919, 0x891b, 0x891d, 0x891f,
        0x8921, 0x8927, 0x8929, 0x8933, 0x8935, 0x8938, 0x8940, 0x8942, 0x8946,
        0x8947, 0x8948, 0x894b, 0x8954, 0x8961, 0x8970, 0x89b1,
    };

    if (req >= 0x8b00 && req <= 0x8bff) /* wireless extensions */
        return !(req & 1);              /* even numbers set */
    if (req < 0x8900 || req > 0x89ff)
        return false;
    for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
        if (req == reads[i])
            return false;
    return true;
}

/*
 * Field `field` (numbered as in proc(5): 6 session, 7 tty_nr) of the host's
 * /proc/<pid>/stat, or -1.
 */
static long host_stat_field(pid_t pid, int field)
{
    char path[64], buf[1024], *p;
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    if (!(p = strrchr(buf, ')')) || !*++p)
        return -1;
    for (int f = 3; f < field; f++) /* p is at the blank before field f */
        if (!(p = strchr(p + 1, ' ')))
            return -1;
    return strtol(p + 1, NULL, 10);
}

/* Is terminal `rdev` some host process's controlling terminal? */
static bool host_tty_taken(unsigned long rdev)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    bool taken = false;

    if (!d)
        return false;
    while (!taken && (e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            taken = host_stat_field(atoi(e->d_name), 7) == (long)rdev;
    closedir(d);
    return taken;
}

/*
 * TIOCSTI from a guest whose controlling terminal is the one kbox was
 * started on (the guest runs in kbox's session): what it pushes there is
 * read by the host shell once kbox exits, a command run outside the box
 * (`kbox ... cmd; read x` got the guest's line). Refused there whoever
 * the guest is, with Linux's EIO for a kernel without legacy TIOCSTI;
 * never CONTINUEd in that session, as another thread could put that
 * terminal at the fd number between the look and the host's call: the
 * host refuses any other terminal to a caller without CAP_SYS_ADMIN, and
 * a root kbox pushes on its own copy for a guest that has it in lx.
 * 0 (pushed), -errno, or 1: not such a caller, the rules below apply.
 */
static long sti_kbox_tty(struct kbox_req *r, int gfd)
{
    long kt = host_stat_field(getpid(), 7);
    struct stat st;
    int copy;
    char c;
    long rc;

    if (kt <= 0 || host_stat_field(r->pid, 7) != kt)
        return 1;
    copy = kbox_guest_sock(r, gfd);
    if (copy < 0)
        return copy;
    if (fstat(copy, &st) || !S_ISCHR(st.st_mode))
        rc = -ENOTTY;
    else if ((long)st.st_rdev == kt)
        rc = -EIO;
    else if (geteuid() != 0 || !kbox_lx_capable(r, CAP_SYS_ADMIN))
        rc = -EPERM;
    else if (r->ops->read(r, r->args[2], &c, 1))
        rc = -EFAULT;
    else
        rc = ioctl(copy, TIOCSTI, &c) ? -errno : 0;
    close(copy);
    return rc;
}

/*
 * Terminal ioctls Linux allows only with CAP_SYS_ADMIN. Terminals are the
 * host's and the host checks the caller, which under a root kbox is root
 * whatever the guest's identity: a guest user stole another session's
 * terminal (TIOCSCTTY with 1: `setsid -c`), pushed input into a terminal
 * that was not its own (TIOCSTI), hung one up (TIOCVHANGUP), redirected
 * the host's console (TIOCCONS) or locked termios (TIOCSLCKTRMIOS).
 * Without CAP_SYS_ADMIN in its lx credentials the guest gets Linux's
 * answers for a user: EPERM, and for TIOCSTI EIO when the host has
 * dev.tty.legacy_tiocsti off. Whose controlling terminal a tty is comes
 * from the host's /proc (tty_nr), so a session kbox cannot see (another
 * pid namespace) does not count.
 */
long kbox_hostfd_tty_admin_ioctl(struct kbox_req *r, int gfd, unsigned long req)
{
    char path[64];
    struct stat st;
    long own;

    if (req == TIOCSTI && (own = sti_kbox_tty(r, gfd)) != 1)
        return own ? own : 1;
    if (req != TIOCSCTTY && req != TIOCSTI && req != TIOCVHANGUP &&
        req != TIOCCONS && req != TIOCSLCKTRMIOS)
        return 0;
    if (geteuid() != 0 || kbox_lx_capable(r, CAP_SYS_ADMIN))
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)r->pid, gfd);
    if (stat(path, &st) || !S_ISCHR(st.st_mode))
        return 0; /* not a terminal: the host's ENOTTY/EBADF */
    own = host_stat_field(r->pid, 7);
    switch (req) {
    case TIOCSCTTY: /* arg 0 never steals; our own terminal is a no-op */
        if (!r->args[2] || own == (long)st.st_rdev)
            return 0;
        return host_tty_taken(st.st_rdev) ? -EPERM : 0;
    case TIOCSTI: {
        char c = '1';
        int fd = open("/proc/sys/dev/tty/legacy_tiocsti", O_RDONLY | O_CLOEXEC);

        if (fd >= 0) {
            if (read(fd, &c, 1) != 1)
                c = '1';
            close(fd);
        }
        if (c == '0')
            return -EIO;
        return own == (long)st.st_rdev ? 0 : -EPERM;
    }
    default:
        return -EPERM;
    }
}
