/* SPDX-License-Identifier: MIT */
/*
 * sendmsg with more than 4096 bytes of control data: Linux takes up to
 * net.core.optmem_max (ENOBUFS past it), e.g. 200 SCM_RIGHTS headers of
 * one fd each (4800 bytes), which the receiver gets as one header of 200
 * fds; past SCM_MAX_FD (253) fds in one message it is EINVAL, wherever
 * the headers split them. kbox refused anything past 4096 bytes with
 * ENOBUFS. @argv[1]: a directory to put a file in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest-check.h"

/* sendmsg of @n SCM_RIGHTS headers of one fd (@fd) each, over @controllen
 * bytes (0: just those) */
static long send_many(int s, int fd, int n, size_t controllen)
{
    size_t len = (size_t)n * CMSG_SPACE(sizeof(int));
    struct cmsghdr *c;
    char d = 'x';
    struct iovec v = { &d, 1 };
    struct msghdr mh;
    unsigned char *ctrl;
    long rc;
    int e;

    ctrl = calloc(1, len + 64);
    if (!ctrl)
        return -1000;
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &v;
    mh.msg_iovlen = 1;
    mh.msg_control = ctrl;
    mh.msg_controllen = len;
    for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    if (controllen)
        mh.msg_controllen = controllen;
    rc = sendmsg(s, &mh, MSG_DONTWAIT);
    e = errno;
    free(ctrl);
    errno = e;
    return rc;
}

int main(int argc, char **argv)
{
    char path[4096], buf[16];
    union {
        unsigned char b[CMSG_SPACE(253 * sizeof(int)) + 256];
        struct cmsghdr align;
    } in;
    int sv[2], fd, n = 0, good = 0;
    char d;
    struct iovec v = { &d, 1 };
    struct msghdr mh;
    struct cmsghdr *c;
    long rc;

    snprintf(path, sizeof(path), "%s/sbc.%d", argc > 1 ? argv[1] : "/tmp",
             (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "hello", 5) != 5 ||
        socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
        check(0, "setup");
        return 1;
    }
    unlink(path);

    rc = send_many(sv[0], fd, 200, 0);
    check(rc == 1, "200 SCM_RIGHTS headers (4800 bytes of control): sent");
    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &v;
    mh.msg_iovlen = 1;
    mh.msg_control = in.b;
    mh.msg_controllen = sizeof(in.b);
    rc = rc == 1 ? recvmsg(sv[1], &mh, MSG_DONTWAIT) : -1;
    check(rc == 1 && !(mh.msg_flags & MSG_CTRUNC), "received, not truncated");
    for (c = rc == 1 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++) {
            int g;

            memcpy(&g, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            n++;
            if (pread(g, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5))
                good++;
            close(g);
        }
    }
    check(n == 200 && good == 200, "200 fds received, each the file (%d, %d)",
          n, good);

    rc = send_many(sv[0], fd, 254, 0);
    check(rc == -1 && errno == EINVAL,
          "254 fds in 254 headers (6096 bytes): EINVAL (%ld)", rc);
    rc = send_many(sv[0], fd, 1, 64u << 20);
    check(rc == -1 && errno == ENOBUFS, "64 MiB of control data: ENOBUFS (%ld)",
          rc);
    rc = send_many(sv[0], fd, 2, 0);
    check(rc == 1, "two headers: sent");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
