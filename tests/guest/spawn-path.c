/* SPDX-License-Identifier: MIT */
/*
 * After posix_spawn or vfork+execve, the parent's path string is its own
 * the moment it runs again. kbox's exec overwrites that string with its
 * alias in memory the child shares with the parent, and put it back only
 * at the parent's next supervised call: a copy taken right after the
 * spawn said "d4/sh" (GNU make reported "make: d4/sh: No such file or
 * directory" for every recipe exiting 127), and with two threads
 * spawning, one thread's string waited for the other's call.
 * Usage: spawn-path SCRIPT (an executable #! script that exits 0)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

extern char **environ;

/* posix_spawn @path with argv[0] = the same string (as make does), or
 * another one with @argv0 (as a shell's PATH search does); the copy is
 * taken before any other call. 0 when it matched and ran. */
static int spawn_copy_as(const char *want, const char *argv0, char *copy,
                         size_t len)
{
    char *path = strdup(want);
    char *av[] = { argv0 ? (char *)argv0 : path, NULL };
    pid_t pid;
    int st = -1, rc;

    rc = posix_spawn(&pid, path, NULL, NULL, av, environ);
    snprintf(copy, len, "%s", path);
    if (!rc)
        waitpid(pid, &st, 0);
    free(path);
    return rc || !WIFEXITED(st) || WEXITSTATUS(st) ? -1 : 0;
}

static int spawn_copy(const char *want, char *copy, size_t len)
{
    return spawn_copy_as(want, NULL, copy, len);
}

static int vfork_copy(const char *want, char *copy, size_t len)
{
    char *path = strdup(want);
    char *av[] = { path, NULL };
    pid_t pid;
    int st = -1;

    pid = vfork();
    if (pid == 0) {
        execve(path, av, environ);
        _exit(127);
    }
    snprintf(copy, len, "%s", path);
    if (pid > 0)
        waitpid(pid, &st, 0);
    free(path);
    return !WIFEXITED(st) || WEXITSTATUS(st) ? -1 : 0;
}

/*
 * The child's own argv[0] when it is the path string itself (posix_spawn
 * and vfork): sh writes its /proc/self/cmdline to @out. 0 when it read
 * @want.
 */
static int child_argv0(const char *want, const char *out, bool use_vfork)
{
    char cmd[512], got[256];
    char *path = strdup(want);
    char *av[] = { path, "-c", cmd, NULL };
    pid_t pid = -1;
    int st = -1;
    FILE *f;

    snprintf(cmd, sizeof(cmd), "tr '\\0' '\\n' </proc/$$/cmdline >%s", out);
    if (use_vfork) {
        pid = vfork();
        if (pid == 0) {
            execve(path, av, environ);
            _exit(127);
        }
    } else if (posix_spawn(&pid, path, NULL, NULL, av, environ)) {
        pid = -1;
    }
    if (pid > 0)
        waitpid(pid, &st, 0);
    free(path);
    f = fopen(out, "r");
    if (!f || !fgets(got, sizeof(got), f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    got[strcspn(got, "\n")] = '\0';
    return WIFEXITED(st) && !WEXITSTATUS(st) && !strcmp(got, want) ? 0 : -1;
}

static int mismatches[2];

static void *spawner(void *arg)
{
    long t = (long)arg;
    const char *want = t ? "/usr/bin/true" : "/bin/true";
    char copy[256];

    for (int i = 0; i < 40; i++)
        if (spawn_copy(want, copy, sizeof(copy)) || strcmp(copy, want))
            mismatches[t]++;
    return NULL;
}

int main(int argc, char **argv)
{
    const char *paths[] = { "/bin/sh", "/usr/bin/true", "/bin/true" };
    char copy[256];
    pthread_t a, b;

    if (argc != 2) {
        fprintf(stderr, "usage: spawn-path SCRIPT\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        int rc = spawn_copy(paths[i], copy, sizeof(copy));

        check(rc == 0 && strcmp(copy, paths[i]) == 0,
              "posix_spawn %s: the path right after is '%s'", paths[i], copy);
        rc = vfork_copy(paths[i], copy, sizeof(copy));
        check(rc == 0 && strcmp(copy, paths[i]) == 0,
              "vfork+execve %s: the path right after is '%s'", paths[i], copy);
        rc = spawn_copy_as(paths[i], "prog", copy, sizeof(copy));
        check(rc == 0 && strcmp(copy, paths[i]) == 0,
              "posix_spawn %s with argv[0] 'prog': the path right after is "
              "'%s'",
              paths[i], copy);
    }
    {
        int rc = spawn_copy(argv[1], copy, sizeof(copy));

        check(rc == 0 && strcmp(copy, argv[1]) == 0,
              "posix_spawn of a script %s: the path right after is '%s'",
              argv[1], copy);
    }
    if (chdir("/bin") == 0) {
        int rc = spawn_copy("true", copy, sizeof(copy));

        check(rc == 0 && strcmp(copy, "true") == 0,
              "posix_spawn of a relative path: the path right after is '%s'",
              copy);
    }
    snprintf(copy, sizeof(copy), "%s.argv0", argv[1]);
    check(child_argv0("/bin/sh", copy, false) == 0,
          "posix_spawn: the child's argv[0] is the path it was given");
    check(child_argv0("/bin/sh", copy, true) == 0,
          "vfork+execve: the child's argv[0] is the path it was given");
    unlink(copy);
    pthread_create(&a, NULL, spawner, (void *)0);
    pthread_create(&b, NULL, spawner, (void *)1);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    check(mismatches[0] == 0 && mismatches[1] == 0,
          "two threads spawning: paths not their own right after: %d and %d "
          "of 40",
          mismatches[0], mismatches[1]);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
