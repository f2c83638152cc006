/* SPDX-License-Identifier: MIT */
/*
 * SIGCONT needs no rights within one session (Linux's
 * check_kill_permission): a user's process continues a root process of
 * its session, as a shell continues a stopped `su` job. kbox checked
 * kill(pid, 0) in lx and said EPERM. Other signals stay EPERM, and so
 * does SIGCONT from another session. Run as root.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    pid_t target, sender;
    int st = -1;

    check(getuid() == 0, "run as root");
    target = fork();
    if (target == 0) {
        raise(SIGSTOP);
        _exit(7);
    }
    check(target > 0 && waitpid(target, &st, WUNTRACED) == target &&
              WIFSTOPPED(st),
          "root's child stopped");
    fflush(stdout);
    sender = fork();
    if (sender == 0) {
        if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
            setresuid(1000, 1000, 1000))
            _exit(3);
        errno = 0;
        check(kill(target, SIGTERM) < 0 && errno == EPERM,
              "uid 1000: SIGTERM to root's process: EPERM");
        fflush(stdout);
        if (fork() == 0) {
            setsid();
            errno = 0;
            check(kill(target, SIGCONT) < 0 && errno == EPERM,
                  "uid 1000 in another session: SIGCONT: EPERM");
            fflush(stdout);
            _exit(n_fail ? 1 : 0);
        }
        wait(&st);
        check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "(its child's checks)");
        check(kill(target, SIGCONT) == 0,
              "uid 1000: SIGCONT to root's process in its session");
        fflush(stdout);
        _exit(n_fail ? 1 : 0);
    }
    check(sender > 0 && waitpid(sender, &st, 0) == sender && WIFEXITED(st) &&
              WEXITSTATUS(st) == 0,
          "the uid 1000 sender's checks");
    /* stopped until then: its end shows the SIGCONT arrived */
    check(waitpid(target, &st, 0) == target && WIFEXITED(st) &&
              WEXITSTATUS(st) == 7,
          "root's child was continued and ran to its end");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
