/* SPDX-License-Identifier: MIT */
/*
 * /dev/tty is the caller's controlling terminal: none right after setsid
 * (ENXIO), the pty it then takes with TIOCSCTTY after (what sshd, expect
 * and script do). kbox opened its own /dev/tty instead: ENXIO for good.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY), st = 0;
    char buf[64] = "";
    pid_t pid;

    setvbuf(stdout, NULL, _IOLBF, 0);
    check(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0, "a pty");
    if (m < 0)
        return 1;
    pid = fork();
    if (pid == 0) {
        int s, t, ok;

        setsid();
        t = open("/dev/tty", O_RDWR);
        if (t >= 0 || errno != ENXIO)
            _exit(2); /* a new session has no terminal */
        s = open(ptsname(m), O_RDWR | O_NOCTTY);
        if (s < 0 || ioctl(s, TIOCSCTTY, 0))
            _exit(3);
        t = open("/dev/tty", O_WRONLY);
        ok = t >= 0 && write(t, "via-devtty\n", 11) == 11;
        _exit(ok ? 0 : 4);
    }
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st),
          "the child ran");
    check(WEXITSTATUS(st) != 2, "no /dev/tty right after setsid (ENXIO)");
    check(WEXITSTATUS(st) != 3, "the pty became its terminal");
    check(WEXITSTATUS(st) == 0, "then /dev/tty opened and was written");
    check(read(m, buf, sizeof(buf) - 1) > 0 && strstr(buf, "via-devtty"),
          "what it wrote reached the pty's master");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
