/* SPDX-License-Identifier: MIT */
/*
 * Reopening an anonymous inode's file (eventfd, epoll, timerfd,
 * signalfd) by /proc/self/fd/N: the inode is mode 0600 and root's, so
 * Linux refuses a caller who is not root with EACCES, and root gets the
 * open's ENXIO. kbox followed the link with its own rights: a guest user
 * got ENXIO. Found by tests/guest/fd-fuzz. Usage: reopen-anon
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR };
    const char *names[] = { "eventfd", "epoll", "timerfd", "signalfd" };
    int fds[4], want = geteuid() == 0 ? ENXIO : EACCES;
    sigset_t m;

    sigemptyset(&m);
    fds[0] = eventfd(0, 0);
    fds[1] = epoll_create1(0);
    fds[2] = timerfd_create(CLOCK_MONOTONIC, 0);
    fds[3] = signalfd(-1, &m, 0);
    for (int i = 0; i < 4; i++) {
        char p[64];

        check(fds[i] >= 0, "%s made", names[i]);
        snprintf(p, sizeof(p), "/proc/self/fd/%d", fds[i]);
        for (int a = 0; a < 3; a++) {
            int fd;

            errno = 0;
            fd = open(p, acc[a]);
            check(fd == -1 && errno == want,
                  "reopen %s (access %d): %s (got %d %s)", names[i], a,
                  strerrorname_np(want), fd,
                  fd < 0 ? strerrorname_np(errno) : "");
        }
    }
    /* a pipe's reopen works for anyone */
    {
        int pp[2], fd;
        char p[64];

        check(pipe(pp) == 0, "pipe");
        snprintf(p, sizeof(p), "/proc/self/fd/%d", pp[0]);
        fd = open(p, O_RDWR);
        check(fd >= 0, "reopen a pipe: works (got %d)", fd);
    }
    return n_fail ? 1 : 0;
}
