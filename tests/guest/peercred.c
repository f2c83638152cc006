/* SPDX-License-Identifier: MIT */
/*
 * SO_PEERCRED of a unix socket names the peer's pid and its effective
 * guest ids: a server checking its client (tmux refused every client
 * when kbox ran as a user other than root; ssh-agent, D-Bus) saw kbox's
 * pid and host ids, as kbox made the connect. A child that became uid
 * 1000 connects to a server bound in each directory given (one it may
 * reach); the server
 * and the child check each other. Usage (as root): peercred DIR...
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int peer(int s, struct ucred *uc)
{
    socklen_t l = sizeof(*uc);

    memset(uc, 0, sizeof(*uc));
    return getsockopt(s, SOL_SOCKET, SO_PEERCRED, uc, &l) == 0 &&
                   l == sizeof(*uc)
               ? 0
               : -1;
}

static void one_dir(const char *dir)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct ucred uc;
    int ls, c, st = 0, p[2];
    pid_t child;
    char ok;

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/peercred.sock", dir);
    unlink(sa.sun_path);
    ls = socket(AF_UNIX, SOCK_STREAM, 0);
    check(ls >= 0 && bind(ls, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
              listen(ls, 1) == 0 && pipe(p) == 0 &&
              chmod(sa.sun_path, 0777) == 0,
          "%s: a listening socket", dir);
    fflush(stdout);
    child = fork();
    if (child == 0) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0), bad = 0;

        close(p[0]);
        if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
            _exit(10);
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)))
            _exit(11);
        /* the listener as the client sees it: the parent, root */
        if (peer(s, &uc) || uc.pid != getppid() || uc.uid != 0 || uc.gid != 0)
            bad = 12;
        ok = bad ? 'n' : 'y';
        if (write(p[1], &ok, 1) != 1)
            bad = 13;
        pause(); /* until the server has checked */
        _exit(bad);
    }
    close(p[1]);
    c = accept(ls, NULL, NULL);
    check(c >= 0 && peer(c, &uc) == 0, "%s: accepted, SO_PEERCRED", dir);
    check(uc.pid == child, "%s: the client's pid (%d, want %d)", dir,
          (int)uc.pid, (int)child);
    check(uc.uid == 1000 && uc.gid == 1000, "%s: its ids (%u:%u)", dir,
          (unsigned)uc.uid, (unsigned)uc.gid);
    check(read(p[0], &ok, 1) == 1 && ok == 'y',
          "%s: the client sees the listener's pid and ids", dir);
    kill(child, SIGTERM);
    waitpid(child, &st, 0);
    close(c);
    close(ls);
    close(p[0]);
    unlink(sa.sun_path);
}

int main(int argc, char **argv)
{
    struct ucred uc;
    int sv[2];

    if (argc < 2 || getuid() != 0) {
        fprintf(stderr, "usage: peercred DIR... (as root)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(20); /* a client that cannot connect leaves accept waiting */
    for (int i = 1; i < argc; i++)
        one_dir(argv[i]);
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 &&
              peer(sv[0], &uc) == 0 && uc.pid == getpid() && uc.uid == 0,
          "socketpair: this process, root");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
