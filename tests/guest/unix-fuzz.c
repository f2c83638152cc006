/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for unix-domain sockets.
 *
 * usage: unix-fuzz DIR SEED NOPS
 *
 * Creates DIR (which must not exist), makes it the cwd and forks two
 * children. The parent and both children generate the same seeded list
 * of NOPS operations; each operation names the process that runs it and
 * a token passed over pipes keeps them in order, so the trace (one line
 * per operation, written by the process that ran it) is deterministic.
 * Operations: socket/socketpair of the three unix types, bind to paths
 * (relative, absolute, in a subdirectory, 107 and 108 bytes long, with a
 * trailing slash, an existing file or directory, a missing directory, a
 * directory without write permission), abstract names and autobind,
 * listen, connect, accept/accept4, send/sendto/sendmsg, recv/recvfrom/
 * recvmsg with short address buffers, MSG_PEEK/MSG_TRUNC, shutdown, poll,
 * getsockname/getpeername, SCM_RIGHTS of files (offset shared), dirs,
 * pipes and sockets, SO_PASSCRED/SCM_CREDENTIALS, SO_PEERCRED, and
 * unlink/rename/stat/chmod of socket files. Addresses print as the
 * program sees them with DIR shown as $D, pids as self/parent/child1/
 * child2, uids relative to the caller; fd numbers are never printed.
 * The operations a root caller is exempt from (permission checks) are
 * skipped when the effective uid is 0, so root and user traces agree.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz-util.h"

#define NPROC 3
#define NSLOT 10
#define NRAND 8

static char dir[160];
static size_t dirlen;
static int me; /* 0 parent, 1 child1, 2 child2 */
static pid_t *pids;
static int tok[NPROC][2];
static int slot[NSLOT];
static int ffd = -1; /* this process's fd of DIR/file */
static unsigned abs_tag;
static char line[2048];
static size_t llen;

static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + llen, sizeof(line) - llen, fmt, ap);
    va_end(ap);
    if (n > 0)
        llen += (size_t)n;
    if (llen >= sizeof(line))
        llen = sizeof(line) - 1;
}

static void flush_line(void)
{
    out("\n");
    if (write(1, line, llen) < 0)
        _exit(3);
    llen = 0;
}

static void res(long r)
{
    if (r < 0)
        out(" = %s", errname(errno));
    else
        out(" = %ld", r);
}

static const char *who(pid_t p)
{
    static const char *names[NPROC] = { "parent", "child1", "child2" };
    static char buf[16];
    if (p == getpid())
        return "self";
    for (int i = 0; i < NPROC; i++)
        if (pids[i] == p)
            return names[i];
    if (p == 0)
        return "0";
    snprintf(buf, sizeof(buf), "other");
    return buf;
}

static const char *uidname(unsigned u)
{
    static char buf[16];
    if (u == geteuid())
        return "me";
    snprintf(buf, sizeof(buf), "%u", u);
    return buf;
}

/* Names the sequence binds, connects and sends to. */
#define NNAME 14
static void name_addr(unsigned n, struct sockaddr_un *sa, socklen_t *len)
{
    char p[300];
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    switch (n) {
    case 0:
        strcpy(p, "a.sock");
        break;
    case 1:
        strcpy(p, "d/b.sock");
        break;
    case 2:
        snprintf(p, sizeof(p), "%s/c.sock", dir);
        break;
    case 3: /* 107 bytes: the longest with a NUL */
    case 4: /* 108 bytes: sun_path full, no NUL */
        strcpy(p, "d/");
        memset(p + 2, n == 3 ? 'L' : 'M', (n == 3 ? 107 : 108) - 2);
        p[n == 3 ? 107 : 108] = 0;
        break;
    case 5:
        strcpy(p, "t.sock/");
        break;
    case 6:
        strcpy(p, "file");
        break;
    case 7:
        strcpy(p, "d");
        break;
    case 8:
        strcpy(p, "missing/x.sock");
        break;
    case 9:
        strcpy(p, "ro/x.sock");
        break;
    case 10: /* abstract */
    case 11:
        sa->sun_path[0] = 0;
        *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                           (size_t)snprintf(sa->sun_path + 1, 100, "ufz%x-%c",
                                            abs_tag, n == 10 ? 'k' : 'q'));
        return;
    case 12: /* autobind */
        *len = sizeof(sa_family_t);
        return;
    default:
        strcpy(p, "r.sock");
        break;
    }
    size_t l = strlen(p);
    if (l > sizeof(sa->sun_path))
        l = sizeof(sa->sun_path);
    memcpy(sa->sun_path, p, l);
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + l +
                       (l < sizeof(sa->sun_path) ? 1 : 0));
}

static const char *path_of(unsigned n)
{
    static struct sockaddr_un sa;
    static char p[sizeof(sa.sun_path) + 1];
    socklen_t l;
    name_addr(n, &sa, &l);
    memcpy(p, sa.sun_path, sizeof(sa.sun_path));
    p[sizeof(sa.sun_path)] = 0;
    return p;
}

/* Print an address as the caller got it: returned length, the bytes
 * that fit the caller's buffer, and whether anything beyond was written. */
static void paddr(const unsigned char *buf, socklen_t inlen, socklen_t outlen)
{
    socklen_t n = outlen < inlen ? outlen : inlen;
    /* an absolute name's length depends on DIR: print it relative */
    if (n > sizeof(sa_family_t) + dirlen && outlen > dirlen &&
        !memcmp(buf + sizeof(sa_family_t), dir, dirlen))
        out(" alen=D+%u", (unsigned)(outlen - dirlen));
    else
        out(" alen=%u", (unsigned)outlen);
    if (buf[inlen] != 0xAA)
        out(" OVERRUN");
    if (n < sizeof(sa_family_t)) {
        out(" [%u bytes]", (unsigned)n);
        return;
    }
    sa_family_t fam;
    memcpy(&fam, buf, sizeof(fam));
    if (fam != AF_UNIX) {
        out(" fam=%u", fam);
        return;
    }
    const char *p = (const char *)buf + sizeof(sa_family_t);
    size_t pl = n - sizeof(sa_family_t);
    if (pl == 0) {
        out(" unnamed");
        return;
    }
    if (p[0] == 0) {
        char tagp[32];
        int tl = snprintf(tagp, sizeof(tagp), "ufz%x-", abs_tag);
        if (pl > (size_t)tl + 1 && !memcmp(p + 1, tagp, (size_t)tl))
            out(" @%.*s", (int)(pl - 1 - (size_t)tl), p + 1 + tl);
        else
            out(" @?%zu", pl - 1); /* autobind name: length class only */
        return;
    }
    size_t sl = strnlen(p, pl), tail = pl - sl;
    out(" \"");
    if (sl >= dirlen && !memcmp(p, dir, dirlen)) {
        out("$D");
        p += dirlen;
        sl -= dirlen;
    }
    if (sl > 40) {
        out("%.*s...(%zu)", 3, p, sl);
    } else {
        out("%.*s", (int)sl, p);
    }
    out("\"");
    if (tail)
        out("+%zu", tail);
}

static int nslot(void)
{
    for (int i = 0; i < NSLOT; i++)
        if (slot[i] < 0)
            return i;
    return -1;
}

static void getnames(int fd)
{
    unsigned char b[256];
    socklen_t l;
    memset(b, 0xAA, sizeof(b));
    l = sizeof(struct sockaddr_un);
    if (getsockname(fd, (struct sockaddr *)b, &l) < 0)
        out(" sn:%s", errname(errno));
    else {
        out(" sn:");
        paddr(b, sizeof(struct sockaddr_un), l);
    }
    memset(b, 0xAA, sizeof(b));
    l = sizeof(struct sockaddr_un);
    if (getpeername(fd, (struct sockaddr *)b, &l) < 0)
        out(" pn:%s", errname(errno));
    else {
        out(" pn:");
        paddr(b, sizeof(struct sockaddr_un), l);
    }
}

static const char *tname(int t)
{
    return t == SOCK_STREAM ? "stream" : t == SOCK_DGRAM ? "dgram" : "seqp";
}

static int sotype(int fd)
{
    int t = 0;
    socklen_t l = sizeof(t);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &l) < 0)
        return -1;
    return t;
}

static void describe_fd(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        out(" fstat:%s", errname(errno));
        return;
    }
    switch (st.st_mode & S_IFMT) {
    case S_IFREG: {
        off_t o = lseek(fd, 0, SEEK_CUR);
        char b[8] = { 0 };
        ssize_t n = read(fd, b, 3);
        out(" reg off=%ld read=%zd \"%.*s\"", (long)o, n, n > 0 ? (int)n : 0,
            b);
        break;
    }
    case S_IFDIR:
        out(" dir");
        break;
    case S_IFIFO: {
        char b[16] = { 0 };
        ssize_t n = read(fd, b, sizeof(b) - 1);
        out(" fifo read=%zd \"%s\"", n, n > 0 ? b : "");
        break;
    }
    case S_IFSOCK:
        out(" sock %s", tname(sotype(fd)));
        getnames(fd);
        break;
    default:
        out(" mode=%o", st.st_mode & S_IFMT);
    }
}

static void recv_cmsgs(struct msghdr *m)
{
    if (m->msg_flags & MSG_CTRUNC)
        out(" CTRUNC");
    for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < n; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                out(" {rights");
                describe_fd(fd);
                out("}");
                int s = nslot();
                struct stat st;
                if (s >= 0 && !fstat(fd, &st) && S_ISSOCK(st.st_mode)) {
                    slot[s] = fd;
                    out(" ->s%d", s);
                } else
                    close(fd);
            }
        } else if (c->cmsg_level == SOL_SOCKET &&
                   c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof(u));
            out(" {cred pid=%s uid=%s gid=%s}", who(u.pid), uidname(u.uid),
                u.gid == getegid() ? "me" : "x");
        } else
            out(" {cmsg %d/%d}", c->cmsg_level, c->cmsg_type);
    }
}

static void do_op(unsigned i, const uint32_t *r)
{
    /* weights: socket ops on live sockets dominate */
    static const unsigned char opmap[32] = { 0,  1,  2,  3,  4,  4,  4,  5,
                                             6,  7,  6,  7,  8,  8,  9,  10,
                                             9,  11, 12, 11, 13, 14, 14, 15,
                                             15, 16, 17, 18, 19, 20, 21, 22 };
    unsigned op = opmap[r[0] % 32];
    /* The slot: a live one for operations on a socket, a free one to
     * create one (the actor's own state decides; the draws are fixed). */
    int live[NSLOT], nl = 0, s, fd;
    for (int k = 0; k < NSLOT; k++)
        if (slot[k] >= 0)
            live[nl++] = k;
    if (op >= 4 && op <= 15 && nl > 0)
        s = live[r[1] % (unsigned)nl];
    else if (op <= 1 && nslot() >= 0)
        s = nslot();
    else
        s = (int)(r[1] % NSLOT);
    fd = slot[s];
    struct sockaddr_un sa;
    socklen_t sl;
    long ret;
    out("%u %s", i, me == 0 ? "P" : me == 1 ? "C1" : "C2");
    /* Operations on a socket slot that is empty print only that. */
    if (op >= 4 && op <= 15 && fd < 0) {
        out(" op%u s%d empty", op, s);
        return;
    }
    switch (op) {
    case 0:
    case 1: { /* socket */
        static const int types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
        int t = types[r[2] % 3];
        int fl = (r[3] & 1 ? SOCK_CLOEXEC : 0) | (r[3] & 2 ? SOCK_NONBLOCK : 0);
        if (fd >= 0)
            close(fd);
        slot[s] = socket(AF_UNIX, t | fl, 0);
        out(" socket s%d %s fl=%d", s, tname(t), r[3] & 3);
        if (slot[s] < 0)
            res(-1);
        else
            out(" = ok");
        break;
    }
    case 2: { /* socketpair */
        static const int types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
        int t = types[r[2] % 3], sv[2];
        int s2 = (int)(r[3] % NSLOT);
        if (s2 == s)
            s2 = (s + 1) % NSLOT;
        if (slot[s] >= 0)
            close(slot[s]);
        if (slot[s2] >= 0)
            close(slot[s2]);
        slot[s] = slot[s2] = -1;
        ret = socketpair(AF_UNIX, t, 0, sv);
        out(" socketpair s%d s%d %s", s, s2, tname(t));
        res(ret);
        if (ret == 0) {
            slot[s] = sv[0];
            slot[s2] = sv[1];
            getnames(sv[0]);
        }
        break;
    }
    case 3: /* close */
        out(" close s%d", s);
        if (fd >= 0) {
            res(close(fd));
            slot[s] = -1;
        } else
            out(" empty");
        break;
    case 4: { /* bind */
        unsigned n = r[2] % NNAME;
        if (n == 9 && geteuid() == 0)
            n = 0;
        name_addr(n, &sa, &sl);
        out(" bind s%d n%u", s, n);
        res(bind(fd, (struct sockaddr *)&sa, sl));
        getnames(fd);
        break;
    }
    case 5: /* listen */
        out(" listen s%d", s);
        res(listen(fd, 4));
        break;
    case 6:
    case 7: { /* connect */
        unsigned n = r[2] % NNAME;
        name_addr(n, &sa, &sl);
        out(" connect s%d n%u", s, n);
        if (r[3] % 4 == 0) {
            /* disconnect a datagram socket / AF_UNSPEC */
            struct sockaddr u = { .sa_family = AF_UNSPEC };
            out(" unspec");
            res(connect(fd, &u, sizeof(u)));
        } else
            res(connect(fd, (struct sockaddr *)&sa, sl));
        getnames(fd);
        break;
    }
    case 8: { /* accept */
        unsigned char b[256];
        static const socklen_t lens[4] = { sizeof(struct sockaddr_un), 2, 5,
                                           0 };
        socklen_t inl = lens[r[2] % 4], l = inl;
        int fl = (r[3] & 1 ? SOCK_CLOEXEC : 0) | SOCK_NONBLOCK;
        memset(b, 0xAA, sizeof(b));
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int pr = poll(&p, 1, 0);
        out(" accept4 s%d inl=%u fl=%d poll=%d", s, inl, r[3] & 1, pr);
        int nfd = accept4(fd, (struct sockaddr *)b, &l, fl);
        res(nfd < 0 ? -1 : 0);
        if (nfd >= 0) {
            paddr(b, inl, l);
            int ns = nslot();
            if (ns < 0) {
                close(nfd);
                out(" full");
            } else {
                slot[ns] = nfd;
                int fdfl = fcntl(nfd, F_GETFD), stfl = fcntl(nfd, F_GETFL);
                out(" ->s%d cloexec=%d nonblock=%d", ns, fdfl & FD_CLOEXEC,
                    !!(stfl & O_NONBLOCK));
                getnames(nfd);
            }
        }
        break;
    }
    case 9:
    case 10: { /* send */
        char msg[32];
        int ml = snprintf(msg, sizeof(msg), "m%u-%s", i,
                          r[4] & 1 ? "xxxxxxxx" : "y");
        unsigned how = r[2] % 3, n = r[3] % NNAME;
        if (n == 9 && geteuid() == 0)
            n = 0;
        name_addr(n, &sa, &sl);
        if (how == 0) {
            out(" send s%d", s);
            ret = send(fd, msg, (size_t)ml, MSG_DONTWAIT | MSG_NOSIGNAL);
        } else if (how == 1) {
            out(" sendto s%d n%u", s, n);
            ret = sendto(fd, msg, (size_t)ml, MSG_DONTWAIT | MSG_NOSIGNAL,
                         (struct sockaddr *)&sa, sl);
        } else {
            struct iovec iov = { msg, (size_t)ml };
            struct msghdr m = { 0 };
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            if (r[4] & 2) {
                m.msg_name = &sa;
                m.msg_namelen = sl;
                out(" sendmsg s%d n%u", s, n);
            } else
                out(" sendmsg s%d", s);
            ret = sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
        }
        res(ret);
        break;
    }
    case 11:
    case 12: { /* recv */
        unsigned char b[256];
        static const socklen_t lens[4] = { sizeof(struct sockaddr_un), 2, 5,
                                           9 };
        socklen_t inl = lens[r[2] % 4], l = inl;
        char data[64];
        size_t dl = r[3] & 4 ? 4 : sizeof(data);
        int fl = MSG_DONTWAIT | (r[3] & 1 ? MSG_PEEK : 0) |
                 (r[3] & 2 ? MSG_TRUNC : 0);
        memset(b, 0xAA, sizeof(b));
        memset(data, 0, sizeof(data));
        unsigned how = r[4] % 3;
        if (how == 0) {
            out(" recv s%d dl=%zu fl=%u", s, dl, r[3] & 3);
            ret = recv(fd, data, dl, fl);
            res(ret);
        } else if (how == 1) {
            out(" recvfrom s%d dl=%zu fl=%u inl=%u", s, dl, r[3] & 3, inl);
            ret = recvfrom(fd, data, dl, fl, (struct sockaddr *)b, &l);
            res(ret);
            if (ret >= 0)
                paddr(b, inl, l);
        } else {
            union {
                char buf[CMSG_SPACE(sizeof(int) * 4) +
                         CMSG_SPACE(sizeof(struct ucred))];
                struct cmsghdr align;
            } cm;
            struct iovec iov = { data, dl };
            struct msghdr m = { 0 };
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_name = b;
            m.msg_namelen = inl;
            m.msg_control = cm.buf;
            m.msg_controllen = sizeof(cm.buf);
            out(" recvmsg s%d dl=%zu fl=%u inl=%u", s, dl, r[3] & 3, inl);
            ret = recvmsg(fd, &m, fl | MSG_CMSG_CLOEXEC);
            res(ret);
            if (ret >= 0) {
                paddr(b, inl, m.msg_namelen);
                out(" mfl=%s%s", m.msg_flags & MSG_TRUNC ? "T" : "",
                    m.msg_flags & MSG_EOR ? "E" : "");
                recv_cmsgs(&m);
            }
        }
        if (ret > 0)
            out(" \"%.*s\"", (int)(ret < (long)dl ? ret : (long)dl), data);
        break;
    }
    case 13: { /* shutdown + poll */
        int how = (int)(r[2] % 4);
        if (how < 3) {
            out(" shutdown s%d %d", s, how);
            res(shutdown(fd, how));
        } else
            out(" poll s%d", s);
        struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };
        int pr = poll(&p, 1, 0);
        out(" poll=%d rev=%x", pr, p.revents);
        break;
    }
    case 14: { /* pass an fd */
        int pfd[2] = { -1, -1 }, sfd = -1;
        unsigned kind = r[2] % 5;
        const char *kn = "";
        switch (kind) {
        case 0:
        case 1:
            sfd = ffd;
            kn = "file";
            out(" (off=%ld)", (long)lseek(ffd, 0, SEEK_CUR));
            break;
        case 2:
            sfd = open(".", O_RDONLY | O_DIRECTORY);
            kn = "dir";
            break;
        case 3:
            if (pipe(pfd) == 0 && write(pfd[1], "pipedata", 8) == 8)
                sfd = pfd[0];
            kn = "pipe";
            break;
        default: {
            int s2 = (int)(r[3] % NSLOT);
            sfd = slot[s2];
            kn = "sock";
            out(" s%d", s2);
            if (sfd < 0)
                sfd = fd;
        }
        }
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } cm;
        memset(&cm, 0, sizeof(cm));
        char d = 'F';
        struct iovec iov = { &d, 1 };
        struct msghdr m = { 0 };
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        m.msg_control = cm.buf;
        m.msg_controllen = sizeof(cm.buf);
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &sfd, sizeof(int));
        out(" sendfd s%d %s", s, kn);
        res(sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL));
        if (kind == 2)
            close(sfd);
        if (kind == 3) {
            close(pfd[0]);
            close(pfd[1]);
        }
        break;
    }
    case 15: { /* credentials and names */
        unsigned k = r[2] % 4;
        if (k == 0) {
            int on = 1;
            out(" passcred s%d", s);
            res(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
            getnames(fd);
        } else if (k == 1) {
            struct ucred u;
            socklen_t l = sizeof(u);
            out(" peercred s%d", s);
            ret = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &u, &l);
            res(ret);
            if (ret == 0)
                out(" pid=%s uid=%s gid=%s", who(u.pid),
                    u.uid == (uid_t)-1 ? "-1" : uidname(u.uid),
                    u.gid == (gid_t)-1   ? "-1"
                    : u.gid == getegid() ? "me"
                                         : "x");
        } else if (k == 2) {
            /* explicit SCM_CREDENTIALS */
            union {
                char buf[CMSG_SPACE(sizeof(struct ucred))];
                struct cmsghdr align;
            } cm;
            memset(&cm, 0, sizeof(cm));
            struct ucred u = { getpid(), getuid(), getgid() };
            if (r[3] & 1)
                u.pid = pids[0];
            char d = 'C';
            struct iovec iov = { &d, 1 };
            struct msghdr m = { 0 };
            m.msg_iov = &iov;
            m.msg_iovlen = 1;
            m.msg_control = cm.buf;
            m.msg_controllen = sizeof(cm.buf);
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_CREDENTIALS;
            c->cmsg_len = CMSG_LEN(sizeof(u));
            memcpy(CMSG_DATA(c), &u, sizeof(u));
            out(" sendcred s%d pid=%s", s, who(u.pid));
            res(sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL));
        } else {
            out(" names s%d %s", s, tname(sotype(fd)));
            getnames(fd);
        }
        break;
    }
    case 16:
    case 17: { /* unlink / rename */
        unsigned n = r[2] % NNAME;
        if (n >= 10 && n <= 12)
            n = 13;
        char from[200];
        snprintf(from, sizeof(from), "%s", path_of(n));
        if (op == 16) {
            out(" unlink n%u", n);
            res(unlink(from));
        } else {
            unsigned n2 = r[3] % 3 == 0 ? 13 : r[3] % 3 == 1 ? 0 : 1;
            out(" rename n%u n%u", n, n2);
            res(rename(from, path_of(n2)));
        }
        break;
    }
    case 18: { /* stat */
        unsigned n = r[2] % NNAME;
        if (n >= 10 && n <= 12)
            n = 13;
        struct stat st;
        out(" stat n%u", n);
        ret = stat(path_of(n), &st);
        res(ret);
        if (ret == 0)
            out(" fmt=%o mode=%o", (st.st_mode & S_IFMT) >> 12,
                st.st_mode & 07777);
        break;
    }
    case 19: { /* chmod */
        unsigned n = r[2] % 3 == 0 ? 0 : r[2] % 3 == 1 ? 1 : 13;
        mode_t m = r[3] & 1 ? 0 : 0777;
        if (m == 0 && geteuid() == 0)
            m = 0555; /* root ignores modes: keep the trace comparable */
        out(" chmod n%u %o", n, m);
        res(chmod(path_of(n), m));
        break;
    }
    case 20: { /* umask */
        mode_t m = r[2] & 1 ? 022 : 077;
        out(" umask %o", m);
        umask(m);
        break;
    }
    case 21: /* fresh file offset, reread */
        out(" file off=%ld", (long)lseek(ffd, 0, SEEK_CUR));
        if (r[2] & 1)
            out(" rewind=%ld", (long)lseek(ffd, 0, SEEK_SET));
        break;
    default: { /* a blocking-free exchange check: poll all slots */
        out(" pollall");
        for (int k = 0; k < NSLOT; k++) {
            if (slot[k] < 0)
                continue;
            struct pollfd p = { .fd = slot[k], .events = POLLIN | POLLOUT };
            poll(&p, 1, 0);
            out(" s%d:%x", k, p.revents);
        }
        break;
    }
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: unix-fuzz DIR SEED NOPS\n");
        return 2;
    }
    unsigned seed = (unsigned)strtoul(argv[2], NULL, 0);
    unsigned nops = (unsigned)strtoul(argv[3], NULL, 0);
    snprintf(dir, sizeof(dir), "%s", argv[1]);
    dirlen = strlen(dir);
    /* abstract names are per network namespace: make them the run's own */
    abs_tag = seed * 2654435761u ^ (unsigned)getpid();
    signal(SIGPIPE, SIG_IGN);
    umask(022);
    if (mkdir(dir, 0755) < 0 || chdir(dir) < 0) {
        perror(dir);
        return 2;
    }
    if (mkdir("d", 0755) < 0 || mkdir("ro", 0555) < 0) {
        perror("mkdir");
        return 2;
    }
    int f = open("file", O_CREAT | O_RDWR, 0644);
    if (f < 0 || write(f, "0123456789abcdefghijklmnopqrstuvwxyz", 36) != 36) {
        perror("file");
        return 2;
    }
    close(f);
    pids = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                -1, 0);
    if (pids == MAP_FAILED)
        return 2;
    pids[0] = getpid();
    for (int i = 0; i < NSLOT; i++)
        slot[i] = -1;
    int pc[3][2], pd[2];
    static const int types[3] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    for (int k = 0; k < 3; k++)
        if (socketpair(AF_UNIX, types[k], 0, pc[k]) < 0)
            return 2;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pd) < 0)
        return 2;
    for (int k = 0; k < NPROC; k++)
        if (pipe(tok[k]) < 0)
            return 2;
    int fin[2], go[2];
    if (pipe(fin) < 0 || pipe(go) < 0)
        return 2;
    me = 0;
    for (int c = 1; c < NPROC; c++) {
        pid_t p = fork();
        if (p < 0)
            return 2;
        if (p == 0) {
            me = c;
            pids[c] = getpid();
            close(go[1]);
            break;
        }
        pids[c] = p;
    }
    /* Slots 0-2: pairs parent-child1; slot 3: parent-child2. */
    for (int k = 0; k < 3; k++) {
        if (me == 0)
            slot[k] = pc[k][0], close(pc[k][1]);
        else if (me == 1)
            slot[k] = pc[k][1], close(pc[k][0]);
        else
            close(pc[k][0]), close(pc[k][1]);
    }
    if (me == 0)
        slot[3] = pd[0], close(pd[1]);
    else if (me == 2)
        slot[3] = pd[1], close(pd[0]);
    else
        close(pd[0]), close(pd[1]);
    ffd = open("file", O_RDWR);
    pids[8 + me] = 1; /* opened */
    alarm(60);
    /* wait until both children's pids are recorded (by the parent) and
     * every process opened "file": an early op renaming or unlinking it
     * left a late child without one (off=-1), natively or not */
    while (!pids[1] || !pids[2] || !pids[8] || !pids[9] || !pids[10])
        usleep(1000);
    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    int prev = 0;
    for (unsigned i = 0; i < nops; i++) {
        uint32_t r[NRAND];
        for (int k = 0; k < NRAND; k++)
            r[k] = rnd32();
        int a = (int)(r[NRAND - 1] % NPROC);
        if (a == me) {
            char c;
            if (i > 0 && prev != me && read(tok[me][0], &c, 1) != 1)
                _exit(4);
            do_op(i, r);
            flush_line();
        }
        /* whoever ran op i hands the turn to the actor of op i+1 */
        if (a == me && i + 1 < nops) {
            uint64_t save = rng;
            uint32_t nr[NRAND];
            for (int k = 0; k < NRAND; k++)
                nr[k] = rnd32();
            rng = save;
            int na = (int)(nr[NRAND - 1] % NPROC);
            if (na != me && write(tok[na][1], "t", 1) != 1)
                _exit(4);
        }
        prev = a;
    }
    /* Nobody exits (closing its sockets) before every operation ran:
     * a child done early would change what the others still see. */
    if (me != 0) {
        char c;
        if (write(fin[1], "d", 1) != 1 || read(go[0], &c, 1) < 0)
            _exit(4);
    } else {
        char c;
        for (int k = 1; k < NPROC; k++)
            if (read(fin[0], &c, 1) != 1)
                _exit(4);
        close(go[1]);
        for (int c = 1; c < NPROC; c++) {
            int st;
            waitpid(pids[c], &st, 0);
            if (!WIFEXITED(st) || WEXITSTATUS(st))
                printf("child%d status %x\n", c, st);
        }
        printf("done\n");
    }
    return 0;
}
