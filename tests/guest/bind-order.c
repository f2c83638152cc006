/* SPDX-License-Identifier: MIT */
/*
 * usage: bind-order DIR (as root)
 *
 * Orders of Linux's checks kbox got wrong in a bind (found by
 * tests/guest/cred-fuzz):
 * - rename and link with an old name under a directory the caller may
 *   not search and a new name under a missing one: Linux walks the old
 *   name's parent first, so EACCES; kbox opened both parents (O_PATH: no
 *   search right needed) and said ENOENT.
 * - a new file's set-group-ID bit in a set-group-ID directory of a group
 *   the creator is not in is taken off when the mode has group execute,
 *   before the umask applies: kbox applied the umask first, so 02755 with
 *   umask 033 kept the bit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    int fd, st;
    pid_t p;

    if (argc != 2 || geteuid() != 0 || chdir(argv[1])) {
        fprintf(stderr, "usage: bind-order DIR (as root)\n");
        return 2;
    }
    mkdir("ro", 0700);
    fd = open("ro/x", O_CREAT | O_WRONLY, 0644);
    check(fd >= 0 && chown("ro", 2000, 2000) == 0 && chmod("ro", 0600) == 0,
          "a 0600 directory of uid 2000 with a file");
    close(fd);
    mkdir("sg", 0777);
    check(chown("sg", 2000, 2000) == 0 && chmod("sg", 02777) == 0,
          "a 2777 directory of group 2000");
    fflush(stdout);
    p = fork();
    if (p == 0) {
        struct stat st = { 0 };

        check(setgroups(0, NULL) == 0 && setresgid(1001, 1001, 1001) == 0 &&
                  setresuid(1001, 1001, 1001) == 0,
              "become 1001:1001");
        errno = 0;
        check(rename("ro/x", "missing/y") < 0 && errno == EACCES,
              "rename: EACCES before the new parent's ENOENT");
        errno = 0;
        check(link("ro/x", "missing/y") < 0 && errno == EACCES,
              "link: EACCES before the new parent's ENOENT");
        umask(033);
        fd = open("sg/f", O_CREAT | O_EXCL | O_WRONLY, 02755);
        check(fd >= 0 && fstat(fd, &st) == 0, "create in it");
        check((st.st_mode & 07777) == 0744 && st.st_gid == 2000,
              "02755 & ~033 without the set-group-ID bit: %o gid %u",
              (unsigned)(st.st_mode & 07777), (unsigned)st.st_gid);
        close(fd);
        unlink("sg/f");
        fflush(stdout);
        _exit(n_fail ? 1 : 0);
    }
    check(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child passed");
    unlink("ro/x");
    rmdir("ro");
    rmdir("sg");
    return n_fail ? 1 : 0;
}
