/* SPDX-License-Identifier: MIT */
/*
 * A guest user's search right on the way into a bind.
 * "dirs DIR000 DIR": chdir into a mode 000 directory of a bind is EACCES
 * and so is fchdir through an fd of DIR made 000 since; a rootless kbox
 * checked neither (its thread never takes the guest's ids, and the
 * O_PATH open kbox does needs no search right), so the cwd was set and
 * only the next lookup failed.
 * "above PARENT BIND": PARENT is an image directory of the user's above
 * the bind's place BIND (with a file f and a program prog): once PARENT
 * is made 000, the bind's paths by their text are EACCES (stat, open,
 * opendir, chdir, execve, as Linux's walk stops at PARENT), while names
 * relative to a directory fd in the bind still work, and those relative
 * to an fd of PARENT are EACCES as Linux's; chmod 755 gives
 * them back at once.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static void dirs(const char *d000, const char *dir)
{
    int fd;

    WANT(chdir(d000), EACCES, "chdir to the 000 directory");
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    check(fd >= 0 && fchmod(fd, 0) == 0, "%s: its fd, then chmod 0", dir);
    WANT(fchdir(fd), EACCES, "fchdir to it");
    check(fchmod(fd, 0755) == 0 && fchdir(fd) == 0, "after chmod 755: fchdir");
    check(chdir("/") == 0, "back to /");
    if (fd >= 0)
        close(fd);
}

static int run(const char *prog)
{
    pid_t pid = fork();
    int st = -1;

    if (pid == 0) {
        char *argv[] = { (char *)prog, NULL };

        execv(prog, argv);
        _exit(errno == EACCES ? 126 : 127);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void above(const char *parent, const char *bind)
{
    char f[512], prog[512], rel[512];
    const char *base = strrchr(bind, '/') ? strrchr(bind, '/') + 1 : bind;
    struct stat st;
    DIR *d;
    int dfd, pfd, fd;

    snprintf(f, sizeof(f), "%s/f", bind);
    snprintf(prog, sizeof(prog), "%s/prog", bind);
    snprintf(rel, sizeof(rel), "%s/f", base);
    dfd = open(bind, O_RDONLY | O_DIRECTORY);
    check(dfd >= 0, "open %s while %s is searchable", bind, parent);
    pfd = open(parent, O_RDONLY | O_DIRECTORY);
    check(pfd >= 0, "open %s", parent);
    check(chmod(parent, 0) == 0, "chmod 000 %s", parent);
    WANT(stat(bind, &st), EACCES, "stat of the bind");
    WANT(stat(f, &st), EACCES, "stat of a file in it");
    WANT(open(f, O_RDONLY), EACCES, "open of the file");
    errno = 0;
    d = opendir(bind);
    check(!d && errno == EACCES, "opendir of the bind: EACCES");
    if (d)
        closedir(d);
    WANT(chdir(bind), EACCES, "chdir to the bind");
    /* from an fd of the parent itself: its search right is asked */
    WANT(openat(pfd, rel, O_RDONLY), EACCES, "openat(parent fd, \"b/f\")");
    check(run(prog) == 126, "execve of its program: EACCES (126)");
    /* relative to a directory fd in the bind: no walk through parent */
    fd = openat(dfd, "f", O_RDONLY);
    check(fd >= 0, "openat(bind fd, \"f\")");
    if (fd >= 0)
        close(fd);
    check(fstatat(dfd, "f", &st, 0) == 0, "fstatat(bind fd, \"f\")");
    check(fchdir(dfd) == 0 && stat("f", &st) == 0, "fchdir, then stat f");
    check(chdir("/") == 0 && chmod(parent, 0755) == 0, "chmod 755 %s", parent);
    check(stat(f, &st) == 0, "stat of the file again");
    fd = open(f, O_RDONLY);
    check(fd >= 0, "open of it again");
    if (fd >= 0)
        close(fd);
    check(chdir(bind) == 0 && chdir("/") == 0, "chdir to the bind again");
    check(run(prog) == 0, "its program runs again");
    fd = openat(pfd, rel, O_RDONLY);
    check(fd >= 0, "openat(parent fd, \"b/f\") again");
    if (fd >= 0)
        close(fd);
    close(dfd);
    close(pfd);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "dirs"))
        dirs(argv[2], argv[3]);
    else if (argc == 4 && !strcmp(argv[1], "above"))
        above(argv[2], argv[3]);
    else {
        fprintf(stderr, "usage: %s dirs DIR000 DIR | above PARENT BIND\n",
                argv[0]);
        return 2;
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
