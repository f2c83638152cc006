/* SPDX-License-Identifier: MIT */
/*
 * A child that has exited and is not reaped yet is still the parent's to
 * name: pidfd_open and getpgid of it work and the pidfd reports its
 * status (asyncio's pidfd child watcher got ESRCH under kbox).
 * Usage: zombie-child
 */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    siginfo_t si = { 0 };
    struct pollfd pf;
    int fd;
    pid_t pid = fork();

    if (pid == 0)
        _exit(7);
    /* until it has exited, leaving it unreaped */
    check(pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0 &&
              si.si_pid == pid,
          "the child has exited");
    fd = (int)syscall(SYS_pidfd_open, pid, 0);
    check(fd >= 0, "pidfd_open of it");
    check(kill(pid, 0) == 0, "kill(it, 0)");
    check(getpgid(pid) == getpgrp(), "getpgid of it");
    pf.fd = fd;
    pf.events = POLLIN;
    check(fd >= 0 && poll(&pf, 1, 5000) == 1 && (pf.revents & POLLIN),
          "its pidfd is readable");
    memset(&si, 0, sizeof(si));
    check(fd >= 0 && waitid(P_PIDFD, (id_t)fd, &si, WEXITED) == 0 &&
              si.si_status == 7,
          "waitid(P_PIDFD) reaps it: status %d", si.si_status);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
