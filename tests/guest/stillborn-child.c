/* SPDX-License-Identifier: MIT */
/*
 * A forked child that faults before its first supervised call (nothing
 * supervised between fork and the fault) must not keep what kbox
 * prepared for it: the lx task held the child's cwd (kbox's unmount at
 * the end found /tmp busy and kbox exited 1) and its copy of the fd
 * table (a lock on a file the parent then closed stayed held). Usage:
 * stillborn-child FILE (on the image)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    struct rlimit no_core = { 0, 0 };
    int fd, fd2, st = 0, tries = 0;
    pid_t pid;

    if (argc != 2) {
        fprintf(stderr, "usage: stillborn-child FILE\n");
        return 2;
    }
    setrlimit(RLIMIT_CORE, &no_core);
    fd = open(argv[1], O_CREAT | O_RDWR, 0644);
    check(fd >= 0 && flock(fd, LOCK_EX) == 0, "a lock on %s", argv[1]);
    check(chdir("/tmp") == 0, "cwd /tmp");
    pid = fork();
    if (pid == 0)
        *(volatile int *)0 = 1; /* no call between fork and the fault */
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
              WTERMSIG(st) == SIGSEGV,
          "the child died of SIGSEGV");
    check(close(fd) == 0, "the parent closes its fd (the lock's last)");
    fd2 = open(argv[1], O_RDWR);
    /* natively free at once; kbox drops the child's copy within ~2 s */
    while (fd2 >= 0 && flock(fd2, LOCK_EX | LOCK_NB) != 0 && tries++ < 100) {
        struct timespec ts = { 0, 100 * 1000 * 1000 };

        nanosleep(&ts, NULL);
    }
    check(fd2 >= 0 && tries <= 100, "the lock is free again (%d tries)", tries);
    check(chdir("/") == 0, "cwd /");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
