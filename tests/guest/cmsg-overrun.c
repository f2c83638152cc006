/* SPDX-License-Identifier: MIT */
/*
 * sendmsg with a control header whose cmsg_len runs past msg_controllen
 * (or is shorter than a header): Linux refuses it with EINVAL (CMSG_OK in
 * __scm_send). kbox translated SCM_RIGHTS itself and trusted cmsg_len, so
 * it read "fds" past the guest's control data from its own stack (EBADF,
 * or a wrong fd sent) and could store past its buffers; found by trinity.
 * A msg_namelen longer than a sockaddr_storage is cut to one (it was
 * EFAULT), a negative one is EINVAL.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest-check.h"

static long send_bad(size_t controllen, size_t cmsg_len, int fill)
{
    static union {
        char b[4096];
        struct cmsghdr align;
    } u;
    struct cmsghdr *c = &u.align;
    int *fds = (int *)CMSG_DATA(c), sv[2], e;
    char d = 'x';
    struct iovec v = { &d, 1 };
    struct msghdr mh;
    long rc;

    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
        return -1000;
    for (size_t i = 0; i < (sizeof(u) - CMSG_LEN(0)) / sizeof(int); i++)
        fds[i] = fill;
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = cmsg_len;
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &v;
    mh.msg_iovlen = 1;
    mh.msg_control = u.b;
    mh.msg_controllen = controllen;
    rc = sendmsg(sv[0], &mh, MSG_DONTWAIT);
    e = errno;
    close(sv[0]);
    close(sv[1]);
    errno = e;
    return rc;
}

int main(void)
{
    long rc;

    /* room for two fds, a header claiming 100 (the first is no fd) */
    rc = send_bad(CMSG_LEN(2 * sizeof(int)), CMSG_LEN(100 * sizeof(int)), 9999);
    check(rc == -1 && errno == EINVAL, "cmsg_len past controllen: EINVAL");
    /* the same with valid fds: nothing may be sent */
    rc = send_bad(CMSG_LEN(2 * sizeof(int)), CMSG_LEN(100 * sizeof(int)), 1);
    check(rc == -1 && errno == EINVAL, "valid fds, cmsg_len too long: EINVAL");
    /* the whole buffer of valid fds, cmsg_len far past it */
    rc = send_bad(4096, 0x7fffff00, 1);
    check(rc == -1 && errno == EINVAL, "huge cmsg_len: EINVAL");
    /* more fds than SCM_MAX_FD (253) in one header */
    rc = send_bad(CMSG_LEN(300 * sizeof(int)), CMSG_LEN(300 * sizeof(int)), 1);
    check(rc == -1 && errno == EINVAL, "300 fds in one header: EINVAL");
    /* a well-formed message still goes */
    rc = send_bad(CMSG_LEN(2 * sizeof(int)), CMSG_LEN(2 * sizeof(int)), 1);
    check(rc == 1, "two fds: sent");
    {
        char name[200] = { 0 };
        struct sockaddr_in sin = { .sin_family = AF_INET,
                                   .sin_port = htons(9),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        char d = 'x';
        struct iovec v = { &d, 1 };
        struct msghdr mh;
        int u = socket(AF_INET, SOCK_DGRAM, 0);

        memcpy(name, &sin, sizeof(sin));
        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = &v;
        mh.msg_iovlen = 1;
        mh.msg_name = name;
        mh.msg_namelen = sizeof(name);
        rc = sendmsg(u, &mh, 0);
        check(rc == 1, "UDP sendmsg, msg_namelen 200: sent (%ld)", rc);
        mh.msg_namelen = (socklen_t)-1;
        rc = sendmsg(u, &mh, 0);
        check(rc == -1 && errno == EINVAL, "msg_namelen -1: EINVAL");
        close(u);
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
