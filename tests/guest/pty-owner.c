/* SPDX-License-Identifier: MIT */
/*
 * A pty slave belongs to the process that opened its master, in guest
 * ids, and root may chown it (sshd chowns each session's pty to the user
 * and group tty; screen chowns its own). The slaves are the host's: a
 * rootless kbox showed them owned by its host user and every chown was
 * EPERM, so sshd closed pty sessions and screen did not start. A guest
 * user may not give its pty away. Usage: pty-owner (as root)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int owned(const char *path, uid_t uid, gid_t gid)
{
    struct stat st;

    return stat(path, &st) == 0 && st.st_uid == uid && st.st_gid == gid;
}

int main(void)
{
    int m, s, st = 0;
    char *name;
    pid_t p;

    if (getuid() != 0) {
        fprintf(stderr, "usage: pty-owner (as root)\n");
        return 2;
    }
    m = posix_openpt(O_RDWR | O_NOCTTY);
    name = m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0 ? ptsname(m) : NULL;
    name = name ? strdup(name) : NULL; /* ptsname's buffer is reused */
    check(name != NULL, "a pty (%s)", name ? name : "none");
    if (!name)
        return 1;
    check(owned(name, 0, 0), "its slave is root's");
    check(chown(name, 1000, 5) == 0 && owned(name, 1000, 5),
          "root chowns it to 1000:5");
    s = open(name, O_RDWR | O_NOCTTY);
    check(s >= 0 && fchown(s, 0, 5) == 0 && owned(name, 0, 5),
          "fchown of the slave fd to 0:5");
    fflush(stdout);
    p = fork();
    if (p == 0) {
        int m2, bad = 0;
        char *n2;

        if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
            _exit(10);
        m2 = posix_openpt(O_RDWR | O_NOCTTY);
        n2 = m2 >= 0 && unlockpt(m2) == 0 ? ptsname(m2) : NULL;
        if (!n2 || !owned(n2, 1000, 1000))
            bad = 11; /* a user's pty is the user's */
        else if (chown(n2, 0, 0) != -1)
            bad = 12; /* and it may not give it away */
        else if (chown(name, 1000, 1000) != -1)
            bad = 13; /* nor take root's */
        _exit(bad);
    }
    if (p > 0 && waitpid(p, &st, 0) != p)
        st = -1;
    check(p > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "a user's pty is its own, and it may not chown others' (%#x)", st);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
