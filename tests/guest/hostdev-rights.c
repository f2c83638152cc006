/* SPDX-License-Identifier: MIT */
/*
 * The allow-listed host /dev nodes and device nodes in a bind, as a guest
 * user of a root kbox: calls on /dev/null and its siblings ran with kbox's
 * rights on the host's own /dev (a guest user unlinked /dev/zero and made
 * a device node of its choosing under that name, and chmod/chown'd
 * /dev/full), and a root-owned 0644 device node in a bind, opened
 * read-only, reopened for writing through /dev/fd/N. Only probes that
 * change nothing on the host even where the bug is: rmdir of a node
 * (ENOTDIR with root's rights, EACCES as a user), a same-mode chmod and a
 * same-owner chown. chdir into a root-owned 0700 directory in a bind, and
 * fchdir through an fd of the guest's own directory made 0000 since,
 * succeeded too (kbox opens it O_PATH, which needs no search right).
 * Usage: hostdev-rights DEVNODE DIR700 DIR (DEVNODE: root's, 0644; DIR700:
 * root's, 0700; DIR: writable; all in a bind). With "ptys", as guest
 * root: a pty of root's, 0600, is not opened or chmod'ed by a process
 * that dropped to uid 1000 (kbox opened any host pty with its rights: a
 * guest user could read another session's terminal), which still opens
 * its own.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static void hostdev(void)
{
    struct stat a, b;
    char p[64];
    int fd, w;

    check(stat("/dev/null", &a) == 0 && a.st_uid != getuid(),
          "/dev/null, not the guest's");
    errno = 0;
    check(rmdir("/dev/null") < 0 && errno == EACCES,
          "rmdir /dev/null: EACCES (the host's /dev is not writable)");
    errno = 0;
    check(mkdir("/dev/null", 0755) < 0 && errno == EEXIST,
          "mkdir /dev/null: EEXIST");
    errno = 0;
    check(chmod("/dev/null", a.st_mode & 07777) < 0 && errno == EPERM,
          "chmod /dev/null: EPERM");
    errno = 0;
    check(chown("/dev/null", a.st_uid, a.st_gid) < 0 && errno == EPERM,
          "chown /dev/null: EPERM");
    check(stat("/dev/null", &b) == 0 && b.st_mode == a.st_mode &&
              b.st_uid == a.st_uid && b.st_rdev == a.st_rdev,
          "/dev/null unchanged");
    /* still opened and reopened for writing: it is 0666 */
    fd = open("/dev/null", O_RDONLY);
    snprintf(p, sizeof(p), "/dev/fd/%d", fd);
    w = open(p, O_WRONLY);
    check(fd >= 0 && w >= 0 && write(w, "z", 1) == 1,
          "/dev/null reopened for writing through %s", p);
    if (w >= 0)
        close(w);
    if (fd >= 0)
        close(fd);
}

static void bound_node(const char *node)
{
    char p[64];
    int fd = open(node, O_RDONLY), w;

    check(fd >= 0, "open %s read-only", node);
    errno = 0;
    check(open(node, O_WRONLY) < 0 && errno == EACCES,
          "open %s for writing: EACCES", node);
    snprintf(p, sizeof(p), "/dev/fd/%d", fd);
    errno = 0;
    w = open(p, O_WRONLY);
    check(w < 0 && errno == EACCES, "reopen through %s for writing: EACCES", p);
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    errno = 0;
    w = open(p, O_RDWR);
    check(w < 0 && errno == EACCES, "reopen through %s for writing: EACCES", p);
    close(fd);
}

static void dirs(const char *d700, const char *dir)
{
    char mine[512];
    int fd;

    errno = 0;
    check(chdir(d700) < 0 && errno == EACCES, "chdir %s: EACCES", d700);
    snprintf(mine, sizeof(mine), "%s/hostdev-mine", dir);
    check(mkdir(mine, 0755) == 0, "mkdir %s", mine);
    fd = open(mine, O_RDONLY | O_DIRECTORY);
    check(fd >= 0 && chmod(mine, 0) == 0, "its fd, then chmod 0");
    errno = 0;
    check(fchdir(fd) < 0 && errno == EACCES, "fchdir to it: EACCES");
    check(fchmod(fd, 0755) == 0 && fchdir(fd) == 0, "after chmod 755: fchdir");
    check(chdir("/") == 0 && rmdir(mine) == 0, "removed");
    if (fd >= 0)
        close(fd);
}

static void ptys(void)
{
    char *slave, buf[8] = "";
    int m = posix_openpt(O_RDWR | O_NOCTTY), st = -1;
    pid_t pid;

    check(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0 &&
              (slave = ptsname(m)) != NULL,
          "root's pty");
    if (m < 0 || !slave)
        return;
    check(chown(slave, 0, 0) == 0 && chmod(slave, 0600) == 0,
          "%s: root's, 0600", slave);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int m2, w;

        if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
            setresuid(1000, 1000, 1000))
            _exit(3);
        errno = 0;
        w = open(slave, O_RDWR | O_NOCTTY);
        check(w < 0 && errno == EACCES, "uid 1000: open %s: EACCES", slave);
        errno = 0;
        check(chmod(slave, 0666) < 0 && errno == EPERM,
              "uid 1000: chmod %s: EPERM", slave);
        m2 = posix_openpt(O_RDWR | O_NOCTTY);
        slave = m2 >= 0 && grantpt(m2) == 0 && unlockpt(m2) == 0 ? ptsname(m2)
                                                                 : NULL;
        w = slave ? open(slave, O_RDWR | O_NOCTTY) : -1;
        check(w >= 0 && write(w, "hi\n", 3) == 3 && read(m2, buf, 2) == 2 &&
                  buf[0] == 'h',
              "uid 1000: its own pty %s opens and carries data",
              slave ? slave : "?");
        fflush(stdout);
        _exit(n_fail ? 1 : 0);
    }
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
              WEXITSTATUS(st) == 0,
          "the uid 1000 child's checks");
    close(m);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "ptys")) {
        ptys();
        printf("%d passed, %d failed\n", n_ok, n_fail);
        return n_fail ? 1 : 0;
    }
    if (argc < 4)
        return 2;
    hostdev();
    bound_node(argv[1]);
    dirs(argv[2], argv[3]);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
