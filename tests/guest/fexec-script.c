/* SPDX-License-Identifier: MIT */
/*
 * fexecve (execveat(fd, "", AT_EMPTY_PATH)) of a #! script: Linux names
 * it /dev/fd/N to its interpreter (kbox gave "": "sh: cannot open"), and
 * refuses it ENOENT when the fd is close-on-exec, as the interpreter
 * could not open that name (kbox ran it). musl's and glibc's fexecve.
 * Usage: fexec-script DIR (DIR/fexec-s.sh is written)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

/* the child's exit status, or 100 + errno of a failed exec */
static int run(const char *p, int cloexec, char *out, size_t len)
{
    int pfd[2], st = -1;
    ssize_t n;
    pid_t pid;

    if (pipe(pfd))
        return -1;
    pid = fork();
    if (pid == 0) {
        int fd = open(p, O_RDONLY | (cloexec ? O_CLOEXEC : 0));
        char *av[] = { "fexec-s", NULL };
        char *ev[] = { "PATH=/usr/bin:/bin", NULL };

        dup2(pfd[1], 1);
        syscall(SYS_execveat, fd, "", av, ev, AT_EMPTY_PATH);
        _exit(100 + errno);
    }
    close(pfd[1]);
    n = read(pfd[0], out, len - 1);
    out[n > 0 ? n : 0] = '\0';
    close(pfd[0]);
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv)
{
    char p[512], out[256];
    FILE *f;
    int rc;

    snprintf(p, sizeof(p), "%s/fexec-s.sh", argc > 1 ? argv[1] : "/tmp");
    f = fopen(p, "w");
    check(f && fputs("#!/bin/sh\necho \"[$0]\"\nexit 5\n", f) >= 0 &&
              fclose(f) == 0 && chmod(p, 0755) == 0,
          "a script %s", p);
    rc = run(p, 0, out, sizeof(out));
    check(rc == 5 && !strncmp(out, "[/dev/fd/", 9),
          "its fexecve runs it as /dev/fd/N: %d %s", rc, strtok(out, "\n"));
    rc = run(p, 1, out, sizeof(out));
    check(rc == 100 + ENOENT && !out[0],
          "from a close-on-exec fd: ENOENT, not run (%d)", rc);
    unlink(p);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
