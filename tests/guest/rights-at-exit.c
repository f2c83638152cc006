/* SPDX-License-Identifier: MIT */
/*
 * Exits with image fds in flight: an image file's fd sent in @argv[1]
 * (100) SCM_RIGHTS messages that nobody receives. The guest's exit closes
 * the socket and kbox's tokens with it, whose lx files kbox's reaper
 * thread then releases in its holder task - while kbox's teardown freed
 * that task: kbox died of SIGSEGV (~1 run in 6) after the guest ended.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100, sv[2], sent = 0;
    int fd = open("/etc/passwd", O_RDONLY);
    union {
        char b[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } u;

    if (fd < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
        check(0, "setup");
        return 1;
    }
    for (int i = 0; i < n; i++) {
        char d = 'x';
        struct iovec v = { &d, 1 };
        struct msghdr mh;
        struct cmsghdr *c = &u.align;

        memset(&mh, 0, sizeof(mh));
        mh.msg_iov = &v;
        mh.msg_iovlen = 1;
        mh.msg_control = u.b;
        mh.msg_controllen = sizeof(u.b);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        if (sendmsg(sv[0], &mh, MSG_DONTWAIT) != 1)
            break;
        sent++;
    }
    check(sent == n, "%d of %d messages with an image fd sent", sent, n);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
