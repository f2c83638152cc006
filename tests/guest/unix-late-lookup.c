/* SPDX-License-Identifier: MIT */
/*
 * Linux looks the path of a unix connect or datagram send up late: a
 * socket with SO_PASSCRED is autobound first (so after a failed connect
 * or send getsockname shows an abstract name, 8 bytes), and a datagram
 * send reports the socket's pending error (ECONNRESET) and SEND_SHUTDOWN
 * (EPIPE) before the lookup's ENOENT. kbox looked the path up in lx
 * first: ENOENT for all, no autobind. Also: sendmsg (not sendto) of a
 * datagram to a path in a bind reaches the host socket there (it was
 * EXDEV from lx's bind trap, for a bound socket and a missing path).
 * And a seqpacket send checks its connection before the control data:
 * forged SCM_CREDENTIALS on an unconnected one are ENOTCONN (kbox: EPERM).
 * A message sent before either end had SO_PASSCRED carries no
 * credentials: pid 0 and the overflow uid 65534 (kbox said uid 0).
 * Usage: unix-late-lookup DIR
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest-check.h"

static struct sockaddr_un missing;

static socklen_t name_len(int s)
{
    struct sockaddr_un sa;
    socklen_t l = sizeof(sa);

    if (getsockname(s, (struct sockaddr *)&sa, &l))
        return (socklen_t)-1;
    return l;
}

static void passcred(int type, const char *what)
{
    int s = socket(AF_UNIX, type, 0), on = 1, rc;

    setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
    if (type == SOCK_DGRAM && what[0] == 's')
        rc = (int)sendto(s, "x", 1, 0, (struct sockaddr *)&missing,
                         sizeof(missing));
    else
        rc = connect(s, (struct sockaddr *)&missing, sizeof(missing));
    check(rc == -1 && errno == ENOENT,
          "%s with SO_PASSCRED to a missing path: "
          "ENOENT",
          what);
    check(name_len(s) == 8,
          "%s with SO_PASSCRED: autobound (alen %d, "
          "want 8)",
          what, (int)name_len(s));
    close(s);
}

int main(int argc, char **argv)
{
    int p[2], rc;

    if (argc != 2) {
        fprintf(stderr, "usage: unix-late-lookup DIR\n");
        return 2;
    }
    memset(&missing, 0, sizeof(missing));
    missing.sun_family = AF_UNIX;
    snprintf(missing.sun_path, sizeof(missing.sun_path), "%s/ull-missing",
             argv[1]);
    unlink(missing.sun_path);

    /* a datagram pair: b's message unread when a disconnects, so b gets
     * ECONNRESET pending (unix_dgram_disconnected) */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, p);
    send(p[1], "m", 1, 0);
    {
        struct sockaddr sa = { .sa_family = AF_UNSPEC };

        connect(p[0], &sa, sizeof(sa));
    }
    rc = (int)sendto(p[1], "x", 1, 0, (struct sockaddr *)&missing,
                     sizeof(missing));
    check(rc == -1 && errno == ECONNRESET,
          "dgram sendto a missing path with ECONNRESET pending: ECONNRESET");
    rc = (int)sendto(p[1], "x", 1, 0, (struct sockaddr *)&missing,
                     sizeof(missing));
    check(rc == -1 && errno == ENOENT, "the error was taken: then ENOENT");
    shutdown(p[1], SHUT_WR);
    rc = (int)sendto(p[1], "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&missing,
                     sizeof(missing));
    check(rc == -1 && errno == EPIPE,
          "dgram sendto a missing path after SHUT_WR: EPIPE");
    {
        struct iovec v = { "y", 1 };
        struct msghdr mh = { .msg_name = &missing,
                             .msg_namelen = sizeof(missing),
                             .msg_iov = &v,
                             .msg_iovlen = 1 };

        rc = (int)sendmsg(p[1], &mh, MSG_NOSIGNAL);
        check(rc == -1 && errno == EPIPE,
              "dgram sendmsg to a missing path after SHUT_WR: EPIPE");
    }
    close(p[0]);
    close(p[1]);

    passcred(SOCK_STREAM, "connect stream");
    passcred(SOCK_DGRAM, "connect dgram");
    passcred(SOCK_DGRAM, "sendto dgram");
    {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        struct iovec v = { "z", 1 };
        struct msghdr mh = { .msg_name = &a,
                             .msg_namelen = sizeof(a),
                             .msg_iov = &v,
                             .msg_iovlen = 1 };
        int r = socket(AF_UNIX, SOCK_DGRAM, 0);
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        char c = 0;

        snprintf(a.sun_path, sizeof(a.sun_path), "%s/ull.sock", argv[1]);
        unlink(a.sun_path);
        check(!bind(r, (struct sockaddr *)&a, sizeof(a)), "bind %s",
              a.sun_path);
        rc = (int)sendmsg(s, &mh, 0);
        check(rc == 1 && recv(r, &c, 1, MSG_DONTWAIT) == 1 && c == 'z',
              "sendmsg to the bound socket's path arrives");
        unlink(a.sun_path);
        mh.msg_name = &missing;
        rc = (int)sendmsg(s, &mh, 0);
        check(rc == -1 && errno == ENOENT, "sendmsg to a missing path: ENOENT");
        close(r);
        close(s);
    }
    {
        /* another process's pid: refused unless CAP_SYS_ADMIN, but the
         * connection is checked first */
        struct ucred uc = { getppid(), getuid(), getgid() };
        union {
            char b[CMSG_SPACE(sizeof(uc))];
            struct cmsghdr align;
        } u;
        struct iovec v = { "c", 1 };
        struct msghdr mh = { .msg_iov = &v,
                             .msg_iovlen = 1,
                             .msg_control = u.b,
                             .msg_controllen = sizeof(u.b) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof(uc));
        memcpy(CMSG_DATA(c), &uc, sizeof(uc));
        rc = (int)sendmsg(s, &mh, MSG_NOSIGNAL);
        check(rc == -1 && errno == ENOTCONN,
              "forged SCM_CREDENTIALS on an unconnected seqpacket socket: "
              "ENOTCONN");
        close(s);
    }
    {
        union {
            char b[CMSG_SPACE(sizeof(struct ucred))];
            struct cmsghdr align;
        } u;
        struct ucred uc = { -1, 1, 1 };
        char c;
        struct iovec v = { &c, 1 };
        struct msghdr mh = { .msg_iov = &v,
                             .msg_iovlen = 1,
                             .msg_control = u.b,
                             .msg_controllen = sizeof(u.b) };
        struct cmsghdr *cm;
        int on = 1;

        socketpair(AF_UNIX, SOCK_DGRAM, 0, p);
        send(p[0], "n", 1, 0);
        setsockopt(p[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
        rc = (int)recvmsg(p[1], &mh, MSG_DONTWAIT);
        cm = rc == 1 ? CMSG_FIRSTHDR(&mh) : NULL;
        if (cm && cm->cmsg_type == SCM_CREDENTIALS)
            memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
        check(uc.pid == 0 && uc.uid == 65534,
              "a message sent before SO_PASSCRED: pid 0 uid 65534 (pid %d "
              "uid %u)",
              (int)uc.pid, (unsigned)uc.uid);
        close(p[0]);
        close(p[1]);
    }
    /* without SO_PASSCRED nothing is bound */
    {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);

        rc = connect(s, (struct sockaddr *)&missing, sizeof(missing));
        check(rc == -1 && errno == ENOENT && name_len(s) == 2,
              "connect without SO_PASSCRED: ENOENT, unbound");
        close(s);
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
