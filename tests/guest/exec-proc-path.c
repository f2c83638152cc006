/* SPDX-License-Identifier: MIT */
/*
 * posix_spawn and vfork+execve of /proc/self/exe, /proc/<pid>/exe and
 * /proc/self/root/<path>: kbox reads such a path as the file it names
 * (the program's own path, the path without the prefix), and took that
 * rewritten text for the bytes at the caller's pointer. Its exec alias
 * was written over a string shorter than itself (a program with a long
 * name corrupted the memory after "/proc/self/exe"; the parent, which
 * shares it, crashed) and the journal put the rewritten text back
 * ("/proc/self/exe" became "/usr//self/exe", the next spawn ENOENT).
 * The child's comm is the last part of the path as called: "exe".
 * Usage: exec-proc-path (the child runs as "exec-proc-path child")
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

extern char **environ;

/* The path, then bytes that must stay as they are. */
static struct {
    char path[256];
    char canary[64];
} b;

static size_t off; /* where the string starts in b.path */

/* the string ends right before the canary */
static void set_path(const char *p)
{
    memset(&b, 'C', sizeof(b));
    off = sizeof(b.path) - strlen(p) - 1;
    memcpy(b.path + off, p, strlen(p) + 1);
}

static char *path(void)
{
    return b.path + off;
}

static int canary_ok(void)
{
    for (size_t i = 0; i < sizeof(b.canary); i++)
        if (b.canary[i] != 'C')
            return 0;
    return 1;
}

static pid_t start_vfork(const char *p, char **av)
{
    pid_t pid = vfork();

    if (pid == 0) {
        execve(p, av, environ);
        _exit(126);
    }
    return pid;
}

/* 0: the child ran and said its comm was @comm */
static int spawn_one(const char *p, const char *comm, int use_vfork)
{
    char *av[] = { "x", "child", (char *)comm, NULL };
    pid_t pid = -1;
    int st = -1, rc = 0;

    if (use_vfork) {
        pid = start_vfork(p, av);
        rc = pid < 0 ? -1 : 0;
    } else {
        rc = posix_spawn(&pid, p, NULL, NULL, av, environ);
    }
    if (!rc)
        waitpid(pid, &st, 0);
    return rc || !WIFEXITED(st) || WEXITSTATUS(st) ? -1 : 0;
}

int main(int argc, char **argv)
{
    char want[256], pidexe[64], self[512];
    ssize_t n;

    if (argc > 2 && !strcmp(argv[1], "child")) {
        char name[17] = { 0 };

        prctl(PR_GET_NAME, name);
        if (strcmp(name, argv[2])) {
            fprintf(stderr, "child comm \"%s\", want \"%s\"\n", name, argv[2]);
            return 3;
        }
        return 0;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    check(n > 0, "readlink /proc/self/exe");
    if (n <= 0)
        return 1;
    self[n] = '\0';
    snprintf(pidexe, sizeof(pidexe), "/proc/%d/exe", (int)getpid());
    char rootpath[600];
    snprintf(rootpath, sizeof(rootpath), "/proc/self/root%s", self);
    const struct {
        const char *p, *comm;
    } cases[] = {
        { "/proc/self/exe", "exe" },
        { pidexe, "exe" },
        { rootpath, strrchr(self, '/') + 1 },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        char comm[16];

        snprintf(comm, sizeof(comm), "%s", cases[c].comm);
        for (int v = 0; v < 2; v++) {
            for (int i = 0; i < 2; i++) {
                set_path(cases[c].p);
                snprintf(want, sizeof(want), "%s", cases[c].p);
                int rc = spawn_one(path(), comm, v);
                check(!rc, "%s %s #%d: child ran, comm \"%s\"",
                      v ? "vfork+execve" : "posix_spawn", want, i + 1, comm);
                check(!strcmp(path(), want), "path string kept (\"%s\")",
                      path());
                check(canary_ok(), "bytes after the path kept");
            }
        }
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
