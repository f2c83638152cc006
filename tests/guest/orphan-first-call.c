/* SPDX-License-Identifier: MIT */
/*
 * orphan-first-call: the main process exits while its child has made no
 * supervised call yet; the child's first calls come after, from a
 * process the host has already reparented to kbox. kbox knew the child
 * only through its parent, found none, and refused every call (EPERM),
 * so a background job started just before `exit` lost its work.
 *
 * Usage: orphan-first-call FILE   (the child writes "orphan" to FILE;
 * the caller checks it after kbox has exited)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    pid_t pid;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    /* A raw clone: glibc's fork makes calls in the child. */
    pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) {
        perror("clone");
        return 1;
    }
    if (pid == 0) {
        /* nanosleep is the host's: no supervised call until the open,
         * long after the parent is gone */
        struct timespec ts = { 0, 300 * 1000 * 1000 };
        int fd;

        syscall(SYS_nanosleep, &ts, NULL);
        fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, "orphan\n", 7) != 7 || close(fd))
            syscall(SYS_exit_group, 1);
        syscall(SYS_exit_group, 0);
    }
    printf("parent exits, child %d\n", (int)pid);
    return 0;
}
