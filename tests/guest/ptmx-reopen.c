/* SPDX-License-Identifier: MIT */
/*
 * A reopen of a pty master through /proc/self/fd/N (or /dev/fd/N) opens
 * /dev/ptmx again: a new pty, whose slave devpts gives the opener's ids,
 * as for any master. kbox recorded the guest's ids only for an open of
 * /dev/ptmx by name, so under a root kbox a guest user's slave made this
 * way stat'ed as root's (and its chown was refused). Runs natively too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static void one(const char *fmt, int m)
{
    char link[64], name[64];
    struct stat st, a;
    int m2, s, n = -1, n2 = -1;

    snprintf(link, sizeof(link), fmt, m);
    m2 = open(link, O_RDWR | O_NOCTTY);
    check(m2 >= 0, "%s reopens", fmt);
    if (m2 < 0)
        return;
    check(ioctl(m, TIOCGPTN, &n) == 0 && ioctl(m2, TIOCGPTN, &n2) == 0 &&
              n != n2,
          "%s: a new pty", fmt);
    check(grantpt(m2) == 0 && unlockpt(m2) == 0, "grantpt, unlockpt");
    snprintf(name, sizeof(name), "%s", ptsname(m2));
    st.st_uid = (uid_t)-1;
    stat(name, &st);
    check(st.st_uid == geteuid(), "its slave is the caller's (uid %u, want %u)",
          (unsigned)st.st_uid, (unsigned)geteuid());
    s = ioctl(m2, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    check(s >= 0 && fstat(s, &a) == 0 && a.st_uid == geteuid(),
          "fstat of the slave says so too");
    check(chown(name, geteuid(), getegid()) == 0, "the caller may chown it");
    if (s >= 0)
        close(s);
    close(m2);
}

int main(void)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);

    setvbuf(stdout, NULL, _IOLBF, 0);
    check(m >= 0, "a pty");
    if (m < 0)
        return 1;
    one("/proc/self/fd/%d", m);
    one("/dev/fd/%d", m);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
