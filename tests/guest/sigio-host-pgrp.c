/* SPDX-License-Identifier: MIT */
/*
 * sigio-host-pgrp: the guest joins the process group of its session's
 * leader (getsid), a host shell that ran kbox from a job-control session
 * (380-sigio-host-pgrp.sh), and names that group the owner of a pipe for
 * O_ASYNC with F_SETSIG SIGUSR1: EPERM, as for kbox's own group (the
 * shell got the signal); the same for F_SETOWN_EX. A group of guest
 * processes only still takes it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t got;

static void on_usr1(int s)
{
    (void)s;
    got++;
}

int main(void)
{
    pid_t sid = getsid(0);
    struct f_owner_ex ex = { F_OWNER_PGRP, sid };
    int p[2];

    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGUSR1, on_usr1);
    check(pipe(p) == 0, "a pipe");
    check(setpgid(0, sid) == 0, "joined the session leader's group %d",
          (int)sid);
    WANT(fcntl(p[0], F_SETOWN, -sid), EPERM, "F_SETOWN of that group");
    WANT(fcntl(p[0], F_SETOWN_EX, &ex), EPERM, "F_SETOWN_EX of that group");
    /* had it been taken: the signal to the group, the shell too */
    fcntl(p[0], F_SETSIG, SIGUSR1);
    fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK);
    write(p[1], "x", 1);
    usleep(100000);
    check(got == 0, "no SIGUSR1 came (%d)", (int)got);

    /* a group of its own: allowed, and the signal comes */
    check(setpgid(0, 0) == 0, "a group of its own");
    check(fcntl(p[0], F_SETOWN, -getpid()) == 0, "F_SETOWN of it");
    write(p[1], "y", 1);
    for (int i = 0; i < 100 && !got; i++)
        usleep(10000);
    check(got > 0, "SIGUSR1 came");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
