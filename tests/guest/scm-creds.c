/* SPDX-License-Identifier: MIT */
/*
 * SCM_CREDENTIALS between guest processes, as Linux checks and delivers
 * them: a sender may name its own pid and real, effective or saved ids
 * (sendmsg was EPERM for every SCM_CREDENTIALS: Go's TestSCMCredentials),
 * and a receiver with SO_PASSCRED sees the sender's pid and guest ids
 * (it saw kbox's host user: uid 0 for every guest user under a root
 * kbox, or kbox's own pid). A child that became uid 1000 sends with and
 * without explicit credentials, on a socketpair and through a socket
 * bound in DIR. Usage (as root): scm-creds DIR
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

/* Send one byte on @s, with credentials @uc unless NULL: 0 or -errno. */
static int send_creds(int s, const struct ucred *uc)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } u;
    struct iovec v = { "x", 1 };
    struct msghdr mh = { .msg_iov = &v, .msg_iovlen = 1 };

    if (uc) {
        struct cmsghdr *c;

        memset(&u, 0, sizeof(u));
        mh.msg_control = u.buf;
        mh.msg_controllen = sizeof(u.buf);
        c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof(*uc));
        memcpy(CMSG_DATA(c), uc, sizeof(*uc));
    }
    return sendmsg(s, &mh, 0) == 1 ? 0 : -errno;
}

/* Receive one byte on @s and its credentials: 0, or -1. */
static int recv_creds(int s, struct ucred *uc)
{
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } u;
    char b;
    struct iovec v = { &b, 1 };
    struct msghdr mh = { .msg_iov = &v,
                         .msg_iovlen = 1,
                         .msg_control = u.buf,
                         .msg_controllen = sizeof(u.buf) };
    struct cmsghdr *c;

    memset(uc, 0xff, sizeof(*uc));
    if (recvmsg(s, &mh, 0) != 1)
        return -1;
    for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            memcpy(uc, CMSG_DATA(c), sizeof(*uc));
            return 0;
        }
    return -1;
}

/* SO_PASSCRED, and a receive timeout: a send that failed must not hang */
static int passcred(int s)
{
    int on = 1;
    struct timeval tv = { 5, 0 };

    return setsockopt(s, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) ||
           setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void expect(int s, pid_t pid, unsigned id, const char *what)
{
    struct ucred uc;
    int rc = recv_creds(s, &uc);

    check(rc == 0 && uc.pid == pid && uc.uid == id && uc.gid == id,
          "%s: pid %d uid %u gid %u (want %d %u %u)", what, (int)uc.pid,
          (unsigned)uc.uid, (unsigned)uc.gid, (int)pid, id, id);
}

/* As uid 1000: what it may and may not send. */
static int child_sends(int s, int dg, const struct sockaddr_un *sa)
{
    struct ucred own = { getpid(), 1000, 1000 };
    struct ucred as_root = { getpid(), 0, 0 };
    struct ucred other = { getppid(), 1000, 1000 };
    struct ucred bad = { getpid(), (uid_t)-1, 1000 };
    int bad_n = 0;

    if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
        return 10;
    if (send_creds(s, &own))
        bad_n |= 1;
    if (send_creds(s, NULL))
        bad_n |= 2;
    if (send_creds(s, &as_root) != -EPERM)
        bad_n |= 4;
    if (send_creds(s, &other) != -EPERM)
        bad_n |= 8;
    if (send_creds(s, &bad) != -EINVAL)
        bad_n |= 16;
    /* a datagram to a path: a send kbox makes for the guest */
    if (connect(dg, (const struct sockaddr *)sa, sizeof(*sa)) ||
        send_creds(dg, &own))
        bad_n |= 32;
    return bad_n ? 20 + bad_n : 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct ucred uc;
    int sp[2], ls, dg, st = 0;
    pid_t child;

    if (argc != 2 || getuid() != 0) {
        fprintf(stderr, "usage (as root): scm-creds DIR\n");
        return 2;
    }
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/scm-creds.sock", argv[1]);
    unlink(sa.sun_path);
    ls = socket(AF_UNIX, SOCK_DGRAM, 0);
    check(ls >= 0 && bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
              chmod(sa.sun_path, 0777) == 0 && passcred(ls) == 0,
          "a datagram socket bound in %s", argv[1]);
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0 && passcred(sp[1]) == 0,
          "a socketpair, SO_PASSCRED on one end");

    /* root's own, explicit and implicit */
    uc = (struct ucred){ getpid(), 0, 0 };
    check(send_creds(sp[0], &uc) == 0, "root sends its own credentials");
    expect(sp[1], getpid(), 0, "received root's explicit credentials");
    check(send_creds(sp[0], NULL) == 0, "root sends without credentials");
    expect(sp[1], getpid(), 0, "received root's implicit credentials");
    /* root may name any user (CAP_SETUID, CAP_SETGID), but not a pid
     * that does not exist */
    uc = (struct ucred){ getpid(), 1234, 1234 };
    check(send_creds(sp[0], &uc) == 0, "root may send another user's ids");
    recv_creds(sp[1], &uc);
    uc = (struct ucred){ 0x3ffffff0, 0, 0 };
    check(send_creds(sp[0], &uc) == -ESRCH, "a pid that does not exist: ESRCH");
    fflush(stdout);
    child = fork();
    if (child == 0) {
        dg = socket(AF_UNIX, SOCK_DGRAM, 0);
        close(sp[1]);
        _exit(child_sends(sp[0], dg, &sa));
    }
    expect(sp[1], child, 1000, "uid 1000's explicit credentials");
    expect(sp[1], child, 1000, "uid 1000's implicit credentials");
    expect(ls, child, 1000, "uid 1000's datagram through a path");
    waitpid(child, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "uid 1000 may send only its own (status %d: 20 + bits of "
          "own, implicit, root's, another pid, uid -1, datagram)",
          WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    unlink(sa.sun_path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
