/* SPDX-License-Identifier: MIT */
/*
 * openat2's RESOLVE_* flags with an absolute path into a bind.
 * usage: openat2-abs-bind DIR [LXDIR]
 *   DIR: a -b bind (or any directory); LXDIR: a directory in the image
 *
 * kbox routed such a path by its text and opened it beneath the bind's
 * root, ignoring the flags: RESOLVE_BENEATH opened "/bind/file" from any
 * dirfd, RESOLVE_NO_SYMLINKS followed a symlink in the bind and
 * RESOLVE_IN_ROOT took the path from the guest's root, not the dirfd.
 * With a bind present, openat2(RESOLVE_BENEATH) of "../missing" from a
 * directory in the image said ENOENT, not EXDEV: kbox took lx's EXDEV for
 * a walk into a bind and reported its retry's error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fails;

static void expect(int dfd, const char *p, unsigned long long res, int want,
                   const char *what)
{
    struct open_how how = { .flags = O_RDONLY, .resolve = res };
    long r = syscall(SYS_openat2, dfd, p, &how, sizeof(how));
    int got = r < 0 ? errno : 0;

    if (r >= 0)
        close((int)r);
    if (got == want) {
        printf("ok %s\n", what);
    } else {
        printf("FAIL %s: %s, want %s\n", what, got ? strerror(got) : "opened",
               want ? strerror(want) : "opened");
        fails++;
    }
}

int main(int argc, char **argv)
{
    char sub[512], file[512], link[512], inroot[512];
    int d;

    if (argc < 2)
        return 2;
    snprintf(sub, sizeof(sub), "%s/o2r-sub", argv[1]);
    snprintf(file, sizeof(file), "%s/o2r-file", argv[1]);
    snprintf(link, sizeof(link), "%s/o2r-sub/link", argv[1]);
    if ((mkdir(sub, 0755) && errno != EEXIST) ||
        (close(open(file, O_CREAT | O_WRONLY, 0644)) && errno) ||
        (symlink("../o2r-file", link) && errno != EEXIST)) {
        printf("FAIL setup: %s\n", strerror(errno));
        return 1;
    }
    d = open(sub, O_DIRECTORY | O_RDONLY);
    if (d < 0) {
        printf("FAIL open %s: %s\n", sub, strerror(errno));
        return 1;
    }
    expect(d, file, RESOLVE_BENEATH, EXDEV,
           "RESOLVE_BENEATH refuses an absolute path");
    expect(d, "../o2r-file", RESOLVE_BENEATH, EXDEV,
           "RESOLVE_BENEATH refuses ..");
    expect(AT_FDCWD, link, RESOLVE_NO_SYMLINKS, ELOOP,
           "RESOLVE_NO_SYMLINKS refuses a symlink (absolute path)");
    expect(d, "link", RESOLVE_NO_SYMLINKS, ELOOP,
           "RESOLVE_NO_SYMLINKS refuses a symlink (relative path)");
    /* under RESOLVE_IN_ROOT "/" is the dirfd: DIR/o2r-file is not there */
    expect(d, file, RESOLVE_IN_ROOT, ENOENT,
           "RESOLVE_IN_ROOT starts an absolute path at the dirfd");
    snprintf(inroot, sizeof(inroot), "/link");
    expect(d, inroot, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, ELOOP,
           "RESOLVE_IN_ROOT path below the dirfd");
    expect(d, "/", RESOLVE_IN_ROOT, 0, "RESOLVE_IN_ROOT \"/\" is the dirfd");
    close(d);
    if (argc > 2) {
        snprintf(sub, sizeof(sub), "%s/o2r-in", argv[2]);
        if ((mkdir(sub, 0755) && errno != EEXIST) || chdir(sub)) {
            printf("FAIL setup %s: %s\n", sub, strerror(errno));
            return 1;
        }
        expect(AT_FDCWD, "../o2r-missing", RESOLVE_BENEATH, EXDEV,
               "RESOLVE_BENEATH refuses .. to a missing name (image)");
        expect(AT_FDCWD, "../o2r-missing", RESOLVE_NO_SYMLINKS, ENOENT,
               "a missing name without RESOLVE_BENEATH (image)");
    }
    return fails ? 1 : 0;
}
