/* SPDX-License-Identifier: MIT */
/*
 * Image files passed with SCM_RIGHTS arrive as themselves however they
 * are received and sent: after a recvmsg(MSG_PEEK) the real receive got
 * kbox's empty placeholder instead of the file (the peek had spent it),
 * recvmmsg was the host's (placeholders again), and sendmmsg passed the
 * guest's placeholder fds as they were. And a file whose message is never
 * received (its fd did not fit the receiver's control buffer, or the
 * socket was closed with it queued) is closed: kbox kept it open, so a
 * FIFO passed that way never reached EOF. Usage: rights-mmsg FILE DIR
 * (FILE in the image is read back; a FIFO is made in DIR)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

union ctrl {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
};

static void put_fd(struct msghdr *mh, union ctrl *c, struct iovec *v, int fd)
{
    struct cmsghdr *cm;

    memset(mh, 0, sizeof(*mh));
    memset(c, 0, sizeof(*c));
    v->iov_base = "m";
    v->iov_len = 1;
    mh->msg_iov = v;
    mh->msg_iovlen = 1;
    mh->msg_control = c->buf;
    mh->msg_controllen = sizeof(c->buf);
    cm = CMSG_FIRSTHDR(mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
}

static void want_fd(struct msghdr *mh, union ctrl *c, struct iovec *v, char *b)
{
    memset(mh, 0, sizeof(*mh));
    v->iov_base = b;
    v->iov_len = 1;
    mh->msg_iov = v;
    mh->msg_iovlen = 1;
    mh->msg_control = c->buf;
    mh->msg_controllen = sizeof(c->buf);
}

static int got_fd(struct msghdr *mh)
{
    struct cmsghdr *cm = CMSG_FIRSTHDR(mh);
    int fd = -1;

    if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    return fd;
}

/* Does @fd read as @want from the start? */
static int reads_as(int fd, const char *want)
{
    char b[256];
    ssize_t n = fd >= 0 ? pread(fd, b, sizeof(b) - 1, 0) : -1;

    if (n < 0)
        return 0;
    b[n] = '\0';
    return strcmp(b, want) == 0;
}

/* Pass a FIFO's only writer in a message that is never received (@how:
 * 0 a receive with no room for the fd, 1 the sockets closed): does the
 * reader see EOF (within 2 s)? */
static int writer_dropped(const char *dir, int how)
{
    char p[256], b;
    struct msghdr mh;
    union ctrl c;
    struct iovec v;
    int sp[2], r, w, eof = 0;

    snprintf(p, sizeof(p), "%s/rights-mmsg.fifo", dir);
    unlink(p);
    if (mkfifo(p, 0600) || (r = open(p, O_RDONLY | O_NONBLOCK)) < 0 ||
        (w = open(p, O_WRONLY)) < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sp))
        return 0;
    put_fd(&mh, &c, &v, w);
    if (sendmsg(sp[0], &mh, 0) != 1)
        return 0;
    close(w);
    if (how == 0) {
        memset(&mh, 0, sizeof(mh));
        v.iov_base = &b;
        v.iov_len = 1;
        mh.msg_iov = &v;
        mh.msg_iovlen = 1;
        mh.msg_control = c.buf;
        mh.msg_controllen = CMSG_LEN(0); /* no room for an fd */
        if (recvmsg(sp[1], &mh, 0) != 1 || !(mh.msg_flags & MSG_CTRUNC))
            return 0;
    }
    close(sp[0]);
    close(sp[1]);
    for (int i = 0; i < 200 && !eof; i++) {
        eof = read(r, &b, 1) == 0;
        if (!eof)
            usleep(10000);
    }
    close(r);
    unlink(p);
    return eof;
}

int main(int argc, char **argv)
{
    struct msghdr mh;
    struct mmsghdr mm[2];
    union ctrl c[2];
    struct iovec v[2];
    char want[256], b[2];
    int sp[2], f, n, fd, fd2;

    if (argc != 3) {
        fprintf(stderr, "usage: rights-mmsg FILE DIR\n");
        return 2;
    }
    f = open(argv[1], O_RDONLY);
    n = f >= 0 ? (int)pread(f, want, sizeof(want) - 1, 0) : -1;
    check(n > 0, "%s opened and read", argv[1]);
    if (n <= 0)
        return 1;
    want[n] = '\0';
    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sp) == 0, "a datagram socketpair");

    /* peek, then receive */
    put_fd(&mh, &c[0], &v[0], f);
    check(sendmsg(sp[0], &mh, 0) == 1, "sendmsg with the file");
    want_fd(&mh, &c[1], &v[1], b);
    fd = recvmsg(sp[1], &mh, MSG_PEEK) == 1 ? got_fd(&mh) : -1;
    check(reads_as(fd, want), "MSG_PEEK: the file");
    want_fd(&mh, &c[1], &v[1], b);
    fd2 = recvmsg(sp[1], &mh, 0) == 1 ? got_fd(&mh) : -1;
    check(reads_as(fd2, want), "then the real receive: the file too");
    close(fd);
    close(fd2);

    /* two messages by sendmsg, both by one recvmmsg */
    for (int i = 0; i < 2; i++) {
        put_fd(&mh, &c[0], &v[0], f);
        sendmsg(sp[0], &mh, 0);
    }
    memset(mm, 0, sizeof(mm));
    want_fd(&mm[0].msg_hdr, &c[0], &v[0], b);
    want_fd(&mm[1].msg_hdr, &c[1], &v[1], b + 1);
    n = recvmmsg(sp[1], mm, 2, 0, NULL);
    check(n == 2 && mm[0].msg_len == 1 && mm[1].msg_len == 1,
          "recvmmsg: two messages (%d)", n);
    fd = n == 2 ? got_fd(&mm[0].msg_hdr) : -1;
    fd2 = n == 2 ? got_fd(&mm[1].msg_hdr) : -1;
    check(reads_as(fd, want) && reads_as(fd2, want), "each carries the file");
    close(fd);
    close(fd2);

    /* two by one sendmmsg */
    memset(mm, 0, sizeof(mm));
    put_fd(&mm[0].msg_hdr, &c[0], &v[0], f);
    put_fd(&mm[1].msg_hdr, &c[1], &v[1], f);
    n = sendmmsg(sp[0], mm, 2, 0);
    check(n == 2 && mm[0].msg_len == 1 && mm[1].msg_len == 1,
          "sendmmsg: two messages (%d)", n);
    for (int i = 0; i < 2; i++) {
        want_fd(&mh, &c[0], &v[0], b);
        fd = recvmsg(sp[1], &mh, MSG_DONTWAIT) == 1 ? got_fd(&mh) : -1;
        check(reads_as(fd, want), "message %d of sendmmsg: the file", i + 1);
        close(fd);
    }
    check(writer_dropped(argv[2], 0),
          "a FIFO's writer passed past the receiver's room: EOF");
    check(writer_dropped(argv[2], 1),
          "a FIFO's writer passed, the sockets closed unread: EOF");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
