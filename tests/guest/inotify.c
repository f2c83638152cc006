/* SPDX-License-Identifier: MIT */
/*
 * inotify and polling of files whose readiness changes (inotify
 * instances, FIFOs): events as a Linux host reports them, and poll,
 * select and epoll that say "readable" exactly when a read would find
 * data - at once after the change, not later.
 * Usage: inotify [DIR [HOSTDIR]]   (default /tmp; HOSTDIR: a bind)
 *        inotify --wait DIR        (print "watching", then the name of
 *                                   the first file made in DIR)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static char dir[PATH_MAX];

static int readable(int fd, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    int n = poll(&p, 1, ms);

    return n == 1 && (p.revents & (POLLIN | POLLHUP));
}

static void touch(const char *name)
{
    char p[PATH_MAX + 64];
    int fd;

    snprintf(p, sizeof(p), "%s/%s", dir, name);
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, "x", 1) != 1)
            perror("write");
        close(fd);
    }
}

/* Read what is queued; return the events as "MASK:name " words. */
static char *drain(int fd, char *out, size_t outlen)
{
    char buf[4096] __attribute__((aligned(8)));
    ssize_t n;

    out[0] = '\0';
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *e = (struct inotify_event *)p;
            size_t l = strlen(out);

            snprintf(out + l, outlen - l, "%x:%s ", e->mask,
                     e->len ? e->name : "");
            p += sizeof(*e) + e->len;
        }
        if (!(fcntl(fd, F_GETFL) & O_NONBLOCK))
            break;
    }
    return out;
}

/* Pass @fd through a unix socket pair (SCM_RIGHTS); the received fd. */
static int pass_fd(int fd)
{
    char cbuf[CMSG_SPACE(sizeof(int))] __attribute__((aligned(8)));
    char byte = 'f';
    struct iovec iov = { &byte, 1 };
    struct msghdr mh = { .msg_iov = &iov,
                         .msg_iovlen = 1,
                         .msg_control = cbuf,
                         .msg_controllen = sizeof(cbuf) };
    struct cmsghdr *cm;
    int sv[2], got = -1;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -1;
    memset(cbuf, 0, sizeof(cbuf));
    cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    if (sendmsg(sv[0], &mh, 0) == 1) {
        mh.msg_controllen = sizeof(cbuf);
        if (recvmsg(sv[1], &mh, 0) == 1 && (cm = CMSG_FIRSTHDR(&mh)) &&
            cm->cmsg_type == SCM_RIGHTS)
            memcpy(&got, CMSG_DATA(cm), sizeof(int));
    }
    close(sv[0]);
    close(sv[1]);
    return got;
}

static int blocked_fd;

static void *blocked_reader(void *arg)
{
    char buf[4096] __attribute__((aligned(8)));

    (void)arg;
    return (void *)(long)read(blocked_fd, buf, sizeof(buf));
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Watches in a lx directory and a host (bind) directory together. */
static void host_dir(int fd, const char *hdir)
{
    char ev[2048], p[PATH_MAX + 64];
    int wl, wh, n;

    wl = inotify_add_watch(fd, dir, IN_CREATE);
    wh = inotify_add_watch(fd, hdir, IN_CREATE | IN_DELETE);
    check(wl > 0 && wh > 0 && wh != wl,
          "watches in an image directory and a host directory (%d, %d)", wl,
          wh);
    snprintf(p, sizeof(p), "%s/hostfile", hdir);
    close(open(p, O_WRONLY | O_CREAT, 0644));
    check(readable(fd, 5000),
          "poll wakes for a file made in the host directory");
    n = (int)read(fd, ev, sizeof(ev));
    {
        struct inotify_event *e = (struct inotify_event *)ev;

        check(n > 0 && e->wd == wh && e->mask == IN_CREATE &&
                  !strcmp(e->name, "hostfile"),
              "IN_CREATE hostfile with the host watch's wd");
    }
    check(!readable(fd, 0), "not readable once the host event is read");
    snprintf(p, sizeof(p), "%s/hostfile2", hdir);
    close(open(p, O_WRONLY | O_CREAT, 0644));
    check(readable(fd, 5000), "poll wakes for a second host file");
    {
        /* readv merges the instances as read does (Linux reads each
         * iovec on its own: the first must hold the events) */
        struct iovec iov[2] = { { ev, sizeof(ev) - 64 },
                                { ev + sizeof(ev) - 64, 64 } };
        struct inotify_event *e = (struct inotify_event *)ev;

        n = (int)readv(fd, iov, 2);
        check(n > 0 && e->wd == wh && e->mask == IN_CREATE &&
                  !strcmp(e->name, "hostfile2"),
              "readv returns the host watch's event");
    }
    snprintf(p, sizeof(p), "%s/hostfile", hdir);
    touch("f");
    unlink(p);
    for (int i = 0; i < 50 && !readable(fd, 0); i++)
        sleep_ms(10);
    sleep_ms(50);
    drain(fd, ev, sizeof(ev));
    check(!strcmp(ev, "100:f 200:hostfile "),
          "one read returns both instances' events (got \"%s\")", ev);
    check(inotify_rm_watch(fd, wh) == 0, "rm_watch of the host watch");
    check(readable(fd, 5000), "IN_IGNORED arrives");
    drain(fd, ev, sizeof(ev));
    check(!strcmp(ev, "8000: "), "IN_IGNORED for the host watch (got \"%s\")",
          ev);
    errno = 0;
    check(inotify_rm_watch(fd, wh) < 0 && errno == EINVAL,
          "the host watch is gone: EINVAL");
    inotify_rm_watch(fd, wl);
    drain(fd, ev, sizeof(ev));
    snprintf(p, sizeof(p), "%s/f", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/hostfile2", hdir);
    unlink(p);
}

/* --wait DIR: block in read until a file is made in DIR. */
static int wait_mode(const char *d)
{
    char buf[4096] __attribute__((aligned(8)));
    int fd = inotify_init();
    ssize_t n;

    if (fd < 0 || inotify_add_watch(fd, d, IN_CREATE) < 0) {
        printf("FAIL - watch %s: %s\n", d, strerror(errno));
        return 1;
    }
    printf("watching\n");
    fflush(stdout);
    n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
        printf("FAIL - read: %s\n", strerror(errno));
        return 1;
    }
    printf("event %s\n", ((struct inotify_event *)buf)->name);
    return 0;
}

int main(int argc, char **argv)
{
    char ev[2048], p1[PATH_MAX + 64], p2[PATH_MAX + 64];
    int fd, fd2, wd, epfd, pfd[2], rfd, wfd, bfd, st;
    struct epoll_event ee = { .events = EPOLLIN };
    fd_set set;
    struct timeval tv = { 0, 0 };
    pid_t pid;
    char c;

    if (argc > 2 && !strcmp(argv[1], "--wait"))
        return wait_mode(argv[2]);
    snprintf(dir, sizeof(dir), "%s/inotify-XXXXXX",
             argc > 1 ? argv[1] : "/tmp");
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines survive a SIGALRM end */
    alarm(120); /* a hang fails instead of stalling the suite */
    if (!mkdtemp(dir)) {
        printf("FAIL - mkdtemp %s: %s\n", dir, strerror(errno));
        return 1;
    }

    errno = 0;
    check(inotify_init1(0x4321) < 0 && errno == EINVAL,
          "inotify_init1 with unknown flags: EINVAL");
    fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    check(fd >= 0, "inotify_init1(IN_NONBLOCK | IN_CLOEXEC)");
    check((fcntl(fd, F_GETFD) & FD_CLOEXEC) &&
              (fcntl(fd, F_GETFL) & O_NONBLOCK),
          "IN_CLOEXEC and IN_NONBLOCK are set");
    check(read(fd, ev, sizeof(ev)) < 0 && errno == EAGAIN,
          "read with nothing queued: EAGAIN");
    check(!readable(fd, 0), "poll: not readable with nothing queued");

    wd = inotify_add_watch(fd, dir,
                           IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MODIFY |
                               IN_MOVED_FROM | IN_MOVED_TO);
    check(wd > 0, "inotify_add_watch on a directory");
    check(inotify_add_watch(fd, dir, IN_CREATE | IN_MASK_ADD) == wd,
          "watching it again returns the same wd");

    touch("a");
    check(readable(fd, 0), "poll: readable at once after a file is made");
    {
        char small[8];

        char rest[256];
        struct iovec iov[2] = { { small, sizeof(small) },
                                { rest, sizeof(rest) } };

        check(read(fd, small, sizeof(small)) < 0 && errno == EINVAL,
              "read into a buffer smaller than an event: EINVAL");
        /* each iovec is a read of its own, as Linux reads this file */
        errno = 0;
        check(readv(fd, iov, 2) < 0 && errno == EINVAL,
              "readv whose first iovec is smaller than an event: EINVAL");
    }
    drain(fd, ev, sizeof(ev));
    check(!strcmp(ev, "100:a 2:a 8:a "),
          "create, modify, close_write of a (got \"%s\")", ev);
    check(!readable(fd, 0), "poll: not readable once the events are read");

    snprintf(p1, sizeof(p1), "%s/a", dir);
    snprintf(p2, sizeof(p2), "%s/b", dir);
    check(rename(p1, p2) == 0, "rename a b");
    FD_ZERO(&set);
    FD_SET(fd, &set);
    check(select(fd + 1, &set, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &set),
          "select: readable at once after a rename");
    drain(fd, ev, sizeof(ev));
    check(!strcmp(ev, "40:a 80:b "), "moved_from a, moved_to b (got \"%s\")",
          ev);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    check(epfd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ee) == 0,
          "epoll_ctl ADD of the inotify fd");
    check(epoll_wait(epfd, &ee, 1, 0) == 0, "epoll: nothing ready");
    check(unlink(p2) == 0, "unlink b");
    check(epoll_wait(epfd, &ee, 1, 0) == 1 && (ee.events & EPOLLIN),
          "epoll: ready at once after an unlink");
    drain(fd, ev, sizeof(ev));
    check(!strcmp(ev, "200:b "), "delete b (got \"%s\")", ev);
    check(epoll_wait(epfd, &ee, 1, 0) == 0, "epoll: not ready once read");

    fd2 = dup(fd);
    touch("c");
    check(fd2 > fd && readable(fd2, 0), "a dup polls the same instance");
    drain(fd2, ev, sizeof(ev));
    check(!strcmp(ev, "100:c 2:c 8:c "),
          "events read through the dup (got \"%s\")", ev);
    check(!readable(fd, 0), "the original sees them gone");
    close(fd2);

    fd2 = pass_fd(fd);
    check(fd2 >= 0, "the inotify fd passed with SCM_RIGHTS");
    check(!readable(fd2, 0), "received: not readable with nothing queued");
    touch("g");
    check(readable(fd2, 0), "received: readable at once after a change");
    drain(fd2, ev, sizeof(ev));
    check(!strcmp(ev, "100:g 2:g 8:g "), "events read through it (got \"%s\")",
          ev);
    close(fd2);

    /* Another process makes the change while this one waits in poll. */
    pid = fork();
    if (pid == 0) {
        sleep_ms(100);
        touch("d");
        _exit(0);
    }
    check(readable(fd, 5000), "poll wakes when a child makes a file");
    waitpid(pid, &st, 0);
    drain(fd, ev, sizeof(ev));
    check(!strcmp(ev, "100:d 2:d 8:d "), "the child's events (got \"%s\")", ev);

    /* A blocking instance: read waits for the event. */
    bfd = inotify_init();
    check(bfd >= 0 && inotify_add_watch(bfd, dir, IN_CREATE) > 0,
          "inotify_init (blocking) and a watch");
    pid = fork();
    if (pid == 0) {
        sleep_ms(100);
        touch("e");
        _exit(0);
    }
    drain(bfd, ev, sizeof(ev));
    check(!strcmp(ev, "100:e "),
          "a blocking read returns the event (got \"%s\")", ev);
    waitpid(pid, &st, 0);
    close(bfd);
    drain(fd, ev, sizeof(ev));

    /* A thread blocked in a read stalls no other thread's calls (the
     * wake-up here comes from the main thread) */
    {
        pthread_t th;
        void *got = NULL;
        struct stat sb;
        double t0;
        int ok = 1;

        blocked_fd = inotify_init();
        check(blocked_fd >= 0 &&
                  inotify_add_watch(blocked_fd, dir, IN_CREATE) > 0 &&
                  pthread_create(&th, NULL, blocked_reader, NULL) == 0,
              "a thread blocks in an inotify read");
        sleep_ms(100);
        /* the thread is no process of its own in /proc (ps, pidof) */
        {
            DIR *d = opendir("/proc");
            struct dirent *de;
            int others = 0;

            while (d && (de = readdir(d))) {
                char p[300], comm[64] = "";
                FILE *f;

                if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
                    atoi(de->d_name) == getpid())
                    continue;
                snprintf(p, sizeof(p), "/proc/%s/comm", de->d_name);
                if ((f = fopen(p, "r"))) {
                    if (fgets(comm, sizeof(comm), f) &&
                        !strcmp(comm, "inotify\n"))
                        others++;
                    fclose(f);
                }
            }
            if (d) {
                closedir(d);
                check(others == 0,
                      "/proc lists no process for the thread "
                      "(%d found)",
                      others);
            }
        }
        t0 = now_s();
        for (int i = 0; i < 20 && ok; i++) {
            int f = open("/etc/passwd", O_RDONLY);

            ok = f >= 0 && fstat(f, &sb) == 0 && close(f) == 0 &&
                 stat(dir, &sb) == 0;
        }
        check(ok && now_s() - t0 < 3,
              "meanwhile the main thread's file calls run (%.2f s)",
              now_s() - t0);
        touch("t");
        pthread_join(th, &got);
        check((long)got > 0, "the blocked thread gets the event it caused");
        close(blocked_fd);
        drain(fd, ev, sizeof(ev));
    }
    if (argc > 2) {
        check(inotify_rm_watch(fd, wd) == 0, "inotify_rm_watch");
        drain(fd, ev, sizeof(ev));
        host_dir(fd, argv[2]);
        wd = inotify_add_watch(fd, dir, IN_CREATE);
    }

    check(inotify_rm_watch(fd, wd) == 0, "inotify_rm_watch");
    drain(fd, ev, sizeof(ev));
    check(!strcmp(ev, "8000: "), "IN_IGNORED after rm_watch (got \"%s\")", ev);
    errno = 0;
    check(inotify_rm_watch(fd, wd) < 0 && errno == EINVAL,
          "rm_watch of a removed wd: EINVAL");

    errno = 0;
    check(inotify_add_watch(fd, "/nonexistent-dir", IN_CREATE) < 0 &&
              errno == ENOENT,
          "watch of a missing path: ENOENT");
    errno = 0;
    check(inotify_add_watch(fd, dir, 0) < 0 && errno == EINVAL,
          "watch with an empty mask: EINVAL");
    check(pipe(pfd) == 0, "pipe");
    errno = 0;
    check(inotify_add_watch(pfd[0], dir, IN_CREATE) < 0 && errno == EINVAL,
          "watch on a pipe fd: EINVAL");
    errno = 0;
    check(inotify_add_watch(epfd, dir, IN_CREATE) < 0 && errno == EINVAL,
          "watch on an epoll fd: EINVAL");
    errno = 0;
    check(inotify_add_watch(999, dir, IN_CREATE) < 0 && errno == EBADF,
          "watch on a closed fd: EBADF");
    close(pfd[0]);
    close(pfd[1]);

    {
        char link[64], target[64] = "";
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof(target) - 1);
        if (n >= 0 || errno != ENOENT) {
            target[n > 0 ? n : 0] = '\0';
            check(!strcmp(target, "anon_inode:inotify"),
                  "/proc/self/fd names it anon_inode:inotify (got \"%s\")",
                  target);
        }
    }
    close(epfd);
    close(fd);

    /* Closed instances are freed: more than the per-user limit of 128
     * can be made one after another. */
    {
        int i, ok = 1;

        for (i = 0; i < 300 && ok; i++) {
            int f = inotify_init1(IN_CLOEXEC);

            ok = f >= 0 && inotify_add_watch(f, dir, IN_CREATE) > 0;
            close(f);
        }
        check(ok, "300 instances made and closed in turn (failed at %d)", i);
    }

    /* A FIFO's read end polls like the host's. */
    snprintf(p1, sizeof(p1), "%s/fifo", dir);
    check(mkfifo(p1, 0600) == 0, "mkfifo");
    rfd = open(p1, O_RDONLY | O_NONBLOCK);
    check(rfd >= 0 && !readable(rfd, 0), "FIFO without a writer: not readable");
    wfd = open(p1, O_WRONLY);
    check(wfd >= 0 && !readable(rfd, 0),
          "FIFO with an idle writer: not readable");
    check(write(wfd, "xy", 2) == 2 && readable(rfd, 0),
          "FIFO: readable at once after a write");
    check(read(rfd, &c, 1) == 1 && readable(rfd, 0),
          "FIFO: still readable with a byte left");
    check(read(rfd, &c, 1) == 1 && !readable(rfd, 0),
          "FIFO: not readable once drained");
    pid = fork();
    if (pid == 0) {
        sleep_ms(100);
        if (write(wfd, "z", 1) != 1)
            _exit(1);
        _exit(0);
    }
    check(readable(rfd, 5000), "FIFO: poll wakes when a child writes");
    waitpid(pid, &st, 0);
    check(read(rfd, &c, 1) == 1 && c == 'z', "FIFO: the child's byte");
    close(wfd);
    check(readable(rfd, 0) && read(rfd, &c, 1) == 0,
          "FIFO: the last writer gone: poll says so and read gives EOF");
    close(rfd);
    unlink(p1);

    for (const char *n = "cdegt"; *n; n++) {
        snprintf(p1, sizeof(p1), "%s/%c", dir, *n);
        unlink(p1);
    }
    check(rmdir(dir) == 0, "the scratch directory is left empty");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
