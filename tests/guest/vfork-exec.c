/* SPDX-License-Identifier: MIT */
/*
 * vfork-exec: a child that shares its parent's memory (vfork, and the
 * clone(CLONE_VM | CLONE_VFORK) behind posix_spawn, system and popen)
 * execs, and the parent's memory is as it was. kbox prepares an exec by
 * rewriting the path string in place (to its alias of the program's
 * copy), moving argv entries that point into it and rebuilding a #!
 * script's argv; in shared memory the parent saw all of it: gcc freed an
 * argv[0] moved below a stack (abort), a constant path spawned twice was
 * ENOENT the second time, and posix_spawn's one-page stack made the move
 * EFAULT, so make and system() failed with status 127.
 *
 * Usage: vfork-exec [SCRATCH_DIR]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

extern char **environ;

static const char true_path[] = "/bin/true"; /* read-only data */

static int status_of(pid_t pid)
{
    int st;

    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* vfork in its own frame: the child only execs or exits */
static __attribute__((noinline)) pid_t vfork_exec(const char *path, char **args,
                                                  int fail)
{
    pid_t pid = vfork();

    if (pid == 0) {
        execve(path, args, environ);
        _exit(fail);
    }
    return pid;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
    char script[512], *path, **args;
    pid_t pid;
    int rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!base || !*base)
        base = "/tmp";

    /* vfork + execve, argv[0] the path itself (as gcc's driver does) */
    path = strdup("/usr/bin/true");
    args = malloc(2 * sizeof(*args));
    args[0] = path;
    args[1] = NULL;
    pid = vfork_exec(path, args, 127);
    check(status_of(pid) == 0, "vfork + execve runs the program");
    check(strcmp(path, "/usr/bin/true") == 0,
          "the parent's path string is unchanged (\"%s\")", path);
    check(args[0] == path, "the parent's argv[0] still points to it");
    free(args[0]); /* gcc's free(): aborted when argv[0] had moved */
    free(args);

    /* Nothing changes the parent's memory while it runs: kbox puts the
     * path back at its next system call. (Done while it ran, that raced
     * with Python reusing the memory.) */
    {
        char first[16], last[16];
        struct timespec t0, t;

        path = strdup("/usr/bin/true");
        args = malloc(2 * sizeof(*args));
        args[0] = "true";
        args[1] = NULL;
        pid = vfork_exec(path, args, 127);
        memcpy(first, path, sizeof(first));  /* no system call until... */
        clock_gettime(CLOCK_MONOTONIC, &t0); /* (the vDSO's) */
        do
            clock_gettime(CLOCK_MONOTONIC, &t);
        while ((t.tv_sec - t0.tv_sec) * 1000000000L + t.tv_nsec - t0.tv_nsec <
               30000000L);
        memcpy(last, path, sizeof(last)); /* ...here */
        check(!memcmp(first, last, sizeof(first)),
              "the parent's memory does not change while it runs");
        check(status_of(pid) == 0 && access("/", F_OK) == 0 &&
                  !strcmp(path, "/usr/bin/true"),
              "after a system call the path is as it was (\"%s\")", path);
        free(path);
        free(args);
    }

    /* posix_spawn of a constant path, twice; argv[0] a tail of it */
    for (int i = 0; i < 2; i++) {
        char *sargs[] = { (char *)true_path + 5, NULL }; /* "true" */

        rc = posix_spawn(&pid, true_path, NULL, NULL, sargs, environ);
        check(rc == 0 && status_of(pid) == 0, "posix_spawn #%d (rc %d)", i, rc);
        check(strcmp(true_path, "/bin/true") == 0,
              "the constant path is unchanged (\"%s\")", true_path);
        check(strcmp(sargs[0], "true") == 0, "argv[0] is unchanged");
    }

    /* system() and popen(): /bin/sh through posix_spawn */
    rc = system("exit 3");
    check(WIFEXITED(rc) && WEXITSTATUS(rc) == 3, "system(\"exit 3\") is 3");
    {
        FILE *f = popen("echo popen-ok", "r");
        char line[64] = "";

        check(f && fgets(line, sizeof(line), f) &&
                  !strcmp(line, "popen-ok\n") && pclose(f) == 0,
              "popen reads its command's output");
    }

    /* vfork + a #! script: its argv array and what follows it intact */
    snprintf(script, sizeof(script), "%s/vfork-exec-%d.sh", base,
             (int)getpid());
    {
        FILE *f = fopen(script, "w");

        check(f && fputs("#!/bin/sh\nexit 5\n", f) >= 0 && !fclose(f) &&
                  !chmod(script, 0755),
              "write %s", script);
    }
    args = malloc(8 * sizeof(*args)); /* argv in the first two */
    args[0] = "scr";
    args[1] = NULL;
    for (int i = 2; i < 8; i++)
        args[i] = (char *)0x1111111111111111;
    path = strdup(script);
    pid = vfork_exec(path, args, 127);
    /* at once: the parent runs the moment the child's exec is done */
    rc = 1;
    for (int i = 2; i < 8; i++)
        rc &= args[i] == (char *)0x1111111111111111;
    check(rc && args[1] == NULL, "past the argv array, nothing was written");
    check(status_of(pid) == 5, "vfork + execve of a #! script runs it");
    check(!strcmp(args[0], "scr") && args[1] == NULL,
          "the parent's argv array is unchanged");
    rc = 1;
    for (int i = 2; i < 8; i++)
        rc &= args[i] == (char *)0x1111111111111111;
    check(rc, "the memory after the array is unchanged");
    check(!strcmp(path, script), "the script path is unchanged");
    unlink(script);
    free(path);
    free(args);

    /* a failed exec from a vfork child leaves the parent's memory too */
    path = strdup("/nonexistent/program");
    {
        char *a[] = { path, NULL };

        pid = vfork_exec(path, a, 126);
    }
    check(status_of(pid) == 126 && !strcmp(path, "/nonexistent/program"),
          "a failed exec changes nothing");
    free(path);

    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
