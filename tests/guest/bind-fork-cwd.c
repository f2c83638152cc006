/* SPDX-License-Identifier: MIT */
/*
 * bind-fork-cwd: a child's cwd is its parent's at fork, also when the
 * cwd is in a bind. kbox copied the parent's bind cwd when the child made
 * its first call, so a parent that changed directory first (`cmd & cd
 * x`) gave the child its new one, and a child whose parent had exited (a
 * double fork, `(cmd &)`) found none and ran in "/" (inotifywait started
 * so watched the image's directory, not the project's).
 *
 * Usage: bind-fork-cwd DIR   (DIR in a bind; DIR/a and DIR/b are made)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

/*
 * A child made by a raw clone that makes no supervised call for 300 ms
 * (nanosleep is the host's), then sends its cwd through @wfd.
 */
static pid_t late_child(int wfd)
{
    pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);

    if (pid == 0) {
        struct timespec ts = { 0, 300 * 1000 * 1000 };
        char cwd[PATH_MAX] = "";
        long n;

        syscall(SYS_nanosleep, &ts, NULL);
        n = syscall(SYS_getcwd, cwd, sizeof(cwd));
        if (n < 0)
            snprintf(cwd, sizeof(cwd), "getcwd failed");
        syscall(SYS_write, wfd, cwd, strlen(cwd) + 1);
        syscall(SYS_exit_group, 0);
    }
    return pid;
}

static void read_cwd(int rfd, char *buf, size_t len)
{
    ssize_t n = read(rfd, buf, len - 1);

    buf[n > 0 ? n : 0] = '\0';
}

/* Fork from @from, then chdir to @to before the child's first call. */
static void chdir_after_fork(const char *from, const char *to)
{
    char got[PATH_MAX];
    int p[2];
    pid_t pid;

    if (pipe(p) || chdir(from)) {
        check(0, "setup for %s", from);
        return;
    }
    pid = late_child(p[1]);
    check(pid > 0, "clone");
    check(chdir(to) == 0, "parent chdir %s after fork", to);
    read_cwd(p[0], got, sizeof(got));
    waitpid(pid, NULL, 0);
    check(strcmp(got, from) == 0, "child forked in %s has cwd %s", from, got);
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv)
{
    char a[PATH_MAX], b[PATH_MAX], got[PATH_MAX];
    int p[2];
    pid_t mid;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    snprintf(a, sizeof(a), "%s/a", argv[1]);
    snprintf(b, sizeof(b), "%s/b", argv[1]);
    mkdir(a, 0755);
    mkdir(b, 0755);

    chdir_after_fork(a, b);   /* bind to bind */
    chdir_after_fork("/", b); /* image to bind */
    chdir_after_fork(a, "/"); /* bind to image */

    /* Double fork: the middle process exits before the grandchild's
     * first call. */
    if (pipe(p) || chdir(a)) {
        check(0, "setup for the double fork");
        return 1;
    }
    mid = fork();
    if (mid == 0) {
        late_child(p[1]);
        _exit(0);
    }
    waitpid(mid, NULL, 0);
    close(p[1]);
    read_cwd(p[0], got, sizeof(got));
    check(strcmp(got, a) == 0, "orphaned grandchild forked in %s has cwd %s", a,
          got);

    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
