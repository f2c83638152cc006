/* SPDX-License-Identifier: MIT */
/*
 * kill() of a zombie (exited, not reaped) is checked as for a live
 * process: Linux keeps the zombie's credentials, and check_kill_
 * permission uses them. A uid-1000 process gets EPERM for a root zombie
 * (SIGTERM or 0) but may send it SIGCONT within its session, and 0 for
 * its own zombie; an invalid signal is EINVAL. kbox forgets a process at
 * its exit_group (or its death by a signal) and answered 0 for any guest
 * zombie. Needs root (runs its checks in a child that becomes uid 1000).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int err(int rc)
{
    return rc ? errno : 0;
}

/* Wait until @p is a zombie, without reaping it. */
static void until_zombie(pid_t p)
{
    siginfo_t si;

    while (waitid(P_PID, p, &si, WEXITED | WNOWAIT) && errno == EINTR)
        ;
}

int main(void)
{
    int pf[2], res[8] = { 0 }, st;
    pid_t a, b, k;

    if (geteuid() != 0) {
        check(1, "not root: nothing to check");
        printf("%d passed, %d failed\n", n_ok, n_fail);
        return 0;
    }
    if (pipe(pf))
        return 1;
    a = fork(); /* a root zombie */
    if (!a)
        _exit(0);
    until_zombie(a);
    k = fork(); /* a root zombie killed by a signal (no exit_group) */
    if (!k) {
        for (;;)
            pause();
    }
    kill(k, SIGKILL);
    until_zombie(k);
    b = fork();
    if (!b) {
        pid_t c;

        if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
            _exit(3);
        res[0] = err(kill(a, SIGTERM));
        res[1] = err(kill(a, 0));
        res[2] = err(kill(a, SIGCONT));
        c = fork(); /* a zombie of its own */
        if (!c)
            _exit(0);
        until_zombie(c);
        res[3] = err(kill(c, 0));
        res[4] = err(kill(c, SIGTERM));
        res[5] = err(kill(c, 99));
        res[6] = err(kill(a, 99));
        res[7] = err(kill(k, SIGTERM));
        waitpid(c, &st, 0);
        if (write(pf[1], res, sizeof(res)) != sizeof(res))
            _exit(4);
        _exit(0);
    }
    close(pf[1]);
    if (read(pf[0], res, sizeof(res)) != sizeof(res)) {
        check(0, "child reported");
        return 1;
    }
    waitpid(b, &st, 0);
    check(res[0] == EPERM, "uid 1000: kill(root zombie, SIGTERM) is EPERM (%d)",
          res[0]);
    check(res[1] == EPERM, "uid 1000: kill(root zombie, 0) is EPERM (%d)",
          res[1]);
    check(res[2] == 0,
          "uid 1000: kill(root zombie, SIGCONT), same session: 0 "
          "(%d)",
          res[2]);
    check(res[3] == 0, "uid 1000: kill(own zombie, 0) is 0 (%d)", res[3]);
    check(res[4] == 0, "uid 1000: kill(own zombie, SIGTERM) is 0 (%d)", res[4]);
    check(res[5] == EINVAL, "kill(own zombie, 99) is EINVAL (%d)", res[5]);
    check(res[6] == EINVAL, "kill(root zombie, 99) is EINVAL (%d)", res[6]);
    check(
        res[7] == EPERM,
        "uid 1000: kill(root zombie killed by SIGKILL, SIGTERM) is EPERM (%d)",
        res[7]);
    check(err(kill(a, SIGTERM)) == 0, "root: kill(own zombie, SIGTERM) is 0");
    waitpid(a, &st, 0);
    waitpid(k, &st, 0);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
