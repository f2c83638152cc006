/* SPDX-License-Identifier: MIT */
/*
 * RLIMIT_FSIZE set on another process by prlimit64 holds for that
 * process's writes to image and /tmp files: a write stops at the limit,
 * the next one is EFBIG (SIGXFSZ ignored here). kbox gave the host the
 * new limit but not the target's lx task, which checks those writes: the
 * file grew past it. Usage: fsize-other DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    struct rlimit rl = { 1000, RLIM_INFINITY }, got;
    int go[2], res[2], status;
    long out[2] = { -2, -2 };
    char path[4096];
    pid_t pid;

    if (argc != 2) {
        fprintf(stderr, "usage: fsize-other DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/fsize-other.%d", argv[1], getpid());
    if (pipe(go) || pipe(res))
        return 1;
    pid = fork();
    if (pid == 0) {
        static char buf[3000];
        char c;
        long w[2];
        int fd;

        signal(SIGXFSZ, SIG_IGN);
        if (read(go[0], &c, 1) != 1)
            _exit(1);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        w[0] = fd < 0 ? -1 : write(fd, buf, sizeof(buf));
        w[1] = fd < 0 ? -1 : write(fd, buf, sizeof(buf)) < 0 ? -errno : 0;
        _exit(write(res[1], w, sizeof(w)) == sizeof(w) ? 0 : 1);
    }
    check(pid > 0, "fork");
    check(prlimit(pid, RLIMIT_FSIZE, &rl, NULL) == 0,
          "prlimit64 sets the child's RLIMIT_FSIZE to 1000");
    check(prlimit(pid, RLIMIT_FSIZE, NULL, &got) == 0 && got.rlim_cur == 1000,
          "and reads it back");
    check(write(go[1], "g", 1) == 1, "the child writes");
    check(read(res[0], out, sizeof(out)) == sizeof(out), "its results");
    check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              !WEXITSTATUS(status),
          "the child ends");
    check(out[0] == 1000, "its 3000-byte write stops at the limit (%ld)",
          out[0]);
    check(out[1] == -EFBIG, "its next write is EFBIG (%ld)", out[1]);
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
