/* SPDX-License-Identifier: MIT */
/*
 * A process group signal names its sender: kill(-pgrp) and kill(0) of a
 * handled SIGUSR1 give the receiving child's SA_SIGINFO handler the
 * sender's pid and SI_USER, as natively, also when the group holds a
 * zombie. kbox sent every group signal itself, so si_pid was kbox's.
 * Usage: pgrp-sender
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static volatile pid_t from;
static volatile int code = 99;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    from = si->si_pid;
    code = si->si_code;
}

/*
 * A child that reports (exit status) whether the signal named its parent;
 * with @zombie, its group also holds an unreaped child of its own.
 */
static pid_t child(int sync[2], int own_group, int zombie)
{
    pid_t c = fork();

    if (c == 0) {
        siginfo_t si;

        if (own_group)
            setpgid(0, 0);
        if (zombie) {
            pid_t z = fork();

            if (z == 0)
                _exit(0);
            /* a zombie now, left unreaped */
            waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT);
        }
        if (write(sync[1], "x", 1) != 1)
            _exit(3);
        while (!from)
            pause();
        _exit(from == getppid() && code == SI_USER ? 0 : 1);
    }
    return c;
}

static void run(const char *what, int own_group, int zombie)
{
    int sync[2], st = -1;
    char x;
    pid_t c;

    from = 0;
    if (pipe(sync)) {
        check(0, "pipe");
        return;
    }
    c = child(sync, own_group, zombie);
    if (c < 0 || read(sync[0], &x, 1) != 1) {
        check(0, "%s: child started", what);
        return;
    }
    if (own_group)
        check(kill(-c, SIGUSR1) == 0, "%s: sent", what);
    else
        check(kill(0, SIGUSR1) == 0, "%s: sent", what);
    waitpid(c, &st, 0);
    check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "%s: the child's handler saw the parent as sender, SI_USER "
          "(status 0x%x)",
          what, st);
    close(sync[0]);
    close(sync[1]);
}

int main(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    setvbuf(stdout, NULL, _IONBF, 0);
    run("kill(-pgrp) of the child's own group", 1, 0);
    run("kill(-pgrp) of a group holding a zombie", 1, 1);
    /* the parent leads a group of its own, its child in it */
    check(setpgid(0, 0) == 0, "setpgid(0, 0)");
    run("kill(0) of the parent's group", 0, 0);
    return n_fail ? 1 : 0;
}
