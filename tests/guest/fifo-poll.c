/* SPDX-License-Identifier: MIT */
/*
 * fifo-poll: poll, select and epoll on every kind of FIFO descriptor say
 * what Linux says. An O_RDWR FIFO (the shell's `exec 3<>fifo`) is
 * readable only while it holds data - bash's `read -t 1 <&3` waited for
 * ever when kbox said "readable" at once - and writable; a write end is
 * writable and can be added to an epoll set (kbox gave EPERM). Passes
 * natively too.
 *
 * Usage: fifo-poll [DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static short polled(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };

    return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

static int select_readable(int fd, int ms)
{
    fd_set r;
    struct timeval tv = { 0, ms * 1000 };

    FD_ZERO(&r);
    FD_SET(fd, &r);
    return select(fd + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &r);
}

static int epoll_events(int ep, int ms)
{
    struct epoll_event ev;

    return epoll_wait(ep, &ev, 1, ms) == 1 ? (int)ev.events : 0;
}

static void read_write_fifo(const char *path)
{
    int fd = open(path, O_RDWR), ep;
    struct epoll_event ev = { .events = EPOLLIN };
    char c;

    check(fd >= 0, "open the FIFO O_RDWR");
    check(polled(fd, POLLIN, 100) == 0, "empty: poll says not readable");
    check(!select_readable(fd, 100), "empty: select says not readable");
    check(polled(fd, POLLOUT, 0) & POLLOUT, "poll says writable");
    ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0,
          "epoll takes it");
    check(epoll_events(ep, 100) == 0, "empty: epoll reports nothing");
    check(write(fd, "x", 1) == 1, "write a byte into it");
    check(polled(fd, POLLIN, 1000) & POLLIN, "poll says readable");
    check(select_readable(fd, 1000), "select says readable");
    check(epoll_events(ep, 1000) & EPOLLIN, "epoll reports EPOLLIN");
    check(read(fd, &c, 1) == 1 && c == 'x', "read the byte back");
    check(polled(fd, POLLIN, 100) == 0, "drained: not readable again");
    close(ep);
    close(fd);
}

static void write_end(const char *path)
{
    int rd = open(path, O_RDONLY | O_NONBLOCK), wr, ep;
    struct epoll_event ev = { .events = EPOLLOUT };
    char c;

    wr = open(path, O_WRONLY | O_NONBLOCK);
    check(rd >= 0 && wr >= 0, "open both ends");
    check(polled(wr, POLLOUT, 1000) & POLLOUT, "write end: poll writable");
    check(polled(wr, POLLIN, 100) == 0, "write end: never readable");
    ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, wr, &ev) == 0,
          "epoll takes a write end");
    check(epoll_events(ep, 1000) & EPOLLOUT, "epoll reports EPOLLOUT");
    check(write(wr, "y", 1) == 1 && read(rd, &c, 1) == 1 && c == 'y',
          "a byte passes from the write end to the read end");
    close(ep);
    close(wr);
    close(rd);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    char path[512];

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(path, sizeof(path), "%s/fifo-poll-%d", dir, (int)getpid());
    check(mkfifo(path, 0600) == 0, "mkfifo");
    read_write_fifo(path);
    write_end(path);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
