/* SPDX-License-Identifier: MIT */
/*
 * Paths that cross between the image and a bind (found by path-fuzz):
 * - symlinkat through a link in the image into the bind was EXDEV (the
 *   engine retries one-path calls only; symlinkat reads two strings);
 * - a path from the bind's dirfd that left it with ".." lost its
 *   trailing "/" or "/.": "file/" opened, "file/." O_CREAT|O_EXCL said
 *   EEXIST (Linux: ENOTDIR);
 * - openat2(RESOLVE_IN_ROOT) from the bind's dirfd whose ".." left it
 *   opened the image's file outside that root (lx got the absolute path);
 * - openat2(RESOLVE_BENEATH) of "../loop" from an image directory said
 *   ELOOP: kbox's walk for a bind took lx's EXDEV for its own;
 * - /proc/self/cwd followed while the cwd is in the bind was lx's cwd;
 * - openat2(RESOLVE_BENEATH) from the bind's dirfd of "../missing/x" said
 *   ENOENT, of "../<256 bytes>" ENAMETOOLONG (the text routing's errors
 *   came before the walk's EXDEV);
 * - access("abslink/") of an absolute link in the bind to a file was ok
 *   (the trailing "/" was lost when the link was followed again);
 * - linkat(fd, "", AT_EMPTY_PATH) of an O_TMPFILE in the bind: ENOTDIR;
 * - faccessat2(AT_SYMLINK_NOFOLLOW) of a looping link in the bind: ELOOP;
 * - openat2(RESOLVE_BENEATH or IN_ROOT) from an image directory of
 *   "../<the bind>/f" opened the bind's file (no scope on the bind part);
 * - openat2(RESOLVE_NO_SYMLINKS) from the bind's dirfd of a path through
 *   "/" back into the bind, then an absolute link: the link was followed.
 *
 * usage: path-cross IMGDIR BINDDIR (both made; BINDDIR in a bind)
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

static long o2(int d, const char *p, int fl, unsigned long long res)
{
    struct open_how h = { .flags = (unsigned long long)fl, .resolve = res };
    long fd = syscall(SYS_openat2, d, p, &h, sizeof(h));

    if (fd >= 0)
        close((int)fd);
    return fd;
}

/* "../" enough times to reach "/" from anywhere, then @abs */
static void up_to(char *b, size_t n, const char *abs)
{
    b[0] = 0;
    for (int i = 0; i < 30; i++)
        strncat(b, "../", n - strlen(b) - 1);
    strncat(b, abs + 1, n - strlen(b) - 1);
}

int main(int argc, char **argv)
{
    const char *img = argv[1], *bind = argv[2];
    char b[1024], p[1100];
    struct stat st, s2;
    int di, db;

    if (argc != 3) {
        fprintf(stderr, "usage: path-cross IMGDIR BINDDIR\n");
        return 2;
    }
    check(mkdir(img, 0755) == 0 && mkdir(bind, 0755) == 0, "mkdir %s %s", img,
          bind);
    di = open(img, O_RDONLY | O_DIRECTORY);
    db = open(bind, O_RDONLY | O_DIRECTORY);
    check(di >= 0 && db >= 0, "open both");
    close(openat(di, "f", O_CREAT | O_WRONLY, 0644));
    close(openat(db, "g", O_CREAT | O_WRONLY, 0644));
    check(symlinkat(bind, di, "tob") == 0 && symlinkat(img, db, "toi") == 0,
          "links image -> bind and bind -> image");
    check(symlinkat("l", di, "l") == 0, "a loop in the image");

    /* symlinkat through a link into the bind, and back */
    check(symlinkat("x", di, "tob/new") == 0, "symlinkat image tob/new");
    check(fstatat(db, "new", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
              S_ISLNK(st.st_mode),
          "... made in the bind");
    WANT(symlinkat("x", di, "tob/new"), EEXIST, "symlinkat tob/new again");
    WANT(symlinkat("x", di, "tob/."), EEXIST, "symlinkat tob/.");
    check(symlinkat("y", db, "toi/new2") == 0, "symlinkat bind toi/new2");
    check(fstatat(di, "new2", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
              S_ISLNK(st.st_mode),
          "... made in the image");

    /* trailing "/" and "/." kept when a bind dirfd's path leaves it */
    up_to(b, sizeof(b), img);
    snprintf(p, sizeof(p), "%s/f/", b);
    WANT(openat(db, p, O_RDONLY), ENOTDIR, "openat(bind, ../img/f/)");
    snprintf(p, sizeof(p), "%s/f/.", b);
    WANT(openat(db, p, O_RDONLY), ENOTDIR, "openat(bind, ../img/f/.)");
    WANT(openat(db, p, O_CREAT | O_EXCL | O_WRONLY, 0644), ENOTDIR,
         "openat(bind, ../img/f/., O_CREAT|O_EXCL)");
    snprintf(p, sizeof(p), "%s/", b);
    check(o2(db, p, O_RDONLY | O_DIRECTORY, 0) >= 0, "openat(bind, ../img/)");

    /* scoped openat2 from the bind's dirfd */
    snprintf(p, sizeof(p), "%s/f", b);
    WANT(o2(db, p, O_RDONLY, RESOLVE_IN_ROOT), ENOENT,
         "openat2(bind, ../img/f, IN_ROOT): beneath the bind dir");
    WANT(o2(db, p, O_RDONLY, RESOLVE_BENEATH), EXDEV,
         "openat2(bind, ../img/f, BENEATH)");
    WANT(o2(db, p, O_RDONLY, RESOLVE_NO_XDEV), EXDEV,
         "openat2(bind, ../img/f, NO_XDEV): leaves the bind's mount");

    /* RESOLVE_BENEATH: EXDEV before a loop further on */
    WANT(o2(di, "../l", O_RDONLY, RESOLVE_BENEATH), EXDEV,
         "openat2(img, ../l, BENEATH)");
    snprintf(p, sizeof(p), "%s/l", b);
    WANT(o2(di, p, O_RDONLY, RESOLVE_BENEATH), EXDEV,
         "openat2(img, ../img/l, BENEATH)");
    WANT(o2(di, p, O_RDONLY, RESOLVE_BENEATH | RESOLVE_NO_XDEV), EXDEV,
         "openat2(img, ../img/l, BENEATH|NO_XDEV)");
    WANT(o2(di, p, O_RDONLY, 0), ELOOP, "openat2(img, ../img/l)");

    memset(b, 'N', 256);
    b[256] = 0;
    snprintf(p, sizeof(p), "../%s", b);
    WANT(o2(db, p, O_RDONLY, RESOLVE_BENEATH), EXDEV,
         "openat2(bind, ../<256 bytes>, BENEATH)");
    WANT(o2(db, "../missing/x", O_RDONLY, RESOLVE_BENEATH), EXDEV,
         "openat2(bind, ../missing/x, BENEATH)");
    WANT(o2(db, "../missing/x", O_RDONLY, RESOLVE_IN_ROOT), ENOENT,
         "openat2(bind, ../missing/x, IN_ROOT)");

    /* links in the bind: a loop's own access, NO_SYMLINKS on a way back */
    check(symlinkat("loop", db, "loop") == 0, "a loop in the bind");
    check(faccessat(db, "loop", W_OK, AT_SYMLINK_NOFOLLOW) == 0,
          "faccessat(bind, loop, AT_SYMLINK_NOFOLLOW)");
    check(symlinkat("/", db, "root") == 0, "link root -> / in the bind");
    up_to(b, sizeof(b), bind);
    snprintf(p, sizeof(p), "%s/root/mnt", b);
    WANT(o2(db, p, O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP,
         "openat2(bind, ../bind/root/mnt, NO_SYMLINKS)");
    check(o2(db, p, O_RDONLY, 0) >= 0, "openat2(bind, ../bind/root/mnt)");

    /* scoped openat2 from the image's dirfd into the bind by ".." */
    snprintf(p, sizeof(p), "%s/g", b);
    WANT(o2(di, p, O_RDONLY, RESOLVE_BENEATH), EXDEV,
         "openat2(img, ../bind/g, BENEATH)");
    WANT(o2(di, p, O_RDONLY, RESOLVE_IN_ROOT), ENOENT,
         "openat2(img, ../bind/g, IN_ROOT)");
    check(o2(di, p, O_RDONLY, 0) >= 0, "openat2(img, ../bind/g)");
    check(o2(di, "tob/g", O_RDONLY, RESOLVE_NO_MAGICLINKS) >= 0,
          "openat2(img, tob/g, NO_MAGICLINKS)");

    /* an absolute link in the bind to a file, with a trailing slash */
    snprintf(p, sizeof(p), "%s/g", bind);
    check(symlinkat(p, db, "absg") == 0, "link absg -> %s", p);
    check(faccessat(db, "absg", R_OK, 0) == 0, "access absg");
    WANT(faccessat(db, "absg/", R_OK, 0), ENOTDIR, "access absg/");
    WANT(faccessat(db, "absg/.", R_OK, 0), ENOTDIR, "access absg/.");
    WANT(fstatat(db, "absg/", &st, 0), ENOTDIR, "stat absg/");

    /* O_TMPFILE in the bind, then given a name */
    {
        int t = openat(db, ".", O_TMPFILE | O_RDWR, 0644);

        check(t >= 0 && write(t, "tmp", 3) == 3, "O_TMPFILE in the bind");
        check(linkat(t, "", db, "named", AT_EMPTY_PATH) == 0,
              "linkat(tmpfile, \"\", bind, named, AT_EMPTY_PATH)");
        check(fstatat(db, "named", &st, 0) == 0 && st.st_size == 3 &&
                  st.st_nlink == 1,
              "... named, 3 bytes");
        WANT(linkat(t, "", db, "named", AT_EMPTY_PATH), EEXIST,
             "linkat to the name again");
        WANT(linkat(t, "", di, "named", AT_EMPTY_PATH), EXDEV,
             "linkat into the image");
        close(t);
    }

    /* /proc/self/cwd with the cwd in the bind */
    check(fchdir(db) == 0 && stat(".", &st) == 0, "fchdir the bind");
    check(stat("/proc/self/cwd/.", &s2) == 0 && st.st_ino == s2.st_ino &&
              st.st_dev == s2.st_dev,
          "/proc/self/cwd/. is the cwd");
    check(stat("/proc/self/cwd/g", &s2) == 0 && S_ISREG(s2.st_mode),
          "/proc/self/cwd/g is the bind's g");
    check(open("/proc/self/cwd", O_RDONLY | O_DIRECTORY) >= 0,
          "open /proc/self/cwd");
    {
        struct timespec ts[2] = { { 12345, 0 }, { 12345, 0 } };

        check(utimensat(AT_FDCWD, "/proc/self/cwd", ts, 0) == 0 &&
                  stat(".", &s2) == 0 && s2.st_mtime == 12345,
              "utimensat /proc/self/cwd sets the cwd's times");
    }
    check(chdir("/") == 0, "chdir /");

    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
