/* SPDX-License-Identifier: MIT */
/*
 * fd-edges: fd-table corners tests/guest/fd-fuzz found.
 * - dup2/dup3 of a host fd (a socket) onto the number of an open file at
 *   or past RLIMIT_NOFILE is EBADF and leaves that file open and
 *   unchanged. kbox dropped the file's mapping before the host refused
 *   the call: the fd then read as kbox's /dev/null placeholder.
 * - F_DUPFD of a file with no free number from the minimum up to the
 *   limit is EMFILE (was EBADF).
 * - FIOCLEX/FIONCLEX on an O_PATH fd of a file is EBADF (was 0).
 * - openat(fd of a file, "." or "..") and openat(fd of an O_TMPFILE
 *   file, "x") are ENOTDIR. In a bind kbox joined the names lexically:
 *   the first opened the file, the second its directory, the third was
 *   ENOENT.
 *
 * Usage: fd-edges [SCRATCH_DIR [bind]]   (default /tmp; "bind": leave out
 * the O_PATH checks, as kbox's O_PATH fds in a bind are readable ones)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char path[4096], buf[8] = { 0 };
    struct rlimit rl, lim;
    struct stat st;
    int fd, sv[2];
    long r;

    snprintf(path, sizeof(path), "%s/fd-edges.dat", dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, "hello", 5) == 5, "make %s", path);
    fd = fcntl(fd, F_DUPFD, 20); /* well above what the limit will be */
    check(fd >= 20, "file at fd %d", fd);
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
    getrlimit(RLIMIT_NOFILE, &rl);
    lim = rl;
    lim.rlim_cur = 10;
    check(setrlimit(RLIMIT_NOFILE, &lim) == 0, "RLIMIT_NOFILE 10");

    /* F_DUPFD from 9 with 9 taken and the limit at 10 */
    r = dup2(sv[1], 9);
    check(r == 9, "fd 9 taken (%ld)", r);
    errno = 0;
    r = fcntl(fd, F_DUPFD, 9);
    check(r == -1 && errno == EMFILE,
          "F_DUPFD(%d, 9), 9 taken, limit 10: EMFILE (%ld)", fd, r);
    errno = 0;
    r = fcntl(fd, F_DUPFD_CLOEXEC, 9);
    check(r == -1 && errno == EMFILE,
          "F_DUPFD_CLOEXEC(%d, 9), 9 taken, limit 10: EMFILE (%ld)", fd, r);
    close(9);

    errno = 0;
    r = dup2(sv[0], fd);
    check(r == -1 && errno == EBADF,
          "dup2(socket, %d) past the limit: EBADF (%ld)", fd, r);
    errno = 0;
    r = dup3(sv[0], fd, O_CLOEXEC);
    check(r == -1 && errno == EBADF,
          "dup3(socket, %d) past the limit: EBADF (%ld)", fd, r);
    errno = 0;
    check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5,
          "fd %d is still the regular file", fd);
    check(pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "hello", 5),
          "fd %d still reads the file", fd);
    check(pwrite(fd, "HE", 2, 0) == 2, "fd %d still writes the file", fd);

    check(setrlimit(RLIMIT_NOFILE, &rl) == 0, "limit restored");
    if (argc < 3 || strcmp(argv[2], "bind")) {
        int p = open(path, O_PATH);

        errno = 0;
        check(p >= 0 && ioctl(p, FIOCLEX) == -1 && errno == EBADF,
              "FIOCLEX on an O_PATH fd: EBADF");
        errno = 0;
        check(ioctl(p, FIONCLEX) == -1 && errno == EBADF,
              "FIONCLEX on an O_PATH fd: EBADF");
        check(fcntl(p, F_GETFD) == 0, "its close-on-exec flag unchanged");
        close(p);
    }
    /* under the limit the host's dup2 replaces the file, as natively */
    r = dup2(sv[0], fd);
    check(r == fd && fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode),
          "dup2(socket, %d) under the limit replaces the file", fd);
    close(fd);
    fd = open(path, O_RDONLY);
    check(fd >= 0 && pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "HEllo", 5),
          "the file holds what was written through the fd");
    {
        static const char *names[] = { ".", "..", "./x", "x/..", "x" };
        struct stat ds;
        int t = open(dir, O_TMPFILE | O_RDWR, 0600);

        for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            errno = 0;
            r = openat(fd, names[i], O_RDONLY);
            check(r == -1 && errno == ENOTDIR,
                  "openat(fd of a file, \"%s\"): ENOTDIR (%ld)", names[i], r);
            if (r >= 0)
                close((int)r);
            errno = 0;
            check(fstatat(fd, names[i], &ds, 0) == -1 && errno == ENOTDIR,
                  "fstatat(fd of a file, \"%s\"): ENOTDIR", names[i]);
        }
        errno = 0;
        r = t < 0 ? -1 : openat(t, "x", O_RDWR | O_CREAT, 0644);
        check(t >= 0 && r == -1 && errno == ENOTDIR,
              "openat(O_TMPFILE fd, \"x\", O_CREAT): ENOTDIR (%ld)", r);
        close(t);
    }
    close(fd);
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
