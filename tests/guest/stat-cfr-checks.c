/* SPDX-License-Identifier: MIT */
/*
 * The errors Linux gives before any filesystem work, in each directory
 * given (image, lx tmpfs, bind):
 * - copy_file_range between a file and a pipe or /dev/null is EINVAL, a
 *   directory EISDIR, a read-only output EBADF, flags EINVAL (kbox said
 *   EXDEV whenever one end was not lx's: Go and libuv tell them apart);
 * - statx/newfstatat refuse unknown flags and statx both sync types with
 *   EINVAL (in a bind the host call got only AT_EMPTY_PATH);
 * - statx/newfstatat(fd, NULL, AT_EMPTY_PATH) are an fstat (Linux 6.11;
 *   kbox read the NULL path: EFAULT).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

static long cfr(int in, int out, unsigned int flags)
{
    loff_t o = 0;

    return syscall(SYS_copy_file_range, in, &o, out, NULL, 4, flags);
}

static void in_dir(const char *dir)
{
    char f[512], g[512];
    int fd, ro, gd, nul, d, p[2];
    struct statx sx;
    struct stat st;
    long rc;

    snprintf(f, sizeof(f), "%s/cfr-a", dir);
    snprintf(g, sizeof(g), "%s/cfr-b", dir);
    fd = open(f, O_RDWR | O_CREAT | O_TRUNC, 0644);
    gd = open(g, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && gd >= 0 && write(fd, "hello world", 11) == 11,
          "%s: make two files", dir);
    ro = open(g, O_RDONLY);
    nul = open("/dev/null", O_WRONLY);
    d = open(dir, O_RDONLY | O_DIRECTORY);
    check(pipe(p) == 0 && ro >= 0 && nul >= 0 && d >= 0, "%s: fds", dir);

    rc = cfr(fd, p[1], 0);
    check(rc == -1 && errno == EINVAL,
          "%s: copy_file_range file -> pipe EINVAL", dir);
    rc = cfr(p[0], fd, 0);
    check(rc == -1 && errno == EINVAL,
          "%s: copy_file_range pipe -> file EINVAL", dir);
    rc = cfr(fd, nul, 0);
    check(rc == -1 && errno == EINVAL,
          "%s: copy_file_range file -> /dev/null EINVAL", dir);
    rc = cfr(d, gd, 0);
    check(rc == -1 && errno == EISDIR,
          "%s: copy_file_range from a directory EISDIR", dir);
    rc = cfr(fd, ro, 0);
    check(rc == -1 && errno == EBADF,
          "%s: copy_file_range into a read-only fd EBADF", dir);
    rc = cfr(fd, gd, 1);
    check(rc == -1 && errno == EINVAL, "%s: copy_file_range flags EINVAL", dir);
    rc = cfr(fd, gd, 0);
    check(rc == 4, "%s: copy_file_range file -> file copies (%ld)", dir, rc);

    rc = syscall(SYS_statx, AT_FDCWD, f, 0x40000000, STATX_BASIC_STATS, &sx);
    check(rc == -1 && errno == EINVAL, "%s: statx unknown flag EINVAL", dir);
    rc = syscall(SYS_statx, AT_FDCWD, f,
                 AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS,
                 &sx);
    check(rc == -1 && errno == EINVAL, "%s: statx both sync types EINVAL", dir);
    rc = syscall(SYS_statx, AT_FDCWD, f, AT_STATX_DONT_SYNC, STATX_BASIC_STATS,
                 &sx);
    check(rc == 0 && sx.stx_size == 11, "%s: statx AT_STATX_DONT_SYNC works",
          dir);
    rc = syscall(SYS_newfstatat, AT_FDCWD, f, &st, 0x40000000);
    check(rc == -1 && errno == EINVAL, "%s: newfstatat unknown flag EINVAL",
          dir);
    rc = syscall(SYS_newfstatat, AT_FDCWD, f, &st, 0x10000);
    check(rc == -1 && errno == EINVAL, "%s: newfstatat flag 0x10000 EINVAL",
          dir);

    memset(&sx, 0, sizeof(sx));
    rc = syscall(SYS_statx, fd, NULL, AT_EMPTY_PATH, STATX_BASIC_STATS, &sx);
    check(rc == 0 && sx.stx_size == 11,
          "%s: statx(fd, NULL, AT_EMPTY_PATH) is an fstat", dir);
    memset(&st, 0, sizeof(st));
    rc = syscall(SYS_newfstatat, fd, NULL, &st, AT_EMPTY_PATH);
    check(rc == 0 && st.st_size == 11,
          "%s: newfstatat(fd, NULL, AT_EMPTY_PATH) is an fstat", dir);
    rc = syscall(SYS_statx, AT_FDCWD, NULL, 0, STATX_BASIC_STATS, &sx);
    check(rc == -1 && errno == EFAULT,
          "%s: statx NULL path without flag EFAULT", dir);

    close(p[0]);
    close(p[1]);
    close(d);
    close(nul);
    close(ro);
    close(gd);
    close(fd);
    unlink(f);
    unlink(g);
}

int main(int argc, char **argv)
{
    int i;

    setvbuf(stdout, NULL, _IONBF, 0);
    for (i = 1; i < argc; i++)
        in_dir(argv[i]);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
