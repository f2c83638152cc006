/* SPDX-License-Identifier: MIT */
/*
 * #! edge cases, in Linux's order of checks (fs/binfmt_script.c,
 * exec_binprm):
 * - a line with no newline in the first 256 bytes whose interpreter
 *   name ends with a blank in byte 255 runs; one whose name reaches
 *   byte 255 is ENOEXEC;
 * - the sixth script in a row has its line parsed and its interpreter
 *   opened before the ELOOP: a missing one is ENOENT, an unexecutable
 *   one EACCES;
 * - a script run by a close-on-exec fd is ENOENT only once its #! line
 *   parsed: a bad line is ENOEXEC.
 *
 * usage: shebang-edges DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static char dir[4096];

/* Run @name (execveat from @fd, "" and AT_EMPTY_PATH when @fd >= 0);
 * 0: it ran, else the exec's errno. */
static int run(const char *name, int fd)
{
    char *const av[] = { (char *)"x", NULL };
    int st;
    pid_t pid = fork();

    if (pid == 0) {
        if (fd >= 0)
            syscall(SYS_execveat, fd, "", av, environ, AT_EMPTY_PATH);
        else
            execv(name, av);
        _exit(errno);
    }
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 255;
}

static void put(const char *name, const char *text, size_t len, mode_t mode)
{
    int fd;

    unlink(name);
    fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len)
        exit(2);
    close(fd);
    chmod(name, mode);
}

/* s1 .. s<n>: s1's interpreter is @first, each next one's the one
 * before */
static void chain(int n, const char *first)
{
    char text[4400], name[16];

    for (int i = 1; i <= n; i++) {
        int l;

        snprintf(name, sizeof(name), "s%d", i);
        if (i == 1)
            l = snprintf(text, sizeof(text), "#!%s/%s\n", dir, first);
        else
            l = snprintf(text, sizeof(text), "#!%s/s%d\n", dir, i - 1);
        put(name, text, (size_t)l, 0755);
    }
}

/* "#!" and the path of prog padded with slashes so that its name ends
 * in byte @end (0-based), then @after; no newline before byte 300 */
static int padded(const char *after, int end)
{
    char text[512];
    size_t dl = strlen(dir), n = 2;

    if (dl + 6 > (size_t)end)
        return -1;
    memcpy(text, "#!", 2);
    while (n + dl + 5 < (size_t)end + 1)
        text[n++] = '/';
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s/prog%s", dir, after);
    while (n < 300)
        text[n++] = 'z';
    text[n++] = '\n';
    put("long", text, n, 0755);
    return 0;
}

int main(int argc, char **argv)
{
    char text[65536];
    int in, fd, rc;
    ssize_t n;

    if (getenv("SHEBANG_CHILD"))
        return 0;
    if (argc != 2 || chdir(argv[1]) || !getcwd(dir, sizeof(dir)) ||
        strlen(dir) > 200) {
        fprintf(stderr, "usage: shebang-edges DIR (at most 200 bytes)\n");
        return 2;
    }
    setenv("SHEBANG_CHILD", "1", 1);
    in = open("/proc/self/exe", O_RDONLY);
    fd = open("prog", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    while (in >= 0 && fd >= 0 && (n = read(in, text, sizeof(text))) > 0)
        if (write(fd, text, (size_t)n) != n)
            return 2;
    close(in);
    close(fd);
    put("nox", "#!/bin/sh\n", 10, 0644);

    padded(" tail", 254);
    rc = run("long", -1);
    check(rc == 0,
          "no newline, the name ends with a blank in byte 255: "
          "runs (got %s)",
          rc ? strerrorname_np(rc) : "0");
    padded("", 255);
    rc = run("long", -1);
    check(rc == ENOEXEC,
          "no newline, the name reaches byte 255: ENOEXEC "
          "(got %s)",
          rc ? strerrorname_np(rc) : "0");

    chain(5, "prog");
    rc = run("s5", -1);
    check(rc == 0, "five scripts in a row run (got %s)",
          rc ? strerrorname_np(rc) : "0");
    chain(6, "prog");
    rc = run("s6", -1);
    check(rc == ELOOP, "six scripts in a row: ELOOP (got %s)",
          rc ? strerrorname_np(rc) : "0");
    chain(6, "missing");
    rc = run("s6", -1);
    check(rc == ENOENT,
          "six scripts, the last one's interpreter missing: "
          "ENOENT (got %s)",
          rc ? strerrorname_np(rc) : "0");
    chain(6, "nox");
    rc = run("s6", -1);
    check(rc == EACCES,
          "six scripts, the last one's interpreter not "
          "executable: EACCES (got %s)",
          rc ? strerrorname_np(rc) : "0");
    put("s6", "#!\n", 3, 0755);
    chain(5, "s6");
    rc = run("s5", -1);
    check(rc == ENOEXEC,
          "six scripts, the last one without an interpreter: "
          "ENOEXEC (got %s)",
          rc ? strerrorname_np(rc) : "0");

    put("bad", "#!  \n", 5, 0755);
    fd = open("bad", O_RDONLY | O_CLOEXEC);
    rc = run(NULL, fd);
    check(rc == ENOEXEC,
          "a bad #! line run by a close-on-exec fd: ENOEXEC "
          "(got %s)",
          rc ? strerrorname_np(rc) : "0");
    close(fd);
    chain(1, "prog");
    fd = open("s1", O_RDONLY | O_CLOEXEC);
    rc = run(NULL, fd);
    check(rc == ENOENT, "a script run by a close-on-exec fd: ENOENT (got %s)",
          rc ? strerrorname_np(rc) : "0");
    close(fd);
    for (int i = 1; i <= 6; i++) {
        snprintf(text, sizeof(text), "s%d", i);
        unlink(text);
    }
    unlink("bad");
    unlink("nox");
    unlink("long");
    unlink("prog");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
