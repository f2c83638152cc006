/* SPDX-License-Identifier: MIT */
/*
 * unshare(CLONE_FS), unshare(CLONE_FILES), unshare(CLONE_SYSVSEM) and
 * unshare(0) need no privilege on Linux and were EPERM in kbox (Go's
 * LockOSThread + unshare(CLONE_FS) gives a thread a cwd of its own). A
 * thread that unshared its fs changes directory alone: relative paths
 * resolve against its own cwd, the other threads' stay. Usage:
 * unshare-fs DIR (a directory, not the cwd)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static const char *dir;
static char thread_cwd[256];
static int thread_rc = -1, thread_open = -1;

static void *own_cwd(void *arg)
{
    (void)arg;
    thread_rc = unshare(CLONE_FS);
    if (thread_rc == 0 && chdir(dir) == 0) {
        if (!getcwd(thread_cwd, sizeof(thread_cwd)))
            thread_cwd[0] = '\0';
        thread_open = open("unshare-fs.mark", O_RDONLY);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    char cwd[256], path[300], b[8];
    pthread_t t;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: unshare-fs DIR\n");
        return 2;
    }
    dir = argv[1];
    snprintf(path, sizeof(path), "%s/unshare-fs.mark", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, "mark", 4) == 4 && close(fd) == 0,
          "a file in %s", dir);
    check(chdir("/") == 0, "cwd /");
    check(unshare(0) == 0, "unshare(0)");
    check(unshare(CLONE_FS) == 0, "unshare(CLONE_FS)");
    check(unshare(CLONE_FILES) == 0, "unshare(CLONE_FILES)");
    check(unshare(CLONE_SYSVSEM) == 0, "unshare(CLONE_SYSVSEM)");
    fd = open(path, O_RDONLY);
    check(fd >= 0 && read(fd, b, 4) == 4 && memcmp(b, "mark", 4) == 0,
          "files work after it");
    if (fd >= 0)
        close(fd);

    pthread_create(&t, NULL, own_cwd, NULL);
    pthread_join(t, NULL);
    check(thread_rc == 0, "a thread's unshare(CLONE_FS)");
    check(strcmp(thread_cwd, dir) == 0, "its cwd: %s", thread_cwd);
    check(thread_open >= 0, "its relative open found the file there");
    check(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0,
          "the main thread's cwd stayed / (%s)", cwd);
    check(open("unshare-fs.mark", O_RDONLY) < 0,
          "its relative open does not find the thread's file");
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
