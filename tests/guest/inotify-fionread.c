/* SPDX-License-Identifier: MIT */
/*
 * FIONREAD of an inotify instance with a watch on a bind and one on lx's
 * /tmp: it counts the events read() returns from both. Events on binds
 * wait in kbox's paired host instance, and FIONREAD said 0 for them:
 * inotifywait, which waits until FIONREAD covers an event, never
 * reported what happened in a bind.
 * Usage: inotify-fionread BINDDIR LXDIR (both writable)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest-check.h"

/* Make DIR/NAME; an IN_CREATE event with a 1-byte name is 32 bytes. */
static void create(const char *dir, const char *name)
{
    char p[4096];

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    close(open(p, O_CREAT | O_WRONLY, 0644));
}

int main(int argc, char **argv)
{
    struct pollfd pfd;
    char buf[4096];
    int fd, n = -1, r;
    ssize_t got;

    if (argc != 3) {
        fprintf(stderr, "usage: inotify-fionread BINDDIR LXDIR\n");
        return 2;
    }
    fd = inotify_init1(0);
    check(fd >= 0, "inotify_init1");
    check(inotify_add_watch(fd, argv[1], IN_CREATE) > 0, "watch %s", argv[1]);
    check(inotify_add_watch(fd, argv[2], IN_CREATE) > 0, "watch %s", argv[2]);
    create(argv[1], "x");
    pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
    check(poll(&pfd, 1, 5000) == 1, "poll sees the bind's event");
    r = ioctl(fd, FIONREAD, &n);
    check(r == 0 && n == 32, "FIONREAD counts the bind's event (%d, want 32)",
          n);
    got = read(fd, buf, sizeof(buf));
    check(got == 32, "read returns it (%zd)", got);
    create(argv[2], "y");
    create(argv[1], "z");
    n = -1;
    r = ioctl(fd, FIONREAD, &n);
    check(r == 0 && n == 64,
          "FIONREAD counts lx's and the bind's (%d, want 64)", n);
    got = read(fd, buf, sizeof(buf));
    check(got == 64, "read returns both (%zd)", got);
    n = -1;
    r = ioctl(fd, FIONREAD, &n);
    check(r == 0 && n == 0, "then 0 (%d)", n);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
