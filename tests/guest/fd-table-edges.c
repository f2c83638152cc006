/* SPDX-License-Identifier: MIT */
/*
 * Edges of the guest fd table kbox keeps beside the host's.
 *
 *   fd-table-edges args DIR        close_range with unknown flags closes
 *                                  nothing (EINVAL); F_DUPFD takes its
 *                                  minimum as an unsigned int
 *   fd-table-edges race DIR SECS   a thread mmaps an image file while the
 *                                  main thread closes it and opens a
 *                                  socket: the socket takes the freed
 *                                  number and stays a socket
 *   fd-table-edges longio DIR N    a 32 MiB write or read goes on with
 *                                  its file while another thread closes
 *                                  the fd and opens a second file
 *   fd-table-edges forkheld DIR    a FIFO read in flight keeps its file
 *                                  past the fd's close, but a child
 *                                  forked after the close has none
 *   fd-table-edges rights DIR      a pipe's or image FIFO's write end
 *                                  received by a recvmsg that fails
 *                                  with EFAULT is dropped: EOF
 *
 * Each prints "ok"/"FAIL" lines and exits 0 when all passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static int make_file(const char *dir, const char *name, char *path, size_t size)
{
    static char buf[1 << 16];
    int fd;

    snprintf(path, 512, "%s/%s", dir, name);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    memset(buf, 'k', sizeof(buf));
    memcpy(buf, "hello", 5);
    for (size_t done = 0; fd >= 0 && done < size;) {
        size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);

        if (write(fd, buf, n) != (ssize_t)n)
            break;
        done += n;
    }
    if (fd < 0 || lseek(fd, 0, SEEK_CUR) != (off_t)size) {
        perror(path);
        exit(2);
    }
    return fd;
}

static void args_checks(const char *dir)
{
    char path[512], b[8];
    long rc;
    int fd = make_file(dir, "fte-args", path, 5), fd2;

    /* The host's EINVAL closed nothing, but the lx file behind the
     * number was closed: reads then met the placeholder (EOF). */
    errno = 0;
    rc = syscall(SYS_close_range, fd, ~0U, 0x100);
    check(rc == -1 && errno == EINVAL, "close_range unknown flag: EINVAL");
    memset(b, 0, sizeof(b));
    rc = pread(fd, b, 5, 0);
    check(rc == 5 && !memcmp(b, "hello", 5),
          "the file is still open and readable after it (%ld)", rc);
    errno = 0;
    rc = syscall(SYS_close_range, fd, fd, 0x100 | CLOSE_RANGE_CLOEXEC);
    check(rc == -1 && errno == EINVAL && fcntl(fd, F_GETFD) == 0,
          "close_range CLOEXEC with an unknown flag marks nothing");
    errno = 0;
    rc = syscall(SYS_close_range, fd + 1, fd, 0);
    memset(b, 0, sizeof(b));
    check(rc == -1 && errno == EINVAL && pread(fd, b, 5, 0) == 5,
          "close_range first > last: EINVAL, file open");

    close(fd);
    fd = open(path, O_RDONLY);
    /* fcntl's argument is an unsigned long, F_DUPFD's minimum its low
     * 32 bits (do_fcntl's argi) */
    fd2 = (int)syscall(SYS_fcntl, fd, F_DUPFD, 0x100000000UL + 40);
    check(fd2 >= 40, "F_DUPFD 0x100000028 gives a number >= 40 (%d)", fd2);
    memset(b, 0, sizeof(b));
    check(fd2 >= 0 && pread(fd2, b, 5, 0) == 5 && !memcmp(b, "hello", 5),
          "which reads the file");
    if (fd2 >= 0)
        close(fd2);
    fd2 = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0x700000000UL + 41);
    check(fd2 >= 41 && fcntl(fd2, F_GETFD) == FD_CLOEXEC,
          "F_DUPFD_CLOEXEC 0x700000029: >= 41, close-on-exec (%d)", fd2);
    if (fd2 >= 0)
        close(fd2);
    errno = 0;
    rc = syscall(SYS_fcntl, fd, F_DUPFD, 0x1ffffffffUL);
    check(rc == -1 && errno == EINVAL, "F_DUPFD 0x1ffffffff: EINVAL");
    close(fd);
    unlink(path);
}

static volatile int stop, target = -1, go, started, finished;

/* One mmap of the round's file per round, announced before it is made. */
static void *mapper(void *arg)
{
    int seen = 0;

    (void)arg;
    while (!stop) {
        int round = go;
        void *p;

        if (round == seen) {
            sched_yield();
            continue;
        }
        seen = round;
        started = round;
        p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, target, 0);
        if (p != MAP_FAILED)
            munmap(p, 4096);
        finished = round;
    }
    return NULL;
}

/* Wait (yielding, at most ~2 s) until *@v is @want. */
static void await(volatile int *v, int want)
{
    for (int i = 0; *v != want && i < 2000000; i++)
        sched_yield();
}

/*
 * kbox puts the file's content memfd at the guest's number before the
 * host maps it. Put there after another thread closed the number, it
 * brought a closed fd back, or replaced the socket opened there since.
 * Each round closes the file while the mapper's mmap of it is in
 * flight (kbox copies 4 MiB for it), a little later each round.
 */
static void race(const char *dir, int secs)
{
    char path[512];
    int fd = make_file(dir, "fte-race", path, 4 << 20), rounds = 0, bad = 0;
    time_t end = time(NULL) + secs;
    pthread_t th;

    close(fd);
    if (pthread_create(&th, NULL, mapper, NULL)) {
        check(0, "pthread_create");
        return;
    }
    while (time(NULL) < end && bad < 3) {
        struct stat st;
        int s, round = rounds + 1;

        /* O_RDWR: no content memfd at open, the mmap copies one (the
         * file changed: not the cached copy) and puts it there */
        fd = open(path, O_RDWR);
        if (pwrite(fd, &round, sizeof(round), 0) != sizeof(round))
            check(0, "pwrite");
        target = fd;
        go = round;
        await(&started, round);
        for (volatile int i = 0; i < (rounds % 50) * 2000; i++)
            ;
        close(fd);
        s = socket(AF_UNIX, SOCK_DGRAM, 0);
        await(&finished, round);
        if (s != fd || fstat(s, &st) != 0 || !S_ISSOCK(st.st_mode)) {
            bad++;
            printf("round %d: file was fd %d, socket fd %d mode %o\n", round,
                   fd, s, s >= 0 && !fstat(s, &st) ? st.st_mode : 0);
        }
        close(s);
        /* a number brought back after its close: close it for the
         * next round (natively nothing is there) */
        if (s != fd)
            close(fd);
        rounds = round;
    }
    stop = 1;
    pthread_join(th, NULL);
    check(!bad,
          "the socket took the closed file's number and stayed a socket "
          "(%d rounds)",
          rounds);
    unlink(path);
}

#define LONG_IO (32 << 20)

static int io_fd;
static char *io_buf;
static volatile int io_started;
static long io_done;

static void *long_write(void *arg)
{
    (void)arg;
    io_started = 1;
    io_done = write(io_fd, io_buf, LONG_IO);
    return NULL;
}

static void *long_read(void *arg)
{
    (void)arg;
    io_started = 1;
    io_done = read(io_fd, io_buf, LONG_IO);
    return NULL;
}

/*
 * A write or read of 32 MiB to an image file, and meanwhile another
 * thread closes the fd and opens a second file. Natively the call goes
 * on with the file it started on. kbox moved the bytes in 1 MiB steps,
 * each looking up the lx fd again: the close freed it, the open got it
 * back, and the rest of the write went into the second file (the rest
 * of the read came from it).
 */
static void long_io(const char *dir, int rounds)
{
    char px[512], py[512];
    int bad_w = 0, bad_r = 0;
    pthread_t th;
    struct stat st;

    io_buf = malloc(LONG_IO);
    if (!io_buf) {
        check(0, "malloc");
        return;
    }
    for (int i = 0; i < rounds; i++) {
        int y;

        /* write: all of it lands in x, none in y */
        close(make_file(dir, "fte-y", py, 0));
        snprintf(px, sizeof(px), "%s/fte-x", dir);
        io_fd = open(px, O_RDWR | O_CREAT | O_TRUNC, 0600);
        memset(io_buf, 'x', LONG_IO);
        io_started = 0;
        if (pthread_create(&th, NULL, long_write, NULL))
            break;
        while (!io_started)
            ;
        usleep(2000);
        close(io_fd);
        y = open(py, O_RDWR);
        pthread_join(th, NULL);
        if (fstat(y, &st) || st.st_size != 0 || stat(px, &st) ||
            st.st_size != io_done) {
            bad_w++;
            printf("round %d: write of %ld, first file %ld bytes, second "
                   "file %ld\n",
                   i, io_done, stat(px, &st) ? -1L : (long)st.st_size,
                   fstat(y, &st) ? -1L : (long)st.st_size);
        }
        close(y);

        /* read: every byte from x (all 'x'), none of y ('y') */
        y = open(py, O_RDWR);
        memset(io_buf, 'y', LONG_IO);
        if (write(y, io_buf, LONG_IO) != LONG_IO)
            check(0, "write y");
        close(y);
        io_fd = open(px, O_RDONLY);
        memset(io_buf, 0, LONG_IO);
        io_started = 0;
        if (pthread_create(&th, NULL, long_read, NULL))
            break;
        while (!io_started)
            ;
        usleep(300 + 400 * (i % 8)); /* before the read ends */
        close(io_fd);
        y = open(py, O_RDONLY);
        pthread_join(th, NULL);
        for (long j = 0; j < io_done; j++)
            if (io_buf[j] != 'x') {
                bad_r++;
                printf("round %d: read of %ld: byte %ld is '%c'\n", i, io_done,
                       j, io_buf[j]);
                break;
            }
        close(y);
    }
    check(!bad_w, "a long write racing close + open wrote only its file");
    check(!bad_r, "a long read racing close + open read only its file");
    unlink(px);
    unlink(py);
    free(io_buf);
}

static int fifo_r;
static volatile int fifo_reading;
static long fifo_got;

static void *fifo_read(void *arg)
{
    char b[16];

    (void)arg;
    fifo_reading = 1;
    fifo_got = read(fifo_r, b, sizeof(b));
    return NULL;
}

/*
 * A thread blocked reading a FIFO holds its file after another thread
 * closes the fd; a child forked then must not get that file (its fd is
 * closed): once the read is over, the FIFO has no reader left, and a
 * non-blocking open for writing is ENXIO.
 */
static void fork_held(const char *dir)
{
    char path[512];
    int w, sync[2], fd;
    pthread_t th;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/fte-fifo", dir);
    unlink(path);
    if (mkfifo(path, 0600) || pipe(sync)) {
        check(0, "mkfifo");
        return;
    }
    fifo_r = open(path, O_RDONLY | O_NONBLOCK);
    w = open(path, O_WRONLY);
    fcntl(fifo_r, F_SETFL, 0);
    if (pthread_create(&th, NULL, fifo_read, NULL)) {
        check(0, "pthread_create");
        return;
    }
    while (!fifo_reading)
        ;
    usleep(100000); /* in the read */
    close(fifo_r);
    pid = fork();
    if (pid == 0) {
        char c;

        close(sync[1]);
        if (read(sync[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    close(sync[0]);
    if (write(w, "x", 1) != 1)
        check(0, "write");
    pthread_join(th, NULL);
    check(fifo_got == 1, "the read of the closed fd got the byte (%ld)",
          fifo_got);
    close(w);
    errno = 0;
    fd = open(path, O_WRONLY | O_NONBLOCK);
    check(fd == -1 && errno == ENXIO,
          "no reader left, also in the child forked after the close: "
          "ENXIO (%d)",
          fd);
    if (fd >= 0)
        close(fd);
    close(sync[1]);
    waitpid(pid, NULL, 0);
    unlink(path);
}

/* Send @fd over datagram socket @s, then recvmsg it into a read-only
 * page: EFAULT, and Linux discards the message and its fds. */
static long rights_to_bad_buffer(int fd)
{
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int))];
    } u, u2;
    char c = 'x', *bad;
    struct iovec iov = { &c, 1 }, biov;
    struct msghdr m = { .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = u.b,
                        .msg_controllen = sizeof(u.b) },
                  m2;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
    int sv[2];
    long rc;

    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
        return -2;
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    if (sendmsg(sv[0], &m, 0) != 1)
        return -2;
    close(fd);
    bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    biov = (struct iovec){ bad, 1 };
    m2 = (struct msghdr){ .msg_iov = &biov,
                          .msg_iovlen = 1,
                          .msg_control = u2.b,
                          .msg_controllen = sizeof(u2.b) };
    errno = 0;
    rc = recvmsg(sv[1], &m2, MSG_DONTWAIT);
    rc = rc < 0 ? -errno : rc;
    close(sv[0]);
    close(sv[1]);
    munmap(bad, 4096);
    return rc;
}

/* Wait (at most ~3 s) for @fd, a pipe or FIFO read end, to report that
 * no writer is left; then its read is 0. */
static long eof_of(int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };
    char b;

    for (int i = 0; i < 300 && !(p.revents & POLLHUP); i++)
        if (poll(&p, 1, 10) < 0)
            break;
    return read(fd, &b, 1);
}

/*
 * A write end received by a recvmsg that fails (its buffer is a read-only
 * page) is dropped: its reader sees EOF. kbox received it on its own
 * copy of the socket, then failed the copy-out and kept the fd (a host
 * pipe's end, or the token of an image FIFO's) for good.
 */
static void rights_dropped(const char *dir)
{
    char path[512];
    int p[2], r, w;
    long rc;

    if (pipe2(p, O_NONBLOCK)) {
        check(0, "pipe");
        return;
    }
    rc = rights_to_bad_buffer(p[1]);
    check(rc == -EFAULT,
          "recvmsg of a pipe end into a read-only page: "
          "EFAULT (%ld)",
          rc);
    rc = eof_of(p[0]);
    check(rc == 0, "the pipe has no writer left: EOF (%ld)", rc);
    close(p[0]);

    snprintf(path, sizeof(path), "%s/fte-rfifo", dir);
    unlink(path);
    if (mkfifo(path, 0600)) {
        check(0, "mkfifo");
        return;
    }
    r = open(path, O_RDONLY | O_NONBLOCK);
    w = open(path, O_WRONLY);
    rc = rights_to_bad_buffer(w);
    check(rc == -EFAULT, "recvmsg of an image FIFO's end: EFAULT (%ld)", rc);
    rc = eof_of(r);
    check(rc == 0, "the FIFO has no writer left: EOF (%ld)", rc);
    close(r);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "args"))
        args_checks(argv[2]);
    else if (argc >= 4 && !strcmp(argv[1], "race"))
        race(argv[2], atoi(argv[3]));
    else if (argc >= 4 && !strcmp(argv[1], "longio"))
        long_io(argv[2], atoi(argv[3]));
    else if (argc >= 3 && !strcmp(argv[1], "forkheld"))
        fork_held(argv[2]);
    else if (argc >= 3 && !strcmp(argv[1], "rights"))
        rights_dropped(argv[2]);
    else {
        fprintf(stderr,
                "usage: %s args DIR | race DIR SECS | longio DIR ROUNDS | "
                "forkheld DIR | rights DIR\n",
                argv[0]);
        return 2;
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
