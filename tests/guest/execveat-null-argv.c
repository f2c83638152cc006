/* SPDX-License-Identifier: MIT */
/*
 * exec with a NULL argv (Linux adds an empty argv[0], with a warning): a
 * #! script in directory argv[1] run by its fd (execveat AT_EMPTY_PATH)
 * gets [interp, arg, /dev/fd/N], by its path [interp, arg, path]; an ELF
 * program gets [""]. Under kbox the script by its fd was EFAULT: its
 * longer argv had nowhere to go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

extern char **environ;

/* Run @how in a child with stdout to a pipe: its output in @out, status. */
static int run(int how, int fd, const char *path, char *out, size_t len)
{
    int p[2], st, n = 0;
    pid_t c;

    if (pipe(p))
        return -1;
    c = fork();
    if (c == 0) {
        char *argv[] = { "x", "one", NULL };
        long rc;

        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        if (how == 0)
            rc = syscall(SYS_execveat, fd, "", NULL, environ, AT_EMPTY_PATH);
        else if (how == 1)
            rc = syscall(SYS_execve, path, NULL, environ);
        else
            rc = syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
        printf("errno %d\n", rc < 0 ? errno : 0);
        fflush(stdout);
        _exit(99);
    }
    close(p[1]);
    for (int r; n < (int)len - 1 && (r = read(p[0], out + n, len - 1 - n)) > 0;)
        n += r;
    out[n] = '\0';
    if (n > 0 && out[n - 1] == '\n')
        out[n - 1] = '\0';
    close(p[0]);
    waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    char script[4096], want[4200], out[4096], self[4096];
    const char *dir;
    int fd, st;
    ssize_t n;

    if (argc == 1 && argv[0] && !argv[0][0]) {
        printf("elf argc=%d argv0=[%s]\n", argc, argv[0]);
        return 0;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    dir = argc > 1 ? argv[1] : ".";
    snprintf(script, sizeof(script), "%s/null-argv.sh", dir);
    fd = open(script, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    if (fd < 0 || dprintf(fd, "#!/bin/sh -e\necho \"$0|$#|$1\"\n") < 0) {
        check(0, "write %s", script);
        return 1;
    }
    close(fd);

    fd = open(script, O_RDONLY);
    st = run(0, fd, NULL, out, sizeof(out));
    snprintf(want, sizeof(want), "/dev/fd/%d|0|", fd);
    check(st == 0 && !strcmp(out, want),
          "script by fd, NULL argv: [interp, -e, /dev/fd/N] (status %d, "
          "printed %s)",
          st, out);
    st = run(2, fd, NULL, out, sizeof(out));
    snprintf(want, sizeof(want), "/dev/fd/%d|1|one", fd);
    check(st == 0 && !strcmp(out, want),
          "script by fd, argv [x, one] (status %d, printed %s)", st, out);
    close(fd);

    st = run(1, -1, script, out, sizeof(out));
    snprintf(want, sizeof(want), "%s|0|", script);
    check(st == 0 && !strcmp(out, want),
          "script by path, NULL argv (status %d, printed %s)", st, out);

    fd = open(script, O_RDONLY | O_CLOEXEC);
    st = run(0, fd, NULL, out, sizeof(out));
    snprintf(want, sizeof(want), "errno %d", ENOENT);
    check(st == 99 && !strcmp(out, want),
          "close-on-exec script by fd, NULL argv: ENOENT (printed %s)", out);
    close(fd);

    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    fd = open(self, O_RDONLY);
    st = run(0, fd, NULL, out, sizeof(out));
    check(st == 0 && !strcmp(out, "elf argc=1 argv0=[]"),
          "ELF by fd, NULL argv: [\"\"] (status %d, printed %s)", st, out);
    close(fd);
    st = run(1, -1, self, out, sizeof(out));
    check(st == 0 && !strcmp(out, "elf argc=1 argv0=[]"),
          "ELF by path, NULL argv: [\"\"] (status %d, printed %s)", st, out);
    unlink(script);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
