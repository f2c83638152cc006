/* SPDX-License-Identifier: MIT */
/*
 * A guest's ptys reached other than by their /dev/pts/N text: through a
 * symlink (socat's PTY,link=), relative to /dev or to /dev/pts, listed in
 * /dev/pts; /dev/pts/.. is /dev. lx's own devpts stood there, empty:
 * ENOENT through the link, no N in the listing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static int listed(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;

    while (d && (e = readdir(d)))
        if (!strcmp(e->d_name, name))
            found = 1;
    if (d)
        closedir(d);
    return found;
}

int main(int argc, char **argv)
{
    const char *link = argc > 1 ? argv[1] : "/tmp/pty-link";
    int m = posix_openpt(O_RDWR | O_NOCTTY), s, d, p;
    char slave[64], rp[PATH_MAX], buf[64] = "";
    struct stat a, b;

    setvbuf(stdout, NULL, _IOLBF, 0);
    check(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0, "a pty");
    if (m < 0)
        return 1;
    snprintf(slave, sizeof(slave), "%s", ptsname(m));
    unlink(link);
    check(symlink(slave, link) == 0, "symlink %s -> %s", link, slave);

    s = open(link, O_RDWR | O_NOCTTY);
    check(s >= 0, "open through the link");
    check(s >= 0 && write(s, "via-link\n", 9) == 9 &&
              read(m, buf, sizeof(buf) - 1) > 0 && strstr(buf, "via-link"),
          "what went in through the link came out of the master");
    check(stat(link, &a) == 0 && S_ISCHR(a.st_mode) && fstat(m, &b) == 0 &&
              stat(slave, &b) == 0 && a.st_rdev == b.st_rdev,
          "stat through the link is the slave");
    check(realpath(link, rp) && !strcmp(rp, slave), "realpath is %s (%s)",
          slave, rp);

    d = open("/dev", O_RDONLY | O_DIRECTORY);
    p = d >= 0 ? openat(d, slave + 5, O_RDWR | O_NOCTTY) : -1;
    check(p >= 0, "openat(/dev, \"%s\")", slave + 5);
    if (p >= 0)
        close(p);
    p = open("/dev/pts", O_RDONLY | O_DIRECTORY);
    check(p >= 0 && fstatat(p, slave + 9, &a, 0) == 0 && S_ISCHR(a.st_mode),
          "fstatat(/dev/pts, \"%s\")", slave + 9);
    check(listed("/dev/pts", slave + 9), "/dev/pts lists %s", slave + 9);
    check(stat("/dev/pts/..", &a) == 0 && stat("/dev", &b) == 0 &&
              a.st_ino == b.st_ino && a.st_dev == b.st_dev,
          "/dev/pts/.. is /dev");
    check(chdir("/dev/pts") == 0 && open(slave + 9, O_RDWR | O_NOCTTY) >= 0,
          "relative to a cwd of /dev/pts");
    snprintf(rp, sizeof(rp), "%s/x", slave);
    errno = 0;
    check(stat(rp, &a) < 0 && errno == ENOTDIR, "%s is ENOTDIR", rp);
    errno = 0;
    check(s >= 0 && openat(s, "x", O_RDONLY) < 0 && errno == ENOTDIR,
          "a name relative to the slave's fd is ENOTDIR");
    unlink(link);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
