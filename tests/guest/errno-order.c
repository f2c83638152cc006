/* SPDX-License-Identifier: MIT */
/*
 * Which error a failing name call reports when several are due, in
 * Linux's order: build_open_flags() before the path, do_utimes_path's
 * flags and empty name before the dirfd, and link's and rename's old
 * name (its read, dirfd and lookup) before anything of the new name.
 * kbox read and routed both names of a rename or link first, so
 * linkat("missing", -1, "x") said EBADF and rename("f/x", "") ENOENT
 * (Linux: ENOENT, ENOTDIR); open("", O_CREAT | O_DIRECTORY) said ENOENT
 * (EINVAL); in a bind, names under a dirfd were resolved by their text.
 * Found by tests/guest/ns-fuzz.
 * Usage: errno-order DIR [perm] (DIR writable; "perm": also the search
 * permission of the old name's parent, for a non-root user off binds)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE  (1 << 1)
#endif

static char p[4][512];

static const char *at(int i, const char *dir, const char *name)
{
    snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
    return p[i];
}

int main(int argc, char **argv)
{
    const char *d;
    struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
    struct open_how how;
    int f, fd;

    if (argc < 2) {
        fprintf(stderr, "usage: errno-order DIR [perm]\n");
        return 2;
    }
    d = argv[1];
    f = open(at(0, d, "eo-f"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    check(f >= 0, "create %s", p[0]);

    /* link: the old name is looked up before the new one is read */
    WANT(linkat(AT_FDCWD, at(0, d, "eo-missing"), -1, "x", 0), ENOENT,
         "linkat(missing, -1, x)");
    WANT(linkat(AT_FDCWD, at(0, d, "eo-f/x"), AT_FDCWD, "", 0), ENOTDIR,
         "linkat(file/x, \"\")");
    WANT(linkat(-1, "", AT_FDCWD, "", AT_EMPTY_PATH), EBADF,
         "linkat(-1, \"\", EMPTY_PATH, \"\")");
    WANT(linkat(AT_FDCWD, at(0, d, "eo-f"), AT_FDCWD, "", 0x8000), EINVAL,
         "linkat(bad flags, \"\")");
    /* rename: the old name's parent before the new name */
    WANT(syscall(SYS_renameat2, AT_FDCWD, at(0, d, "eo-f/x"), AT_FDCWD, "", 0),
         ENOTDIR, "renameat2(file/x, \"\")");
    WANT(renameat(AT_FDCWD, at(0, d, "eo-missing/x"), -1, "y"), ENOENT,
         "renameat(missing/x, -1, y)");
    WANT(renameat(f, ".", AT_FDCWD, ""), ENOTDIR,
         "renameat(filefd, \".\", \"\")");
    WANT(renameat(f, "a", -1, "y"), ENOTDIR, "renameat(filefd, a, -1, y)");
    WANT(syscall(SYS_renameat2, AT_FDCWD, "", AT_FDCWD, "",
                 RENAME_EXCHANGE | RENAME_NOREPLACE),
         EINVAL, "renameat2(\"\", \"\", EXCHANGE|NOREPLACE)");
    if (argc > 2 && !strcmp(argv[2], "perm") && geteuid() != 0) {
        check(mkdir(at(1, d, "eo-nosearch"), 0600) == 0, "mkdir %s", p[1]);
        WANT(renameat(AT_FDCWD, at(0, d, "eo-nosearch/a"), -1, "y"), EACCES,
             "renameat(unsearchable/a, -1, y)");
        WANT(renameat(AT_FDCWD, at(0, d, "eo-nosearch/a"), AT_FDCWD, ""),
             EACCES, "renameat(unsearchable/a, \"\")");
        rmdir(p[1]);
    }

    /* "." and ".." names (kbox decides them itself in a bind) */
    check(mkdir(at(1, d, "eo-dir"), 0755) == 0 &&
              symlink("eo-dir", at(2, d, "eo-dl")) == 0 &&
              symlink("eo-f", at(3, d, "eo-fl")) == 0,
          "mkdir eo-dir, symlinks eo-dl, eo-fl");
    WANT(renameat(AT_FDCWD, at(0, d, "."), AT_FDCWD, at(1, d, "eo-missing/x")),
         ENOENT, "renameat(dir/., missing/x)");
    WANT(syscall(SYS_renameat2, AT_FDCWD, at(0, d, "eo-f"), AT_FDCWD,
                 at(1, d, "."), RENAME_NOREPLACE),
         EEXIST, "renameat2(f, dir/., NOREPLACE)");
    WANT(syscall(SYS_renameat2, AT_FDCWD, at(0, d, ".."), AT_FDCWD,
                 at(1, d, "."), RENAME_NOREPLACE),
         EBUSY, "renameat2(dir/.., dir/., NOREPLACE)");
    WANT(linkat(AT_FDCWD, at(0, d, "eo-missing/x"), AT_FDCWD, at(1, d, ".."),
                AT_SYMLINK_FOLLOW),
         ENOENT, "linkat(missing/x, dir/..)");
    WANT(linkat(AT_FDCWD, at(0, d, "eo-dir/."), AT_FDCWD, at(1, d, "eo-z"),
                AT_SYMLINK_FOLLOW),
         EPERM, "linkat(dir/eo-dir/., z, FOLLOW)");
    /* AT_SYMLINK_FOLLOW follows (a bind linked the symlink itself) */
    WANT(linkat(AT_FDCWD, at(0, d, "eo-dl"), AT_FDCWD, at(1, d, "eo-z"),
                AT_SYMLINK_FOLLOW),
         EPERM, "linkat(symlink to a dir, z, FOLLOW)");
    {
        struct stat st;

        check(linkat(AT_FDCWD, at(0, d, "eo-fl"), AT_FDCWD, at(1, d, "eo-z"),
                     AT_SYMLINK_FOLLOW) == 0 &&
                  lstat(p[1], &st) == 0 && S_ISREG(st.st_mode) &&
                  st.st_nlink == 2,
              "linkat(symlink to a file, z, FOLLOW) links the file");
        unlink(p[1]);
        check(linkat(AT_FDCWD, at(0, d, "eo-fl"), AT_FDCWD, at(1, d, "eo-z"),
                     0) == 0 &&
                  lstat(p[1], &st) == 0 && S_ISLNK(st.st_mode),
              "linkat(symlink, z, 0) links the symlink");
        unlink(p[1]);
    }
    /* a mode with O_DIRECTORY alone is ignored (O_TMPFILE holds the
     * O_DIRECTORY bit: a bind's open took it for a create) */
    fd = (int)syscall(SYS_openat, AT_FDCWD, at(1, d, "eo-dir"),
                      O_RDONLY | O_DIRECTORY, 0755);
    check(fd >= 0, "openat(dir, O_DIRECTORY, mode 0755)");
    close(fd);
    unlink(at(2, d, "eo-dl"));
    unlink(at(3, d, "eo-fl"));
    rmdir(at(1, d, "eo-dir"));

    /* a "." or ".." under a dirfd is the filesystem's, not the text's
     * (in a bind, mkdirat(dfd, "missing/a/..") made "missing") */
    {
        int dfd = open(d, O_RDONLY | O_DIRECTORY);
        struct stat st;

        WANT(mkdirat(dfd, "eo-missing/a/..", 0755), ENOENT,
             "mkdirat(dirfd, missing/a/..)");
        check(fstatat(dfd, "eo-missing", &st, 0) == -1 && errno == ENOENT,
              "and missing was not made");
        WANT(mkdirat(dfd, "eo-missing/..", 0755), ENOENT,
             "mkdirat(dirfd, missing/..)");
        close(dfd);
    }

    /* open: the flags before the path and the dirfd */
    WANT(openat(AT_FDCWD, "", O_CREAT | O_DIRECTORY | O_WRONLY, 0644), EINVAL,
         "openat(\"\", CREAT|DIRECTORY)");
    WANT(openat(-1, "x", O_CREAT | O_DIRECTORY, 0644), EINVAL,
         "openat(-1, x, CREAT|DIRECTORY)");
    WANT(openat(-1, "", O_TMPFILE | O_RDONLY, 0600), EINVAL,
         "openat(-1, \"\", TMPFILE|RDONLY)");
    memset(&how, 0, sizeof(how));
    how.resolve = RESOLVE_BENEATH | RESOLVE_IN_ROOT;
    WANT(syscall(SYS_openat2, AT_FDCWD, "", &how, sizeof(how)), EINVAL,
         "openat2(\"\", BENEATH|IN_ROOT)");
    how.resolve = 0;
    how.mode = 0644;
    WANT(syscall(SYS_openat2, -1, "", &how, sizeof(how)), EINVAL,
         "openat2(-1, \"\", mode without O_CREAT)");

    /* utimensat: the flags, then "" without AT_EMPTY_PATH, then the fd */
    WANT(utimensat(-1, "", now, 0), ENOENT, "utimensat(-1, \"\", 0)");
    WANT(utimensat(AT_FDCWD, "", now, AT_SYMLINK_NOFOLLOW), ENOENT,
         "utimensat(CWD, \"\", NOFOLLOW)");
    WANT(utimensat(-1, "", now, 0x8000), EINVAL,
         "utimensat(-1, \"\", bad flags)");

    /* and what still works */
    fd = openat(AT_FDCWD, at(0, d, "eo-f"), O_RDONLY);
    check(fd >= 0, "open %s", p[0]);
    check(linkat(AT_FDCWD, at(0, d, "eo-f"), AT_FDCWD, at(1, d, "eo-g"), 0) ==
                  0 &&
              renameat(AT_FDCWD, at(1, d, "eo-g"), AT_FDCWD,
                       at(2, d, "eo-h")) == 0 &&
              unlink(at(2, d, "eo-h")) == 0,
          "link, rename and unlink in %s", d);
    check(utimensat(fd, "", now, AT_EMPTY_PATH) == 0,
          "utimensat(fd, \"\", EMPTY_PATH)");
    close(fd);
    close(f);
    unlink(at(0, d, "eo-f"));
    printf("%s errno-order: %d ok, %d failed\n", n_fail ? "FAIL" : "PASS", n_ok,
           n_fail);
    return n_fail != 0;
}
