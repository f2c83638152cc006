/* SPDX-License-Identifier: MIT */
/*
 * openat2 from a dirfd (or cwd) in a bind with RESOLVE_* flags that do
 * not scope the walk (NO_XDEV, NO_MAGICLINKS, NO_SYMLINKS) was walked by
 * the host from that directory with only those flags: a link to "."
 * then ".." went up past the bind's source and an absolute link went to
 * the host's root, so the guest read host files outside the bind.
 *
 * usage: openat2-bind-escape BINDDIR NAME [ABSLINK]
 * NAME exists on the host next to the bind's source (never inside it)
 * and must stay out of reach; BINDDIR is the bind's guest mount point.
 * ABSLINK is a host absolute path to NAME that a link in the bind
 * ("abs") names.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

static const unsigned long long flags[] = {
    RESOLVE_NO_XDEV,
    RESOLVE_NO_MAGICLINKS,
    RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
    RESOLVE_CACHED | RESOLVE_NO_MAGICLINKS,
    RESOLVE_IN_ROOT,
    RESOLVE_BENEATH,
};

/* 0 if the open fails; else what it read, which must not be the host's */
static int reaches(int dfd, const char *p, unsigned long long res)
{
    struct open_how h = { .flags = O_RDONLY, .resolve = res };
    char buf[64];
    long fd = syscall(SYS_openat2, dfd, p, &h, sizeof(h));
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read((int)fd, buf, sizeof(buf) - 1);
    close((int)fd);
    buf[n > 0 ? n : 0] = 0;
    printf("  %s %#llx read: %s\n", p, res, buf);
    return 1;
}

int main(int argc, char **argv)
{
    char up[512], sub[512];
    const char *abs = argc > 3 ? argv[3] : NULL;
    int d, s;

    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: openat2-bind-escape BINDDIR NAME\n");
        return 2;
    }
    d = open(argv[1], O_RDONLY | O_DIRECTORY);
    check(d >= 0, "open %s", argv[1]);
    unlinkat(d, "dot", 0);
    check(symlinkat(".", d, "dot") == 0, "link dot -> . in the bind");
    mkdir(strcat(strcpy(sub, argv[1]), "/sub"), 0755);
    s = open(sub, O_RDONLY | O_DIRECTORY);
    check(s >= 0, "open %s", sub);
    if (abs) {
        unlinkat(d, "abs", 0);
        check(symlinkat(abs, d, "abs") == 0, "link abs -> %s", abs);
    }
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        unsigned long long f = flags[i];

        snprintf(up, sizeof(up), "dot/../%s", argv[2]);
        check(!reaches(d, up, f),
              "%s from the bind's root, %#llx: not the host's", up, f);
        snprintf(up, sizeof(up), "../dot/../%s", argv[2]);
        check(!reaches(s, up, f), "%s from sub, %#llx: not the host's", up, f);
        snprintf(up, sizeof(up), "dot/dot/../../%s", argv[2]);
        check(!reaches(d, up, f), "%s, %#llx: not the host's", up, f);
        if (abs)
            check(!reaches(d, "abs", f), "abs, %#llx: not the host's", f);
        check(fchdir(d) == 0, "fchdir the bind");
        snprintf(up, sizeof(up), "dot/../%s", argv[2]);
        check(!reaches(AT_FDCWD, up, f), "cwd %s, %#llx: not the host's", up,
              f);
        check(chdir("/") == 0, "chdir /");
    }
    /* NO_XDEV: leaving the bind's mount is EXDEV, as Linux says */
    {
        struct open_how h = { .flags = O_RDONLY | O_DIRECTORY,
                              .resolve = RESOLVE_NO_XDEV };

        errno = 0;
        WANT(syscall(SYS_openat2, d, "..", &h, sizeof(h)), EXDEV,
             "openat2(bind, \"..\", NO_XDEV)");
    }
    unlinkat(d, "dot", 0);
    unlinkat(d, "abs", 0);
    rmdir(sub);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
