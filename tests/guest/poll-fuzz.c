/* SPDX-License-Identifier: MIT */
/*
 * poll-fuzz: a seeded, deterministic differential fuzzer for readiness.
 * Three processes (this one and two forked children, driven one command
 * at a time over pipes, so the order of events is fixed) open and close
 * FIFO ends, write and read them, resize them, create inotify instances
 * and watches and make events, send and receive on a POSIX message queue,
 * and keep an epoll set each (level-triggered, EPOLLET, EPOLLONESHOT
 * re-armed with EPOLL_CTL_MOD, EPOLL_CTL_DEL, closed fds, dups). After
 * every operation each process reports, for every descriptor it holds,
 * poll (timeout 0), ppoll, select, FIONREAD, and what its epoll set
 * reports. The output is meant to be compared with a native run of the
 * same seed: it is identical on Linux from run to run.
 *
 * Usage: poll-fuzz [-n OPS] [-k] [-e] [-h] [-i] [-b] DIR SEED
 *   -k  mask a FIFO's write readiness (POLLOUT/POLLERR/select's write
 *       bit), which kbox did not follow before its twenty-fifth session
 *   -e  no EPOLLET on a message queue or an O_RDWR FIFO (level-triggered
 *       instead): Linux reports an ET item again at every receive while
 *       it has room, and an O_RDWR FIFO's at each resize or read; kbox
 *       only when it gets room (an O_RDWR FIFO's mirror is a socket)
 *   -i  no inotify watches (in a bind, kbox relays host events to the
 *       instance's readiness from a thread, a little later)
 *   -h  fold a FIFO read end's POLLHUP into POLLIN (kbox said POLLIN
 *       before its twenty-fifth session)
 *   -b  run the blocking variants instead (poll with a timeout woken by
 *       another process's write; epoll_wait in a thread woken by another
 *       thread's write); prints "ok"/"FAIL" lines
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-util.h"

#define NAGENT 3
#define NSLOT  6
#define NFIFO  2
#define REPLY  8192

enum kind { K_NONE, K_FR, K_FW, K_FRW, K_INO, K_MQ };
static const char *kname[] = { "-", "FR", "FW", "FRW", "INO", "MQ" };

struct slot {
    int fd;
    enum kind kind;
    int ep;    /* in this agent's epoll set: 0 no, 1 LT, 2 ET, 3 ONESHOT */
    int wd[2]; /* inotify watches */
};

struct cmd {
    int op, slot, arg, arg2;
};

static char dir[256], subdir[300], mqname[64];
static int mask_known, no_et, fold_hup, no_watch;
static struct slot slots[NSLOT];
/* The kind a slot had: an epoll item outlives its fd while a dup lives. */
static enum kind was_kind[NSLOT];
static int epfd = -1;
static int agent_id;

static void out(char *buf, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void out(char *buf, size_t *len, const char *fmt, ...)
{
    va_list ap;

    if (*len >= REPLY - 1)
        return;
    va_start(ap, fmt);
    *len += (size_t)vsnprintf(buf + *len, REPLY - *len, fmt, ap);
    va_end(ap);
    if (*len > REPLY - 1)
        *len = REPLY - 1;
}

static const char *ename(int e)
{
    static char b[32];

    switch (e) {
    case EAGAIN:
        return "EAGAIN";
    case ENXIO:
        return "ENXIO";
    case EPIPE:
        return "EPIPE";
    case EBADF:
        return "EBADF";
    case EINVAL:
        return "EINVAL";
    case ENOENT:
        return "ENOENT";
    case EEXIST:
        return "EEXIST";
    case EPERM:
        return "EPERM";
    case EBUSY:
        return "EBUSY";
    case ENOTTY:
        return "ENOTTY";
    case EMSGSIZE:
        return "EMSGSIZE";
    case ENOSPC:
        return "ENOSPC";
    case EMFILE:
        return "EMFILE";
    }
    snprintf(b, sizeof(b), "E%d", e);
    return b;
}

static void pbits(char *buf, size_t *len, unsigned v)
{
    static const struct {
        unsigned bit;
        const char *n;
    } names[] = {
        { POLLIN, "IN" },      { POLLPRI, "PRI" },     { POLLOUT, "OUT" },
        { POLLERR, "ERR" },    { POLLHUP, "HUP" },     { POLLNVAL, "NVAL" },
        { POLLRDNORM, "RDN" }, { POLLRDBAND, "RDB" },  { POLLWRNORM, "WRN" },
        { POLLWRBAND, "WRB" }, { POLLRDHUP, "RDHUP" },
    };
    int first = 1;

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (v & names[i].bit) {
            out(buf, len, "%s%s", first ? "" : "|", names[i].n);
            first = 0;
            v &= ~names[i].bit;
        }
    if (v)
        out(buf, len, "%s0x%x", first ? "" : "|", v), first = 0;
    if (first)
        out(buf, len, "0");
}

static int is_fifo(enum kind k)
{
    return k == K_FR || k == K_FW || k == K_FRW;
}

static unsigned masked(enum kind k, unsigned v)
{
    if (mask_known && is_fifo(k))
        v &= ~(unsigned)(POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR);
    if (fold_hup && (k == K_FR || k == K_FRW) && (v & (POLLIN | POLLHUP))) {
        v &= ~(unsigned)POLLHUP;
        v |= POLLIN | POLLRDNORM;
    }
    return v;
}

/* What epoll is asked for: with -k not a FIFO's writability (see above). */
static unsigned ep_want(enum kind k)
{
    return EPOLLIN | EPOLLRDHUP |
           (mask_known && is_fifo(k) ? 0 : (unsigned)EPOLLOUT);
}

/* Readiness of every descriptor this agent holds, canonically. */
static void report(char *buf, size_t *len)
{
    const short want =
        POLLIN | POLLOUT | POLLPRI | POLLRDHUP | POLLRDNORM | POLLWRNORM;

    out(buf, len, "  A%d", agent_id);
    for (int s = 0; s < NSLOT; s++) {
        struct slot *sl = &slots[s];
        struct pollfd p = { sl->fd, want, 0 };
        struct timespec ts = { 0, 0 };
        struct timeval tv = { 0, 0 };
        fd_set r, w, e;
        int n, pr, sr;

        if (sl->kind == K_NONE)
            continue;
        out(buf, len, " s%d:%s P=", s, kname[sl->kind]);
        pr = poll(&p, 1, 0);
        if (pr < 0)
            out(buf, len, "%s", ename(errno));
        else
            pbits(buf, len, masked(sl->kind, (unsigned)p.revents));
        {
            struct pollfd q = { sl->fd, want, 0 };

            if (ppoll(&q, 1, &ts, NULL) < 0)
                out(buf, len, " PP=%s", ename(errno));
            else if (q.revents != p.revents)
                out(buf, len, " PP!=%x", (unsigned)q.revents);
        }
        FD_ZERO(&r);
        FD_ZERO(&w);
        FD_ZERO(&e);
        FD_SET(sl->fd, &r);
        FD_SET(sl->fd, &w);
        FD_SET(sl->fd, &e);
        sr = select(sl->fd + 1, &r, &w, &e, &tv);
        if (sr < 0)
            out(buf, len, " S=%s", ename(errno));
        else
            /* a write end is readable for select only with POLLERR */
            out(buf, len, " S=%c%c%c",
                mask_known && sl->kind == K_FW
                    ? '.'
                    : (FD_ISSET(sl->fd, &r) ? 'r' : '-'),
                mask_known && is_fifo(sl->kind)
                    ? '.'
                    : (FD_ISSET(sl->fd, &w) ? 'w' : '-'),
                FD_ISSET(sl->fd, &e) ? 'e' : '-');
        if (ioctl(sl->fd, FIONREAD, &n) < 0)
            out(buf, len, " F=%s", ename(errno));
        else
            out(buf, len, " F=%d", n);
    }
    if (epfd >= 0) {
        struct epoll_event ev[16];
        int n = epoll_wait(epfd, ev, 16, 0);
        unsigned evs[NSLOT] = { 0 };
        int have[NSLOT] = { 0 };

        out(buf, len, " E=[");
        if (n < 0)
            out(buf, len, "%s", ename(errno));
        for (int i = 0; i < n; i++) {
            unsigned s = (unsigned)ev[i].data.u64;

            /* with -k a write end's epoll events (OUT, ERR) are all
             * masked: leave it out */
            enum kind k = s < NSLOT && slots[s].kind == K_NONE ? was_kind[s]
                          : s < NSLOT                          ? slots[s].kind
                                                               : K_NONE;

            if (s < NSLOT && !(mask_known && k == K_FW)) {
                evs[s] = masked(k, ev[i].events);
                have[s] = 1;
            }
        }
        /* canonical order: by slot, whatever order epoll returned */
        for (int s = 0, f = 1; s < NSLOT; s++)
            if (have[s]) {
                out(buf, len, "%ss%d:", f ? "" : " ", s);
                pbits(buf, len, evs[s]);
                f = 0;
            }
        out(buf, len, "]");
    }
    out(buf, len, "\n");
}

static void fifo_path(char *p, size_t n, int f)
{
    snprintf(p, n, "%s/pf-fifo%d", dir, f);
}

static int free_slot(void)
{
    for (int s = 0; s < NSLOT; s++)
        if (slots[s].kind == K_NONE)
            return s;
    return -1;
}

static void clear_slot(int s)
{
    if (slots[s].kind != K_NONE)
        was_kind[s] = slots[s].kind;
    memset(&slots[s], 0, sizeof(slots[s]));
    slots[s].fd = -1;
}

/* Run one command in this agent; describe the outcome into buf. */
static void execute(const struct cmd *c, char *buf, size_t *len)
{
    static char data[1 << 20];
    struct slot *sl = &slots[c->slot];
    char path[400];
    long r;

    switch (c->op) {
    case 0: { /* open a FIFO end */
        static const int fl[] = { O_RDONLY | O_NONBLOCK, O_WRONLY | O_NONBLOCK,
                                  O_RDWR };
        static const enum kind fk[] = { K_FR, K_FW, K_FRW };
        int how = c->arg2 % 3;

        out(buf, len, "open f%d %s s%d: ", c->arg % NFIFO, kname[fk[how]],
            c->slot);
        if (sl->kind != K_NONE) {
            out(buf, len, "busy");
            break;
        }
        fifo_path(path, sizeof(path), c->arg % NFIFO);
        r = open(path, fl[how] | O_CLOEXEC);
        if (r < 0) {
            out(buf, len, "%s", ename(errno));
            break;
        }
        fcntl((int)r, F_SETFL, fcntl((int)r, F_GETFL) | O_NONBLOCK);
        sl->fd = (int)r;
        sl->kind = fk[how];
        out(buf, len, "ok");
        break;
    }
    case 1: /* close */
        out(buf, len, "close s%d: ", c->slot);
        if (sl->kind == K_NONE) {
            out(buf, len, "empty");
            break;
        }
        r = close(sl->fd);
        out(buf, len, "%s", r ? ename(errno) : "ok");
        clear_slot(c->slot);
        break;
    case 2: { /* write */
        static const int sizes[] = { 1, 512, 4096, 65536, 200000 };
        int n = sizes[c->arg % 5];

        out(buf, len, "write s%d %d: ", c->slot, n);
        if (sl->kind == K_NONE) {
            out(buf, len, "empty");
            break;
        }
        if (sl->kind == K_MQ) {
            r = mq_send(sl->fd, data, (size_t)(n > 64 ? 64 : n),
                        (unsigned)c->arg2 % 3);
            out(buf, len, "%s", r ? ename(errno) : "sent");
            break;
        }
        if (sl->kind == K_INO) {
            out(buf, len, "skip");
            break;
        }
        r = write(sl->fd, data, (size_t)n);
        if (r < 0)
            out(buf, len, "%s", ename(errno));
        else
            out(buf, len, "%ld", r);
        break;
    }
    case 3: { /* read */
        static const int sizes[] = { 1, 100, 4096, 65536, 1 << 20 };
        int n = sizes[c->arg % 5];

        out(buf, len, "read s%d %d: ", c->slot, n);
        if (sl->kind == K_NONE) {
            out(buf, len, "empty");
            break;
        }
        if (sl->kind == K_MQ) {
            unsigned prio = 0;

            r = mq_receive(sl->fd, data, 8192, &prio);
            if (r < 0)
                out(buf, len, "%s", ename(errno));
            else
                out(buf, len, "%ld prio %u", r, prio);
            break;
        }
        r = read(sl->fd, data, (size_t)n);
        if (r < 0)
            out(buf, len, "%s", ename(errno));
        else
            out(buf, len, "%ld", r);
        break;
    }
    case 4: { /* F_SETPIPE_SZ / F_GETPIPE_SZ */
        static const int sizes[] = { 4096, 8192, 65536, 1 << 20 };

        out(buf, len, "pipesz s%d %d: ", c->slot, sizes[c->arg % 4]);
        if (sl->kind == K_NONE) {
            out(buf, len, "empty");
            break;
        }
        r = fcntl(sl->fd, F_SETPIPE_SZ, sizes[c->arg % 4]);
        out(buf, len, "%s", r < 0 ? ename(errno) : "set");
        r = fcntl(sl->fd, F_GETPIPE_SZ);
        if (r < 0)
            out(buf, len, " get %s", ename(errno));
        else
            out(buf, len, " get %ld", r);
        break;
    }
    case 5: { /* dup into a free slot */
        int d = free_slot();

        out(buf, len, "dup s%d: ", c->slot);
        if (sl->kind == K_NONE || d < 0) {
            out(buf, len, "skip");
            break;
        }
        r = fcntl(sl->fd, F_DUPFD_CLOEXEC, 0);
        if (r < 0) {
            out(buf, len, "%s", ename(errno));
            break;
        }
        slots[d].fd = (int)r;
        slots[d].kind = sl->kind;
        out(buf, len, "s%d", d);
        break;
    }
    case 6: /* inotify instance */
        out(buf, len, "inotify s%d: ", c->slot);
        if (sl->kind != K_NONE) {
            out(buf, len, "busy");
            break;
        }
        r = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (r < 0) {
            out(buf, len, "%s", ename(errno));
            break;
        }
        sl->fd = (int)r;
        sl->kind = K_INO;
        out(buf, len, "ok");
        break;
    case 7: { /* add or remove a watch */
        int w = c->arg % 2;

        out(buf, len, "watch s%d #%d: ", c->slot, w);
        if (sl->kind != K_INO || no_watch) {
            out(buf, len, "skip");
            break;
        }
        if (sl->wd[w] > 0) {
            r = inotify_rm_watch(sl->fd, sl->wd[w]);
            out(buf, len, "rm %s", r ? ename(errno) : "ok");
            sl->wd[w] = 0;
            break;
        }
        r = inotify_add_watch(sl->fd, w ? dir : subdir,
                              w ? IN_OPEN | IN_CLOSE | IN_ATTRIB
                                : IN_CREATE | IN_DELETE | IN_ATTRIB);
        if (r < 0) {
            out(buf, len, "%s", ename(errno));
            break;
        }
        sl->wd[w] = (int)r;
        out(buf, len, "added");
        break;
    }
    case 8: { /* make an inotify event in the subdirectory */
        int k = c->arg % 3;

        snprintf(path, sizeof(path), "%s/x%d", subdir, k);
        switch (c->arg2 % 3) {
        case 0:
            r = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
            out(buf, len, "create x%d: %s", k, r < 0 ? ename(errno) : "ok");
            if (r >= 0)
                close((int)r);
            break;
        case 1:
            r = unlink(path);
            out(buf, len, "unlink x%d: %s", k, r ? ename(errno) : "ok");
            break;
        default:
            r = chmod(path, 0600 | (unsigned)(c->arg2 & 040));
            out(buf, len, "chmod x%d: %s", k, r ? ename(errno) : "ok");
        }
        break;
    }
    case 9: { /* open the message queue */
        struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = 64 };

        out(buf, len, "mq_open s%d: ", c->slot);
        if (sl->kind != K_NONE) {
            out(buf, len, "busy");
            break;
        }
        r = mq_open(mqname, O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600,
                    &at);
        if (r < 0) {
            out(buf, len, "%s", ename(errno));
            break;
        }
        sl->fd = (int)r;
        sl->kind = K_MQ;
        out(buf, len, "ok");
        break;
    }
    case 10: { /* epoll add / mod (re-arm) / del */
        static const unsigned modes[] = { 0, 0, EPOLLET, EPOLLONESHOT };
        struct epoll_event ev = { 0 };
        int m = 1 + c->arg % 3;

        if (no_et && m == 2 && (sl->kind == K_MQ || sl->kind == K_FRW))
            m = 1;

        out(buf, len, "epoll s%d: ", c->slot);
        if (sl->kind == K_NONE) {
            out(buf, len, "empty");
            break;
        }
        ev.events = ep_want(sl->kind) | modes[m];
        ev.data.u64 = (uint64_t)c->slot;
        if (!sl->ep) {
            r = epoll_ctl(epfd, EPOLL_CTL_ADD, sl->fd, &ev);
            out(buf, len, "add %s %s",
                m == 1   ? "LT"
                : m == 2 ? "ET"
                         : "1S",
                r ? ename(errno) : "ok");
            if (!r)
                sl->ep = m;
        } else if (c->arg2 % 2) {
            ev.events = ep_want(sl->kind) | modes[sl->ep];
            r = epoll_ctl(epfd, EPOLL_CTL_MOD, sl->fd, &ev);
            out(buf, len, "mod %s", r ? ename(errno) : "ok");
        } else {
            r = epoll_ctl(epfd, EPOLL_CTL_DEL, sl->fd, NULL);
            out(buf, len, "del %s", r ? ename(errno) : "ok");
            sl->ep = 0;
        }
        break;
    }
    default:
        out(buf, len, "nop");
    }
}

static int cmdfd[NAGENT], repfd[NAGENT];
static pid_t kid[NAGENT];

static void read_full(int fd, void *p, size_t n)
{
    char *c = p;

    while (n) {
        ssize_t r = read(fd, c, n);

        if (r <= 0) {
            if (r < 0 && errno == EINTR)
                continue;
            exit(3);
        }
        c += r;
        n -= (size_t)r;
    }
}

static void agent_loop(int in, int outfd)
{
    struct cmd c;
    static char buf[REPLY];

    for (;;) {
        size_t len = 0;

        read_full(in, &c, sizeof(c));
        if (c.op < 0)
            _exit(0);
        if (c.op == 100)
            report(buf, &len);
        else
            execute(&c, buf, &len);
        write(outfd, &len, sizeof(len));
        write(outfd, buf, len);
    }
}

/* Run a command (op 100: report) in agent a; print what it says. */
static void run(int a, const struct cmd *c)
{
    static char buf[REPLY];
    size_t len = 0;

    if (a == 0) {
        if (c->op == 100)
            report(buf, &len);
        else
            execute(c, buf, &len);
    } else {
        write(cmdfd[a], c, sizeof(*c));
        read_full(repfd[a], &len, sizeof(len));
        read_full(repfd[a], buf, len);
    }
    fwrite(buf, 1, len, stdout);
}

/* ---- blocking variants ------------------------------------------------ */

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fails;
static void verdict(int ok, const char *what)
{
    printf("%s - %s\n", ok ? "ok" : "FAIL", what);
    fails += !ok;
}

static int thr_wfd;
static void *thr_writer(void *arg)
{
    (void)arg;
    usleep(200000);
    if (write(thr_wfd, "y", 1) != 1)
        return NULL;
    return NULL;
}

static int blocking(void)
{
    char path[400];
    int rd, wr, ep;
    pid_t pid;
    double t0;
    char c;
    struct pollfd p;
    struct epoll_event ev = { .events = EPOLLIN }, got;
    pthread_t th;

    fifo_path(path, sizeof(path), 0);
    rd = open(path, O_RDONLY | O_NONBLOCK);
    wr = open(path, O_WRONLY | O_NONBLOCK);
    verdict(rd >= 0 && wr >= 0, "open both ends");

    /* poll with a timeout, woken by another process's write */
    pid = fork();
    if (pid == 0) {
        usleep(200000);
        _exit(write(wr, "x", 1) == 1 ? 0 : 1);
    }
    p = (struct pollfd){ rd, POLLIN, 0 };
    t0 = now();
    verdict(poll(&p, 1, 5000) == 1 && (p.revents & POLLIN),
            "poll woken by another process's write");
    verdict(now() - t0 < 2.5, "... well before its timeout");
    waitpid(pid, NULL, 0);
    verdict(read(rd, &c, 1) == 1, "read the byte");

    /* select woken the same way */
    pid = fork();
    if (pid == 0) {
        usleep(200000);
        _exit(write(wr, "x", 1) == 1 ? 0 : 1);
    }
    {
        fd_set r;
        struct timeval tv = { 5, 0 };

        FD_ZERO(&r);
        FD_SET(rd, &r);
        t0 = now();
        verdict(select(rd + 1, &r, NULL, NULL, &tv) == 1 && now() - t0 < 2.5,
                "select woken by another process's write");
    }
    waitpid(pid, NULL, 0);
    verdict(read(rd, &c, 1) == 1, "read the byte");

    /* the last writer goes away while we poll: POLLHUP */
    pid = fork();
    if (pid == 0) {
        usleep(200000);
        _exit(0);
    }
    close(wr);
    p = (struct pollfd){ rd, POLLIN, 0 };
    t0 = now();
    {
        int n = poll(&p, 1, 5000);

        printf("hup: poll %d revents %s%s after the last writer left\n", n,
               p.revents & POLLIN ? "IN" : "",
               p.revents & POLLHUP ? "HUP" : "");
        verdict(n == 1 && now() - t0 < 2.5,
                "poll woken when the last writer (a child) exits");
    }
    waitpid(pid, NULL, 0);
    close(rd);

    /* epoll_wait in a thread-less wait, woken by another thread's write */
    rd = open(path, O_RDONLY | O_NONBLOCK);
    wr = open(path, O_WRONLY | O_NONBLOCK);
    ep = epoll_create1(0);
    verdict(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, rd, &ev) == 0,
            "epoll takes the read end");
    thr_wfd = wr;
    pthread_create(&th, NULL, thr_writer, NULL);
    t0 = now();
    verdict(epoll_wait(ep, &got, 1, 5000) == 1 && (got.events & EPOLLIN) &&
                now() - t0 < 2.5,
            "epoll_wait woken by another thread's write");
    pthread_join(th, NULL);
    verdict(read(rd, &c, 1) == 1, "read the byte");

    /* EPOLLET: a second write while still readable is a new edge */
    ev.events = EPOLLIN | EPOLLET;
    verdict(epoll_ctl(ep, EPOLL_CTL_MOD, rd, &ev) == 0, "switch to EPOLLET");
    verdict(write(wr, "a", 1) == 1, "write 1");
    verdict(epoll_wait(ep, &got, 1, 1000) == 1, "ET: first write reported");
    verdict(epoll_wait(ep, &got, 1, 0) == 0, "ET: not again without a write");
    thr_wfd = wr;
    pthread_create(&th, NULL, thr_writer, NULL);
    t0 = now();
    {
        int n = epoll_wait(ep, &got, 1, 3000);

        printf("ET second write: epoll_wait %d after %.1f s\n", n, now() - t0);
    }
    pthread_join(th, NULL);
    close(ep);
    close(rd);
    close(wr);
    return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
    int nops = 150, opt, block = 0;
    unsigned seed;
    struct cmd rep = { .op = 100 };

    while ((opt = getopt(argc, argv, "n:kbehi")) != -1) {
        if (opt == 'n')
            nops = atoi(optarg);
        else if (opt == 'k')
            mask_known = 1;
        else if (opt == 'b')
            block = 1;
        else if (opt == 'e')
            no_et = 1;
        else if (opt == 'h')
            fold_hup = 1;
        else if (opt == 'i')
            no_watch = 1;
        else
            return 2;
    }
    if (optind + 2 != argc) {
        fprintf(
            stderr,
            "usage: poll-fuzz [-n OPS] [-k] [-e] [-h] [-i] [-b] DIR SEED\n");
        return 2;
    }
    snprintf(dir, sizeof(dir), "%s", argv[optind]);
    seed = (unsigned)strtoul(argv[optind + 1], NULL, 0);
    rng = 0x9E3779B97F4A7C15ull ^ ((uint64_t)seed * 0x100000001B3ull);
    if (!rng)
        rng = 1;
    snprintf(subdir, sizeof(subdir), "%s/pf-dir", dir);
    snprintf(mqname, sizeof(mqname), "/pf-%u-%d", seed, (int)getpid());
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int s = 0; s < NSLOT; s++)
        clear_slot(s);
    for (int f = 0; f < NFIFO; f++) {
        char p[400];

        fifo_path(p, sizeof(p), f);
        unlink(p);
        if (mkfifo(p, 0600)) {
            perror("mkfifo");
            return 2;
        }
    }
    mkdir(subdir, 0700);
    mq_unlink(mqname);
    if (block) {
        int r = blocking();
        char p[400];

        for (int f = 0; f < NFIFO; f++)
            fifo_path(p, sizeof(p), f), unlink(p);
        rmdir(subdir);
        return r;
    }

    for (int a = 1; a < NAGENT; a++) {
        int c[2], r[2];

        if (pipe2(c, O_CLOEXEC) || pipe2(r, O_CLOEXEC))
            return 2;
        fflush(stdout);
        kid[a] = fork();
        if (kid[a] == 0) {
            agent_id = a;
            close(c[1]);
            close(r[0]);
            epfd = epoll_create1(EPOLL_CLOEXEC);
            agent_loop(c[0], r[1]);
        }
        close(c[0]);
        close(r[1]);
        cmdfd[a] = c[1];
        repfd[a] = r[0];
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);

    printf("poll-fuzz seed %u ops %d%s\n", seed, nops,
           mask_known ? " (FIFO write readiness masked)" : "");
    for (int i = 0; i < nops; i++) {
        struct cmd c;
        unsigned pick = rnd_low(100);
        int a = (int)rnd_low(NAGENT);

        /* weights: FIFO traffic most, the rest now and then */
        c.op = pick < 14   ? 0
               : pick < 24 ? 1
               : pick < 42 ? 2
               : pick < 58 ? 3
               : pick < 62 ? 4
               : pick < 67 ? 5
               : pick < 70 ? 6
               : pick < 75 ? 7
               : pick < 81 ? 8
               : pick < 84 ? 9
                           : 10;
        c.slot = (int)rnd_low(NSLOT);
        c.arg = (int)rnd_low(1000);
        c.arg2 = (int)rnd_low(1000);
        printf("#%d A%d ", i, a);
        run(a, &c);
        printf("\n");
        for (int b = 0; b < NAGENT; b++)
            run(b, &rep);
    }
    for (int a = 1; a < NAGENT; a++) {
        struct cmd q = { .op = -1 };

        write(cmdfd[a], &q, sizeof(q));
        waitpid(kid[a], NULL, 0);
    }
    for (int f = 0; f < NFIFO; f++) {
        char p[400];

        fifo_path(p, sizeof(p), f);
        unlink(p);
    }
    for (int k = 0; k < 3; k++) {
        char p[400];

        snprintf(p, sizeof(p), "%s/x%d", subdir, k);
        unlink(p);
    }
    rmdir(subdir);
    mq_unlink(mqname);
    printf("done\n");
    return 0;
}
