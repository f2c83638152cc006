/* SPDX-License-Identifier: MIT */
/*
 * splice-edges: the checks Linux makes in splice, tee, sendfile,
 * vmsplice and copy_file_range before it moves a byte, with a file of
 * DIR at one end and a pipe, a socket, a memfd or /dev/zero or /dev/null
 * at the other (kbox moves those bytes itself), in Linux's order:
 * - splice of 0 bytes is 0 before the fds are looked at; unknown flags
 *   are EINVAL; an O_PATH fd is EBADF before a pipe's offset is ESPIPE;
 * - splice from a pipe into an O_APPEND file is EINVAL (not appended);
 * - splice or sendfile into a pipe with no reader is EPIPE and SIGPIPE,
 *   into a full one EAGAIN, even when the file has nothing left to give;
 * - sendfile from a pipe or socket is ESPIPE with an offset, else EINVAL
 *   (nothing is read from it); into an O_APPEND file EINVAL; a count
 *   that runs past LLONG_MAX from the position is EINVAL; a position at
 *   or past ext4's largest file is EOVERFLOW; from /dev/null EINVAL but
 *   0 for 0 bytes; from /dev/zero the offset stays;
 * - tee with a file end: EBADF for an end of the wrong mode, else
 *   EINVAL; 0 bytes are 0;
 * - vmsplice of a file: 0 for an empty iovec, EINVAL for unknown flags,
 *   EBADF for an O_PATH fd or a real one;
 * - copy_file_range with an O_PATH fd: EBADF before its flags' EINVAL;
 * - sendfile or splice into a blocking pipe with less room than asked
 *   for fills it and returns the part (kbox waited for a reader).
 * Each was the other way under kbox (tests/guest/splice-fuzz found them).
 *
 * Usage: splice-edges DIR   (an ext4 DIR for the EOVERFLOW checks: "ext4"
 * as a second argument runs them)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
    (void)sig;
    pipes++;
}

static char buf[65536];

/* rc == -1 with errno e */
static int err_is(long rc, int e)
{
    return rc == -1 && errno == e;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";
    int ext4 = argc > 2 && !strcmp(argv[2], "ext4");
    char path[512], apath[512];
    int fd, ro, app, opath, p[2], sv[2], mfd, zero, null;
    struct sigaction sa;
    loff_t lo;
    off_t off;
    long rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_pipe;
    sigaction(SIGPIPE, &sa, NULL);
    memset(buf, 'x', sizeof(buf));
    snprintf(path, sizeof(path), "%s/se-file", dir);
    snprintf(apath, sizeof(apath), "%s/se-append", dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, buf, 10000) == 10000, "a file of 10000 bytes");
    ro = open(path, O_RDONLY);
    app = open(apath, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0644);
    opath = open(path, O_PATH);
    check(ro >= 0 && app >= 0 && opath >= 0, "read-only, O_APPEND, O_PATH fds");
    check(pipe2(p, O_NONBLOCK) == 0 &&
              socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0,
          "a pipe and a socket pair");
    mfd = memfd_create("se", 0);
    zero = open("/dev/zero", O_RDONLY);
    null = open("/dev/null", O_RDONLY);
    check(mfd >= 0 && zero >= 0 && null >= 0, "a memfd, /dev/zero, /dev/null");

    /* splice */
    errno = 0;
    check(splice(opath, NULL, 9999, NULL, 0, 0x100) == 0,
          "splice of 0 bytes: 0 before the fds and flags");
    errno = 0;
    check(err_is(splice(fd, NULL, p[1], NULL, 10, 0x100), EINVAL),
          "splice with an unknown flag: EINVAL");
    lo = 0;
    errno = 0;
    check(err_is(splice(opath, NULL, p[1], &lo, 10, 0), EBADF),
          "splice of an O_PATH fd, an offset for the pipe: EBADF");
    check(write(p[1], "abc", 3) == 3, "3 bytes into the pipe");
    errno = 0;
    check(err_is(splice(p[0], NULL, app, NULL, 3, 0), EINVAL),
          "splice into an O_APPEND file: EINVAL");
    /* fill the pipe: a splice at the file's end is EAGAIN */
    while (write(p[1], buf, 4096) > 0)
        ;
    lo = 10000;
    errno = 0;
    check(err_is(splice(fd, &lo, p[1], NULL, 10, SPLICE_F_NONBLOCK), EAGAIN),
          "splice at EOF into a full pipe: EAGAIN");
    off = 10000;
    errno = 0;
    check(err_is(sendfile(p[1], fd, &off, 10), EAGAIN),
          "sendfile at EOF into a full non-blocking pipe: EAGAIN");
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    close(p[0]);
    lo = 10000;
    pipes = 0;
    errno = 0;
    check(err_is(splice(fd, &lo, p[1], NULL, 10, 0), EPIPE) && pipes == 1,
          "splice at EOF into a pipe with no reader: EPIPE and SIGPIPE");
    off = 10000;
    errno = 0;
    check(err_is(sendfile(p[1], fd, &off, 10), EPIPE) && pipes == 2,
          "sendfile likewise");
    close(p[1]);

    /* a blocking pipe with one free buffer: the copy fills it, returns */
    check(pipe(p) == 0, "a blocking pipe");
    for (int i = 0; i < 15; i++)
        if (write(p[1], buf, 4096) != 4096)
            break;
    /* natively at once; kbox waited for a reader (the test's timeout) */
    off = 0;
    rc = sendfile(p[1], fd, &off, 16384);
    check(rc > 0 && rc < 16384 && off == rc,
          "sendfile of 16 KiB into it: a part (%ld)", rc);
    close(p[0]);
    close(p[1]);
    check(pipe(p) == 0, "another");
    for (int i = 0; i < 15; i++)
        if (write(p[1], buf, 4096) != 4096)
            break;
    lo = 4096;
    rc = splice(fd, &lo, p[1], NULL, 300000, 0);
    check(rc > 0 && rc < 300000 && lo == 4096 + rc,
          "splice of 300000 bytes into it: a part (%ld)", rc);
    close(p[0]);
    close(p[1]);
    memset(buf, 'x', sizeof(buf));

    /* sendfile from a pipe or a socket */
    check(pipe2(p, O_NONBLOCK) == 0 && write(p[1], "hello", 5) == 5 &&
              send(sv[0], "hello", 5, 0) == 5,
          "5 bytes in a new pipe and in the socket");
    off = 0;
    errno = 0;
    check(err_is(sendfile(fd, p[0], &off, 5), ESPIPE),
          "sendfile from a pipe with an offset: ESPIPE");
    errno = 0;
    check(err_is(sendfile(fd, p[0], NULL, 5), EINVAL),
          "sendfile from a pipe: EINVAL");
    errno = 0;
    check(err_is(sendfile(fd, sv[1], NULL, 5), EINVAL),
          "sendfile from a socket: EINVAL");
    check(read(p[0], buf, 10) == 5 && recv(sv[1], buf, 10, 0) == 5,
          "and nothing was taken from them");

    /* sendfile's checks of the file ends */
    errno = 0;
    check(err_is(sendfile(app, ro, NULL, 10), EINVAL),
          "sendfile into an O_APPEND file: EINVAL");
    check(fcntl(mfd, F_SETFL, O_APPEND) == 0, "the memfd O_APPEND");
    errno = 0;
    check(err_is(sendfile(mfd, ro, NULL, 10), EINVAL) &&
              lseek(mfd, 0, SEEK_END) == 0,
          "sendfile into an O_APPEND memfd: EINVAL, nothing written");
    check(fcntl(mfd, F_SETFL, 0) == 0, "the memfd without O_APPEND");
    lseek(ro, 100, SEEK_SET);
    errno = 0;
    check(err_is(sendfile(mfd, ro, NULL, LONG_MAX), EINVAL),
          "sendfile of LONG_MAX bytes from position 100: EINVAL");
    errno = 0;
    check(err_is(sendfile(fd, ro, NULL, LONG_MAX), EINVAL),
          "and between two files of DIR (lx's call, the count as given)");
    off = 0;
    check(sendfile(fd, zero, &off, 100) == 100 && off == 0,
          "sendfile from /dev/zero: its offset stays 0");
    errno = 0;
    check(err_is(sendfile(fd, null, NULL, 10), EINVAL),
          "sendfile from /dev/null: EINVAL");
    check(sendfile(fd, null, NULL, 0) == 0, "of 0 bytes: 0");
    if (ext4) {
        off = 1LL << 45;
        errno = 0;
        check(err_is(sendfile(mfd, ro, &off, 10), EOVERFLOW),
              "sendfile from 32 TiB in an ext4 file: EOVERFLOW");
    }

    /* tee */
    errno = 0;
    check(err_is(tee(p[0], ro, 10, 0), EBADF),
          "tee into a read-only file: EBADF");
    errno = 0;
    check(err_is(tee(fd, p[0], 10, 0), EBADF),
          "tee into a pipe's read end: EBADF");
    errno = 0;
    check(err_is(tee(fd, p[1], 10, 0), EINVAL), "tee from a file: EINVAL");
    check(tee(fd, p[1], 0, 0) == 0, "tee of 0 bytes: 0");

    /* vmsplice */
    {
        struct iovec iov = { buf, 0 };

        check(vmsplice(fd, &iov, 1, 0) == 0, "vmsplice of no bytes: 0");
        iov.iov_len = 10;
        errno = 0;
        check(err_is(vmsplice(fd, &iov, 1, 0x100), EINVAL),
              "vmsplice with an unknown flag: EINVAL");
        errno = 0;
        check(err_is(vmsplice(opath, &iov, 1, 0), EBADF),
              "vmsplice of an O_PATH fd: EBADF");
        errno = 0;
        check(err_is(vmsplice(fd, &iov, 1, 0), EBADF),
              "vmsplice of a file: EBADF");
    }

    /* copy_file_range */
    errno = 0;
    check(err_is(copy_file_range(opath, NULL, mfd, NULL, 10, 1), EBADF),
          "copy_file_range of an O_PATH fd: EBADF");
    unlink(path);
    unlink(apath);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
