/* SPDX-License-Identifier: MIT */
/*
 * sendfile-splice: sendfile and splice with files of this filesystem at
 * one end, as Linux runs them: file to file (offset given or the file
 * position), file to a pipe and to a socket another process drains
 * (more than their buffers hold), pipe to file, short counts at EOF, a
 * full non-blocking pipe (EAGAIN), a pipe with no reader (EPIPE), a
 * signal in a blocked sendfile (partial count, or EINTR when nothing was
 * written), and the errors for misuse (EBADF, EINVAL, ESPIPE).
 *
 * Usage: sendfile-splice [DIR]   (default /var/tmp)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define SIZE (1 << 20)

static char data[SIZE], back[SIZE];

static void on_alarm(int sig)
{
    (void)sig;
}

static int make_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

    if (fd >= 0 && write(fd, data, SIZE) != SIZE) {
        close(fd);
        return -1;
    }
    return fd;
}

static int same_as_data(const char *path, size_t n, size_t from)
{
    int fd = open(path, O_RDONLY);
    ssize_t got = fd >= 0 ? pread(fd, back, n, 0) : -1;

    if (fd >= 0)
        close(fd);
    return got == (ssize_t)n && !memcmp(back, data + from, n);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";
    char src[512], dst[512], buf[4096];
    struct sigaction sa;
    off_t off;
    ssize_t n;
    int fd, out, p[2], sv[2], st;
    pid_t pid;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < SIZE; i++)
        data[i] = (char)(i * 7 + i / 4096);
    snprintf(src, sizeof(src), "%s/sf-src", dir);
    snprintf(dst, sizeof(dst), "%s/sf-dst", dir);
    fd = make_file(src);
    check(fd >= 0, "a 1 MiB source file");
    if (fd < 0)
        return 1;

    /* file to file */
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    off = 1000;
    n = sendfile(out, fd, &off, SIZE);
    check(n == SIZE - 1000 && off == SIZE && lseek(fd, 0, SEEK_CUR) == SIZE,
          "file to file from an offset: short at EOF, offset updated, "
          "file position kept");
    close(out);
    check(same_as_data(dst, SIZE - 1000, 1000), "the copy has the bytes");
    out = open(dst, O_WRONLY | O_TRUNC);
    lseek(fd, 4096, SEEK_SET);
    n = sendfile(out, fd, NULL, 8192);
    check(n == 8192 && lseek(fd, 0, SEEK_CUR) == 4096 + 8192,
          "file to file at the file position, which moves");
    close(out);
    check(same_as_data(dst, 8192, 4096), "and the copy has those bytes");

    /* file to a pipe and to a socket, drained by a child */
    check(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0,
          "a pipe and a socket pair");
    pid = fork();
    if (pid == 0) {
        size_t got = 0, sgot = 0;

        close(p[1]);
        close(sv[0]);
        while ((n = read(p[0], back + got, SIZE - got)) > 0)
            got += (size_t)n;
        while ((n = read(sv[1], buf, sizeof(buf))) > 0)
            sgot += (size_t)n;
        _exit(got == SIZE && !memcmp(back, data, SIZE) && sgot == SIZE ? 0 : 1);
    }
    close(p[0]);
    close(sv[1]);
    /* Linux fills a pipe per call: short counts, each more than 0 */
    off = 0;
    while (off < SIZE && (n = sendfile(p[1], fd, &off, SIZE - off)) > 0)
        ;
    check(off == SIZE, "1 MiB of file to a pipe (16 times its buffer)");
    close(p[1]);
    off = 0;
    while (off < SIZE && (n = sendfile(sv[0], fd, &off, SIZE - off)) > 0)
        ;
    check(off == SIZE, "1 MiB of file to a socket");
    close(sv[0]);
    check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && !WEXITSTATUS(st),
          "the reader got every byte, in order");

    /* splice: file -> pipe -> file */
    check(pipe(p) == 0, "another pipe");
    {
        loff_t lo = 100, lo2 = 10;

        n = splice(fd, &lo, p[1], NULL, 3000, 0);
        check(n == 3000 && lo == 3100, "splice file to pipe from an offset");
        out = open(dst, O_RDWR | O_TRUNC);
        n = splice(p[0], NULL, out, &lo2, 3000, 0);
        check(n == 3000 && lo2 == 3010 && lseek(out, 0, SEEK_CUR) == 0,
              "splice pipe to file at an offset");
        check(pread(out, back, 3000, 10) == 3000 &&
                  !memcmp(back, data + 100, 3000),
              "the bytes arrived");
        lo = 0;
        errno = 0;
        check(splice(fd, NULL, out, &lo, 10, 0) == -1 && errno == EINVAL,
              "splice file to file: EINVAL");
        errno = 0;
        check(splice(p[0], &lo, out, NULL, 10, 0) == -1 && errno == ESPIPE,
              "an offset for the pipe: ESPIPE");
        close(out);
    }

    /* a full non-blocking pipe; a blocked sendfile and a signal */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    while (write(p[1], buf, sizeof(buf)) > 0)
        ;
    off = 0;
    errno = 0;
    check(sendfile(p[1], fd, &off, 100) == -1 && errno == EAGAIN,
          "a full non-blocking pipe: EAGAIN");
    fcntl(p[1], F_SETFL, 0);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    errno = 0;
    check(sendfile(p[1], fd, &off, 100) == -1 && errno == EINTR,
          "a signal in a sendfile blocked on a full pipe: EINTR");
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    while (read(p[0], buf, sizeof(buf)) > 0)
        ;
    alarm(1);
    off = 0;
    n = sendfile(p[1], fd, &off, SIZE);
    check(n > 0 && n < SIZE && off == n,
          "a signal after some bytes: the count so far (%zd)", n);
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    check(sendfile(p[1], fd, NULL, 100) == -1 && errno == EPIPE,
          "no reader left: EPIPE");
    close(p[1]);

    /* misuse */
    out = open(dst, O_WRONLY);
    errno = 0;
    check(sendfile(fd, out, NULL, 10) == -1 && errno == EBADF,
          "from a write-only file: EBADF");
    close(out);

    /* vmsplice: the caller's memory into a pipe and back out */
    {
        struct iovec iov = { data, 5000 };
        char got[5000];

        check(pipe(p) == 0 && vmsplice(p[1], &iov, 1, 0) == 5000 &&
                  read(p[0], got, sizeof(got)) == 5000 &&
                  !memcmp(got, data, sizeof(got)),
              "vmsplice of 5000 bytes into a pipe");
        iov.iov_base = got;
        check(write(p[1], data + 100, 3000) == 3000 &&
                  vmsplice(p[0], &iov, 1, 0) == 3000 &&
                  !memcmp(got, data + 100, 3000),
              "and out of one");
        errno = 0;
        check(vmsplice(fd, &iov, 1, 0) == -1 && errno == EBADF,
              "vmsplice of a file: EBADF");
        close(p[0]);
        close(p[1]);
    }
    close(fd);
    unlink(src);
    unlink(dst);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
