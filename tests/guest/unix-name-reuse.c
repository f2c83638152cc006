/* SPDX-License-Identifier: MIT */
/*
 * getsockname/getpeername of a unix socket whose host name a later
 * socket took over. kbox keeps the guest's name by the host socket's
 * name: <exec_dir>/s-<dev>-<ino>, which a new node gets again once the
 * old node is unlinked and ext4 hands its inode number out again, or
 * /proc/self/fd/N/base in a bind, the same for a socket of the same base
 * name in another bound directory. The older socket, and the sockets
 * connected to it, then reported the newer one's name.
 * Usage: unix-name-reuse DIR [DIR2]: in DIR, a socket bound, connected
 * to, its node unlinked and new sockets bound until one gets its inode
 * number; with DIR2, a socket of the same name there.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest-check.h"

static socklen_t addr(struct sockaddr_un *sa, const char *dir, const char *n)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir, n);
    return sizeof(*sa);
}

/* Is @s's name (@peer: its peer's) @want? */
static int named(int s, int peer, const char *want)
{
    struct sockaddr_un sa;
    socklen_t l = sizeof(sa);

    memset(&sa, 0, sizeof(sa));
    if ((peer ? getpeername : getsockname)(s, (struct sockaddr *)&sa, &l))
        return 0;
    if (strcmp(sa.sun_path, want))
        printf("  %s: %s, want %s\n", peer ? "peer" : "name", sa.sun_path,
               want);
    return !strcmp(sa.sun_path, want);
}

int main(int argc, char **argv)
{
    struct sockaddr_un a, b;
    struct stat st;
    ino_t ino;
    int old, cl, pair[2], nw[32], n = 0, hit = -1;

    if (argc < 2) {
        fprintf(stderr, "usage: unix-name-reuse DIR [DIR2]\n");
        return 2;
    }
    old = socket(AF_UNIX, SOCK_DGRAM, 0);
    addr(&a, argv[1], "nr-old");
    unlink(a.sun_path);
    check(!bind(old, (struct sockaddr *)&a, sizeof(a)), "bind %s", a.sun_path);
    cl = socket(AF_UNIX, SOCK_DGRAM, 0);
    check(!connect(cl, (struct sockaddr *)&a, sizeof(a)), "connect to it");
    /* a socketpair end bound: its peer's getpeername names it */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, pair);
    addr(&b, argv[1], "nr-pair");
    unlink(b.sun_path);
    check(!bind(pair[1], (struct sockaddr *)&b, sizeof(b)), "bind %s",
          b.sun_path);
    stat(a.sun_path, &st);
    ino = st.st_ino;
    unlink(a.sun_path);
    unlink(b.sun_path);
    for (; n < 32 && hit < 0; n++) {
        char name[32];

        snprintf(name, sizeof(name), "nr-new%d", n);
        nw[n] = socket(AF_UNIX, SOCK_DGRAM, 0);
        addr(&b, argv[1], name);
        unlink(b.sun_path);
        if (bind(nw[n], (struct sockaddr *)&b, sizeof(b)))
            break;
        if (!stat(b.sun_path, &st) && st.st_ino == ino)
            hit = n;
    }
    printf("  %s: a new node got the old inode number: %s\n", argv[1],
           hit >= 0 ? "yes" : "no");
    check(named(old, 0, a.sun_path),
          "getsockname of the socket whose node went: its own name");
    check(named(cl, 1, a.sun_path),
          "getpeername of a socket connected to it: that name");
    addr(&b, argv[1], "nr-pair");
    check(named(pair[0], 1, b.sun_path),
          "getpeername of the socketpair end: its peer's name");
    if (hit >= 0) {
        char name[32];

        snprintf(name, sizeof(name), "nr-new%d", hit);
        addr(&b, argv[1], name);
        check(named(nw[hit], 0, b.sun_path),
              "getsockname of the new socket: its own name");
    }
    for (int i = 0; i < n; i++) {
        char name[32];

        snprintf(name, sizeof(name), "nr-new%d", i);
        addr(&b, argv[1], name);
        unlink(b.sun_path);
    }
    if (argc > 2) {
        /* the same base name in two bound directories */
        int s1 = socket(AF_UNIX, SOCK_STREAM, 0);
        int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
        int c1 = socket(AF_UNIX, SOCK_STREAM, 0);

        addr(&a, argv[1], "nr-same");
        addr(&b, argv[2], "nr-same");
        unlink(a.sun_path);
        unlink(b.sun_path);
        check(!bind(s1, (struct sockaddr *)&a, sizeof(a)) && !listen(s1, 1),
              "listen at %s", a.sun_path);
        check(!connect(c1, (struct sockaddr *)&a, sizeof(a)), "connect to it");
        check(!bind(s2, (struct sockaddr *)&b, sizeof(b)), "bind %s",
              b.sun_path);
        check(named(s1, 0, a.sun_path), "getsockname of the first: its name");
        check(named(s2, 0, b.sun_path), "getsockname of the second: its name");
        check(named(c1, 1, a.sun_path),
              "getpeername of the first's client: the first's name");
        unlink(a.sun_path);
        unlink(b.sun_path);
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
