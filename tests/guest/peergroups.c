/* SPDX-License-Identifier: MIT */
/*
 * SO_PEERGROUPS of a unix socket lists the peer's supplementary groups in
 * the guest: the host's answer was those of the peer's host process (none
 * under a root kbox, kbox's own when rootless), so dbus-daemon saw a
 * client of groups 100 and 1000 as in 1000 only (GetConnectionCredentials
 * and <policy group=...>). A child that took groups 7, 8, 9 and uid 1000
 * connects to a server bound in each directory given; the server checks
 * the list, the ERANGE answer to a short buffer, and a socketpair.
 * Usage (as root): peergroups DIR...
 */
#define _GNU_SOURCE
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59
#endif

/* The peer's groups as "7 8 9" in @buf; their number or -1. */
static int groups_of(int s, char *buf, size_t size)
{
    gid_t g[64];
    socklen_t l = sizeof(g);
    size_t off = 0;

    buf[0] = '\0';
    if (getsockopt(s, SOL_SOCKET, SO_PEERGROUPS, g, &l))
        return -1;
    for (unsigned i = 0; i < l / sizeof(gid_t); i++)
        off += (size_t)snprintf(buf + off, size - off, "%s%u", i ? " " : "",
                                (unsigned)g[i]);
    return (int)(l / sizeof(gid_t));
}

static void one_dir(const char *dir)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char got[256];
    gid_t g[4];
    socklen_t l;
    int ls, c, st = 0, r, p[2];
    pid_t child;
    char ok;

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/peergroups.sock", dir);
    unlink(sa.sun_path);
    ls = socket(AF_UNIX, SOCK_STREAM, 0);
    check(ls >= 0 && bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
              listen(ls, 1) == 0 && pipe(p) == 0 &&
              chmod(sa.sun_path, 0777) == 0,
          "%s: a listening socket", dir);
    fflush(stdout);
    child = fork();
    if (child == 0) {
        gid_t mine[3] = { 7, 8, 9 };
        int s = socket(AF_UNIX, SOCK_STREAM, 0);

        close(p[0]);
        if (setgroups(3, mine) || setresgid(1000, 1000, 1000) ||
            setresuid(1000, 1000, 1000))
            _exit(10);
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)))
            _exit(11);
        /* the listener as the client sees it: root, no groups */
        ok = groups_of(s, got, sizeof(got)) == 0 ? 'y' : 'n';
        if (write(p[1], &ok, 1) != 1)
            _exit(12);
        pause(); /* until the server has checked */
        _exit(0);
    }
    close(p[1]);
    c = accept(ls, NULL, NULL);
    r = groups_of(c, got, sizeof(got));
    check(r == 3 && strcmp(got, "7 8 9") == 0,
          "%s: the client's groups (%d: \"%s\", want \"7 8 9\")", dir, r, got);
    l = 2 * sizeof(gid_t);
    r = getsockopt(c, SOL_SOCKET, SO_PEERGROUPS, g, &l);
    check(r == -1 && errno == ERANGE && l == 3 * sizeof(gid_t),
          "%s: a buffer for two: ERANGE and the length needed (%d, %u)", dir, r,
          (unsigned)l);
    check(read(p[0], &ok, 1) == 1 && ok == 'y',
          "%s: the client sees the listener's groups: none", dir);
    kill(child, SIGTERM);
    waitpid(child, &st, 0);
    close(p[0]);
    close(c);
    close(ls);
    unlink(sa.sun_path);
}

int main(int argc, char **argv)
{
    gid_t mine[2] = { 100, 1000 };
    char got[256];
    int sv[2], r;

    if (argc < 2 || getuid() != 0) {
        fprintf(stderr, "usage: peergroups DIR... (as root)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(20); /* a client that cannot connect leaves accept waiting */
    for (int i = 1; i < argc; i++)
        one_dir(argv[i]);
    check(setgroups(2, mine) == 0, "setgroups 100 1000");
    r = socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0
            ? groups_of(sv[0], got, sizeof(got))
            : -1;
    check(r == 2 && strcmp(got, "100 1000") == 0,
          "socketpair: this process's groups (%d: \"%s\")", r, got);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
