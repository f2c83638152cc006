/* SPDX-License-Identifier: MIT */
/*
 * rename and link between a bind and the image resolve both parents
 * before they say EXDEV, as Linux does: a missing parent is ENOENT, a
 * file as a parent ENOTDIR (kbox said EXDEV at once, so mv, git and
 * shutil.move took their copy path and reported another error). Usage:
 * xdev-order BINDDIR IMAGEDIR (two empty directories)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "guest-check.h"

static char a[512], b[512];

static int err_of(int rc)
{
    return rc ? errno : 0;
}

static void expect(const char *op, const char *x, const char *y, int want)
{
    int e;

    snprintf(a, sizeof(a), "%s", x);
    snprintf(b, sizeof(b), "%s", y);
    e = err_of(op[0] == 'r' ? rename(a, b) : link(a, b));
    check(e == want, "%s(%s, %s): %s (want %s)", op, a, b, strerror(e),
          strerror(want));
}

int main(int argc, char **argv)
{
    char f[600], g[600], p1[700], p2[700];

    if (argc != 3) {
        fprintf(stderr, "usage: xdev-order BINDDIR IMAGEDIR\n");
        return 2;
    }
    snprintf(f, sizeof(f), "%s/f", argv[1]);
    snprintf(g, sizeof(g), "%s/g", argv[2]);
    check(close(open(f, O_CREAT | O_WRONLY, 0644)) == 0 &&
              close(open(g, O_CREAT | O_WRONLY, 0644)) == 0,
          "a file on each side");
    snprintf(p1, sizeof(p1), "%s/nodir/a", argv[1]);
    snprintf(p2, sizeof(p2), "%s/b", argv[2]);
    expect("rename", p1, p2, ENOENT);
    expect("link", p1, p2, ENOENT);
    snprintf(p2, sizeof(p2), "%s/nodir/b", argv[2]);
    expect("rename", f, p2, ENOENT);
    expect("link", g, (snprintf(p1, sizeof(p1), "%s/nodir/b", argv[1]), p1),
           ENOENT);
    snprintf(p1, sizeof(p1), "%s/f/sub", argv[1]);
    snprintf(p2, sizeof(p2), "%s/b", argv[2]);
    expect("rename", p1, p2, ENOTDIR);
    expect("rename", g, p1, ENOTDIR);
    snprintf(p1, sizeof(p1), "%s/missing", argv[1]);
    expect("rename", p1, p2, EXDEV);
    expect("link", f, p2, EXDEV);
    unlink(f);
    unlink(g);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
