/* SPDX-License-Identifier: MIT */
/*
 * POSIX message queues as Linux gives them: attributes and limits,
 * priorities, O_NONBLOCK (EAGAIN), timeouts, EMSGSIZE, two processes
 * exchanging messages, a blocked receive woken by another process's send,
 * a signal ending a blocked receive (EINTR without SA_RESTART, restarted
 * with it), poll/select/epoll readiness, mq_notify by signal (si_code
 * SI_MESGQ, the value, the sender's pid) and SIGEV_NONE, by a signal
 * ignored by default (SIGCHLD, SIGURG, SIGWINCH, SIGCONT) with a handler,
 * registered by another thread, SIGKILL and SIGSTOP, unlink while
 * open, close-on-exec, dup and fork. As root, a user is denied a 0600
 * root queue. With the argument "devmq": the queue shows in /dev/mqueue.
 * Passes natively too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

#define MQUEUE_MAGIC_ 0x19800202

static char qname[64];
static volatile sig_atomic_t got_sig, got_code, got_val, got_pid;

static void on_alarm(int sig)
{
    (void)sig;
}

static void on_notify(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got_sig = sig;
    got_code = si->si_code;
    got_val = si->si_value.sival_int;
    got_pid = si->si_pid;
}

/* SIGALRM with a handler (SA_RESTART or not) in @ms milliseconds */
static void alarm_in(int ms, int flags)
{
    struct sigaction sa;
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
    setitimer(ITIMER_REAL, &it, NULL);
}

static double now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static struct timespec abs_in(int ms)
{
    struct timespec t;

    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += (long)ms * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

static int wait_ok(pid_t pid)
{
    int st;

    return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A child that sleeps @ms, then sends @text with priority @prio. */
static pid_t send_later(mqd_t q, int ms, const char *text, unsigned prio)
{
    pid_t pid = fork();

    if (pid == 0) {
        usleep(ms * 1000);
        _exit(mq_send(q, text, strlen(text), prio) ? 1 : 0);
    }
    return pid;
}

static void basics(void)
{
    struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 64 }, g;
    char buf[64];
    unsigned prio;
    mqd_t q, q2;
    ssize_t n;

    q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0640, &a);
    check(q >= 0, "mq_open O_CREAT|O_EXCL");
    check(fcntl(q, F_GETFD) == FD_CLOEXEC, "the descriptor is close-on-exec");
    check(mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0640, &a) < 0 &&
              errno == EEXIST,
          "O_EXCL on an existing queue: EEXIST");
    check(mq_open("/kbox-mq-none", O_RDWR) < 0 && errno == ENOENT,
          "a missing queue: ENOENT");
    check(mq_open("/kbox/mq", O_RDWR | O_CREAT, 0600, NULL) < 0 &&
              errno == EACCES,
          "a name with a slash: EACCES");
    {
        struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 64 };

        check(mq_open("/kbox-mq-bad", O_RDWR | O_CREAT, 0600, &bad) < 0 &&
                  errno == EINVAL,
              "mq_maxmsg 0: EINVAL");
    }
    check(mq_open(qname, O_RDWR | O_WRONLY) < 0 && errno == EINVAL,
          "O_RDWR|O_WRONLY: EINVAL");
    check(mq_getattr(q, &g) == 0 && g.mq_maxmsg == 4 && g.mq_msgsize == 64 &&
              g.mq_curmsgs == 0 && g.mq_flags == 0,
          "mq_getattr: 4 x 64, empty, blocking");

    check(mq_send(q, "one", 3, 1) == 0 && mq_send(q, "five", 4, 5) == 0 &&
              mq_send(q, "three", 5, 3) == 0 && mq_send(q, "five2", 5, 5) == 0,
          "four messages sent");
    check(mq_getattr(q, &g) == 0 && g.mq_curmsgs == 4, "mq_curmsgs 4");
    n = mq_receive(q, buf, sizeof(buf), &prio);
    check(n == 4 && !memcmp(buf, "five", 4) && prio == 5,
          "highest priority first, oldest of equals first");
    n = mq_receive(q, buf, sizeof(buf), &prio);
    check(n == 5 && !memcmp(buf, "five2", 5) && prio == 5, "then its twin");
    n = mq_receive(q, buf, sizeof(buf), &prio);
    check(n == 5 && !memcmp(buf, "three", 5) && prio == 3, "then 3");
    n = mq_receive(q, buf, sizeof(buf), NULL);
    check(n == 3 && !memcmp(buf, "one", 3), "then 1 (no prio pointer)");

    check(mq_send(q, buf, 65, 0) < 0 && errno == EMSGSIZE,
          "a message above mq_msgsize: EMSGSIZE");
    check(mq_receive(q, buf, 63, NULL) < 0 && errno == EMSGSIZE,
          "a buffer below mq_msgsize: EMSGSIZE");
    check(mq_send(q, "x", 1, 32768) < 0 && errno == EINVAL,
          "priority 32768: EINVAL");
    check(syscall(SYS_mq_timedsend, q, NULL, 8, 0, NULL) < 0 && errno == EFAULT,
          "a bad message: EFAULT");
    check(mq_send(-1, "x", 1, 0) < 0 && errno == EBADF, "fd -1: EBADF");
    check(mq_send(1, "x", 1, 0) < 0 && errno == EBADF,
          "not a queue (stdout): EBADF");

    /* O_NONBLOCK through mq_setattr, and back */
    {
        struct mq_attr nb = { .mq_flags = O_NONBLOCK }, old;

        check(mq_setattr(q, &nb, &old) == 0 && old.mq_flags == 0,
              "mq_setattr O_NONBLOCK");
        check(mq_receive(q, buf, sizeof(buf), NULL) < 0 && errno == EAGAIN,
              "an empty non-blocking queue: EAGAIN");
        for (int i = 0; i < 4; i++)
            mq_send(q, "f", 1, (unsigned)i);
        check(mq_send(q, "f", 1, 0) < 0 && errno == EAGAIN,
              "a full non-blocking queue: EAGAIN");
        check(mq_getattr(q, &g) == 0 && g.mq_curmsgs == 4 &&
                  g.mq_flags == O_NONBLOCK,
              "mq_getattr: full, O_NONBLOCK");
        nb.mq_flags = 0;
        check(mq_setattr(q, &nb, NULL) == 0, "mq_setattr blocking again");
        {
            struct timespec t = abs_in(100);
            double t0 = now_ms();

            check(mq_timedsend(q, "f", 1, 0, &t) < 0 && errno == ETIMEDOUT &&
                      now_ms() - t0 >= 90,
                  "a full queue: mq_timedsend ETIMEDOUT after 100 ms");
        }
        while (mq_timedreceive(q, buf, sizeof(buf), NULL,
                               &(struct timespec){ 0, 0 }) >= 0)
            ;
        check(errno == ETIMEDOUT, "drained (timeout in the past: ETIMEDOUT)");
    }
    {
        struct timespec t = abs_in(100), bad = { 0, 1000000000L };
        double t0 = now_ms();

        check(mq_timedreceive(q, buf, sizeof(buf), NULL, &t) < 0 &&
                  errno == ETIMEDOUT && now_ms() - t0 >= 90,
              "an empty queue: mq_timedreceive ETIMEDOUT after 100 ms");
        check(mq_timedreceive(q, buf, sizeof(buf), NULL, &bad) < 0 &&
                  errno == EINVAL,
              "tv_nsec 1e9: EINVAL");
    }

    /* dup and close */
    q2 = dup(q);
    check(q2 >= 0 && mq_send(q2, "dup", 3, 0) == 0, "send through a dup");
    check(close(q2) == 0 && mq_receive(q, buf, sizeof(buf), NULL) == 3,
          "receive through the original");
    q2 = mq_open(qname, O_RDONLY);
    check(q2 >= 0 && mq_send(q2, "x", 1, 0) < 0 && errno == EBADF,
          "send on O_RDONLY: EBADF");
    mq_close(q2);
    mq_close(q);
}

/* Two processes: messages by priority, a receive woken by a send. */
static void processes(void)
{
    struct mq_attr a = { .mq_maxmsg = 8, .mq_msgsize = 32 };
    char buf[32];
    unsigned prio;
    pid_t pid;
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0600, &a);
    double t0;
    ssize_t n;

    pid = fork();
    if (pid == 0) {
        _exit(mq_send(q, "low", 3, 1) || mq_send(q, "high", 4, 9) ||
              mq_send(q, "mid", 3, 4));
    }
    check(wait_ok(pid), "a child sent three messages");
    n = mq_receive(q, buf, sizeof(buf), &prio);
    check(n == 4 && prio == 9, "the parent gets the child's priority 9");
    n = mq_receive(q, buf, sizeof(buf), &prio);
    check(n == 3 && prio == 4, "then 4");
    n = mq_receive(q, buf, sizeof(buf), &prio);
    check(n == 3 && prio == 1, "then 1");

    /* a child receives what the parent sends */
    pid = fork();
    if (pid == 0) {
        n = mq_receive(q, buf, sizeof(buf), &prio);
        _exit(n == 5 && prio == 7 && !memcmp(buf, "hello", 5) ? 0 : 1);
    }
    usleep(50000);
    check(mq_send(q, "hello", 5, 7) == 0 && wait_ok(pid),
          "a blocked child receive woken by the parent's send");

    pid = send_later(q, 150, "late", 2);
    t0 = now_ms();
    n = mq_receive(q, buf, sizeof(buf), &prio);
    check(n == 4 && prio == 2 && now_ms() - t0 >= 100,
          "a blocked receive woken by another process's send");
    check(wait_ok(pid), "the sender exited");

    /* signals */
    alarm_in(100, 0);
    t0 = now_ms();
    n = mq_receive(q, buf, sizeof(buf), NULL);
    check(n < 0 && errno == EINTR && now_ms() - t0 >= 80,
          "a handler without SA_RESTART ends a blocked receive: EINTR");
    alarm_in(100, SA_RESTART);
    pid = send_later(q, 300, "after", 0);
    t0 = now_ms();
    n = mq_receive(q, buf, sizeof(buf), NULL);
    check(n == 5 && now_ms() - t0 >= 250,
          "with SA_RESTART the receive goes on until the send");
    wait_ok(pid);
    mq_close(q);
    mq_unlink(qname);
}

static void readiness(void)
{
    struct mq_attr a = { .mq_maxmsg = 2, .mq_msgsize = 16 };
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0600, &a);
    struct pollfd p = { q, POLLIN, 0 };
    struct epoll_event ev = { .events = EPOLLIN }, out;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    char buf[16];
    fd_set rs;
    struct timeval tv = { 0, 0 };
    pid_t pid;

    epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev);
    check(poll(&p, 1, 0) == 0, "empty: poll shows no POLLIN");
    p.events = POLLOUT;
    check(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT), "not full: POLLOUT");
    p.events = POLLIN;
    check(epoll_wait(ep, &out, 1, 0) == 0, "empty: epoll shows nothing");
    mq_send(q, "a", 1, 0);
    check(poll(&p, 1, 0) == 1 && (p.revents & POLLIN), "a message: POLLIN");
    FD_ZERO(&rs);
    FD_SET(q, &rs);
    check(select(q + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(q, &rs),
          "a message: select readable");
    check(epoll_wait(ep, &out, 1, 0) == 1 && (out.events & EPOLLIN),
          "a message: epoll EPOLLIN");
    mq_receive(q, buf, sizeof(buf), NULL);
    check(poll(&p, 1, 0) == 0, "received: no POLLIN again");
    check(epoll_wait(ep, &out, 1, 0) == 0, "received: epoll nothing again");
    pid = send_later(q, 100, "b", 0);
    check(poll(&p, 1, 2000) == 1 && (p.revents & POLLIN),
          "a poll woken by another process's send");
    check(epoll_wait(ep, &out, 1, 0) == 1, "and epoll too");
    wait_ok(pid);
    mq_receive(q, buf, sizeof(buf), NULL);

    /* POLLOUT only while mq_curmsgs < mq_maxmsg (mqueue_poll_file) */
    {
        struct epoll_event wev = { .events = EPOLLOUT };
        int wep = epoll_create1(EPOLL_CLOEXEC);
        fd_set ws;

        epoll_ctl(wep, EPOLL_CTL_ADD, q, &wev);
        mq_send(q, "c", 1, 0);
        p.events = POLLOUT;
        check(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT),
              "one of two: POLLOUT");
        mq_send(q, "d", 1, 0);
        check(poll(&p, 1, 0) == 0, "full: no POLLOUT");
        FD_ZERO(&ws);
        FD_SET(q, &ws);
        check(select(q + 1, NULL, &ws, NULL, &tv) == 0,
              "full: select not writable");
        check(epoll_wait(wep, &out, 1, 0) == 0, "full: epoll no EPOLLOUT");
        p.events = POLLIN | POLLOUT;
        check(poll(&p, 1, 0) == 1 && p.revents == POLLIN, "full: POLLIN alone");
        mq_receive(q, buf, sizeof(buf), NULL);
        p.events = POLLOUT;
        check(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT),
              "received from a full queue: POLLOUT again");
        check(epoll_wait(wep, &out, 1, 0) == 1 && (out.events & EPOLLOUT),
              "and epoll EPOLLOUT");
        mq_send(q, "e", 1, 0);
        check(poll(&p, 1, 0) == 0, "full again: no POLLOUT");
        /* another process's receive wakes a poll for POLLOUT */
        pid = fork();
        if (pid == 0) {
            usleep(100 * 1000);
            _exit(mq_receive(q, buf, sizeof(buf), NULL) == 1 ? 0 : 1);
        }
        check(poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT),
              "a poll for POLLOUT woken by another process's receive");
        wait_ok(pid);
        mq_receive(q, buf, sizeof(buf), NULL);
        close(wep);
    }
    close(ep);
    mq_close(q);
    mq_unlink(qname);
}

static void notify(void)
{
    struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 };
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0600, &a);
    struct sigevent se;
    struct sigaction sa;
    char buf[16];
    pid_t pid;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_notify;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    memset(&se, 0, sizeof(se));
    se.sigev_notify = SIGEV_SIGNAL;
    se.sigev_signo = SIGUSR1;
    se.sigev_value.sival_int = 4242;
    check(mq_notify(q, &se) == 0, "mq_notify SIGEV_SIGNAL");
    check(mq_notify(q, &se) < 0 && errno == EBUSY,
          "a second registration: EBUSY");
    pid = send_later(q, 50, "n", 0);
    for (int i = 0; i < 200 && !got_sig; i++)
        usleep(10000);
    check(got_sig == SIGUSR1 && got_code == SI_MESGQ && got_val == 4242,
          "the notification: SIGUSR1, SI_MESGQ, the value");
    check(got_pid == pid, "si_pid is the sender's");
    wait_ok(pid);
    got_sig = 0;
    mq_send(q, "m", 1, 0);
    usleep(50000);
    check(!got_sig, "one notification only (queue not empty)");
    mq_receive(q, buf, sizeof(buf), NULL);
    mq_receive(q, buf, sizeof(buf), NULL);
    check(mq_notify(q, &se) == 0, "registered again after it fired");
    check(mq_notify(q, NULL) == 0, "and removed");
    mq_send(q, "m", 1, 0);
    usleep(50000);
    check(!got_sig, "no notification after removal");
    mq_receive(q, buf, sizeof(buf), NULL);
    se.sigev_notify = SIGEV_NONE;
    check(mq_notify(q, &se) == 0, "mq_notify SIGEV_NONE");
    pid = fork();
    if (pid == 0) {
        struct sigevent s2 = se;

        _exit(mq_notify(q, &s2) < 0 && errno == EBUSY ? 0 : 1);
    }
    check(wait_ok(pid), "another process: EBUSY");
    mq_send(q, "m", 1, 0);
    usleep(20000);
    check(!got_sig, "SIGEV_NONE sends nothing");
    check(mq_notify(q, &se) == 0, "and is gone once the queue filled");
    mq_close(q);
    mq_unlink(qname);
}

static mqd_t reg_q;
static int reg_signo;

static void *register_notify(void *arg)
{
    struct sigevent se;

    (void)arg;
    memset(&se, 0, sizeof(se));
    se.sigev_notify = SIGEV_SIGNAL;
    se.sigev_signo = reg_signo;
    se.sigev_value.sival_int = 77;
    return (void *)(long)mq_notify(reg_q, &se);
}

/* Signals ignored by default, with a handler; registered by a thread. */
static void notify_signals(void)
{
    static const int sigs[] = { SIGCHLD, SIGURG, SIGWINCH, SIGCONT };
    struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 };
    struct sigaction sa;
    char buf[16], what[96];

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_notify;
    sa.sa_flags = SA_SIGINFO;
    for (unsigned i = 0; i < 2 * sizeof(sigs) / sizeof(sigs[0]); i++) {
        int sig = sigs[i % 4], thread = i >= 4;
        pthread_t t;
        void *rc = (void *)-1L;

        reg_q = mq_open(qname, O_RDWR | O_CREAT, 0600, &a);
        reg_signo = sig;
        sigaction(sig, &sa, NULL);
        got_sig = got_code = got_val = 0;
        if (thread) {
            if (!pthread_create(&t, NULL, register_notify, NULL))
                pthread_join(t, &rc);
        } else {
            rc = register_notify(NULL);
        }
        mq_send(reg_q, "s", 1, 0);
        for (int j = 0; j < 200 && !got_sig; j++)
            usleep(10000);
        snprintf(what, sizeof(what), "%s%s: the handler gets it (SI_MESGQ)",
                 strsignal(sig), thread ? ", registered by a thread" : "");
        check(!rc && got_sig == sig && got_code == SI_MESGQ && got_val == 77,
              what);
        mq_receive(reg_q, buf, sizeof(buf), NULL);
        signal(sig, SIG_DFL);
        mq_close(reg_q);
        mq_unlink(qname);
    }
}

/*
 * SIGKILL and SIGSTOP, which lx cannot block: a child that registers
 * and sends itself a message is killed or stopped.
 */
static void notify_unblockable(void)
{
    struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 };
    static const int sigs[] = { SIGKILL, SIGSTOP };

    for (int i = 0; i < 2; i++) {
        int st = 0, sig = sigs[i];
        pid_t pid;
        char what[96];

        reg_q = mq_open(qname, O_RDWR | O_CREAT, 0600, &a);
        reg_signo = sig;
        pid = fork();
        if (pid == 0) {
            if (register_notify(NULL))
                _exit(2);
            mq_send(reg_q, "s", 1, 0);
            usleep(500000);
            _exit(3);
        }
        waitpid(pid, &st, WUNTRACED);
        snprintf(what, sizeof(what), "mq_notify %s: the process %s",
                 strsignal(sig), sig == SIGKILL ? "is killed" : "stops");
        check(sig == SIGKILL ? WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL
                             : WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
              what);
        if (WIFSTOPPED(st)) {
            kill(pid, SIGCONT);
            waitpid(pid, &st, 0);
        }
        mq_close(reg_q);
        mq_unlink(qname);
    }
}

static void unlink_open(void)
{
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0600, NULL), q2;
    struct mq_attr g;
    char *buf;

    check(q >= 0 && mq_getattr(q, &g) == 0, "a queue with default attributes");
    buf = malloc(g.mq_msgsize);
    check(mq_unlink(qname) == 0, "mq_unlink while open");
    check(mq_open(qname, O_RDWR) < 0 && errno == ENOENT, "its name is gone");
    check(mq_unlink(qname) < 0 && errno == ENOENT, "unlink again: ENOENT");
    check(mq_send(q, "still", 5, 0) == 0 &&
              mq_receive(q, buf, g.mq_msgsize, NULL) == 5,
          "the open queue still works");
    q2 = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    check(q2 >= 0 && mq_getattr(q2, &g) == 0 && g.mq_curmsgs == 0,
          "a new queue of the same name is another");
    mq_close(q2);
    mq_close(q);
    mq_unlink(qname);
    free(buf);
}

static void as_user(void)
{
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0600, NULL);
    pid_t pid;

    pid = fork();
    if (pid == 0) {
        if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
            _exit(2);
        _exit(mq_open(qname, O_RDONLY) < 0 && errno == EACCES &&
                      mq_unlink(qname) < 0 && errno == EACCES
                  ? 0
                  : 1);
    }
    check(wait_ok(pid), "user 1000 is denied a 0600 root queue (EACCES)");
    mq_close(q);
    mq_unlink(qname);
}

static void devmq(void)
{
    struct statfs sf;
    struct stat st;
    char path[96];
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0640, NULL);

    snprintf(path, sizeof(path), "/dev/mqueue%s", qname);
    check(statfs("/dev/mqueue", &sf) == 0 && sf.f_type == MQUEUE_MAGIC_,
          "/dev/mqueue is an mqueue filesystem");
    check(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
          "the queue shows there, mode 0640");
    check(unlink(path) == 0 && mq_open(qname, O_RDWR) < 0 && errno == ENOENT,
          "unlink there removes it");
    mq_close(q);
}

int main(int argc, char **argv)
{
    snprintf(qname, sizeof(qname), "/kbox-mq-%d", (int)getpid());
    if (argc > 1 && !strcmp(argv[1], "devmq")) {
        devmq();
    } else {
        basics();
        mq_unlink(qname);
        processes();
        readiness();
        notify();
        notify_signals();
        notify_unblockable();
        unlink_open();
        if (geteuid() == 0)
            as_user();
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
