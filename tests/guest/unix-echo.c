/* SPDX-License-Identifier: MIT */
/*
 * unix-echo: a forked server and client talk over a unix socket bound to a
 * path in the guest's filesystem.
 *
 * Stream: 100 messages of growing size plus one 256 KiB message echoed
 * back; datagram: 20 messages; the socket node is S_IFSOCK and connecting
 * after the server is gone gives ECONNREFUSED; SCM_RIGHTS passes an open
 * file from one process to the other; socketpair echo.
 *
 * Usage: unix-echo [SCRATCH_BASE]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define BIG (256 * 1024)

static char scratch[80];

static int full_write(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int full_read(int fd, char *buf, size_t len)
{
    while (len) {
        ssize_t n = read(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void addr_of(struct sockaddr_un *a, const char *name)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", scratch, name);
}

/* server: echo length-prefixed messages until a zero length */
static int stream_server(int lfd)
{
    char *buf = malloc(BIG);
    int c = accept(lfd, NULL, NULL);
    unsigned len;

    if (c < 0)
        return 1;
    for (;;) {
        if (full_read(c, (char *)&len, sizeof(len)))
            return 2;
        if (len == 0)
            break;
        if (len > BIG || full_read(c, buf, len))
            return 3;
        if (full_write(c, (char *)&len, sizeof(len)) || full_write(c, buf, len))
            return 4;
    }
    close(c);
    free(buf);
    return 0;
}

static void test_stream(void)
{
    struct sockaddr_un a;
    struct stat st;
    int lfd, fd, bad = 0, st_ = 0;
    pid_t pid;
    char *out = malloc(BIG), *in = malloc(BIG);
    unsigned len;

    addr_of(&a, "stream.sock");
    lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    check(lfd >= 0, "socket AF_UNIX SOCK_STREAM");
    check(bind(lfd, (struct sockaddr *)&a, sizeof(a)) == 0, "bind %s",
          a.sun_path);
    check(listen(lfd, 4) == 0, "listen");
    check(stat(a.sun_path, &st) == 0 && S_ISSOCK(st.st_mode),
          "socket node is S_IFSOCK in the filesystem");
    check(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a,
               sizeof(a)) == -1 &&
              errno == EADDRINUSE,
          "binding the same path again gives EADDRINUSE");

    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(stream_server(lfd));
    close(lfd);

    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    check(connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0,
          "client connects to the server in another process");
    for (int i = 0; i < 100 && !bad; i++) {
        len = (unsigned)(1 + i * 97);
        for (unsigned k = 0; k < len; k++)
            out[k] = (char)(i + k);
        if (full_write(fd, (char *)&len, sizeof(len)) ||
            full_write(fd, out, len)) {
            bad = 1;
            break;
        }
        unsigned got;

        if (full_read(fd, (char *)&got, sizeof(got)) || got != len ||
            full_read(fd, in, got) || memcmp(in, out, len) != 0)
            bad = 2;
    }
    check(!bad, "100 messages echoed intact (%d)", bad);
    len = BIG;
    for (unsigned k = 0; k < len; k++)
        out[k] = (char)(k * 7);
    {
        /* the reply is read only after the whole send: the server
         * blocks writing while we block writing unless the kernel
         * buffers... so write and read from two processes. */
        pid_t w;
        int s;

        fflush(stdout);
        w = fork();
        if (w == 0) {
            if (full_write(fd, (char *)&len, sizeof(len)) ||
                full_write(fd, out, len))
                _exit(1);
            _exit(0);
        }
        unsigned got = 0;

        check(full_read(fd, (char *)&got, sizeof(got)) == 0 && got == BIG &&
                  full_read(fd, in, BIG) == 0 && memcmp(in, out, BIG) == 0,
              "256 KiB message echoed intact");
        check(waitpid(w, &s, 0) == w && WIFEXITED(s) && WEXITSTATUS(s) == 0,
              "writer process finished");
    }
    len = 0;
    check(full_write(fd, (char *)&len, sizeof(len)) == 0, "send stop");
    check(waitpid(pid, &st_, 0) == pid && WIFEXITED(st_) &&
              WEXITSTATUS(st_) == 0,
          "server exited 0 (status 0x%x)", st_);
    {
        char c;

        check(read(fd, &c, 1) == 0, "EOF after the server closed");
    }
    close(fd);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    check(connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1 &&
              errno == ECONNREFUSED,
          "connect with no listener gives ECONNREFUSED");
    close(fd);
    check(unlink(a.sun_path) == 0, "unlink the socket node");
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    check(connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1 &&
              errno == ENOENT,
          "connect to a removed path gives ENOENT");
    close(fd);
    free(out);
    free(in);
}

static void test_dgram(void)
{
    struct sockaddr_un sa, ca;
    int s, c, bad = 0, st = 0;
    pid_t pid;
    char buf[256];

    addr_of(&sa, "dgram.sock");
    addr_of(&ca, "dgram-client.sock");
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    check(s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0,
          "bind datagram socket");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        /* echo 20 datagrams back to their sender */
        for (int i = 0; i < 20; i++) {
            struct sockaddr_un from;
            socklen_t fl = sizeof(from);
            ssize_t n =
                recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);

            if (n < 0 ||
                sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl) != n)
                _exit(1);
        }
        _exit(0);
    }
    c = socket(AF_UNIX, SOCK_DGRAM, 0);
    check(c >= 0 && bind(c, (struct sockaddr *)&ca, sizeof(ca)) == 0,
          "bind datagram client socket");
    for (int i = 0; i < 20 && !bad; i++) {
        char msg[64];
        int len = snprintf(msg, sizeof(msg), "datagram %d", i);

        if (sendto(c, msg, (size_t)len, 0, (struct sockaddr *)&sa,
                   sizeof(sa)) != len)
            bad = 1;
        else if (recv(c, buf, sizeof(buf), 0) != len ||
                 memcmp(buf, msg, (size_t)len) != 0)
            bad = 2;
    }
    check(!bad, "20 datagrams echoed with boundaries kept (%d)", bad);
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "datagram server exited 0");
    close(s);
    close(c);
    unlink(sa.sun_path);
    unlink(ca.sun_path);
}

static void test_scm_rights(void)
{
    int sv[2], st = 0;
    pid_t pid;
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/passed", scratch);
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        /* child: receive an fd and read the file through it */
        char data[32], cbuf[CMSG_SPACE(sizeof(int))], c;
        struct iovec iov = { &c, 1 };
        struct msghdr mh = { 0 };
        struct cmsghdr *cm;
        int fd;
        ssize_t n;

        close(sv[0]);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        if (recvmsg(sv[1], &mh, 0) != 1)
            _exit(1);
        cm = CMSG_FIRSTHDR(&mh);
        if (!cm || cm->cmsg_type != SCM_RIGHTS)
            _exit(2);
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
        n = pread(fd, data, sizeof(data), 0);
        if (n != 9 || memcmp(data, "via fd ok", 9) != 0)
            _exit(3);
        /* also write through it: parent sees it */
        if (pwrite(fd, "!", 1, 9) != 1)
            _exit(4);
        _exit(0);
    }
    close(sv[1]);
    {
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
        char c = 'F', cbuf[CMSG_SPACE(sizeof(int))], data[16];
        struct iovec iov = { &c, 1 };
        struct msghdr mh = { 0 };
        struct cmsghdr *cm;

        check(fd >= 0 && write(fd, "via fd ok", 9) == 9, "create file to pass");
        memset(cbuf, 0, sizeof(cbuf));
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        check(sendmsg(sv[0], &mh, 0) == 1, "sendmsg SCM_RIGHTS");
        check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
                  WEXITSTATUS(st) == 0,
              "receiver read and wrote the file through the passed fd "
              "(status %d)",
              WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        check(pread(fd, data, 10, 0) == 10 &&
                  memcmp(data, "via fd ok!", 10) == 0,
              "sender sees the receiver's write");
        close(fd);
        unlink(path);
    }
    close(sv[0]);
}

static void test_socketpair(void)
{
    int sv[2], st = 0;
    pid_t pid;
    char buf[64];

    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair 2");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        ssize_t n;

        close(sv[0]);
        while ((n = read(sv[1], buf, sizeof(buf))) > 0)
            if (write(sv[1], buf, (size_t)n) != n)
                _exit(1);
        _exit(n == 0 ? 0 : 2);
    }
    close(sv[1]);
    check(write(sv[0], "ping", 4) == 4 && full_read(sv[0], buf, 4) == 0 &&
              memcmp(buf, "ping", 4) == 0,
          "socketpair echo between processes");
    shutdown(sv[0], SHUT_WR);
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "socketpair peer saw EOF after shutdown");
    close(sv[0]);
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");

    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    alarm(60);
    if (!base || !*base)
        base = "/tmp";
    /* sun_path is 108 bytes: keep the scratch path short */
    snprintf(scratch, sizeof(scratch), "%.60s/ue-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    test_stream();
    test_dgram();
    test_socketpair();
    test_scm_rights();
    check(rmdir(scratch) == 0, "remove scratch dir");
    printf("# unix-echo: %d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
