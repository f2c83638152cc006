/* SPDX-License-Identifier: MIT */
/* System family: uname, hostname, random, sync; sockets' path checks. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

#define PIDFD_THREAD_ O_EXCL /* linux/pidfd.h's PIDFD_THREAD */
#define A(i)          ((long)r->args[i])

#define PER_MASK_    0xff /* linux/personality.h's PER_MASK */
#define PER_LINUX32_ 0x0008

static struct kbox_resp h_uname(struct kbox_req *r)
{
    struct utsname u; /* new_utsname: 6 x 65 bytes, same everywhere */
    long rc = kbox_lx(r, LX__NR_uname, (long)&u, 0, 0, 0, 0, 0);
    long pers = kbox_lx(r, LX__NR_personality, 0xffffffff, 0, 0, 0, 0, 0);
    bool compat = pers >= 0 && (pers & PER_MASK_) == PER_LINUX32_;

    if (rc >= 0) {
        /* The guest runs on the host CPU: report its machine, or the
         * 32-bit one under PER_LINUX32 (setarch i686) as Linux does. */
        strcpy(u.machine,
#if defined(__x86_64__)
               compat ? "i686" : "x86_64"
#else
               compat ? "armv8l" : "aarch64"
#endif
        );
        if (r->ops->write(r, r->args[0], &u, sizeof(u)))
            rc = -EFAULT;
    }
    return kbox_ret(rc);
}

/*
 * personality(persona), a change: the host's for the calling thread
 * (ADDR_NO_RANDOMIZE for setarch -R and gdb, READ_IMPLIES_EXEC, ...),
 * and lx's thread task takes it too, so that uname follows (UNAME26,
 * PER_LINUX32) and lx's forks inherit it as the host's do.
 */
static struct kbox_resp h_personality(struct kbox_req *r)
{
    kbox_lx(r, LX__NR_personality, (long)(unsigned int)A(0), 0, 0, 0, 0, 0);
    return kbox_continue();
}

static struct kbox_resp h_sethostname(struct kbox_req *r)
{
    char name[65];
    size_t len = (size_t)r->args[1];

    /* the capability comes first, then the length and the name */
    if (!kbox_lx_capable(r, 21 /* CAP_SYS_ADMIN */))
        return kbox_ret(-EPERM);
    if (len > 64)
        return kbox_ret(-EINVAL);
    if (len && r->ops->read(r, r->args[0], name, len))
        return kbox_ret(-EFAULT);
    return kbox_ret(kbox_lx(
        r, r->nr == SYS_sethostname ? LX__NR_sethostname : LX__NR_setdomainname,
        (long)name, (long)len, 0, 0, 0, 0));
}

static struct kbox_resp h_getrandom(struct kbox_req *r)
{
    size_t len = (size_t)r->args[1];
    char *buf;
    long rc;

    if (len > (1u << 20))
        len = 1u << 20;
    buf = malloc(len ? len : 1);
    if (!buf)
        return kbox_ret(-ENOMEM);
    /*
     * The kernel's pool may not be seeded this early in its life: never
     * block on it; the host's getrandom answers instead.
     */
    rc = kbox_lx(r, LX__NR_getrandom, (long)buf, (long)len,
                 A(2) | GRND_NONBLOCK, 0, 0, 0);
    if (rc == -EAGAIN && !(A(2) & GRND_NONBLOCK)) {
        free(buf);
        return kbox_continue();
    }
    if (rc > 0 && r->ops->write(r, r->args[0], buf, (size_t)rc))
        rc = -EFAULT;
    free(buf);
    return kbox_ret(rc);
}

/* Can kbox read the memory of a process that is not dumpable? */
static bool kbox_can_ptrace(void)
{
    static int known; /* 0 unknown, 1 no, 2 yes */
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];

    if (!known)
        known = syscall(SYS_capget, &hdr, data) == 0 &&
                        (data[0].effective & (1u << CAP_SYS_PTRACE))
                    ? 2
                    : 1;
    return known == 2;
}

/*
 * The guest's seccomp mode: every guest thread carries kbox's filter, so
 * the host said SECCOMP_MODE_FILTER to one that installed none, and
 * man-db left out its own sandbox ("seccomp already enabled").
 */
static struct kbox_resp h_get_seccomp(struct kbox_req *r)
{
    char st[8192];
    int mode;

    if (!kbox_abi_read_status(r->pid, st, sizeof(st)))
        return kbox_continue();
    mode = kbox_abi_guest_seccomp(st, NULL);
    return mode < 0 ? kbox_continue() : kbox_ret(mode);
}

/*
 * A seccomp filter is installed only with no_new_privs or CAP_SYS_ADMIN
 * (Linux's seccomp_prepare_filter), and both are the lx task's: the host
 * task always has no_new_privs (kbox's filter needed it), so a guest user
 * that never set it installed filters Linux refuses with EACCES, and
 * stress-ng ran a stressor it skips natively. Refused in Linux's order
 * (flags, the program's header, its length); everything else is the
 * host's, on the calling thread.
 */
#define FILTER_FLAGS                                                     \
    (SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |               \
     SECCOMP_FILTER_FLAG_SPEC_ALLOW | SECCOMP_FILTER_FLAG_NEW_LISTENER | \
     SECCOMP_FILTER_FLAG_TSYNC_ESRCH | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

static struct kbox_resp h_seccomp(struct kbox_req *r)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    struct sock_fprog prog;
    uint64_t flags;

    if (r->nr == SYS_prctl) {
        if (r->args[1] != SECCOMP_MODE_FILTER)
            return kbox_continue();
    } else {
        /* flags Linux refuses before the filter: the host's EINVAL */
        flags = r->args[1];
        if (flags & ~(uint64_t)FILTER_FLAGS)
            return kbox_continue();
        if ((flags & SECCOMP_FILTER_FLAG_TSYNC) &&
            (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
            !(flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
            return kbox_continue();
        if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) &&
            !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
            return kbox_continue();
    }
    if (kbox_lx(r, LX__NR_prctl, PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0, 0) > 0)
        return kbox_continue();
    if (kbox_lx(r, LX__NR_capget, (long)&hdr, (long)data, 0, 0, 0, 0) == 0 &&
        (data[0].effective & (1u << CAP_SYS_ADMIN)))
        return kbox_continue();
    if (r->ops->read(r, r->args[2], &prog, sizeof(prog)))
        return kbox_ret(-EFAULT);
    if (prog.len == 0 || prog.len > BPF_MAXINSNS)
        return kbox_ret(-EINVAL);
    return kbox_ret(-EACCES);
}

/*
 * The first guest process has kbox's PR_SET_PDEATHSIG SIGKILL on the
 * host (it dies with kbox: src/tiers/seccomp/notify.c), and the guest
 * read it back where Linux says 0, or cleared kbox's safety net. Its own
 * setting is kept in its lx task instead, where lx's commit_creds clears
 * it when its ids change, as Linux does, and so does a secure exec
 * (src/exec/setid.c). Its parent in guest terms is kbox, which never ends
 * before it: the signal itself is never due. Its threads and every other
 * process have their own host setting (fork and clone clear it).
 */
static struct kbox_resp h_pdeathsig(struct kbox_req *r)
{
    int sig = 0;
    long rc;

    if (r->pid != kbox_sup.main_pid || !r->proc ||
        r->proc->tgid != kbox_sup.main_pid)
        return kbox_continue();
    if (r->args[0] == PR_SET_PDEATHSIG)
        return kbox_ret(kbox_lx(r, LX__NR_prctl, PR_SET_PDEATHSIG,
                                (long)r->args[1], 0, 0, 0, 0));
    rc = kbox_lx(r, LX__NR_prctl, PR_GET_PDEATHSIG, (long)&sig, 0, 0, 0, 0);
    if (rc == 0 && r->ops->write(r, r->args[1], &sig, sizeof(sig)))
        rc = -EFAULT;
    return kbox_ret(rc);
}

/*
 * prctl(PR_SET_DUMPABLE, 0): the memory of a process that is not
 * dumpable can be read only with CAP_SYS_PTRACE, which a rootless kbox
 * lacks, and every later supervised call of the process failed with
 * EFAULT (sudo makes itself undumpable: "sudoers.so: Bad address").
 * Without that capability the call succeeds and the process stays
 * dumpable on the host (docs/supervisor.md). The options on
 * capabilities and securebits (PR_SET_KEEPCAPS, PR_CAPBSET_*,
 * PR_CAP_AMBIENT...) and no_new_privs are the lx task's credentials
 * (src/dispatch/id.c); PR_GET_SECCOMP, PR_SET_SECCOMP and the
 * parent-death signal are above. Other prctl options never come here
 * (the filter allows them).
 */
static struct kbox_resp h_prctl(struct kbox_req *r)
{
    if (r->args[0] == PR_GET_PDEATHSIG || r->args[0] == PR_SET_PDEATHSIG)
        return h_pdeathsig(r);
    if (r->args[0] == PR_GET_SECCOMP)
        return h_get_seccomp(r);
    if (r->args[0] == PR_SET_SECCOMP)
        return h_seccomp(r);
    if (r->args[0] != PR_SET_DUMPABLE)
        return kbox_id_prctl(r);
    /*
     * lx's task takes it too: its /proc files then belong to root and
     * are closed to the process's user (environ, exe), as natively, and
     * PR_GET_DUMPABLE (notified) reads it back from there.
     */
    {
        long rc = kbox_lx(r, LX__NR_prctl, PR_SET_DUMPABLE, A(1), 0, 0, 0, 0);

        if (rc < 0)
            return kbox_ret(rc);
    }
    if (kbox_can_ptrace())
        return kbox_continue();
    return kbox_ret(0);
}

static struct kbox_resp h_sync(struct kbox_req *r)
{
    return kbox_ret(kbox_lx(r, LX__NR_sync, 0, 0, 0, 0, 0, 0));
}

/*
 * A unix socket address naming a filesystem path (not abstract)? One
 * longer than a sockaddr_un is EINVAL, as Linux's unix_validate_addr
 * has it: it was taken as a path cut to sun_path's size.
 */
int kbox_is_unix_path(struct kbox_req *r, uint64_t addr, long len)
{
    struct sockaddr_un sa;

    if (!addr || len < (long)sizeof(sa_family_t))
        return 0;
    memset(&sa, 0, sizeof(sa));
    if (r->ops->read(r, addr, &sa,
                     len < (long)sizeof(sa) ? (size_t)len : sizeof(sa)))
        return -EFAULT;
    if (sa.sun_family != AF_UNIX || len <= (long)sizeof(sa_family_t) ||
        sa.sun_path[0] == '\0')
        return 0;
    return len > (long)sizeof(sa) ? -EINVAL : 1;
}

/*
 * Unix sockets with a filesystem path: the socket node lives in the image
 * (an S_IFSOCK inode made by lx, so ls/stat/unlink see it); the host
 * socket it stands for is bound at <exec_dir>/s-<dev>-<ino>. bind and
 * connect run in the supervisor on a copy of the guest's socket fd
 * (pidfd_getfd), with the translated address.
 */
int kbox_guest_sock(struct kbox_req *r, int fd)
{
    pid_t tgid = r->proc ? r->proc->tgid : r->pid;
    int pidfd = -1, s;

    /*
     * The calling thread's fd table: pidfd_open of a thread that is not
     * the group leader needs PIDFD_THREAD (Linux 6.9); before that, the
     * process's, which its threads share (CLONE_FILES) but for odd
     * clones. Opening r->pid alone failed in every other thread: bind,
     * connect and SCM_RIGHTS gave ENOTSOCK there, sendfile EBADF.
     */
    if (r->pid == tgid && r->proc && r->proc->pidfd >= 0) {
        /* the leader's own call: the process's pidfd, held until the
         * request ends (r holds the proc), serves, without an open */
        s = (int)syscall(SYS_pidfd_getfd, r->proc->pidfd, fd, 0);
        return s < 0 ? -errno : s;
    }
    if (r->pid != tgid)
        pidfd = (int)syscall(SYS_pidfd_open, r->pid, PIDFD_THREAD_);
    if (pidfd < 0)
        pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
    if (pidfd < 0)
        return -errno;
    s = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
    if (s < 0)
        s = -errno;
    close(pidfd);
    return s;
}

/*
 * The host name of the socket behind unix socket node @gpath in lx. A
 * node with no host socket there (made by mknod, or bound in an earlier
 * run and left in the image) has no listener: the caller's ENOENT from
 * the host is then ECONNREFUSED, as Linux says for a node nobody holds.
 */
int kbox_host_sock_path(struct kbox_req *r, const char *gpath,
                        struct sockaddr_un *out)
{
    struct kbox_gstat g;
    size_t dl = strlen(kbox_sup.exec_dir);
    long rc;

    /*
     * An address recvfrom/accept/getpeername handed out may be one of our
     * host socket names (<exec_dir>/s-*): the guest path it was bound to,
     * looked up and checked as any path. Used as is, it skipped the
     * lookup's checks: a guest user who learned kbox's directory (the
     * name of a socket whose binding 1024 newer ones displaced) reached a
     * root daemon's socket in a 0700 directory by its device and inode
     * (thirty-third session, 379-sock-hostname-perm). A name no longer
     * known is no node the guest can name.
     */
    if (dl && !strncmp(gpath, kbox_sup.exec_dir, dl) &&
        !strncmp(gpath + dl, "/s-", 3) && !strchr(gpath + dl + 1, '/')) {
        char g[sizeof(out->sun_path) + 1];

        if (!kbox_sock_guest_name(gpath, 0, g, sizeof(g)) ||
            !strncmp(g, kbox_sup.exec_dir, dl))
            return -ENOENT;
        return kbox_host_sock_path(r, g, out);
    }
    rc =
        kbox_lx(r, LX__NR_newfstatat, AT_FDCWD, (long)gpath, (long)&g, 0, 0, 0);
    if (rc < 0)
        return (int)rc;
    /*
     * Connecting or sending needs write permission on the node, checked
     * before its type, as Linux's unix_find_bsd does. The host socket in
     * kbox's directory is kbox's own, so the host never checks the
     * guest's ids against the node's mode: a guest user connected to a
     * root daemon's 0600 socket (or one chmod'ed 000). bind() comes here
     * for the node it just made: no check then.
     */
    if (r->nr != SYS_bind) {
        rc = kbox_lx(r, LX__NR_faccessat2, AT_FDCWD, (long)gpath, W_OK,
                     AT_EACCESS, 0, 0);
        if (rc < 0)
            return (int)rc;
    }
    if (!S_ISSOCK(g.st_mode))
        return -ECONNREFUSED;
    memset(out, 0, sizeof(*out));
    out->sun_family = AF_UNIX;
    {
        char tmp[400];
        int n = snprintf(tmp, sizeof(tmp), "%s/s-%llu-%llu", kbox_sup.exec_dir,
                         (unsigned long long)g.st_dev,
                         (unsigned long long)g.st_ino);

        if (n < 0 || (size_t)n >= sizeof(out->sun_path))
            return -ENAMETOOLONG;
        memcpy(out->sun_path, tmp, (size_t)n + 1);
    }
    return 0;
}

/*
 * Linux finds the socket first (EBADF, ENOTSOCK), then reads the
 * address, the message and the data and looks a unix path up: kbox
 * does those first, so connect(bad fd, NULL, n) said EFAULT and a
 * sendto on an image file EFAULT for ENOTSOCK. Only a failed call pays
 * for the look at the fd; one that would block or was interrupted is a
 * socket's.
 */
long kbox_sock_fd_first(struct kbox_req *r, int fd, long err)
{
    struct stat st;
    int s;

    if (err >= 0 || err == -EBADF || err == -ENOTSOCK || err == -EAGAIN ||
        err == -EINTR || err == -EINPROGRESS || err == -EALREADY)
        return err;
    s = kbox_guest_sock(r, fd);
    if (s < 0)
        return s == -EBADF ? -EBADF : err;
    if (!fstat(s, &st) && !S_ISSOCK(st.st_mode))
        err = -ENOTSOCK;
    close(s);
    return err;
}

/*
 * Linux looks the address of a send up only for a datagram socket: a
 * stream socket refuses any (EISCONN when connected, else EOPNOTSUPP)
 * and a seqpacket socket ignores it and sends to its peer. kbox looked
 * the path up first and sent to it: a seqpacket sendto naming a missing
 * or other path failed (ENOENT, ECONNREFUSED) and its data was lost. The
 * type is read on a copy of its own; were the fd swapped meanwhile, a
 * datagram socket gets a bare family, which the host refuses (EINVAL).
 */
bool kbox_sock_addr_unused(struct kbox_req *r, int fd)
{
    int s = kbox_guest_sock(r, fd), t = 0;
    socklen_t l = sizeof(t);
    bool unused;

    if (s < 0)
        return false; /* EBADF, ENOTSOCK: the caller's own call says it */
    unused = !getsockopt(s, SOL_SOCKET, SO_TYPE, &t, &l) &&
             (t == SOCK_STREAM || t == SOCK_SEQPACKET);
    close(s);
    return unused;
}

/*
 * Linux looks a unix socket path up late: a connect first autobinds a
 * socket with SO_PASSCRED (getsockname then shows its name), a datagram
 * send does that and checks the size, a pending error (ECONNRESET) and
 * SEND_SHUTDOWN (EPIPE) before it. kbox looks the path up in lx first,
 * so its error came first (ENOENT for all of them, and no autobind).
 * When the lookup failed, the same call is made on a copy of the socket
 * to a name in kbox's directory that never exists: the host runs those
 * checks in its order and stops at the lookup (ENOENT), where lx's error
 * stands. Only failed lookups pay for it. @data may be NULL with the
 * size of data not read yet.
 */
long kbox_unix_lookup_failed(struct kbox_req *r, int fd, long err,
                             const void *data, size_t len, int flags)
{
    struct sockaddr_un none;
    int s, n;
    long rc;

    memset(&none, 0, sizeof(none));
    none.sun_family = AF_UNIX;
    n = snprintf(none.sun_path, sizeof(none.sun_path), "%s/s-none",
                 kbox_sup.exec_dir);
    if (n < 0 || (size_t)n >= sizeof(none.sun_path))
        return err;
    s = kbox_guest_sock(r, fd);
    if (s < 0)
        return s == -EBADF ? -EBADF : -ENOTSOCK;
    /* the name is in kbox's own directory: kbox's rights, not the
     * guest's it took for a lookup in a bind (EACCES) */
    kbox_ids_restore(r);
    kbox_inflight_host_wait(true); /* a full send buffer may block */
    if (r->nr == SYS_connect)
        rc = connect(s, (struct sockaddr *)&none, sizeof(none));
    else
        rc = sendto(s, data, len, flags | MSG_NOSIGNAL,
                    (struct sockaddr *)&none, sizeof(none));
    rc = rc < 0 ? -errno : 0;
    kbox_inflight_host_wait(false);
    close(s);
    /* no @data: EFAULT is where the host would copy it, past the checks */
    if (rc == -ENOENT || rc == 0 || (!data && len && rc == -EFAULT))
        return err;
    return rc;
}

/*
 * Set once a guest bound a unix socket at a path in lx: only then can an
 * unlink remove a node that has a host socket name behind it.
 */
static atomic_bool lx_sock_bound;

bool kbox_sock_node_last(struct kbox_req *r, long dirfd, const char *path,
                         struct kbox_gstat *g)
{
    if (!atomic_load_explicit(&lx_sock_bound, memory_order_relaxed))
        return false;
    return kbox_lx(r, LX__NR_newfstatat, dirfd, (long)path, (long)g,
                   AT_SYMLINK_NOFOLLOW, 0, 0) == 0 &&
           S_ISSOCK(g->st_mode) && g->st_nlink == 1;
}

/*
 * The node's last name is gone: so is the host name of its socket.
 * <exec_dir>/s-<dev>-<ino> was left behind at every unlink, and lx's
 * tmpfs never reuses an inode number: a session binding a socket in /tmp
 * over and over (test suites, servers restarted in a loop) added a host
 * node to kbox's directory for each, until kbox exited. A socket already
 * listening or connected keeps working without its name, as on Linux.
 */
void kbox_sock_node_gone(const struct kbox_gstat *g)
{
    char n[400];

    if (snprintf(n, sizeof(n), "%s/s-%llu-%llu", kbox_sup.exec_dir,
                 (unsigned long long)g->st_dev,
                 (unsigned long long)g->st_ino) < (int)sizeof(n))
        unlink(n);
}

/*
 * Is @path one of kbox's host names for a guest's unix socket: in its
 * directory (<exec_dir>/s-*), through a bind's directory fd, or a host
 * path in a bind a guest bound (sockbind.c)?
 */
bool kbox_sock_host_name(const char *path)
{
    size_t dl = strlen(kbox_sup.exec_dir);
    char g[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

    if (dl && !strncmp(path, kbox_sup.exec_dir, dl) &&
        !strncmp(path + dl, "/s-", 3))
        return true;
    if (!strncmp(path, "/proc/self/fd/", 14))
        return true;
    /* a relative one: bound from a bind's directory (sockbind.c) */
    return path[0] && kbox_sock_name_of(path, 0, false, true, g, sizeof(g));
}

/* The guest name of host socket name @host bound by socket inode @ino,
 * else the newest binding of @host (an accepted socket shares its
 * listener's name); for /proc/net/unix (netview.c). */
bool kbox_sock_guest_name(const char *host, unsigned long ino, char *guest,
                          size_t len)
{
    return kbox_sock_name_of(host, (ino_t)ino, false, true, guest, len);
}

/* getsockname/getpeername(fd, addr, addrlen): a unix socket bound to a
 * path reports that path; everything else is the host's answer. */
static struct kbox_resp h_sockname(struct kbox_req *r)
{
    struct sockaddr_storage ss;
    /* a 108-byte name is reported with the NUL Linux adds: 111 bytes */
    union {
        struct sockaddr_un sa;
        char b[sizeof(struct sockaddr_un) + 1];
    } o;
    socklen_t l = sizeof(ss);
    int s = kbox_guest_sock(r, (int)kbox_arg_int(r->args[0])), rc, ulen;
    size_t dl = strlen(kbox_sup.exec_dir), n;
    const struct sockaddr_un *su = (const struct sockaddr_un *)&ss;
    ino_t sino;

    if (s < 0)
        return kbox_continue(); /* EBADF, ENOTSOCK: the host says it */
    memset(&ss, 0, sizeof(ss));
    rc = r->nr == SYS_getsockname ? getsockname(s, (struct sockaddr *)&ss, &l)
                                  : getpeername(s, (struct sockaddr *)&ss, &l);
    sino = rc ? 0 : kbox_sock_ino(s);
    close(s);
    if (rc || ss.ss_family != AF_UNIX || !dl ||
        l <= offsetof(struct sockaddr_un, sun_path) ||
        !kbox_sock_host_name(su->sun_path))
        return kbox_continue();
    memset(&o, 0, sizeof(o));
    o.sa.sun_family = AF_UNIX;
    {
        char *g = o.b + offsetof(struct sockaddr_un, sun_path);
        size_t gl = sizeof(o.b) - offsetof(struct sockaddr_un, sun_path);

        bool found;

        /* a peer: the one a connect reached, else the peer socket
         * itself by its inode (a datagram or socketpair peer) */
        if (r->nr == SYS_getpeername) {
            found = kbox_sock_name_of(su->sun_path, sino, true, false, g, gl) ||
                    kbox_sock_name_of(
                        su->sun_path,
                        (ino_t)kbox_unix_peer_ino((unsigned long)sino), false,
                        true, g, gl);
        } else {
            found = kbox_sock_name_of(su->sun_path, sino, false, true, g, gl);
        }
        /* a name in kbox's directory never reaches the guest: it tells
         * kbox's private directory and pid (none is left unknown while
         * its socket lives, sockname.c; this is the fallback) */
        if (!found && strncmp(su->sun_path, kbox_sup.exec_dir, dl))
            return kbox_continue();
    }
    n = offsetof(struct sockaddr_un, sun_path) +
        strlen(o.b + offsetof(struct sockaddr_un, sun_path)) + 1;
    if (n == offsetof(struct sockaddr_un, sun_path) + 1)
        n = sizeof(sa_family_t); /* unnamed */
    if (r->ops->read(r, r->args[2], &ulen, sizeof(ulen)))
        return kbox_ret(-EFAULT);
    if (ulen < 0)
        return kbox_ret(-EINVAL);
    if (r->ops->write(r, r->args[1], &o, (size_t)ulen < n ? (size_t)ulen : n))
        return kbox_ret(-EFAULT);
    ulen = (int)n; /* the whole length, as Linux reports it */
    return kbox_ret(r->ops->write(r, r->args[2], &ulen, sizeof(ulen)) ? -EFAULT
                                                                      : 0);
}

/*
 * A unix socket path inside a bind: the socket lives on the host, where
 * host programs reach it too (a daemon's socket in a bound directory).
 * The host call goes through the bind's directory fd (/proc/self/fd/N/
 * ...), beneath the bind as every bind path is. 1 with *@hs and *@hfd
 * (to close) set, 0 when @path is lx's, or the error of the host path
 * (a missing socket is ENOENT: it was EXDEV, from lx's bind trap, and
 * tmux, which starts its server on ENOENT, could not start).
 */
static int bind_sock_addr(struct kbox_req *r, const char *path, bool bind,
                          struct sockaddr_un *hs, int *hfd, char *lxp,
                          size_t lxl)
{
    char dir[KBOX_PATH_MAX];
    char gname[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    char lxpath[KBOX_PATH_MAX];
    const char *base = NULL;
    int lxdir, n, rc;

    /* an address recvfrom or accept gave: a guest's socket in a bind,
     * by its host path (sockbind.c), or a host program's or another
     * kbox's there; connected as the guest path it stands for. A path
     * the guest has as it is stays its own. */
    if (!bind && path[0] == '/' && strncmp(path, "/proc/self/fd/", 14) &&
        strlen(path) < sizeof(gname)) {
        struct kbox_gstat g;

        if (kbox_sock_name_of(path, 0, false, true, gname, sizeof(gname))) {
            path = gname;
        } else {
            memcpy(gname, path, strlen(path) + 1);
            if (kbox_host_link_to_guest(gname, (long)strlen(gname),
                                        sizeof(gname)) > 0 &&
                strcmp(gname, path) &&
                kbox_lx(r, LX__NR_newfstatat, AT_FDCWD, (long)path, (long)&g, 0,
                        0, 0) == -ENOENT)
                path = gname;
        }
    }
    snprintf(dir, sizeof(dir), "%s", path);
    if (bind) {
        char *slash = strrchr(dir, '/');

        if (!slash) {
            base = path;
            snprintf(dir, sizeof(dir), ".");
        } else {
            base = path + (slash - dir) + 1;
            slash[slash == dir ? 1 : 0] = '\0';
        }
    }
    rc = kbox_fs_resolve(r, AT_FDCWD, dir, O_PATH | (base ? O_DIRECTORY : 0),
                         hfd, &lxdir, lxpath, sizeof(lxpath));
    if (rc == -EXDEV || (!rc && *hfd < 0)) {
        /* lx's path (EXDEV: a link out of the bind); as the route gives
         * it to lx (normalised once it left a bind by ".."), when that
         * is absolute */
        if (snprintf(lxp, lxl, "%s", path) >= (int)lxl)
            return -ENAMETOOLONG;
        if (!rc && lxpath[0] == '/' &&
            snprintf(lxp, lxl, "%s%s%s", lxpath,
                     base && strcmp(lxpath, "/") ? "/" : "",
                     base ? base : "") >= (int)lxl)
            return -ENAMETOOLONG;
        return 0;
    }
    if (rc < 0)
        return rc;
    memset(hs, 0, sizeof(*hs));
    hs->sun_family = AF_UNIX;
    n = base ? snprintf(hs->sun_path, sizeof(hs->sun_path),
                        "/proc/self/fd/%d/%s", *hfd, base)
             : snprintf(hs->sun_path, sizeof(hs->sun_path), "/proc/self/fd/%d",
                        *hfd);
    /* too long that way: the last name alone, bound from *@hfd as cwd
     * (2; sockbind.c), which a name given relative fits */
    if (base && (n < 0 || (size_t)n >= sizeof(hs->sun_path)) &&
        strlen(base) <= sizeof(hs->sun_path)) {
        memset(hs->sun_path, 0, sizeof(hs->sun_path));
        memcpy(hs->sun_path, base, strlen(base));
        return 2;
    }
    if (n < 0 || (size_t)n >= sizeof(hs->sun_path)) {
        close(*hfd);
        *hfd = -1;
        return -ENAMETOOLONG;
    }
    return 1;
}

/*
 * The same, following a symlink in the bind that leads out of it (the
 * host refuses it beneath the bind: EXDEV) in the guest's tree, as Linux
 * does: `-b D:/mnt` with /mnt/up -> "..", bind("/mnt/up/tmp/s.sock")
 * went to lx as it was, whose walk stopped at the bind (EXDEV); it is
 * /tmp/s.sock. *@lxp gets the path to give lx when the result is 0.
 */
int kbox_bind_sock_addr(struct kbox_req *r, const char *path, bool bind,
                        struct sockaddr_un *hs, int *hfd, char *lxp, size_t lxl)
{
    char cur[KBOX_PATH_MAX];

    if (snprintf(cur, sizeof(cur), "%s", path) >= (int)sizeof(cur))
        return -ENAMETOOLONG;
    for (int links = 0;; links++) {
        const char *slash, *base = "";
        char *next;
        int rc;

        r->bind_idx1 = 0;
        rc = bind_sock_addr(r, cur, bind, hs, hfd, lxp, lxl);
        if (rc || !r->bind_idx1 || !r->bind_path || *hfd >= 0)
            return rc;
        /* routed into a bind, yet lx's: a link out of it (EXDEV). The
         * name bound is the last one, never a link to follow. */
        if (links >= 40)
            return -ELOOP;
        slash = bind ? strrchr(cur, '/') : NULL;
        if (bind)
            base = slash ? slash + 1 : cur;
        next = kbox_bind_symlink_path(r->bind_idx1 - 1, r->bind_path);
        if (!next)
            return 0;
        {
            char tmp[KBOX_PATH_MAX];
            int n = snprintf(tmp, sizeof(tmp), "%s%s%s", next, *base ? "/" : "",
                             base);

            free(next);
            if (n < 0 || (size_t)n >= sizeof(tmp))
                return -ENAMETOOLONG;
            memcpy(cur, tmp, (size_t)n + 1);
        }
    }
}

/* bind/connect of a unix socket path inside a bind; false when lx's. */
static bool host_dir_sock(struct kbox_req *r, int fd, const char *path,
                          char *lxp, size_t lxl, long *rc)
{
    struct sockaddr_un hs;
    int hfd, s,
        where = kbox_bind_sock_addr(r, path, r->nr == SYS_bind, &hs, &hfd, lxp,
                                    lxl);

    if (where <= 0) {
        *rc = where < 0 && r->nr == SYS_connect
                  ? kbox_unix_lookup_failed(r, fd, where, NULL, 0, 0)
                  : where;
        return where < 0;
    }
    s = kbox_guest_sock(r, fd);
    if (s < 0) {
        *rc = s == -EBADF ? -EBADF : -ENOTSOCK;
    } else if (r->nr == SYS_bind) {
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        struct sockaddr_un abs;

        char key[sizeof(hs.sun_path) + 1];

        kbox_peer_note(r, s); /* before a peer can ask */
        /* the host path when it can be had safely (sockbind.c) */
        if (where == 2)
            *rc = kbox_bind_sock_at(s, hfd, &hs);
        else if (!kbox_bind_sock_host_path(s, hfd, base, &abs))
            hs = abs, *rc = 0;
        else
            *rc = bind(s, (struct sockaddr *)&hs, sizeof(hs)) ? -errno : 0;
        if (*rc == 0) {
            /* kbox runs with umask 0: the guest's applies */
            fchmodat(hfd, base, 0777 & ~kbox_guest_umask(r), 0);
            memcpy(key, hs.sun_path, sizeof(hs.sun_path));
            key[sizeof(hs.sun_path)] = '\0'; /* 108 bytes: no NUL */
            kbox_sock_name_bound(key, path, s);
        }
    } else {
        struct kbox_sock_ids ids;

        kbox_peer_note(r, s);
        kbox_sock_ids_as_guest(r, s, &ids);
        kbox_inflight_host_wait(true);
        *rc = connect(s, (struct sockaddr *)&hs, sizeof(hs)) ? -errno : 0;
        kbox_inflight_host_wait(false);
        kbox_sock_timeo_intr(r, s, *rc, SO_SNDTIMEO);
        kbox_sock_ids_restore(&ids);
        if (*rc == 0)
            kbox_sock_name_connected(s);
    }
    if (s >= 0)
        close(s);
    close(hfd);
    return true;
}

static struct kbox_resp unix_bind_connect(struct kbox_req *r)
{
    struct sockaddr_un sa, hs;
    long len = A(2);
    char path[sizeof(sa.sun_path) + 1], lxp[KBOX_PATH_MAX];
    int fd = (int)kbox_arg_int(r->args[0]), s;
    long rc;

    memset(&sa, 0, sizeof(sa));
    if (r->ops->read(r, r->args[1], &sa,
                     len < (long)sizeof(sa) ? (size_t)len : sizeof(sa)))
        return kbox_ret(-EFAULT);
    memcpy(path, sa.sun_path, sizeof(sa.sun_path));
    path[sizeof(sa.sun_path)] = '\0';
    /* @lxp: where lx finds it (a link out of a bind followed); getsockname
     * reports @path, as given */
    if (host_dir_sock(r, fd, path, lxp, sizeof(lxp), &rc))
        return kbox_ret(rc);
    if (r->nr == SYS_bind) {
        rc = kbox_lx(r, LX__NR_mknodat, AT_FDCWD, (long)lxp,
                     S_IFSOCK | (0777 & ~kbox_guest_umask(r)), 0, 0, 0);
        if (rc == -EEXIST)
            return kbox_ret(-EADDRINUSE);
        if (rc < 0)
            return kbox_ret(rc);
    }
    rc = kbox_host_sock_path(r, lxp, &hs);
    if (rc < 0 && r->nr == SYS_connect)
        rc = kbox_unix_lookup_failed(r, fd, rc, NULL, 0, 0);
    if (rc < 0)
        return kbox_ret(rc);
    s = kbox_guest_sock(r, fd);
    if (s < 0) {
        if (r->nr == SYS_bind)
            kbox_lx(r, LX__NR_unlinkat, AT_FDCWD, (long)lxp, 0, 0, 0, 0);
        return kbox_ret(s == -EBADF ? -EBADF : -ENOTSOCK);
    }
    if (r->nr == SYS_bind) {
        unlink(hs.sun_path);  /* stale from an earlier inode life */
        kbox_peer_note(r, s); /* before a peer can ask */
        rc = bind(s, (struct sockaddr *)&hs, sizeof(hs)) ? -errno : 0;
        if (rc) {
            kbox_lx(r, LX__NR_unlinkat, AT_FDCWD, (long)lxp, 0, 0, 0, 0);
        } else {
            kbox_sock_name_bound(hs.sun_path, path, s);
            atomic_store_explicit(&lx_sock_bound, true, memory_order_relaxed);
        }
    } else {
        kbox_peer_note(r, s);
        kbox_inflight_host_wait(true);
        rc = connect(s, (struct sockaddr *)&hs, sizeof(hs)) ? -errno : 0;
        kbox_inflight_host_wait(false);
        kbox_sock_timeo_intr(r, s, rc, SO_SNDTIMEO);
        if (rc == -ENOENT) /* see kbox_host_sock_path */
            rc = -ECONNREFUSED;
        if (rc == 0)
            kbox_sock_name_connected(s);
    }
    close(s);
    return kbox_ret(rc);
}

/* Read a sockaddr_un path argument (NUL terminated copy). */
int kbox_read_sun_path(struct kbox_req *r, uint64_t addr, long len, char *path,
                       size_t plen)
{
    struct sockaddr_un sa;

    memset(&sa, 0, sizeof(sa));
    if (r->ops->read(r, addr, &sa,
                     len < (long)sizeof(sa) ? (size_t)len : sizeof(sa)))
        return -EFAULT;
    memcpy(path, sa.sun_path, sizeof(sa.sun_path));
    path[plen - 1] = '\0';
    return 0;
}

/*
 * A netlink socket bound by kbox's thread (connect, sendto, sendmsg on an
 * unbound socket bind it) gets kbox's pid as its port id: natively the
 * first the kernel tries is the caller's process id, and programs match
 * replies' nlmsg_pid against getpid(). So an unbound netlink socket of
 * the guest's is bound to that id first (if taken, the kernel's pick
 * stays, as natively).
 */
void kbox_netlink_autobind(struct kbox_req *r, int s)
{
    struct sockaddr_nl a;
    socklen_t l = sizeof(a);
    int dom = 0;
    socklen_t dl = sizeof(dom);

    if (getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &dl) || dom != AF_NETLINK)
        return;
    memset(&a, 0, sizeof(a));
    if (getsockname(s, (struct sockaddr *)&a, &l) || a.nl_pid)
        return;
    a.nl_family = AF_NETLINK;
    a.nl_pid = (__u32)(r->proc ? r->proc->tgid : r->pid);
    a.nl_groups = 0;
    if (bind(s, (struct sockaddr *)&a, sizeof(a)))
        return; /* taken: the kernel picks one at the call */
}

/* sendto/sendmsg to a unix socket path (@path), or to the address @to of
 * @tolen bytes kbox read: sent by the supervisor on a copy of the guest's
 * socket, with the data copied out of the guest. */
static long unix_send(struct kbox_req *r, int fd, const char *path,
                      const struct iovec *giov, int iovcnt, int flags,
                      const struct sockaddr *to, socklen_t tolen)
{
    struct sockaddr_un hs;
    size_t total = 0, off = 0;
    char *buf;
    long rc;
    int s, hfd = -1;
    char lxp[KBOX_PATH_MAX];
    bool bare;

    for (int i = 0; i < iovcnt; i++)
        total += giov[i].iov_len;
    if (total > (8u << 20))
        return -EMSGSIZE;
    buf = malloc(total ? total : 1);
    if (!buf)
        return -ENOMEM;
    for (int i = 0; i < iovcnt; i++) {
        if (giov[i].iov_len &&
            r->ops->read(r, (uint64_t)(uintptr_t)giov[i].iov_base, buf + off,
                         giov[i].iov_len)) {
            free(buf);
            return -EFAULT;
        }
        off += giov[i].iov_len;
    }
    /* a stream or seqpacket socket: a bare family, refused or ignored
     * as the path would be, never looked up (kbox_sock_addr_unused) */
    bare = !to && kbox_sock_addr_unused(r, fd);
    if (bare) {
        memset(&hs, 0, sizeof(hs));
        hs.sun_family = AF_UNIX;
        to = (const struct sockaddr *)&hs;
        tolen = sizeof(sa_family_t);
    }
    /* a path in a bind is the host's (it was EXDEV: datagrams lost) */
    rc = to ? 0
            : kbox_bind_sock_addr(r, path, false, &hs, &hfd, lxp, sizeof(lxp));
    if (rc == 0 && !to)
        rc = kbox_host_sock_path(r, lxp, &hs);
    if (rc < 0 && !to)
        rc = kbox_unix_lookup_failed(r, fd, rc, buf, total, flags);
    s = rc < 0 ? (int)rc : kbox_guest_sock(r, fd);
    if (rc >= 0 && s < 0)
        s = s == -EBADF ? -EBADF : -ENOTSOCK;
    if (s >= 0) {
        struct kbox_sock_ids ids;

        kbox_netlink_autobind(r, s);
        ids.on = false;
        /* a host peer (an address, a socket in a bind); not one of the
         * guest's own in kbox's private directory */
        if ((to && !bare) || hfd >= 0)
            kbox_sock_ids_as_guest(r, s, &ids);
        kbox_inflight_host_wait(true);
        rc = sendto(s, buf, total, flags | MSG_NOSIGNAL,
                    to ? to : (struct sockaddr *)&hs, to ? tolen : sizeof(hs));
        rc = rc < 0 ? -errno : rc;
        kbox_inflight_host_wait(false);
        kbox_sock_ids_restore(&ids);
        if (rc == -ENOENT && hfd < 0 && !to) /* see kbox_host_sock_path */
            rc = -ECONNREFUSED;
        close(s);
    } else {
        rc = s;
    }
    free(buf);
    if (hfd >= 0)
        close(hfd);
    return rc;
}

/*
 * bind/connect/sendto with an address: host sockets, except that unix
 * socket *paths* are translated to kbox's host socket names.
 */
/*
 * bind() to a port below the host's ip_unprivileged_port_start needs
 * CAP_NET_BIND_SERVICE (inet_bind). The host checks kbox's: under kbox
 * run by root a guest user could serve port 80. So the caller's lx
 * credentials are checked (kbox not root: the host refuses kbox itself,
 * a guest root included).
 */
static long privileged_port(struct kbox_req *r)
{
    static int start = -1;
    struct {
        uint16_t family, port;
    } a;
    int port;

    if (r->nr != SYS_bind || A(2) < (long)sizeof(a) || geteuid() != 0 ||
        r->ops->read(r, r->args[1], &a, sizeof(a)) ||
        (a.family != AF_INET && a.family != AF_INET6))
        return 0; /* the host answers (EFAULT, EINVAL, ...) */
    port = ntohs(a.port);
    if (start < 0) {
        FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");

        if (!f || fscanf(f, "%d", &start) != 1)
            start = 1024;
        if (f)
            fclose(f);
    }
    if (!port || port >= start)
        return 0;
    return kbox_lx_capable(r, 10) ? 0 : -EACCES; /* CAP_NET_BIND_SERVICE */
}

/*
 * bind/connect/sendto with an address that is no unix socket path: made
 * here too, on a copy of the guest's socket, with the address as kbox
 * read it. Had the host made the call it would read the address again,
 * and another thread of the guest could by then have rewritten an
 * abstract or inet address into a unix socket path, or put a unix socket
 * at that fd number: the host's call then reached any socket in the
 * host's file system (under kbox run by root, as root: a guest user
 * connected to a root-only socket and its peer saw uid 0). A NULL
 * address (send() is a sendto) is in a register: the host's.
 */
static struct kbox_resp addr_here(struct kbox_req *r)
{
    bool to = r->nr == SYS_sendto;
    uint64_t ua = r->args[to ? 4 : 1];
    long len = A(to ? 5 : 2);
    struct sockaddr_storage ss;
    struct kbox_sock_ids ids = { 0 };
    int fd = (int)kbox_arg_int(r->args[0]), s;
    long rc;

    if (to && !ua) /* the host's send(): no address to read */
        return kbox_continue();
    if (len < 0 || len > (long)sizeof(ss))
        return kbox_ret(-EINVAL);
    memset(&ss, 0, sizeof(ss));
    if (len && r->ops->read(r, ua, &ss, (size_t)len))
        return kbox_ret(-EFAULT);
    /* a path by now: the guest rewrote it since h_sockaddr's look, which
     * only a guest racing its own call does; never the host's file
     * system */
    if (ss.ss_family == AF_UNIX && len > (long)sizeof(sa_family_t) &&
        ((struct sockaddr_un *)&ss)->sun_path[0])
        return kbox_ret(-EAGAIN);
    if (to) {
        struct iovec v = { (void *)(uintptr_t)r->args[1], (size_t)A(2) };

        return kbox_ret(unix_send(r, fd, NULL, &v, 1, (int)A(3),
                                  (struct sockaddr *)&ss, (socklen_t)len));
    }
    s = kbox_guest_sock(r, fd);
    if (s < 0)
        return kbox_ret(s == -EBADF ? -EBADF : -ENOTSOCK);
    kbox_peer_note(r, s); /* before a peer can ask */
    if (r->nr == SYS_bind && ss.ss_family == AF_NETLINK &&
        len >= (long)sizeof(struct sockaddr_nl) &&
        !((struct sockaddr_nl *)&ss)->nl_pid) {
        /* port id 0: the kernel picks, the caller's pid first (see
         * kbox_netlink_autobind); kbox's thread would get kbox's */
        struct sockaddr_nl a = *(struct sockaddr_nl *)&ss;

        a.nl_pid = (__u32)(r->proc ? r->proc->tgid : r->pid);
        if (!bind(s, (struct sockaddr *)&a, (socklen_t)len)) {
            close(s);
            return kbox_ret(0);
        }
    } else if (r->nr == SYS_connect) {
        kbox_netlink_autobind(r, s);
        kbox_sock_ids_as_guest(r, s, &ids);
    }
    kbox_inflight_host_wait(true); /* a connect may block: signals end it */
    rc = r->nr == SYS_bind ? bind(s, (struct sockaddr *)&ss, (socklen_t)len)
                           : connect(s, (struct sockaddr *)&ss, (socklen_t)len);
    rc = rc ? -errno : 0;
    kbox_inflight_host_wait(false);
    kbox_sock_ids_restore(&ids);
    close(s);
    return kbox_ret(rc);
}

static struct kbox_resp sockaddr_call(struct kbox_req *r);

/* bind, connect, sendto: the fd's errors first (kbox_sock_fd_first) */
static struct kbox_resp h_sockaddr(struct kbox_req *r)
{
    struct kbox_resp resp = sockaddr_call(r);
    long err;

    if (resp.kind != KBOX_RESP_RET || resp.val >= 0 || r->replied)
        return resp;
    err = kbox_sock_fd_first(r, (int)kbox_arg_int(r->args[0]), resp.val);
    /* connect reads the address between the fd and the socket in it */
    if (err == -ENOTSOCK && r->nr == SYS_connect &&
        (resp.val == -EFAULT || resp.val == -EINVAL))
        err = resp.val;
    resp.val = err;
    return resp;
}

static struct kbox_resp sockaddr_call(struct kbox_req *r)
{
    long rc = privileged_port(r);
    int up;

    if (rc)
        return kbox_ret(rc);

    if (r->nr == SYS_sendto)
        up = kbox_is_unix_path(r, r->args[4], A(5));
    else
        up = kbox_is_unix_path(r, r->args[1], A(2));
    if (up < 0)
        return kbox_ret(up);
    if (up && r->nr != SYS_sendto)
        return unix_bind_connect(r);
    if (up) {
        char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
        struct iovec v = { (void *)(uintptr_t)r->args[1], (size_t)A(2) };

        if (kbox_read_sun_path(r, r->args[4], A(5), path, sizeof(path)))
            return kbox_ret(-EFAULT);
        return kbox_ret(unix_send(r, (int)kbox_arg_int(r->args[0]), path, &v, 1,
                                  (int)A(3), NULL, 0));
    }
    return addr_here(r);
}

/*
 * Alarm clocks (CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM) can wake the
 * machine from suspend: timerfd_create, timer_create and clock_nanosleep
 * on them need CAP_WAKE_ALARM. The host checks kbox's: under kbox run by
 * root a guest user got them (stress-ng timerfd: "timerfd_create without
 * capability CAP_WAKE_ALARM unexpectedly succeeded"). The filter notifies
 * these calls for the two clocks only; the caller's lx capabilities
 * decide, in Linux's order of checks (timerfd_create: flags, then the
 * capability; the others: EOPNOTSUPP on a host without an RTC, which
 * clock_getres tells, then their own argument checks, then EPERM).
 */
static struct kbox_resp h_alarm_clock(struct kbox_req *r)
{
    struct timespec ts;
    clockid_t clk = (clockid_t)(int)r->args[0];

    if (geteuid() != 0 || kbox_lx_capable(r, 35 /* CAP_WAKE_ALARM */))
        return kbox_continue();
    if (r->nr == SYS_timerfd_create) {
        if ((int)r->args[1] & ~(O_CLOEXEC | O_NONBLOCK))
            return kbox_ret(-EINVAL);
        return kbox_ret(-EPERM);
    }
    if (clock_getres(clk, &ts))
        return kbox_continue(); /* no RTC: the host's EOPNOTSUPP */
    if (r->nr == SYS_clock_nanosleep) {
        if (r->ops->read(r, r->args[2], &ts, sizeof(ts)))
            return kbox_ret(-EFAULT);
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L ||
            ((int)r->args[1] & ~TIMER_ABSTIME))
            return kbox_ret(-EINVAL);
    }
    return kbox_ret(-EPERM);
}

kbox_handler kbox_sys_handler(long nr)
{
    switch (nr) {
    case SYS_uname:
        return h_uname;
    case SYS_personality:
        return h_personality;
    case SYS_sethostname:
    case SYS_setdomainname:
        return h_sethostname;
    case SYS_getrandom:
        return h_getrandom;
    case SYS_sync:
        return h_sync;
    case SYS_prctl:
        return h_prctl;
    case SYS_seccomp:
        return h_seccomp;
    case SYS_bind:
    case SYS_connect:
    case SYS_sendto:
        return h_sockaddr;
    case SYS_getsockname:
    case SYS_getpeername:
        return h_sockname;
    case SYS_timerfd_create:
    case SYS_timer_create:
    case SYS_clock_nanosleep:
        return h_alarm_clock;
    default:
        return NULL;
    }
}
