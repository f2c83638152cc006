/* SPDX-License-Identifier: MIT */
/*
 * fifo-readiness: what tests/guest/poll-fuzz found in kbox's FIFO
 * readiness mirrors. A read drains a FIFO for every open of it, yet
 * another open's mirror stayed readable (an epoll loop on it spun on
 * EAGAIN); a dup of a write end polled readable (it got the always-ready
 * placeholder); and an EPOLLET item was not reported again for a second
 * write while the FIFO was still readable (Linux reports it at every
 * write, and a program that reads part and waits again relies on that);
 * all write ends shared one host file, so a closed one stayed in an
 * epoll set (EPOLLOUT for a closed fd, EEXIST adding a new one there).
 * Passes natively too.
 *
 * Usage: fifo-readiness [DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static short polled(int fd, short events)
{
    struct pollfd p = { fd, events, 0 };

    return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

static int select_readable(int fd)
{
    fd_set r;
    struct timeval tv = { 0, 0 };

    FD_ZERO(&r);
    FD_SET(fd, &r);
    return select(fd + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &r);
}

/* Two opens of one FIFO (as two processes each opening it): a read on
 * one leaves the other not readable either. */
static void other_open_drained(const char *path)
{
    int a = open(path, O_RDONLY | O_NONBLOCK), b, w, ep;
    struct epoll_event ev = { .events = EPOLLIN }, got;
    char buf[64];
    pid_t pid;

    b = open(path, O_RDWR | O_NONBLOCK);
    w = open(path, O_WRONLY | O_NONBLOCK);
    check(a >= 0 && b >= 0 && w >= 0, "open a reader, an O_RDWR end, a writer");
    check(write(w, "abc", 3) == 3, "write 3 bytes");
    check(polled(a, POLLIN) & POLLIN, "reader: readable");
    check(polled(b, POLLIN) & POLLIN, "O_RDWR end: readable");
    ep = epoll_create1(0);
    check(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev) == 0,
          "epoll takes the O_RDWR end");
    /* a child reads it all through the first open */
    pid = fork();
    if (pid == 0)
        _exit(read(a, buf, sizeof(buf)) == 3 ? 0 : 1);
    waitpid(pid, NULL, 0);
    check(polled(a, POLLIN) == 0, "drained: reader not readable");
    check(polled(b, POLLIN) == 0, "drained: the other open not readable");
    check(!select_readable(b), "drained: select agrees");
    check(epoll_wait(ep, &got, 1, 0) == 0, "drained: epoll reports nothing");
    check(read(b, buf, sizeof(buf)) < 0, "and a read finds nothing");
    check(write(w, "d", 1) == 1 && (polled(b, POLLIN) & POLLIN),
          "a new byte: readable again");
    close(ep);
    close(a);
    close(b);
    close(w);
}

/* A dup of a write end polls as the write end does: never readable. */
static void dup_of_write_end(const char *path)
{
    int r = open(path, O_RDONLY | O_NONBLOCK), w, d, d2;

    w = open(path, O_WRONLY | O_NONBLOCK);
    check(r >= 0 && w >= 0, "open both ends");
    d = fcntl(w, F_DUPFD_CLOEXEC, 0);
    d2 = dup(w);
    check(d >= 0 && d2 >= 0, "dup the write end");
    check(!(polled(w, POLLIN) & POLLIN), "write end: not readable");
    check(!(polled(d, POLLIN) & POLLIN), "F_DUPFD copy: not readable");
    check(!(polled(d2, POLLIN) & POLLIN), "dup copy: not readable");
    check(!select_readable(d2), "dup copy: select says not readable");
    check(polled(d2, POLLOUT) & POLLOUT, "dup copy: writable");
    check(write(d, "x", 1) == 1, "write through the copy");
    check(!(polled(d, POLLIN) & POLLIN), "still not readable");
    close(d);
    close(d2);
    close(w);
    close(r);
}

/* A write end closed while in an epoll set leaves it; a new write end at
 * the same number can be added (kbox shared one host file among all write
 * ends: EEXIST, and EPOLLOUT reported for the closed fd). */
static void closed_write_end_leaves_epoll(const char *path)
{
    int r = open(path, O_RDONLY | O_NONBLOCK), w, w2, ep;
    struct epoll_event ev = { .events = EPOLLOUT }, got;

    w = open(path, O_WRONLY | O_NONBLOCK);
    ep = epoll_create1(0);
    check(r >= 0 && w >= 0 && ep >= 0 &&
              epoll_ctl(ep, EPOLL_CTL_ADD, w, &ev) == 0,
          "epoll takes a write end");
    check(epoll_wait(ep, &got, 1, 0) == 1 && (got.events & EPOLLOUT),
          "it is writable");
    close(w);
    check(epoll_wait(ep, &got, 1, 0) == 0, "closed: epoll reports nothing");
    w2 = open(path, O_WRONLY | O_NONBLOCK);
    check(w2 == w, "a new write end at the same number");
    check(epoll_ctl(ep, EPOLL_CTL_ADD, w2, &ev) == 0,
          "epoll takes it (not EEXIST)");
    close(w2);
    close(ep);
    close(r);
}

static int wfd;
static void *late_writer(void *arg)
{
    (void)arg;
    usleep(100000);
    if (write(wfd, "y", 1) != 1)
        return NULL;
    return NULL;
}

/* EPOLLET: each write is an event, also while data is still unread. */
static void edge_per_write(const char *path)
{
    int r = open(path, O_RDONLY | O_NONBLOCK), ep;
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET }, got;
    pthread_t th;

    wfd = open(path, O_WRONLY | O_NONBLOCK);
    ep = epoll_create1(0);
    check(r >= 0 && wfd >= 0 && ep >= 0 &&
              epoll_ctl(ep, EPOLL_CTL_ADD, r, &ev) == 0,
          "an EPOLLET item on the read end");
    check(write(wfd, "a", 1) == 1, "write a byte");
    check(epoll_wait(ep, &got, 1, 1000) == 1, "ET: the write reported");
    check(epoll_wait(ep, &got, 1, 0) == 0, "ET: not again without a write");
    check(write(wfd, "b", 1) == 1, "write again, nothing read");
    check(epoll_wait(ep, &got, 1, 1000) == 1, "ET: the second write reported");
    pthread_create(&th, NULL, late_writer, NULL);
    check(epoll_wait(ep, &got, 1, 5000) == 1,
          "ET: a waiting epoll_wait woken by a third write");
    pthread_join(th, NULL);
    close(ep);
    close(wfd);
    close(r);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    char path[512];

    if (!dir)
        dir = "/tmp";
    snprintf(path, sizeof(path), "%s/fifo-readiness.%d", dir, (int)getpid());
    check(mkfifo(path, 0600) == 0, "mkfifo %s", path);
    other_open_drained(path);
    dup_of_write_end(path);
    closed_write_end_leaves_epoll(path);
    edge_per_write(path);
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
