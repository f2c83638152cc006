/* SPDX-License-Identifier: MIT */
/*
 * A guest reaches no host process or host socket by a call kbox lets the
 * host make:
 * - F_SETOWN, F_SETOWN_EX and FIOSETOWN name a process for SIGIO, which
 *   the host sent with the setter's rights: under kbox run by root a
 *   guest user killed any host process (F_SETSIG SIGKILL, O_ASYNC on a
 *   pipe, a write), under a rootless kbox any process of its user;
 * - connect, sendto and sendmsg with an address the host read again:
 *   a second thread rewrote an abstract name into a host path between
 *   kbox's look and the host's read and reached a socket in the host's
 *   file system (as root under kbox run by root);
 * - ioprio_set(IOPRIO_WHO_PGRP, 0) was the filter's (who 0 taken for
 *   the caller) and changed kbox, in whose group the guest starts;
 * - fchmod, fchown and futimens of a host fd: a second thread swapped
 *   the fd number (dup2) between kbox's look (no fd, a pipe) and the
 *   host's call, which ran with root's CAP_FOWNER/CAP_CHOWN under kbox
 *   run by root: a guest user made a root-owned file in a bind 4777.
 * Usage: host-reach PID PATH [FILE]   (PID: a host process outside the
 *        guest, PATH: host sockets PATH.s (stream) and PATH.d (datagram),
 *        FILE: a file in a bind owned by another user, readable)
 *        host-reach listen PATH SECONDS   (natively: makes those sockets)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest-check.h"

#define TRIES 20000

static struct sockaddr_un addr;
static struct msghdr mh;
static char first;
static volatile int stop;

/* flips the address between an abstract name and the host path */
static void *flipper(void *x)
{
    (void)x;
    while (!stop) {
        addr.sun_path[0] = 0;
        __asm__ volatile("" ::: "memory");
        addr.sun_path[0] = first;
        __asm__ volatile("" ::: "memory");
    }
    return NULL;
}

static int listen_mode(const char *path, int secs)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int s = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0);

    snprintf(a.sun_path, sizeof(a.sun_path), "%s.s", path);
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 64))
        return 1;
    snprintf(a.sun_path, sizeof(a.sun_path), "%s.d", path);
    if (bind(d, (struct sockaddr *)&a, sizeof(a)))
        return 1;
    sleep((unsigned)secs);
    return 0;
}

static void owners(pid_t host)
{
    struct f_owner_ex ex = { F_OWNER_PID, host };
    int p[2], v = host;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, p)) {
        check(0, "socketpair");
        return;
    }
    errno = 0;
    check(fcntl(p[0], F_SETOWN, host) < 0 && errno == ESRCH,
          "F_SETOWN of a host process is ESRCH");
    check(fcntl(p[0], F_SETOWN_EX, &ex) < 0 && errno == ESRCH,
          "F_SETOWN_EX of a host process is ESRCH");
    check(ioctl(p[0], FIOSETOWN, &v) < 0 && errno == ESRCH,
          "FIOSETOWN of a host process is ESRCH");
    check(fcntl(p[0], F_SETOWN, getppid()) < 0,
          "F_SETOWN of the first process's parent (kbox) is refused");
    check(fcntl(p[0], F_SETOWN, getpid()) == 0 &&
              fcntl(p[0], F_GETOWN) == getpid(),
          "F_SETOWN of the caller itself works");
    ex.pid = getpid();
    check(fcntl(p[0], F_SETOWN_EX, &ex) == 0, "F_SETOWN_EX of the caller");
    setvbuf(stdout, NULL, _IONBF, 0);
    /* had any been taken, the write below would kill the host process
     * (the script checks it is alive) */
    fcntl(p[0], F_SETOWN, 0);
    fcntl(p[0], F_SETOWN, host);
    fcntl(p[0], F_SETSIG, SIGKILL);
    v = host;
    ioctl(p[0], FIOSETOWN, &v);
    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
    signal(SIGIO, SIG_IGN);
    if (write(p[1], "x", 1) != 1)
        check(0, "write to the socket");
    close(p[0]);
    close(p[1]);
}

/* @kind 's': connect, 'm': sendmsg, 't': sendto, to PATH.s or PATH.d
 * while the flipper rewrites the address: 1 when the host was reached */
static int race(const char *path, int kind)
{
    static char buf[1];
    struct iovec iov = { buf, 1 };
    int hit = 0, d = socket(AF_UNIX, SOCK_DGRAM, 0);
    pthread_t t;

    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%c", path,
             kind == 's' ? 's' : 'd');
    first = addr.sun_path[0];
    mh.msg_name = &addr;
    mh.msg_namelen = sizeof(addr);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    stop = 0;
    pthread_create(&t, NULL, flipper, NULL);
    for (int i = 0; i < TRIES && !hit; i++) {
        if (kind == 's') {
            int s = socket(AF_UNIX, SOCK_STREAM, 0);

            hit = connect(s, (struct sockaddr *)&addr, sizeof(addr)) == 0;
            close(s);
        } else if (kind == 'm') {
            hit = sendmsg(d, &mh, MSG_DONTWAIT) > 0;
        } else {
            hit = sendto(d, buf, 1, MSG_DONTWAIT, (struct sockaddr *)&addr,
                         sizeof(addr)) > 0;
        }
    }
    stop = 1;
    pthread_join(t, NULL);
    close(d);
    return hit;
}

static void sockets(const char *path)
{
    check(!race(path, 's'), "connect never reached a host socket");
    check(!race(path, 'm'), "sendmsg never reached a host socket");
    check(!race(path, 't'), "sendto never reached a host socket");
}

static void ioprio(void)
{
    long before = syscall(SYS_ioprio_get, 1, getppid());

    if (getpgid(0) != getpgid(getppid()))
        return; /* not in kbox's group: nothing to check */
    syscall(SYS_ioprio_set, 2, 0, (2 << 13) | 7); /* WHO_PGRP, BE 7 */
    check(syscall(SYS_ioprio_get, 1, getppid()) == before,
          "ioprio_set(IOPRIO_WHO_PGRP, 0) left kbox's I/O priority");
}

static int ro_fd, pipe_fd;

/* puts the bind file and a pipe, in turn, at fd 50 */
static void *swapper(void *x)
{
    (void)x;
    while (!stop) {
        close(50);
        dup2(pipe_fd, 50);
        dup2(ro_fd, 50);
    }
    return NULL;
}

static void fd_swaps(const char *file)
{
    struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    struct stat st0, st;
    pthread_t t;
    int p[2];

    ro_fd = open(file, O_RDONLY);
    if (ro_fd < 0 || pipe(p) || fstat(ro_fd, &st0)) {
        check(0, "open %s", file);
        return;
    }
    pipe_fd = p[0];
    check(fchmod(ro_fd, 04777) < 0 && errno == EPERM,
          "fchmod of another's file is EPERM");
    stop = 0;
    pthread_create(&t, NULL, swapper, NULL);
    for (int i = 0; i < TRIES; i++) {
        fchmod(50, 04777);
        fchown(50, getuid(), getgid());
        futimens(50, ts);
    }
    stop = 1;
    pthread_join(t, NULL);
    check(!fstat(ro_fd, &st) && st.st_mode == st0.st_mode &&
              st.st_uid == st0.st_uid && st.st_mtime != 1000000000,
          "fchmod/fchown/futimens at a swapped fd left the file (mode %o "
          "uid %d)",
          (unsigned)st.st_mode, (int)st.st_uid);
    close(p[0]);
    close(p[1]);
    close(ro_fd);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "listen"))
        return listen_mode(argv[2], atoi(argv[3]));
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: host-reach PID PATH [FILE]\n");
        return 2;
    }
    owners((pid_t)atoi(argv[1]));
    sockets(argv[2]);
    ioprio();
    if (argc == 4)
        fd_swaps(argv[3]);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
