/* SPDX-License-Identifier: MIT */
/*
 * thread-sockets: unix sockets bound to a path, sendfile of an image
 * file into a socket and SCM_RIGHTS of an image file, from the main
 * thread and from another thread. kbox serves these on a copy of the
 * guest's socket (pidfd_getfd), and from any thread but the first it
 * could not get one: bind gave ENOTSOCK, connect ENOENT, sendfile EBADF
 * (pgbench -j 2 failed to connect). Passes natively too.
 *
 * Usage: thread-sockets [DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest-check.h"

static const char *dir;
static __thread int recv_flags; /* msg_flags of the last recv_fd */

static int recv_fd(int s)
{
    char c, ctl[CMSG_SPACE(sizeof(int))];
    struct iovec v = { &c, 1 };
    struct msghdr mh = { .msg_iov = &v,
                         .msg_iovlen = 1,
                         .msg_control = ctl,
                         .msg_controllen = sizeof(ctl) };
    struct cmsghdr *cm;
    int fd = -1;

    if (recvmsg(s, &mh, 0) != 1)
        return -1;
    recv_flags = mh.msg_flags;
    cm = CMSG_FIRSTHDR(&mh);
    if (cm && cm->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
    return fd;
}

static int send_fd(int s, int fd)
{
    char ctl[CMSG_SPACE(sizeof(int))];
    struct iovec v = { "f", 1 };
    struct msghdr mh = { .msg_iov = &v,
                         .msg_iovlen = 1,
                         .msg_control = ctl,
                         .msg_controllen = sizeof(ctl) };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
    return sendmsg(s, &mh, 0) == 1 ? 0 : -1;
}

static void *sockets(void *arg)
{
    const char *who = arg;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char file[512], buf[16] = "";
    int srv, cli, con = -1, f, got;

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ts-%d-%s.sock", dir,
             (int)getpid(), who);
    snprintf(file, sizeof(file), "%s/ts-%d-%s.txt", dir, (int)getpid(), who);
    f = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(f >= 0 && write(f, "hello", 5) == 5, "[%s] a file", who);
    srv = socket(AF_UNIX, SOCK_STREAM, 0);
    cli = socket(AF_UNIX, SOCK_STREAM, 0);
    check(bind(srv, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
              listen(srv, 1) == 0,
          "[%s] bind to a path", who);
    check(connect(cli, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
              (con = accept(srv, NULL, NULL)) >= 0,
          "[%s] connect to it", who);
    {
        off_t off = 0;

        check(sendfile(cli, f, &off, 5) == 5 && read(con, buf, 5) == 5 &&
                  !memcmp(buf, "hello", 5),
              "[%s] sendfile of the file into the socket", who);
    }
    check(send_fd(cli, f) == 0 && (got = recv_fd(con)) >= 0 &&
              pread(got, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5) &&
              close(got) == 0,
          "[%s] SCM_RIGHTS of the file", who);
    /* kbox's own MSG_CMSG_CLOEXEC showed there */
    check(recv_flags == 0, "[%s] recvmsg's msg_flags are 0 (0x%x)", who,
          recv_flags);
    close(con);
    close(cli);
    close(srv);
    close(f);
    unlink(sa.sun_path);
    unlink(file);
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t t;

    setvbuf(stdout, NULL, _IOLBF, 0);
    dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    sockets("main");
    check(pthread_create(&t, NULL, sockets, "thread") == 0 &&
              pthread_join(t, NULL) == 0,
          "the same from another thread");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
