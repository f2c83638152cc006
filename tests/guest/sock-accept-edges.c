/* SPDX-License-Identifier: MIT */
/*
 * sock-accept-edges: accept, accept4 and recvfrom asking for the peer's
 * address on unix sockets (the calls kbox makes on its copy of the
 * socket), as Linux does them:
 *  - accept failing with EMFILE leaves the connection queued: a later
 *    accept, once a number is free, gets it (Linux takes the number
 *    before it dequeues);
 *  - with SO_RCVTIMEO set, accept, recvfrom and recvmsg interrupted by
 *    a handler fail with EINTR even under SA_RESTART (signal(7)), and
 *    so does a connect waiting for room in a backlog with SO_SNDTIMEO;
 *  - accept4's SOCK_CLOEXEC and SOCK_NONBLOCK, the lowest free number;
 *  - recvfrom's MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT and a short address
 *    buffer on a datagram socket.
 * Passes natively. Usage: sock-accept-edges
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "guest-check.h"

/* An abstract name unique to this run and @tag. */
static socklen_t abstract(struct sockaddr_un *sa, const char *tag)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1, "kbox-sae-%d-%s",
             (int)getpid(), tag);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                       strlen(sa->sun_path + 1));
}

static int listener(const char *tag, int flags)
{
    struct sockaddr_un sa;
    socklen_t l = abstract(&sa, tag);
    int s = socket(AF_UNIX, SOCK_STREAM | flags, 0);

    if (s < 0 || bind(s, (struct sockaddr *)&sa, l) || listen(s, 8))
        return -1;
    return s;
}

static int client(const char *tag)
{
    struct sockaddr_un sa;
    socklen_t l = abstract(&sa, tag);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);

    if (c < 0 || connect(c, (struct sockaddr *)&sa, l))
        return -1;
    return c;
}

static void emfile(void)
{
    struct sockaddr_un peer;
    socklen_t pl = sizeof(peer);
    struct rlimit rl = { 32, 32 };
    int L = listener("emfile", SOCK_NONBLOCK), c = client("emfile"), d = -1, a;

    check(L >= 0 && c >= 0, "emfile: listener and a queued connection");
    if (setrlimit(RLIMIT_NOFILE, &rl)) {
        check(0, "emfile: setrlimit");
        return;
    }
    for (int fd; (fd = dup(c)) >= 0;)
        d = fd;
    check(d >= 0 && errno == EMFILE, "emfile: the table is full");
    errno = 0;
    a = accept(L, (struct sockaddr *)&peer, &pl);
    check(a < 0 && errno == EMFILE,
          "emfile: accept with an address: EMFILE "
          "(got %d)",
          a);
    close(d);
    pl = sizeof(peer);
    a = accept(L, (struct sockaddr *)&peer, &pl);
    check(a == d,
          "emfile: the connection is still queued, accepted at the "
          "freed number %d (got %d)",
          d, a);
    check(a < 0 || write(c, "x", 1) == 1, "emfile: the connection works");
}

static void on_alrm(int sig)
{
    (void)sig;
}

/* One 100 ms timer; SA_RESTART handler. */
static void alarm_soon(void)
{
    struct itimerval it = { { 0, 0 }, { 0, 100000 } };
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alrm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
}

static void timeo_eintr(void)
{
    struct timeval tv = { 4, 0 };
    struct sockaddr_un peer, sa;
    socklen_t pl = sizeof(peer);
    int L = listener("timeo", 0), s[2];
    char b[8];
    long n;

    check(L >= 0 && !setsockopt(L, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
          "timeo: listener with SO_RCVTIMEO 4 s");
    alarm_soon();
    errno = 0;
    n = accept(L, (struct sockaddr *)&peer, &pl);
    check(n < 0 && errno == EINTR,
          "timeo: accept with an address under SA_RESTART: EINTR (got %ld "
          "%s)",
          n, strerrorname_np(errno));
    close(L);

    check(!socketpair(AF_UNIX, SOCK_DGRAM, 0, s) &&
              !setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
          "timeo: datagram pair with SO_RCVTIMEO 4 s");
    alarm_soon();
    errno = 0;
    pl = sizeof(sa);
    n = recvfrom(s[0], b, sizeof(b), 0, (struct sockaddr *)&sa, &pl);
    check(n < 0 && errno == EINTR,
          "timeo: recvfrom with an address under SA_RESTART: EINTR (got %ld "
          "%s)",
          n, strerrorname_np(errno));
    alarm_soon();
    errno = 0;
    {
        struct iovec v = { b, sizeof(b) };
        struct msghdr mh = { .msg_name = &sa,
                             .msg_namelen = sizeof(sa),
                             .msg_iov = &v,
                             .msg_iovlen = 1 };

        n = recvmsg(s[0], &mh, 0);
    }
    check(n < 0 && errno == EINTR,
          "timeo: recvmsg with a name under SA_RESTART: EINTR (got %ld %s)", n,
          strerrorname_np(errno));
    close(s[0]);
    close(s[1]);
}

/* A unix connect waits while the backlog is full: by SO_SNDTIMEO. */
static void timeo_connect(void)
{
    struct timeval tv = { 4, 0 };
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int L = socket(AF_UNIX, SOCK_STREAM, 0), c1, c2;
    long n;

    snprintf(sa.sun_path, sizeof(sa.sun_path), "/tmp/kbox-sae-%d.sock",
             (int)getpid());
    check(L >= 0 && !bind(L, (struct sockaddr *)&sa, sizeof(sa)) &&
              !listen(L, 0),
          "timeo: a path listener with a backlog of 0");
    c1 = socket(AF_UNIX, SOCK_STREAM, 0);
    check(!connect(c1, (struct sockaddr *)&sa, sizeof(sa)),
          "timeo: the first connect is queued");
    c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    check(!setsockopt(c2, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)),
          "timeo: SO_SNDTIMEO 4 s on the second");
    alarm_soon();
    errno = 0;
    n = connect(c2, (struct sockaddr *)&sa, sizeof(sa));
    check(n < 0 && errno == EINTR,
          "timeo: connect waiting for room under SA_RESTART: EINTR (got %ld "
          "%s)",
          n, strerrorname_np(errno));
    unlink(sa.sun_path);
}

static void accept4_flags(void)
{
    struct sockaddr_un peer;
    socklen_t pl = sizeof(peer);
    int L = listener("flags", 0), c1 = client("flags"), c2 = client("flags"),
        hole, a;

    check(L >= 0 && c1 >= 0 && c2 >= 0, "flags: two queued connections");
    hole = dup(0);
    close(hole);
    a = accept4(L, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
    check(a == hole, "flags: accept4 takes the lowest free number %d (got %d)",
          hole, a);
    check(a >= 0 && (fcntl(a, F_GETFD) & FD_CLOEXEC) &&
              !(fcntl(a, F_GETFL) & O_NONBLOCK),
          "flags: SOCK_CLOEXEC alone");
    pl = sizeof(peer);
    a = accept4(L, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK);
    check(a >= 0 && !(fcntl(a, F_GETFD) & FD_CLOEXEC) &&
              (fcntl(a, F_GETFL) & O_NONBLOCK),
          "flags: SOCK_NONBLOCK alone");
    check(pl == sizeof(sa_family_t), "flags: an unnamed peer's length (%u)",
          pl);
    pl = sizeof(peer);
    errno = 0;
    a = accept4(L, (struct sockaddr *)&peer, &pl, 0x40);
    check(a < 0 && errno == EINVAL, "flags: an unknown flag: EINVAL");
}

static void recvfrom_flags(void)
{
    struct sockaddr_un me, from;
    socklen_t ml = abstract(&me, "dgram"), fl;
    int r = socket(AF_UNIX, SOCK_DGRAM, 0), w = socket(AF_UNIX, SOCK_DGRAM, 0);
    char b[16];
    long n;

    check(r >= 0 && w >= 0 && !bind(r, (struct sockaddr *)&me, ml) &&
              !bind(w, (struct sockaddr *)&me, abstract(&me, "dgram-w")),
          "dgram: two bound sockets");
    sendto(w, "0123456789", 10, 0, (struct sockaddr *)&me,
           abstract(&me, "dgram"));
    fl = 4;
    n = recvfrom(r, b, 4, MSG_PEEK | MSG_TRUNC, (struct sockaddr *)&from, &fl);
    check(n == 10 && !memcmp(b, "0123", 4),
          "dgram: MSG_PEEK|MSG_TRUNC gives the whole length (got %ld)", n);
    check(fl == abstract(&me, "dgram-w"),
          "dgram: a short address buffer gets the whole length (%u)", fl);
    fl = sizeof(from);
    n = recvfrom(r, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);
    check(n == 10 && !memcmp(b, "0123456789", 10), "dgram: then read (%ld)", n);
    errno = 0;
    n = recvfrom(r, b, sizeof(b), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
    check(n < 0 && errno == EAGAIN, "dgram: MSG_DONTWAIT when empty: EAGAIN");
}

/* Each part in a child: limits and handlers stay its own. */
static void part(void (*fn)(void))
{
    pid_t p = fork();
    int st;

    if (p == 0) {
        n_fail = 0; /* the parent's count is its own */
        fn();
        fflush(stdout);
        _exit(n_fail ? 1 : 0);
    }
    if (p < 0 || waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st))
        n_fail++;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    part(emfile);
    part(timeo_eintr);
    part(timeo_connect);
    part(accept4_flags);
    part(recvfrom_flags);
    printf("%s: %d failed\n", n_fail ? "FAIL" : "PASS", n_fail);
    return n_fail ? 1 : 0;
}
