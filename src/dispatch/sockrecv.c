/* SPDX-License-Identifier: MIT */
/*
 * Unix socket addresses the host hands back from accept, accept4,
 * recvfrom and recvmsg, as the guest sees them. A peer bound at a path
 * in lx is bound on the host at <exec_dir>/s-<dev>-<ino> (in a bind, at
 * the bind's host path): accept's and recvfrom's address and recvmsg's
 * msg_name gave that name, which told the guest kbox's private directory
 * and pid, where Linux gives the path bind() was given. These calls are
 * notified when they ask for an address (accept, recvfrom: a rule on the
 * address argument) and, on a unix socket, made by kbox on a copy of it,
 * the address mapped back; any other socket's call is the host's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"

#define OFF offsetof(struct sockaddr_un, sun_path)

/*
 * Map host address @sa (@*len bytes) of a unix peer to the guest's name:
 * the binding of socket inode @sino if known, else the newest binding of
 * the name. A name in kbox's directory kbox cannot name is unnamed.
 */
void kbox_unix_addr_for_guest(struct sockaddr_storage *ss, socklen_t *len,
                              ino_t sino)
{
    struct sockaddr_un *sa = (struct sockaddr_un *)ss;
    char host[sizeof(sa->sun_path) + 1], g[sizeof(sa->sun_path) + 1];
    size_t dl = strlen(kbox_sup.exec_dir), hl;

    if (sa->sun_family != AF_UNIX || *len <= OFF || !sa->sun_path[0])
        return;
    hl = *len - OFF;
    if (hl > sizeof(sa->sun_path))
        hl = sizeof(sa->sun_path);
    memcpy(host, sa->sun_path, hl);
    host[hl] = '\0';
    if (!dl || !kbox_sock_host_name(host))
        return;
    if (!kbox_sock_name_of(host, sino, false, true, g, sizeof(g))) {
        if (strncmp(host, kbox_sup.exec_dir, dl))
            return; /* not kbox's: the host's name stands */
        *len = sizeof(sa_family_t);
        return;
    }
    hl = strlen(g);
    memset(sa->sun_path, 0, sizeof(*ss) - OFF);
    memcpy(sa->sun_path, g, hl); /* 108 bytes fill sun_path: no NUL */
    *len = (socklen_t)(OFF + hl + 1);
}

static bool is_unix(int s)
{
    int dom = 0;
    socklen_t l = sizeof(dom);

    return !getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &l) && dom == AF_UNIX;
}

bool kbox_sock_is_unix(struct kbox_req *r, int fd)
{
    int s = kbox_guest_sock(r, fd);
    bool u;

    if (s < 0)
        return false;
    u = is_unix(s);
    close(s);
    return u;
}

/*
 * Linux never restarts a socket call with a timeout (signal(7)): one that
 * a handler interrupted fails with EINTR even under SA_RESTART. @opt is
 * the timeout the call waits by (SO_RCVTIMEO, SO_SNDTIMEO).
 */
void kbox_sock_timeo_intr(struct kbox_req *r, int s, long rc, int opt)
{
    struct timeval tv = { 0, 0 };
    socklen_t l = sizeof(tv);

    if (rc == -EINTR && !getsockopt(s, SOL_SOCKET, opt, &tv, &l) &&
        (tv.tv_sec || tv.tv_usec))
        r->restart = EINTR;
}

/*
 * Before a receive (accept, recvfrom, recvmsg) on kbox's copy @s of the
 * guest's socket: when it is going to wait (nothing to take, a blocking
 * file, no MSG_DONTWAIT in @flags), another worker receives the guests'
 * calls meanwhile. Left to the sentinel, the peer's connect or send that
 * ends the wait sat unreceived for a tick: a unix server's accept loop
 * took 1 ms a connection.
 */
void kbox_sock_wait_ahead(struct kbox_req *r, int s, int flags)
{
    struct pollfd pf = { s, POLLIN, 0 };

    if ((flags & MSG_DONTWAIT) || !r->ops || !r->ops->will_block ||
        poll(&pf, 1, 0) != 0 || (fcntl(s, F_GETFL) & O_NONBLOCK))
        return;
    r->ops->will_block(r);
}

/*
 * Has the guest no number free below its RLIMIT_NOFILE? Linux takes the
 * new fd's number before it dequeues a connection, so accept fails with
 * EMFILE and the connection stays queued; kbox's accept on its copy
 * would take it and then lose it at the ADDFD. /proc/<tid>/fd's size is
 * the count of open fds: fewer than the limit leave one free below it;
 * otherwise (rare) the numbers are looked at.
 */
static bool guest_fds_full(struct kbox_req *r)
{
    struct rlimit rl;
    struct stat st;
    char path[48];
    unsigned char *seen;
    struct dirent *de;
    bool full = true;
    DIR *d;
    int fd;

    if (prlimit(r->pid, RLIMIT_NOFILE, NULL, &rl) || rl.rlim_cur > (1u << 24))
        return false;
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)r->pid);
    fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return false;
    if (fstat(fd, &st) || (unsigned long)st.st_size < rl.rlim_cur) {
        close(fd);
        return false;
    }
    d = fdopendir(fd);
    seen = d ? calloc(rl.rlim_cur / 8 + 1, 1) : NULL;
    if (!seen) {
        if (d)
            closedir(d);
        else
            close(fd);
        return false;
    }
    while ((de = readdir(d))) {
        unsigned long n = strtoul(de->d_name, NULL, 10);

        if (de->d_name[0] != '.' && n < rl.rlim_cur)
            seen[n / 8] |= (unsigned char)(1u << (n % 8));
    }
    closedir(d);
    for (unsigned long n = 0; n < rl.rlim_cur && full; n++)
        full = seen[n / 8] & (1u << (n % 8));
    free(seen);
    return full;
}

/* The address and its length back to the guest, as move_addr_to_user:
 * at most the caller's @ulen bytes, the whole length reported. */
static int put_addr(struct kbox_req *r, uint64_t uaddr, uint64_t ulenp,
                    int ulen, const struct sockaddr_storage *ss, socklen_t l)
{
    int n = (int)l;

    if (ulen > n)
        ulen = n;
    if (ulen > 0 && r->ops->write(r, uaddr, ss, (size_t)ulen))
        return -EFAULT;
    return r->ops->write(r, ulenp, &n, sizeof(n)) ? -EFAULT : 0;
}

/* accept/accept4(fd, addr, addrlen[, flags]), addr not NULL */
static struct kbox_resp h_accept(struct kbox_req *r)
{
    int flags = r->nr == SYS_accept4 ? (int)r->args[3] : 0, ulen, s, ns, rc;
    struct sockaddr_storage ss;
    socklen_t l = sizeof(ss);

    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
        return kbox_continue(); /* the host's EINVAL */
    s = kbox_guest_sock(r, (int)kbox_arg_int(r->args[0]));
    if (s < 0)
        return kbox_continue(); /* EBADF, ENOTSOCK: the host says it */
    if (!is_unix(s) || r->ops->read(r, r->args[2], &ulen, sizeof(ulen)) ||
        ulen < 0) {
        close(s);
        return kbox_continue(); /* EFAULT, EINVAL: the host says it */
    }
    if (guest_fds_full(r)) {
        close(s);
        return kbox_ret(-EMFILE);
    }
    memset(&ss, 0, sizeof(ss));
    kbox_sock_wait_ahead(r, s, 0);
    kbox_inflight_host_wait(true);
    ns = accept4(s, (struct sockaddr *)&ss, &l,
                 SOCK_CLOEXEC | (flags & SOCK_NONBLOCK));
    rc = ns < 0 ? -errno : 0;
    kbox_inflight_host_wait(false);
    kbox_sock_timeo_intr(r, s, rc, SO_RCVTIMEO);
    close(s);
    if (ns < 0)
        return kbox_ret(rc);
    /* a named client: which binding of its name, by its inode (a
     * sock_diag query, paid only then) */
    if (l > OFF + 1 && ((struct sockaddr_un *)&ss)->sun_path[0])
        kbox_unix_addr_for_guest(
            &ss, &l,
            (ino_t)kbox_unix_peer_ino((unsigned long)kbox_sock_ino(ns)));
    /* Linux's connection is gone too when the address cannot be put */
    rc = put_addr(r, r->args[1], r->args[2], ulen, &ss, l);
    if (rc) {
        close(ns);
        return kbox_ret(rc);
    }
    rc = r->ops->addfd(r, ns, -1, (flags & SOCK_CLOEXEC) != 0, true);
    close(ns);
    return r->replied ? (struct kbox_resp){ .kind = KBOX_RESP_SENT, .val = rc }
                      : kbox_ret(rc);
}

/* recvfrom(fd, buf, len, flags, src_addr, addrlen), src_addr not NULL */
static struct kbox_resp h_recvfrom(struct kbox_req *r)
{
    size_t len = (size_t)r->args[2];
    int flags = (int)r->args[3], ulen, s;
    struct sockaddr_storage ss;
    socklen_t l = sizeof(ss);
    char *buf;
    long n;

    s = kbox_guest_sock(r, (int)kbox_arg_int(r->args[0]));
    if (s < 0)
        return kbox_continue();
    if (!is_unix(s) || !r->args[5] ||
        r->ops->read(r, r->args[5], &ulen, sizeof(ulen)) || ulen < 0 ||
        len > (8u << 20) || (flags & MSG_ERRQUEUE)) {
        close(s);
        return kbox_continue(); /* as the host does it */
    }
    buf = malloc(len ? len : 1);
    if (!buf) {
        close(s);
        return kbox_continue();
    }
    memset(&ss, 0, sizeof(ss));
    kbox_sock_wait_ahead(r, s, flags);
    kbox_inflight_host_wait(true);
    n = recvfrom(s, buf, len, flags, (struct sockaddr *)&ss, &l);
    n = n < 0 ? -errno : n;
    kbox_inflight_host_wait(false);
    kbox_sock_timeo_intr(r, s, n, SO_RCVTIMEO);
    close(s);
    if (n >= 0) {
        size_t c = (size_t)n < len ? (size_t)n : len; /* MSG_TRUNC */

        if (c && r->ops->write(r, r->args[1], buf, c))
            n = -EFAULT;
        /* an unnamed sender: no address, a length of 0 */
        if (n >= 0 && l) {
            kbox_unix_addr_for_guest(&ss, &l, 0);
            if (put_addr(r, r->args[4], r->args[5], ulen, &ss, l))
                n = -EFAULT;
        } else if (n >= 0) {
            int z = 0;

            if (r->ops->write(r, r->args[5], &z, sizeof(z)))
                n = -EFAULT;
        }
    }
    free(buf);
    return kbox_ret(n);
}

kbox_handler kbox_sockrecv_handler(long nr)
{
    switch (nr) {
    case SYS_accept:
    case SYS_accept4:
        return h_accept;
    case SYS_recvfrom:
        return h_recvfrom;
    default:
        return NULL;
    }
}
