/* SPDX-License-Identifier: MIT */
/*
 * Terminal ioctls that need CAP_SYS_ADMIN: a user may not steal another
 * session's terminal (TIOCSCTTY with 1), push input into a terminal that
 * is not its controlling one (TIOCSTI), hang one up (TIOCVHANGUP),
 * redirect the console (TIOCCONS) or lock termios (TIOCSLCKTRMIOS); root
 * may steal and push. Under a root kbox the host checked kbox's root, so a
 * guest user could do them all (`setsid -c` took the caller's terminal).
 * TIOCCONS is not tried: where the bug is, it would redirect the host's
 * console.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY), s, up[2], go[2], st = 0;
    int root = geteuid() == 0;
    char c = 'Z', *name;
    pid_t holder, thief;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (m < 0 || grantpt(m) || unlockpt(m) || pipe(up) || pipe(go)) {
        check(0, "a pty and pipes");
        return 1;
    }
    name = ptsname(m);
    holder = fork(); /* makes the pty its session's terminal and waits */
    if (holder == 0) {
        setsid();
        s = open(name, O_RDWR | O_NOCTTY);
        c = s >= 0 && ioctl(s, TIOCSCTTY, 0) == 0 ? 'y' : 'n';
        if (write(up[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
            _exit(3);
        _exit(0);
    }
    check(read(up[0], &c, 1) == 1 && c == 'y',
          "a new session takes a fresh pty with TIOCSCTTY 0");
    thief = fork();
    if (thief == 0) {
        setsid();
        s = open(name, O_RDWR | O_NOCTTY);
        errno = 0;
        int rc = s >= 0 ? ioctl(s, TIOCSCTTY, 1) : -1;
        _exit(rc == 0 ? 0 : errno == EPERM ? 1 : 2);
    }
    waitpid(thief, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == (root ? 0 : 1),
          "TIOCSCTTY 1 on another session's terminal: %s (status %d)",
          root ? "stolen" : "EPERM", WEXITSTATUS(st));
    s = open(name, O_RDWR | O_NOCTTY);
    check(s >= 0, "the slave opens");
    errno = 0;
    if (root)
        check(ioctl(s, TIOCSTI, &c) == 0,
              "TIOCSTI into a terminal not ours: root may");
    else
        check(ioctl(s, TIOCSTI, &c) < 0 && (errno == EPERM || errno == EIO),
              "TIOCSTI into a terminal not ours: EPERM");
    if (!root) {
        struct termios t;

        tcgetattr(s, &t);
        errno = 0;
        check(ioctl(s, TIOCSLCKTRMIOS, &t) < 0 && errno == EPERM,
              "TIOCSLCKTRMIOS: EPERM");
        errno = 0;
        check(ioctl(s, TIOCVHANGUP) < 0 && errno == EPERM,
              "TIOCVHANGUP: EPERM");
        check(tcsetattr(s, TCSANOW, &t) == 0, "not hung up: tcsetattr works");
    }
    if (write(go[1], "x", 1) != 1)
        return 1;
    waitpid(holder, &st, 0);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
