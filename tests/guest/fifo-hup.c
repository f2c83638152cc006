/* SPDX-License-Identifier: MIT */
/*
 * fifo-hup: poll, select and epoll (level and edge) see a FIFO's hang-up
 * and fullness as Linux shows them. A read end whose writers all closed
 * polls POLLHUP, with POLLIN only while data remains, and loses POLLHUP
 * when a new writer opens; one that never had a writer polls nothing. A
 * write end is not writable while the pipe is full, writable again once a
 * reader (here another process) made room, and polls POLLERR once the
 * readers are gone; an O_RDWR open is not writable while full either.
 * kbox showed POLLIN for a hang-up and always POLLOUT.
 * Passes natively too.
 *
 * Usage: fifo-hup [DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static short polled(int fd, short events, int ms)
{
    struct pollfd p = { fd, events, 0 };

    return poll(&p, 1, ms) == 1 ? p.revents : 0;
}

/* 1 readable, 2 writable, 4 exceptional, as select reports them. */
static int selected(int fd, int ms)
{
    fd_set r, w, e;
    struct timeval tv = { 0, ms * 1000 };

    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    FD_SET(fd, &r);
    FD_SET(fd, &w);
    FD_SET(fd, &e);
    if (select(fd + 1, &r, &w, &e, &tv) <= 0)
        return 0;
    return (FD_ISSET(fd, &r) ? 1 : 0) | (FD_ISSET(fd, &w) ? 2 : 0) |
           (FD_ISSET(fd, &e) ? 4 : 0);
}

static int epolled(int ep, int ms)
{
    struct epoll_event ev;

    return epoll_wait(ep, &ev, 1, ms) == 1 ? (int)ev.events : 0;
}

static int epoll_on(int fd, unsigned events)
{
    struct epoll_event ev = { .events = events };
    int ep = epoll_create1(EPOLL_CLOEXEC);

    ev.data.fd = fd;
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
        return -1;
    return ep;
}

static void read_end(const char *path)
{
    int rd = open(path, O_RDONLY | O_NONBLOCK), wr, lt, et, ev;
    char buf[8];
    pid_t pid;

    check(rd >= 0, "open the read end");
    check(polled(rd, POLLIN, 50) == 0,
          "no writer yet: poll reports nothing (got %#x)",
          polled(rd, POLLIN, 0));
    wr = open(path, O_WRONLY);
    check(wr >= 0, "open a write end");
    lt = epoll_on(rd, EPOLLIN);
    et = epoll_on(rd, EPOLLIN | EPOLLET);
    check(lt >= 0 && et >= 0, "epoll takes the read end");
    check(epolled(et, 50) == 0, "EPOLLET: nothing yet");
    check(write(wr, "ab", 2) == 2, "write 2 bytes");
    check(epolled(et, 1000) == EPOLLIN, "EPOLLET: EPOLLIN after the write");
    check(close(wr) == 0, "close the only writer");
    ev = polled(rd, POLLIN, 1000);
    check(ev == (POLLIN | POLLHUP), "data and no writer: POLLIN|POLLHUP (%#x)",
          ev);
    ev = epolled(et, 1000);
    check(ev == (EPOLLIN | EPOLLHUP),
          "EPOLLET: the hang-up is an edge, EPOLLIN|EPOLLHUP (%#x)", ev);
    check(epolled(et, 50) == 0, "EPOLLET: reported once");
    ev = epolled(lt, 0);
    check(ev == (EPOLLIN | EPOLLHUP), "level: EPOLLIN|EPOLLHUP (%#x)", ev);
    check(selected(rd, 0) == 1, "select: readable only");
    check(read(rd, buf, sizeof(buf)) == 2, "read the 2 bytes");
    ev = polled(rd, POLLIN, 0);
    check(ev == POLLHUP, "drained, no writer: POLLHUP only (%#x)", ev);
    ev = epolled(lt, 0);
    check(ev == EPOLLHUP, "level: EPOLLHUP only (%#x)", ev);
    check(selected(rd, 0) == 1, "select: still readable (EOF)");
    check(read(rd, buf, sizeof(buf)) == 0, "read says EOF");
    check(polled(rd, POLLIN, 0) == POLLHUP, "still POLLHUP after EOF");

    /* A new writer ends the hang-up. */
    wr = open(path, O_WRONLY);
    check(wr >= 0, "open a new writer");
    ev = polled(rd, POLLIN, 50);
    check(ev == 0, "a writer again: nothing to report (%#x)", ev);
    check(epolled(lt, 0) == 0, "level: nothing either");
    check(selected(rd, 0) == 0, "select: not readable");
    check(write(wr, "c", 1) == 1, "write 1 byte");
    ev = polled(rd, POLLIN, 1000);
    check(ev == POLLIN, "data, a writer: POLLIN only (%#x)", ev);
    check(read(rd, buf, sizeof(buf)) == 1, "read it");

    /* A writer in another process that exits: a blocked poll wakes. */
    while (epolled(et, 0))
        ;
    pid = fork();
    if (pid == 0) {
        int w = open(path, O_WRONLY);

        close(wr);
        usleep(100 * 1000);
        _exit(w >= 0 && write(w, "d", 1) == 1 ? 0 : 1);
    }
    check(pid > 0, "fork a writer");
    close(wr);
    ev = polled(rd, POLLIN, 3000);
    check(ev & POLLIN, "poll waits for the child's byte (%#x)", ev);
    waitpid(pid, NULL, 0);
    ev = polled(rd, POLLIN, 1000);
    check(ev == (POLLIN | POLLHUP),
          "child gone, byte left: POLLIN|POLLHUP (%#x)", ev);
    check(read(rd, buf, sizeof(buf)) == 1, "read the child's byte");
    check(polled(rd, POLLIN, 0) == POLLHUP, "then POLLHUP only");
    close(lt);
    close(et);
    close(rd);
}

static void write_end(const char *path)
{
    int rd = open(path, O_RDONLY | O_NONBLOCK), wr, lt, et, ev, n = 0;
    char buf[4096];
    pid_t pid;
    ssize_t w;

    check(rd >= 0, "open a reader");
    wr = open(path, O_WRONLY | O_NONBLOCK);
    check(wr >= 0, "open the write end");
    lt = epoll_on(wr, EPOLLOUT);
    et = epoll_on(wr, EPOLLOUT | EPOLLET);
    check(lt >= 0 && et >= 0, "epoll takes the write end");
    check(polled(wr, POLLOUT, 0) == POLLOUT, "empty: POLLOUT");
    check(epolled(et, 0) == EPOLLOUT, "EPOLLET: EPOLLOUT at first");
    check(epolled(et, 0) == 0, "EPOLLET: once");
    memset(buf, 'x', sizeof(buf));
    while ((w = write(wr, buf, sizeof(buf))) > 0)
        n += (int)w;
    check(w < 0 && errno == EAGAIN, "filled with %d bytes, then EAGAIN", n);
    ev = polled(wr, POLLOUT, 50);
    check(ev == 0, "full: not POLLOUT (%#x)", ev);
    check(selected(wr, 0) == 0, "full: select says nothing");
    check(epolled(lt, 0) == 0, "full: level epoll says nothing");
    check(epolled(et, 0) == 0, "full: EPOLLET says nothing");

    /* Another process drains it: the blocked waits wake. */
    pid = fork();
    if (pid == 0) {
        int r = open(path, O_RDONLY | O_NONBLOCK);
        int got = 0;
        ssize_t k;

        usleep(100 * 1000);
        while ((k = read(r, buf, sizeof(buf))) > 0)
            got += (int)k;
        _exit(got == n ? 0 : 1);
    }
    check(pid > 0, "fork a reader");
    ev = polled(wr, POLLOUT, 3000);
    check(ev == POLLOUT, "drained by the child: POLLOUT (%#x)", ev);
    {
        int st = -1;

        check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
                  WEXITSTATUS(st) == 0,
              "the child read all %d bytes", n);
    }
    check(epolled(et, 1000) == EPOLLOUT, "EPOLLET: room again is an edge");
    check(epolled(lt, 0) == EPOLLOUT, "level: EPOLLOUT");
    check(selected(wr, 0) == 2, "select: writable only");

    /* The readers go: POLLERR. */
    close(rd);
    ev = polled(wr, POLLOUT, 1000);
    check(ev == (POLLOUT | POLLERR), "no reader: POLLOUT|POLLERR (%#x)", ev);
    ev = epolled(lt, 0);
    check(ev == (EPOLLOUT | EPOLLERR), "level: EPOLLOUT|EPOLLERR (%#x)", ev);
    /* select counts POLLERR as readable and writable. */
    ev = selected(wr, 0);
    check(ev == 3, "select: readable and writable (%d)", ev);
    signal(SIGPIPE, SIG_IGN);
    WANT(write(wr, "x", 1), EPIPE, "a write without a reader");
    rd = open(path, O_RDONLY | O_NONBLOCK);
    check(rd >= 0, "a reader again");
    ev = polled(wr, POLLOUT, 0);
    check(ev == POLLOUT, "POLLOUT only again (%#x)", ev);
    close(lt);
    close(et);
    close(wr);
    close(rd);
}

/* An O_RDWR open is its own reader and writer: never a hang-up. */
static void read_write_full(const char *path)
{
    int fd = open(path, O_RDWR | O_NONBLOCK), ev, n = 0;
    char buf[4096] = { 0 };
    ssize_t w;

    check(fd >= 0, "open O_RDWR");
    check(polled(fd, POLLIN | POLLOUT, 0) == POLLOUT, "empty: POLLOUT only");
    while ((w = write(fd, buf, sizeof(buf))) > 0)
        n += (int)w;
    ev = polled(fd, POLLIN | POLLOUT, 0);
    check(ev == POLLIN, "full (%d bytes): POLLIN only (%#x)", n, ev);
    check(read(fd, buf, sizeof(buf)) == sizeof(buf), "read a page");
    ev = polled(fd, POLLIN | POLLOUT, 0);
    check(ev == (POLLIN | POLLOUT), "room again: POLLIN|POLLOUT (%#x)", ev);
    close(fd);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    char path[512];

    if (!dir)
        dir = "/tmp";
    snprintf(path, sizeof(path), "%s/fifo-hup.%d", dir, (int)getpid());
    if (mkfifo(path, 0600) < 0) {
        perror("mkfifo");
        return 2;
    }
    read_end(path);
    write_end(path);
    read_write_full(path);
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
