/* SPDX-License-Identifier: MIT */
/*
 * A unix socket address longer than a sockaddr_un (110 bytes on Linux)
 * is EINVAL to bind, connect and sendto (unix_validate_addr), even when
 * the path in it is short. kbox took it for a path cut to sun_path's
 * size: the bind made the socket, the connect found it. Exact sizes are
 * accepted. Usage: unix-addr-length DIR (a writable directory).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest-check.h"

/* An AF_UNIX address for @path followed by @extra zero bytes. */
static socklen_t addr_of(char *buf, size_t size, const char *dir,
                         const char *name, size_t extra)
{
    struct sockaddr_un *a = (struct sockaddr_un *)buf;

    memset(buf, 0, size);
    a->sun_family = AF_UNIX;
    snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name);
    return (socklen_t)(sizeof(*a) + extra);
}

int main(int argc, char **argv)
{
    char buf[256], path[PATH_MAX];
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    int s, c, g, u;
    struct stat st;
    socklen_t n;

    snprintf(path, sizeof(path), "%s/ual-s", dir);
    unlink(path);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    n = addr_of(buf, sizeof(buf), dir, "ual-s", 10);
    errno = 0;
    check(bind(s, (struct sockaddr *)buf, n) < 0 && errno == EINVAL,
          "bind with a %u-byte address: EINVAL", (unsigned)n);
    check(lstat(path, &st) < 0 && errno == ENOENT, "it made no socket node");
    n = addr_of(buf, sizeof(buf), dir, "ual-s", 0);
    check(bind(s, (struct sockaddr *)buf, n) == 0 && listen(s, 1) == 0,
          "bind with a %u-byte address", (unsigned)n);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    n = addr_of(buf, sizeof(buf), dir, "ual-s", 1);
    errno = 0;
    check(connect(c, (struct sockaddr *)buf, n) < 0 && errno == EINVAL,
          "connect with a %u-byte address: EINVAL", (unsigned)n);
    n = addr_of(buf, sizeof(buf), dir, "ual-s", 0);
    check(connect(c, (struct sockaddr *)buf, n) == 0,
          "connect with a %u-byte address", (unsigned)n);

    snprintf(path, sizeof(path), "%s/ual-g", dir);
    unlink(path);
    g = socket(AF_UNIX, SOCK_DGRAM, 0);
    u = socket(AF_UNIX, SOCK_DGRAM, 0);
    n = addr_of(buf, sizeof(buf), dir, "ual-g", 0);
    check(bind(g, (struct sockaddr *)buf, n) == 0, "datagram socket bound");
    n = addr_of(buf, sizeof(buf), dir, "ual-g", 2);
    errno = 0;
    check(sendto(u, "x", 1, 0, (struct sockaddr *)buf, n) < 0 &&
              errno == EINVAL,
          "sendto with a %u-byte address: EINVAL", (unsigned)n);
    n = addr_of(buf, sizeof(buf), dir, "ual-g", 0);
    check(sendto(u, "x", 1, 0, (struct sockaddr *)buf, n) == 1,
          "sendto with a %u-byte address", (unsigned)n);
    {
        struct msghdr mh = { 0 };
        struct iovec v = { "y", 1 };

        mh.msg_name = buf;
        mh.msg_namelen = addr_of(buf, sizeof(buf), dir, "ual-g", 4);
        mh.msg_iov = &v;
        mh.msg_iovlen = 1;
        errno = 0;
        check(sendmsg(u, &mh, 0) < 0 && errno == EINVAL,
              "sendmsg with a %u-byte name: EINVAL", (unsigned)mh.msg_namelen);
    }
    unlink(path);
    snprintf(path, sizeof(path), "%s/ual-s", dir);
    unlink(path);
    close(s);
    close(c);
    close(g);
    close(u);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
