/* SPDX-License-Identifier: MIT */
/*
 * A guest user's fd magic links (/proc/self/fd/N, /dev/fd/N) lead to the
 * file with the guest's rights, as Linux checks them: under a root kbox
 * a guest user reopened a read-only fd of a root-owned file in a bind for
 * writing and chmod/chown/utimensat'd it through /proc/self/fd/N (what
 * musl's fchmod and fchown of an O_PATH fd do), with kbox's root rights.
 * Its own file and its pipe still reopen; the host's /dev/null opens for
 * writing but is not chmod'ed or chown'ed. Usage: fdlink-rights
 * ROOTFILE DIR (ROOTFILE: root's, 0644; DIR: writable)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static void others(const char *file)
{
    struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    char p[64], d[64];
    int fd = open(file, O_RDONLY), w;

    check(fd >= 0, "open %s read-only", file);
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    snprintf(d, sizeof(d), "/dev/fd/%d", fd);
    errno = 0;
    w = open(p, O_WRONLY | O_APPEND);
    check(w < 0 && errno == EACCES, "reopen of %s for writing: EACCES", p);
    errno = 0;
    w = open(d, O_RDWR);
    check(w < 0 && errno == EACCES, "reopen of %s for writing: EACCES", d);
    errno = 0;
    check(chmod(p, 04777) < 0 && errno == EPERM, "chmod %s: EPERM", p);
    errno = 0;
    check(chown(p, getuid(), getgid()) < 0 && errno == EPERM, "chown %s: EPERM",
          p);
    errno = 0;
    check(utimensat(AT_FDCWD, p, ts, 0) < 0 && errno == EPERM,
          "utimensat %s: EPERM", p);
    errno = 0;
    check(truncate(p, 0) < 0 && errno == EACCES, "truncate %s: EACCES", p);
    close(fd);
}

static void own(const char *dir)
{
    char f[512], p[64];
    struct stat st;
    int fd, w;

    snprintf(f, sizeof(f), "%s/fdlink-own", dir);
    fd = open(f, O_CREAT | O_RDONLY | O_TRUNC, 0644);
    check(fd >= 0, "its own file %s", f);
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    w = open(p, O_WRONLY);
    check(w >= 0 && write(w, "x", 1) == 1, "reopens it for writing");
    check(chmod(p, 0600) == 0 && stat(f, &st) == 0 &&
              (st.st_mode & 07777) == 0600,
          "chmods it through %s", p);
    if (w >= 0)
        close(w);
    close(fd);
    unlink(f);
}

static void pipes(void)
{
    char p[64], c = 0;
    int pp[2], r;

    check(pipe(pp) == 0 && write(pp[1], "y", 1) == 1, "a pipe");
    snprintf(p, sizeof(p), "/dev/fd/%d", pp[0]);
    r = open(p, O_RDONLY);
    check(r >= 0 && read(r, &c, 1) == 1 && c == 'y', "its reopen reads");
    if (r >= 0)
        close(r);
    close(pp[0]);
    close(pp[1]);
}

/* The host's /dev/null: written through its link, never re-moded (a
 * guest user chmod'ed it with kbox's rights) */
static void devnull(void)
{
    struct stat a, b;
    char p[64];
    int fd = open("/dev/null", O_RDONLY), w;

    check(fd >= 0 && fstat(fd, &a) == 0, "/dev/null");
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    w = open(p, O_WRONLY);
    check(w >= 0 && write(w, "z", 1) == 1, "reopened for writing");
    if (w >= 0)
        close(w);
    if (a.st_uid != getuid()) { /* the owner may, natively too */
        errno = 0;
        check(chmod(p, a.st_mode & 07777) < 0 && errno == EPERM,
              "chmod of it through %s: EPERM", p);
        errno = 0;
        /* to its own owner: harmless should it succeed (a chown to the
         * guest's ids once left the host's /dev/null the user's) */
        check(chown(p, a.st_uid, a.st_gid) < 0 && errno == EPERM,
              "chown of it through %s: EPERM", p);
    }
    check(fstat(fd, &b) == 0 && b.st_mode == a.st_mode && b.st_uid == a.st_uid,
          "its mode and owner unchanged");
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    others(argv[1]);
    own(argv[2]);
    pipes();
    devnull();
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
