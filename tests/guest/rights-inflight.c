/* SPDX-License-Identifier: MIT */
/*
 * 300 image-file fds in flight at once (one SCM_RIGHTS message each, none
 * received yet), then all received: each must be the file sent. kbox's
 * token table had 256 slots and evicted the oldest token still in
 * flight, so the first 44 arrived as empty "kbox-lxfile" memfds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

#define N 300

union ctl {
    char b[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

int main(int argc, char **argv)
{
    const char *f = argc > 1 ? argv[1] : "/etc/passwd";
    int sv[2], bad = 0, sent = 0, got = 0, sb = 1 << 20;
    struct stat want;

    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) || stat(f, &want)) {
        check(0, "socketpair, stat %s", f);
        return 1;
    }
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sb, sizeof(sb));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sb, sizeof(sb));
    for (int i = 0; i < N; i++) {
        int fd = open(f, O_RDONLY);
        union ctl u;
        char d = 'x';
        struct iovec v = { &d, 1 };
        struct msghdr mh = { .msg_iov = &v,
                             .msg_iovlen = 1,
                             .msg_control = u.b,
                             .msg_controllen = sizeof(u.b) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        if (fd < 0 || sendmsg(sv[0], &mh, MSG_DONTWAIT) != 1)
            break;
        sent++;
        close(fd);
    }
    check(sent == N, "%d of %d messages sent", sent, N);
    for (int i = 0; i < sent; i++) {
        union ctl u;
        char d;
        struct iovec v = { &d, 1 };
        struct msghdr mh = { .msg_iov = &v,
                             .msg_iovlen = 1,
                             .msg_control = u.b,
                             .msg_controllen = sizeof(u.b) };
        struct cmsghdr *c;
        struct stat st;
        int fd;

        if (recvmsg(sv[1], &mh, MSG_DONTWAIT) != 1)
            break;
        got++;
        c = CMSG_FIRSTHDR(&mh);
        if (!c || c->cmsg_type != SCM_RIGHTS) {
            bad++;
            continue;
        }
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        if (fstat(fd, &st) || st.st_ino != want.st_ino ||
            st.st_dev != want.st_dev)
            bad++;
        close(fd);
    }
    check(got == sent, "%d messages received", got);
    check(bad == 0, "every fd received is %s (%d are not)", f, bad);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
